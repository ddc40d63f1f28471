"""The plain, readable engine: one month of a partnership as docs/ODD.md states it, written
from the mechanisms' canonical functions with no caches, folding or in-place buffers.

``PartnershipModel.step`` is the fast form of the same month (buffers updated in place,
constants cached per scenario and per meeting pattern, an expectation by one matrix-vector
product, links from a plan, the gossip sum in single precision). tests/test_schedule_reference.py
runs both engines from the same state and the same draws for whole runs of every preset and
compares every state array.

Read ``month`` top to bottom: it is the schedule (ODD I.iii), each line naming the mechanism
module that holds the formula and the Scenario parameters that set it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lspsim.events import scenario_in_force
from lspsim.mechanisms import (
    commitment,
    cycles,
    delivery,
    layers,
    leadership,
    monitoring,
    network,
    resources,
    scrutiny,
    structure,
    trust,
)
from lspsim.scenario import THEMES, Scenario

if TYPE_CHECKING:
    from lspsim.model import PartnershipModel


@dataclass(frozen=True)
class Partners:
    """What a run fixes at its start: the partners' attributes (from the scenario's kinds) and
    the run's own draws (budgets, slopes, delivery chains, the seed of later rounds' target
    difficulty)."""

    kinds: list[str]
    themes: list[list[str]]
    statutory: np.ndarray
    is_council: np.ndarray
    is_chair_org: np.ndarray
    stake_in_success: np.ndarray
    stake_in_failure: np.ndarray
    capacity: np.ndarray
    data_quality: np.ndarray
    openness: np.ndarray
    budget: np.ndarray
    slope: np.ndarray
    chains: np.ndarray
    round_seed: int
    first_month: int                 # the first month run (spin-up included)
    outside_ties: np.ndarray         # the starting ties, kept up outside the partnership


@dataclass(frozen=True)
class State:
    """The state a month changes."""

    trust: np.ndarray
    ties: np.ndarray
    commitment: np.ndarray
    observed: np.ndarray
    pressure: np.ndarray
    fine_rate: np.ndarray
    signal: np.ndarray
    maturity: float
    burden: np.ndarray
    effective_capacity: np.ndarray
    link: np.ndarray
    adequacy: np.ndarray
    progress: np.ndarray
    efficacy: np.ndarray
    belief: np.ndarray               # what each partner expects of the others (NaN: not yet)
    months_to_deliver: np.ndarray    # this round's targets
    round_start: int
    round_index: int


def month(sc: Scenario, p: Partners, s: State, t: int, uniform: np.ndarray,
          z_observe: np.ndarray, z_decide: np.ndarray) -> State:
    """Month ``t`` (1-based) from state ``s``, given one uniform draw per partner (turnover)
    and two standard-normal draws per partner (observation error, decision noise)."""
    n = len(p.kinds)
    ld, ly, mon, tr, nw = sc.leadership, sc.layers, sc.monitoring, sc.trust, sc.network
    st, cm, sr, rs, dl = sc.structure, sc.commitment, sc.scrutiny, sc.resources, sc.delivery
    mech = sc.mechanisms
    renewed = mech.laa_rounds == "renewed"

    # 0. A new LAA round: new targets (new difficulty), progress from 0 (cycles.py)
    progress, mtd = s.progress, s.months_to_deliver
    round_start, round_index = s.round_start, s.round_index
    if cycles.opens_round(t, s.round_start, dl.round_months, renewed):
        round_index += 1
        round_start = t
        mtd = dl.months_to_deliver * cycles.round_difficulty(p.round_seed, round_index,
                                                             dl.difficulty_spread, len(progress))
        progress = np.zeros(len(progress))

    # The fixed confusion multipliers act only in their own form (mechanisms.layers)
    clarity = layers.multiplier_clarity(mech.layers, ly.clarity)

    # Leadership: the blended style and each partner's voice (leadership.py)
    style = leadership.effective_style(ld.styles, ld.chair_style, ld.board_style,
                                       ld.chair_weight)
    voice = leadership.voice(p.is_council, p.statutory, p.is_chair_org, style["inclusion"],
                             ld.council_dominance, statutory_exposure=ld.statutory_exposure,
                             exclusion_weight=ld.exclusion_weight,
                             outsider_weight=ld.outsider_weight, floor=ld.voice_floor)
    # Whose priorities make the agenda: voice x tier weight (leadership.py, structure.py)
    tier = structure.tiers(p.kinds)
    stake = leadership.agenda_stake(leadership.priorities(p.themes, THEMES),
                                    voice * structure.tier_agenda_weight(
                                        tier, st.district_agenda_weight))

    # 1. Turnover: leavers lose ties; trust to and from them moves toward the base (network.py,
    #    trust.py)
    leavers = network.leavers(uniform, nw.turnover)
    ties = network.break_ties(s.ties, leavers, nw.tie_loss_on_turnover)
    T = trust.reset_for_newcomers(s.trust, leavers, tr.initial, tr.newcomer_share)

    # 2. Meetings: who meets whom, and the capacity meetings and coordination take (layers.py,
    #    structure.py)
    membership = delivery.membership(p.chains, n)
    seats = layers.seats(p.statutory, voice, p.chains, ly.executive_voice)
    per_year = np.array([ly.strategic_per_year, ly.executive_per_year,
                         ly.operational_per_year], dtype=float)
    meetings = layers.meetings_in_month(t, per_year)
    weights = layers.contact_weights(ly.contact_strategic, ly.contact_executive,
                                     ly.contact_operational)
    contact = layers.contact(meetings, layers.co_membership(seats, membership), weights)
    extra = structure.duplicated_meetings(p.kinds, st.n_districts, st.duplication_share,
                                          st.district_lsp_share, per_year.sum() / 12.0)
    coordination = structure.coordination_burden(n, st.coordination_cost)
    burden = layers.burden(layers.meeting_burden(meetings, seats, ly.meeting_cost, clarity,
                                                 extra, ly.confusion_meeting_cost),
                           coordination, ly.burden_cap)
    # District LSPs compete for the same representatives: this partnership gets a share of
    # each partner's capacity in proportion to its meetings (structure.partnership_share)
    own_capacity = p.capacity * structure.partnership_share(extra, per_year.sum() / 12.0,
                                                           st.district_overlap)
    capacity = layers.effective_capacity(own_capacity, burden)

    # 3. Monitoring: maturity grows; partners observe each other's commitment (monitoring.py)
    ceiling = monitoring.ceiling(mon.common_data_standards, mon.ceiling_without_standards)
    maturity = monitoring.grow(s.maturity, monitoring.growth(
        mon.investment, mon.growth_rate, float(p.openness.mean()), float(p.data_quality.mean()),
        mon.data_quality_floor), ceiling)
    visibility = monitoring.visibility(maturity, p.openness)
    outcomes_seen = monitoring.outcome_visibility(maturity, mon.own_data_share)
    sd = monitoring.observation_sd(maturity, p.openness, tr.observation_noise,
                                   layers.information_noise_factor(clarity,
                                                                   ly.confusion_noise))
    observed = monitoring.observe_draw(s.commitment, z_observe, sd)

    # 4. Trust: evidence of kept faith, weighted update, then gossip along ties (trust.py).
    #    How exclusion acts (mechanisms.exclusion, leadership.py): "agenda" = a council is
    #    judged on what it does for the partner's priorities; "evidence_multiplier" =
    #    non-statutory partners' evidence about councils x voice^exponent.
    evidence = trust.kept_evidence(observed, s.commitment, tr.tolerance, tr.evidence_sharpness)
    if mech.exclusion == "evidence_multiplier":
        evidence = evidence * np.where(p.is_council[None, :], leadership.exclusion_factor(
            voice, tr.exclusion_exponent, p.statutory)[:, None], 1.0)
    elif mech.exclusion == "agenda":
        seen = leadership.delivered_for(observed, stake)
        evidence = np.where(p.is_council[None, :], leadership.kept_evidence_seen(
            seen, s.commitment, tr.tolerance, tr.evidence_sharpness), evidence)
    weight = trust.update_weight(visibility, contact, tr.weight_base, tr.weight_visibility,
                                 tr.weight_contact)
    T = trust.update_trust(T, evidence, weight, tr.gain, tr.loss, style["repair"],
                           ties=ties, forgiveness=tr.tie_forgiveness)
    T = trust.gossip(T, ties, tr.spread)

    # 5. Ties grow with meetings together and decay (network.py)
    #    (the partnership's meetings and the area's relationships outside it)
    ties = network.update_ties(ties, network.with_outside(contact, p.outside_ties,
                                                          nw.outside_contact),
                               nw.tie_growth, nw.tie_decay, style["networking"])

    # 6. Scrutiny: pressure fades; a review presses visible shortfalls (scrutiny.py)
    #    Under costly punishment (mechanisms.punishment = "payoff_cost") a review also sets the
    #    fine a partner found short expects per unit withheld, fading like the pressure.
    pressure = scrutiny.fade(s.pressure, sr.memory)
    costly = mech.punishment == "payoff_cost"
    fine_rate = scrutiny.fade(s.fine_rate, sr.memory) if costly else s.fine_rate
    if scrutiny.is_review_month(t, sr.interval_months):
        bite = scrutiny.intensity(sr.member_engagement, sr.member_training,
                                  style["challenge"], sr.untrained_bite)
        pressure = scrutiny.review(pressure, observed, ld.aspiration, p.stake_in_failure, bite)
        if costly:
            fine_rate = scrutiny.review_fines(fine_rate, observed, ld.aspiration,
                                              p.stake_in_failure, bite, sr.sanction_strength)

    # 7. Commitment: expectation of others pulled by the chair, own interest (its stake as far
    #    as the agenda serves it, mechanisms.exclusion), scrutiny (mechanisms.punishment:
    #    "payoff_cost" = a fine per unit withheld in the incentive and capacity given up by
    #    challengers; "push" = added to the desired commitment) and noise (commitment.py,
    #    leadership.py, scrutiny.py)
    #    What a partner expects of the others moves partly toward what it now sees
    #    (commitment.update_belief); a new representative starts from what it sees.
    previous = s.belief.copy()
    previous[leavers] = np.nan
    belief = commitment.update_belief(
        previous, commitment.expected_of_others(T, observed, visibility, cm.distrust_discount),
        cm.belief_rate)
    expected = leadership.pulled_expectation(belief, ld.aspiration, style["pull"], voice)
    incentive = commitment.own_incentive(
        p.stake_in_success, leadership.payoff_share(mech.exclusion, voice, stake),
        cm.return_on_commitment, cm.cost, burden, s.efficacy,
        cm.efficacy_weight if mech.small_wins == "trust_and_efficacy" else 0.0)
    push = np.zeros(n)
    total_burden = burden
    if mech.punishment == "push":
        push = sr.sanction_strength * pressure
    elif costly and fine_rate.any():
        fines = scrutiny.fines_imposed(fine_rate, observed, ld.aspiration)
        load = scrutiny.challenge_load(fines, voice, sr.challenge_cost)
        incentive = scrutiny.fined_incentive(incentive, fine_rate, load, cm.cost)
        total_burden = layers.burden(burden, load, ly.burden_cap)
        capacity = layers.effective_capacity(own_capacity, total_burden)
    own = commitment.own_preference(incentive, cm.incentive_weight)
    # what a partner can commit: what meetings, coordination and challenge leave of its
    # capacity (mechanisms.capacity_limit)
    ceiling = (commitment.spare_capacity(total_burden)
               if mech.capacity_limit == "spare_capacity" else None)
    target = commitment.desired(p.slope, expected, own, push, cm.noise * z_decide, ceiling)
    c = commitment.adjust(s.commitment, target, cm.adjustment_rate * style["speed"])

    # 8. Delivery: resources reaching each target still open this round (a met target's money
    #    goes to its partners' other open targets), link strengths, progress by the weakest
    #    link (resources.py, delivery.py)
    #    Money: in the "information" form of mechanisms.layers the executive steers a share
    #    of it on what it reads as need (outcome gaps as far as the layers are clear, the
    #    operational layer's activity otherwise: layers.py); money steered to a target met
    #    since is lost; else a fixed split over the open targets.
    k = len(progress)
    is_open = progress < 1.0
    pot = resources.pooled_pot(p.budget, rs.pooled_share)
    aligned = resources.aligned(p.budget, c, rs.mainstream_alignment)
    need = resources.need_per_target(p.budget, rs.need_share, k)
    signal = s.signal
    if mech.layers == "information" and meetings[layers.EXECUTIVE] > 0:
        # the executive allocates at its meetings
        signal = layers.executive_signal(layers.outcome_need(progress),
                                         membership @ (c * capacity),
                                         layers.outcome_share(ly.clarity, outcomes_seen))
    adequacy = np.zeros(k)
    if is_open.any():
        open_m = membership[is_open]
        if mech.layers == "information":
            money = layers.steered_money(pot, aligned, membership,
                                         delivery.chain_share(membership * is_open[:, None]),
                                         signal, ly.steered_share, is_open)
            adequacy[is_open] = money[is_open] / need
        else:
            adequacy[is_open] = resources.adequacy(
                pot, aligned, delivery.chain_share(open_m),
                layers.allocation_efficiency(clarity, ly.confused_allocation), need)
    info = p.data_quality * monitoring.information_scale(maturity, dl.info_floor)
    link = delivery.link_strength(p.chains, c * capacity, T, ties, info,
                                  effort_half=dl.effort_half,
                                  handover_exponent=dl.handover_exponent,
                                  tie_exponent=dl.tie_exponent,
                                  tie_floor=dl.tie_floor, info_exponent=dl.info_exponent)
    progress = progress + is_open * delivery.progress_step(
        link, resources.resource_factor(adequacy, rs.max_resource_factor), mtd)

    # 9. Small wins: progress seen against the round's pace moves trust between chain
    #    co-members and each partner's sense of efficacy (cycles.py)
    efficacy = s.efficacy
    if mech.small_wins != "off":
        gap = cycles.pace_gap(progress, t - round_start + 1, cycles.horizon(
            round_start, p.first_month, dl.round_months, renewed, sc.months))
        T = cycles.wins_trust(T, cycles.shared_gap(gap, membership, outcomes_seen),
                              tr.wins_rate)
        if mech.small_wins == "trust_and_efficacy":
            efficacy = cycles.update_efficacy(
                efficacy, cycles.seen_gap(gap, membership, outcomes_seen), cm.efficacy_rate)
    return State(trust=T, ties=ties, commitment=c, observed=observed, pressure=pressure,
                 fine_rate=fine_rate, signal=signal,
                 maturity=maturity, burden=burden, effective_capacity=capacity, link=link,
                 adequacy=adequacy, progress=progress, efficacy=efficacy, belief=belief,
                 months_to_deliver=mtd,
                 round_start=round_start, round_index=round_index)


def yearly_draws(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A year of draws, in the order the model takes them: (12, n) uniforms for turnover, then
    (12, 2, n) standard normals (observation error, decision noise)."""
    return rng.random((12, n)), rng.standard_normal((12, 2, n))


class ReferenceRun:
    """The reference engine started from a model's current state (the model is not changed):
    the same partners, structures and state, and a copy of its random generator, so that
    ``step`` takes the draws the model's own next ``step`` will take. Start it at the
    beginning of a year of draws (a new model, or one stepped a multiple of 12 months)."""

    def __init__(self, model: PartnershipModel) -> None:
        if model.steps % 12:
            raise ValueError("start a ReferenceRun at a multiple of 12 months (draws are "
                             "taken a year at a time)")
        self.scenario: Scenario = model.scenario
        # Scheduled events apply as in the model (lspsim.events): the scenario in force each
        # month is the one the model started from with the events of that month applied.
        self._event_base: Scenario = model.__dict__.get("_event_base", model.scenario)
        self._in_force: dict[tuple[int, ...], Scenario] = {}
        d = model.derived
        self.partners = Partners(
            kinds=list(d.kinds), themes=[list(t) for t in d.partner_themes],
            statutory=d.statutory, is_council=d.is_council,
            is_chair_org=d.is_chair_org, stake_in_success=d.stake_in_success,
            stake_in_failure=d.stake_in_failure, capacity=d.capacity,
            data_quality=d.data_quality, openness=d.openness, budget=model.budget.copy(),
            slope=model.slope.copy(), chains=model.chains.copy(),
            round_seed=model._round_seed, first_month=model.first_month,
            outside_ties=model.outside_ties.copy())
        self.state = State(
            trust=model.trust.copy(), ties=model.ties.copy(), commitment=model.commitment.copy(),
            observed=model.observed.copy(), pressure=model.pressure.copy(),
            fine_rate=model.fine_rate.copy(), signal=model.signal.copy(),
            maturity=float(model.maturity), burden=np.array(model.burden, dtype=float),
            effective_capacity=np.array(model.effective_capacity, dtype=float),
            link=model.link.copy(), adequacy=model.adequacy.copy(),
            progress=model.progress.copy(), efficacy=model.efficacy.copy(),
            belief=model.belief.copy(), months_to_deliver=model.months_to_deliver.copy(),
            round_start=model.round_start, round_index=model.round_index)
        self.rng = copy.deepcopy(model.rng)
        self.months = model.steps
        self._draws: tuple[np.ndarray, np.ndarray] | None = None

    def step(self) -> State:
        """One month; returns the new state."""
        self.months += 1
        slot = (self.months - 1) % 12
        if slot == 0:
            self._draws = yearly_draws(self.rng, len(self.partners.kinds))
        u, z = self._draws
        if self._event_base.events:
            self.scenario = scenario_in_force(self._event_base, self.months, self._in_force)
        self.state = month(self.scenario, self.partners, self.state, self.months, u[slot],
                           z[slot, 0], z[slot, 1])
        return self.state
