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
from lspsim.scenario import Scenario

if TYPE_CHECKING:
    from lspsim.model import PartnershipModel


@dataclass(frozen=True)
class Partners:
    """What a run fixes at its start: the partners' attributes (from the scenario's kinds) and
    the run's own draws (budgets, slopes, delivery chains, target difficulty)."""

    kinds: list[str]
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
    months_to_deliver: np.ndarray


@dataclass(frozen=True)
class State:
    """The state a month changes."""

    trust: np.ndarray
    ties: np.ndarray
    commitment: np.ndarray
    observed: np.ndarray
    pressure: np.ndarray
    maturity: float
    burden: np.ndarray
    effective_capacity: np.ndarray
    link: np.ndarray
    adequacy: np.ndarray
    progress: np.ndarray


def month(sc: Scenario, p: Partners, s: State, t: int, uniform: np.ndarray,
          z_observe: np.ndarray, z_decide: np.ndarray) -> State:
    """Month ``t`` (1-based) from state ``s``, given one uniform draw per partner (turnover)
    and two standard-normal draws per partner (observation error, decision noise)."""
    n = len(p.kinds)
    ld, ly, mon, tr, nw = sc.leadership, sc.layers, sc.monitoring, sc.trust, sc.network
    st, cm, sr, rs, dl = sc.structure, sc.commitment, sc.scrutiny, sc.resources, sc.delivery

    # Leadership: the blended style and each partner's voice (leadership.py)
    style = leadership.effective_style(ld.styles, ld.chair_style, ld.board_style,
                                       ld.chair_weight)
    voice = leadership.voice(p.is_council, p.statutory, p.is_chair_org, style["inclusion"],
                             ld.council_dominance, statutory_exposure=ld.statutory_exposure,
                             exclusion_weight=ld.exclusion_weight,
                             outsider_weight=ld.outsider_weight, floor=ld.voice_floor)

    # 1. Turnover: leavers lose ties; trust to and from them moves toward the base (network.py,
    #    trust.py)
    leavers = network.leavers(uniform, nw.turnover)
    ties = network.break_ties(s.ties, leavers, nw.tie_loss_on_turnover)
    T = trust.reset_for_newcomers(s.trust, leavers, tr.initial, nw.tie_loss_on_turnover,
                                  tr.newcomer_share)

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
                                          per_year.sum() / 12.0)
    coordination = structure.coordination_burden(n, structure.n_tiers(p.kinds),
                                                 st.coordination_cost)
    burden = layers.burden(layers.meeting_burden(meetings, seats, ly.meeting_cost, ly.clarity,
                                                 extra, ly.confusion_meeting_cost),
                           coordination, ly.burden_cap)
    capacity = layers.effective_capacity(p.capacity, burden)

    # 3. Monitoring: maturity grows; partners observe each other's commitment (monitoring.py)
    ceiling = monitoring.ceiling(mon.common_data_standards, mon.ceiling_without_standards)
    maturity = monitoring.grow(s.maturity, monitoring.growth(
        mon.investment, mon.growth_rate, float(p.openness.mean()), float(p.data_quality.mean()),
        mon.data_quality_floor), ceiling)
    visibility = monitoring.visibility(maturity, p.openness)
    sd = monitoring.observation_sd(maturity, p.openness, tr.observation_noise,
                                   layers.information_noise_factor(ly.clarity,
                                                                   ly.confusion_noise))
    observed = monitoring.observe_draw(s.commitment, z_observe, sd)

    # 4. Trust: evidence of kept faith (exclusion by the council reads as a breach), weighted
    #    update, then gossip along ties (trust.py)
    evidence = trust.kept_evidence(observed, s.commitment, tr.tolerance, tr.evidence_sharpness)
    evidence = evidence * np.where(p.is_council[None, :],
                                   trust.exclusion_factor(voice, tr.exclusion_exponent)[:, None],
                                   1.0)
    weight = trust.update_weight(visibility, contact, tr.weight_base, tr.weight_visibility,
                                 tr.weight_contact)
    T = trust.update_trust(T, evidence, weight, tr.gain, tr.loss, style["repair"])
    T = trust.gossip(T, ties, tr.spread)

    # 5. Ties grow with meetings together and decay (network.py)
    ties = network.update_ties(ties, contact, nw.tie_growth, nw.tie_decay, style["networking"])

    # 6. Scrutiny: pressure fades; a review presses visible shortfalls (scrutiny.py)
    pressure = scrutiny.fade(s.pressure, sr.memory)
    if scrutiny.is_review_month(t, sr.interval_months):
        bite = scrutiny.intensity(sr.member_engagement, sr.member_training,
                                  style["challenge"], sr.untrained_bite)
        pressure = scrutiny.review(pressure, observed, ld.aspiration, p.stake_in_failure, bite)

    # 7. Commitment: expectation of others pulled by the chair, own interest, pressure and
    #    noise (commitment.py, leadership.py)
    expected = commitment.expected_of_others(T, observed, visibility, cm.distrust_discount)
    expected = leadership.pulled_expectation(expected, ld.aspiration, style["pull"], voice)
    own = commitment.own_preference(
        commitment.own_incentive(p.stake_in_success, voice, cm.return_on_commitment, cm.cost,
                                 burden), cm.incentive_weight)
    target = commitment.desired(p.slope, expected, own, sr.sanction_strength * pressure,
                                cm.noise * z_decide)
    c = commitment.adjust(s.commitment, target, cm.adjustment_rate * style["speed"])

    # 8. Delivery: resources reaching each target, link strengths, progress by the weakest
    #    link (resources.py, delivery.py)
    k = len(s.progress)
    adequacy = resources.adequacy(
        resources.pooled_pot(p.budget, rs.pooled_share),
        resources.aligned(p.budget, c, rs.mainstream_alignment), delivery.chain_share(membership),
        layers.allocation_efficiency(ly.clarity, ly.confused_allocation),
        resources.need_per_target(p.budget, rs.need_share, k))
    info = p.data_quality * monitoring.information_scale(maturity, dl.info_floor)
    link = delivery.link_strength(p.chains, c * capacity, T, ties, info,
                                  effort_half=dl.effort_half,
                                  handover_exponent=dl.handover_exponent,
                                  tie_floor=dl.tie_floor, info_exponent=dl.info_exponent)
    progress = s.progress + delivery.progress_step(
        link, resources.resource_factor(adequacy, rs.max_resource_factor), p.months_to_deliver)
    return State(trust=T, ties=ties, commitment=c, observed=observed, pressure=pressure,
                 maturity=maturity, burden=burden, effective_capacity=capacity, link=link,
                 adequacy=adequacy, progress=progress)


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
            kinds=list(d.kinds), statutory=d.statutory, is_council=d.is_council,
            is_chair_org=d.is_chair_org, stake_in_success=d.stake_in_success,
            stake_in_failure=d.stake_in_failure, capacity=d.capacity,
            data_quality=d.data_quality, openness=d.openness, budget=model.budget.copy(),
            slope=model.slope.copy(), chains=model.chains.copy(),
            months_to_deliver=model.months_to_deliver.copy())
        self.state = State(
            trust=model.trust.copy(), ties=model.ties.copy(), commitment=model.commitment.copy(),
            observed=model.observed.copy(), pressure=model.pressure.copy(),
            maturity=float(model.maturity), burden=np.array(model.burden, dtype=float),
            effective_capacity=np.array(model.effective_capacity, dtype=float),
            link=model.link.copy(), adequacy=model.adequacy.copy(),
            progress=model.progress.copy())
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
