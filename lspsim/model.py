"""PartnershipModel: one local strategic partnership as a Mesa model.

``step()`` is one month and reads as the ODD's schedule: a short list of mechanism calls over
arrays the model owns. Randomness comes only from ``self.rng`` (a numpy Generator passed to Mesa).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any, NamedTuple

import mesa
import numpy as np
from scipy.special import expit
from threadpoolctl import threadpool_limits

from lspsim import outcomes
from lspsim.agents import PartnerOrganisation
from lspsim.events import scenario_in_force
from lspsim.mechanisms import (
    ONE,
    ZERO,
    clip01,
    clip_ufunc,
    const,
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
from lspsim.mechanisms import (
    commitment as commit,
)
from lspsim.scenario import COUNCIL_KINDS, THEMES, Scenario, load_scenario, partner_kinds

# One BLAS thread: multi-threaded OpenBLAS products differ in the last bits from single-threaded
# ones from about 220 partners up, which would make results depend on how a process was started
# (a Dask nanny pins one thread, a plain run does not). It is also faster for (n, n) products on
# few cores, and parallel sweeps want one thread per process anyway.
threadpool_limits(limits=1, user_api="blas")

_NONE = np.zeros(0, dtype=np.int64)  # no leavers this month
_NONE.flags.writeable = False

# The monthly schedule takes matrix products with the ndarray.dot method (the same product as
# np.dot, without np.dot's array-function dispatch, which costs more than a small product) and
# counts with the C count_nonzero that np.count_nonzero wraps.
try:
    _count_nonzero = np._core.multiarray.count_nonzero
except AttributeError:  # numpy < 2
    _count_nonzero = np.core.multiarray.count_nonzero

# Series recorded each month, in column order: declared in the outcome registry.
SERIES = outcomes.names("model")
PARTNER_SERIES = outcomes.names("partner")
# Rows of the table _record keeps per partner each month: the partner-level series, with the
# sums of trust placed in each partner (by all partners, by the non-statutory ones) and the sums
# of trust and ties each places, before the views scale them, and each partner's efficacy.
_ROWS = ("commitment", "trust_in", "trust_in_from_non_statutory", "trust_out", "tie_strength",
         "effective_capacity", "scrutiny_pressure", "efficacy")
_ROW = {name: i for i, name in enumerate(_ROWS)}
_R_COMMITMENT, _R_TRUST_IN, _R_TRUST_IN_NS, _R_TRUST_OUT = (
    _ROW["commitment"], _ROW["trust_in"], _ROW["trust_in_from_non_statutory"], _ROW["trust_out"])
_R_CAPACITY, _R_PRESSURE, _R_TIES = (_ROW["effective_capacity"], _ROW["scrutiny_pressure"],
                                     _ROW["tie_strength"])
assert _R_TRUST_IN_NS == _R_TRUST_IN + 1  # one product fills both (_record)
assert _R_TIES == _R_TRUST_OUT + 1  # one product fills both (_record)
_R_EFFICACY = _ROW["efficacy"]
_PARTNER_ROWS = [_ROW[name] for name in PARTNER_SERIES]
# Columns of partner_series()
_P = {name: i for i, name in enumerate(PARTNER_SERIES)}


class LoopScalars(NamedTuple):
    """Scenario constants the monthly schedule applies to arrays, as read-only 0-d arrays
    (``mechanisms.const``: a ufunc takes them faster than Python floats, with the same result).
    They depend on the scenario alone: built once per scenario (``_loop_scalars``, kept in
    ``Derived.scalars``)."""

    memory: np.ndarray               # scrutiny.memory (scrutiny.fade)
    aspiration: np.ndarray           # leadership.aspiration
    incentive_weight: np.ndarray     # commitment.incentive_weight
    adjust_rate: np.ndarray          # Derived.adjust_rate (commitment.adjust)
    efficacy_keep: np.ndarray        # 1 - commitment.efficacy_rate (cycles.update_efficacy)
    effort_half: np.ndarray          # delivery.effort_half (delivery.link_strength)
    max_factor: np.ndarray           # resources.max_resource_factor m (resources.resource_factor)
    max_factor_less_1: np.ndarray    # m - 1
    tie_threshold: np.ndarray        # network.tie_threshold (_record's dense pairs)
    spread: np.ndarray               # trust.spread (trust.spread)
    spread_keep: np.ndarray          # 1 - trust.spread
    discount: np.ndarray             # commitment.distrust_discount
    evidence: tuple[np.ndarray, np.ndarray, np.ndarray]  # trust.evidence_constants
    evidence_rows: np.ndarray        # (2, 1): its 1 / s and -1 / s as a column
    update: tuple[np.ndarray, np.ndarray, np.ndarray]  # trust.update_constants
    forgive: np.ndarray | None       # -l f (l the update's loss, f trust.tie_forgiveness); None
                                     # when f = 0 (trust.update_trust's plain form)


@dataclass(frozen=True, slots=True)
class Derived:
    """Everything about the partners and the schedule that depends on the scenario alone (no
    random draws), by name. Arrays are read-only: models share them (``derive``)."""

    kinds: list[str]
    n_partners: int
    partner_names: list[str]
    partner_themes: list[list[str]]
    stake_in_success: np.ndarray
    stake_in_failure: np.ndarray
    capacity: np.ndarray
    partnership_capacity: np.ndarray  # capacity x structure.partnership_share
    data_quality: np.ndarray
    openness: np.ndarray
    budget_by_kind: np.ndarray       # GBP m/year, before each organisation's own size
    statutory: np.ndarray
    is_council: np.ndarray
    is_chair_org: np.ndarray
    tier: np.ndarray
    n_councils: int                  # councils come first (partner_kinds)
    cross_tier: np.ndarray           # (n, n) county x district pairs
    history: float
    style: dict[str, float]          # the blended style's six channels
    voice: np.ndarray
    agenda_stake: np.ndarray         # leadership.agenda_stake
    payoff: np.ndarray               # leadership.payoff_share (mechanisms.exclusion)
    agenda_lift: np.ndarray | None   # (n, 1) (1 - min(agenda stake, 1)) / evidence sharpness
                                     # when councils' conduct is so judged
                                     # (leadership.delivered_for, _update_trust)
    challenge_share: np.ndarray      # challenge_cost x voice / sum(voice) (challenge_load)
    challenge_rows: np.ndarray       # (3, n): partnership capacity x challenge_share,
                                     # challenge_share (what challenge takes of each) and
                                     # commitment.cost x challenge_share (fined_incentive),
                                     # per unit of fines (_scrutinise)
    most_challenge: float            # the largest challenge_share
    multiplier_clarity: float        # layers.multiplier_clarity (mechanisms.layers)
    per_year: np.ndarray             # meetings per year of each layer
    contact_weights: np.ndarray
    extra_meetings: np.ndarray
    coordination: float
    maturity_ceiling: float
    initial_maturity: float
    maturity_growth: float           # monitoring.growth
    tie_threshold: float
    monthly_turnover: float
    noise_sd: np.ndarray             # (2, 1): observation sd before (1 - visibility), decision
    adjust_rate: float
    exclusion_cols: slice            # council columns whose evidence exclusion scales
    exclusion: np.ndarray            # (n, n_councils) leadership.exclusion_factor
    weight_clip: bool                # whether trust-update weights can pass 1
    stat_idx: np.ndarray
    ns_idx: np.ndarray
    sum_rows: np.ndarray             # (2, n): ones and the non-statutory indicator (_record)
    pairs: tuple[np.ndarray, np.ndarray]
    spinup: int                      # months run before month 0 (cycles.spinup_months)
    month_meetings: tuple[np.ndarray, ...]  # layers.meetings_in_month of each month of the year
    scalars: LoopScalars             # the schedule's scenario constants as 0-d arrays
    efficacy_logit: np.ndarray       # incentive_weight x the part of
                                     # commitment.own_incentive that efficacy scales
    visibility_weight: np.ndarray    # (n, n) trust.weight_visibility x openness_j, rows alike
                                     # (trust.update_weight's visibility part, x maturity)


def _derive(sc: Scenario) -> Derived:
    kinds = partner_kinds(sc)
    n = len(kinds)
    prof = [getattr(sc.kinds, k) for k in kinds]

    def arr(field: str) -> np.ndarray:
        return np.array([getattr(p, field) for p in prof], dtype=float)

    statutory = np.array([p.statutory for p in prof], dtype=bool)
    is_council = np.array([k in COUNCIL_KINDS for k in kinds])
    tier = structure.tiers(kinds)
    chair = sc.leadership.chair_kind
    chair_org = 0 if chair == "council" else kinds.index(chair)  # councils come first
    is_chair_org = np.arange(n) == chair_org
    totals, seen = Counter(kinds), Counter()
    names = []
    for k in kinds:
        seen[k] += 1
        label = k.replace("_", " ")
        names.append(f"{label} {seen[k]}" if totals[k] > 1 else label)

    st, ld, ly, mon, tr = sc.structure, sc.leadership, sc.layers, sc.monitoring, sc.trust
    # The spin-up runs the last years of the history (cycles.spinup_months); the years before
    # it set the state it starts from.
    spinup = (cycles.spinup_months(st.years_of_joint_working, st.spinup_months)
              if sc.mechanisms.spin_up != "off" else 0)
    history = structure.history_factor(st.years_of_joint_working - spinup / 12,
                                       st.history_timescale)
    style = leadership.effective_style(ld.styles, ld.chair_style, ld.board_style,
                                       ld.chair_weight)
    voice = leadership.voice(is_council, statutory, is_chair_org, style["inclusion"],
                             ld.council_dominance, statutory_exposure=ld.statutory_exposure,
                             exclusion_weight=ld.exclusion_weight,
                             outsider_weight=ld.outsider_weight, floor=ld.voice_floor)
    per_year = np.array([ly.strategic_per_year, ly.executive_per_year,
                         ly.operational_per_year], dtype=float)
    ceiling = monitoring.ceiling(mon.common_data_standards, mon.ceiling_without_standards)
    openness, data_quality = arr("openness"), arr("data_quality")
    mech = sc.mechanisms
    clarity = layers.multiplier_clarity(mech.layers, ly.clarity)
    obs_sd = tr.observation_noise * layers.information_noise_factor(clarity, ly.confusion_noise)
    # Whose priorities make the agenda (voice x tier weight), and each partner's stake in it
    # (leadership.agenda_stake); councils come first, so their columns are a slice.
    n_councils = int(is_council.sum())
    assert is_council[:n_councils].all()
    stake = leadership.agenda_stake(
        leadership.priorities([list(p.themes) for p in prof], THEMES),
        voice * structure.tier_agenda_weight(tier, st.district_agenda_weight))
    factor = leadership.exclusion_factor(voice, tr.exclusion_exponent, statutory)
    if mech.exclusion != "evidence_multiplier":
        factor = np.ones(n)
    judged = mech.exclusion == "agenda" and n_councils > 0 and stake.min() < 1.0
    extra = structure.duplicated_meetings(kinds, st.n_districts, st.duplication_share,
                                          st.district_lsp_share, per_year.sum() / 12.0)
    capacity = arr("capacity")
    share_of_partnership = structure.partnership_share(extra, per_year.sum() / 12.0,
                                                       st.district_overlap)
    share = sc.scrutiny.challenge_cost * voice / float(voice.sum())  # scrutiny.challenge_load
    payoff = leadership.payoff_share(mech.exclusion, voice, stake)
    adjust_rate = sc.commitment.adjustment_rate * style["speed"]
    c = sc.commitment
    d = Derived(
        kinds=kinds, n_partners=n, partner_names=names,
        partner_themes=[list(p.themes) for p in prof],
        stake_in_success=arr("stake_in_success"), stake_in_failure=arr("stake_in_failure"),
        capacity=capacity,
        partnership_capacity=capacity * share_of_partnership,
        data_quality=data_quality, openness=openness,
        budget_by_kind=arr("budget"), statutory=statutory, is_council=is_council,
        is_chair_org=is_chair_org, tier=tier, n_councils=n_councils,
        cross_tier=structure.cross_tier(tier),
        history=history, style=style, voice=voice, agenda_stake=stake,
        payoff=payoff,
        agenda_lift=((1.0 - np.minimum(stake, 1.0)) / tr.evidence_sharpness)[:, None]
        if judged else None,
        challenge_share=share,
        challenge_rows=np.stack([capacity * share_of_partnership * share, share,
                                 sc.commitment.cost * share]),
        most_challenge=float(share.max()),
        multiplier_clarity=clarity, per_year=per_year,
        contact_weights=layers.contact_weights(ly.contact_strategic, ly.contact_executive,
                                               ly.contact_operational),
        extra_meetings=extra,
        coordination=structure.coordination_burden(n, st.coordination_cost),
        maturity_ceiling=ceiling,
        initial_maturity=monitoring.initial_maturity(mon.initial_maturity, history, ceiling,
                                                     mon.history_maturity),
        maturity_growth=monitoring.growth(mon.investment, mon.growth_rate,
                                          float(openness.sum() / n),
                                          float(data_quality.sum() / n),
                                          mon.data_quality_floor),
        tie_threshold=sc.network.tie_threshold,
        monthly_turnover=network.monthly_rate(sc.network.turnover),
        noise_sd=np.array([obs_sd, sc.commitment.noise])[:, None],
        adjust_rate=adjust_rate,
        exclusion_cols=slice(0, n_councils if factor.min() < 1.0 else 0),
        exclusion=np.repeat(factor[:, None], n_councils, axis=1),
        weight_clip=tr.weight_base + tr.weight_visibility + tr.weight_contact > 1.0,
        stat_idx=np.flatnonzero(statutory), ns_idx=np.flatnonzero(~statutory),
        sum_rows=np.stack([np.ones(n), (~statutory).astype(float)]),
        pairs=network.upper_pairs(n),
        spinup=spinup,
        # which layers meet depends on the month of the year only (meetings per year are whole
        # numbers)
        month_meetings=tuple(layers.meetings_in_month(m, per_year) for m in range(1, 13)),
        scalars=_loop_scalars(sc, adjust_rate, style["repair"]),
        # commitment.own_incentive: the part of the expected return efficacy scales (x
        # incentive_weight: the fast decision works on the logistic's argument)
        efficacy_logit=(c.incentive_weight * arr("stake_in_success") * payoff
                        * c.return_on_commitment * c.efficacy_weight),
        visibility_weight=np.repeat((tr.weight_visibility * openness)[None, :], n, axis=0),
    )
    for name in Derived.__slots__:
        value = getattr(d, name)
        for a in value if isinstance(value, tuple) else (value,):
            if isinstance(a, np.ndarray):
                a.flags.writeable = False
    return d


def _loop_scalars(sc: Scenario, adjust_rate: float, repair: float) -> LoopScalars:
    """The ``LoopScalars`` of ``sc`` (``adjust_rate``: ``Derived.adjust_rate``; ``repair``: the
    blended style's repair)."""
    c, m, tr = sc.commitment, sc.resources.max_resource_factor, sc.trust
    return LoopScalars(
        memory=const(sc.scrutiny.memory), aspiration=const(sc.leadership.aspiration),
        incentive_weight=const(c.incentive_weight), adjust_rate=const(adjust_rate),
        efficacy_keep=const(1.0 - c.efficacy_rate),
        effort_half=const(sc.delivery.effort_half), max_factor=const(m),
        max_factor_less_1=const(m - 1.0), tie_threshold=const(sc.network.tie_threshold),
        spread=const(tr.spread), spread_keep=const(1.0 - tr.spread),
        discount=const(c.distrust_discount),
        evidence=tuple(const(x) for x in trust.evidence_constants(tr.tolerance,
                                                                   tr.evidence_sharpness)),
        evidence_rows=np.array(trust.evidence_constants(tr.tolerance,
                                                        tr.evidence_sharpness)[:2])[:, None],
        update=tuple(const(x) for x in trust.update_constants(tr.gain, tr.loss, repair)),
        forgive=(const(-trust.update_constants(tr.gain, tr.loss, repair)[1]
                       * tr.tie_forgiveness) if tr.tie_forgiveness else None))


# Scenarios are immutable (frozen), so what _derive returns can be kept per scenario object:
# replications and benchmark repeats of one scenario build it once. id -> (scenario, derived);
# holding the scenario keeps its id from being reused.
_DERIVED: dict[int, tuple[Scenario, Derived]] = {}


def derive(sc: Scenario) -> Derived:
    """``Derived`` for ``sc``, cached per scenario object."""
    hit = _DERIVED.get(id(sc))
    if hit is not None and hit[0] is sc:
        return hit[1]
    d = _derive(sc)
    if len(_DERIVED) >= 64:
        del _DERIVED[next(iter(_DERIVED))]
    _DERIVED[id(sc)] = (sc, d)
    return d


def _held(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``values`` taken at the months where ``at`` and held until the next such month; NaN
    before the first."""
    idx = np.where(at, np.arange(len(values)), -1)
    np.maximum.accumulate(idx, out=idx)
    return np.where(idx >= 0, values[np.maximum(idx, 0)], np.nan)


def _open_mean(a: np.ndarray) -> np.ndarray:
    """Mean over the finite entries of each row (NaN for rows with none)."""
    finite = np.isfinite(a)
    count = finite.sum(axis=1)
    total = np.where(finite, a, 0.0).sum(axis=1)
    return np.where(count > 0, total / np.where(count > 0, count, 1), np.nan)


class Schedule(NamedTuple):
    """Constants of the monthly schedule that depend on the scenario and the run's fixed draws
    and structures (budgets, slopes, chains): built when the run starts and whenever its
    scenario is replaced."""

    expect_scale: np.ndarray         # commitment.folded_decision
    pull_term: np.ndarray
    pot: float                       # pooled pot, GBP m/year
    aligned_per_commitment: np.ndarray
    adequacy_matrix: np.ndarray      # adequacy = matrix @ commitment + base
    adequacy_base: float
    per_month: np.ndarray            # 1 / months to deliver
    need: float                      # resources.need_per_target
    links: delivery.LinkPlan
    argmin_flat: np.ndarray
    steered: float                   # layers.steered_share, 0 unless mechanisms.layers is
                                     # "information"
    outside: np.ndarray              # partners in no delivery chain


class MeetingPattern(NamedTuple):
    """What depends on which layers meet this month alone; a handful of patterns recur all
    year, so each is computed once (``PartnershipModel._pattern``)."""

    meetings: np.ndarray             # (3,) meetings of each layer
    burden: np.ndarray               # layers.burden
    effective_capacity: np.ndarray   # layers.effective_capacity
    grow_p: np.ndarray               # network.growth_factors
    grow_q: np.ndarray
    contact_weight: np.ndarray       # trust.contact_weight
    own_part: np.ndarray             # (1 - slope) x own: commitment.folded_base less the pull
                                     # term, which the decision noise carries (_scale_draws)
    incentive: np.ndarray            # commitment.own_incentive (costly punishment adds to it)
    own: np.ndarray                  # commitment.own_preference
    most_burden: float               # the largest burden
    executive_meets: bool            # the executive meets (and allocates, _allocate)
    meetings_held: float
    incentive_logit: np.ndarray      # incentive_weight x own_incentive with no efficacy
    spare: np.ndarray                # commitment.spare_capacity
    room: np.ndarray                 # (2, n): effective_capacity and spare, whose rows they are


def _buffer_view(name: str, doc: str) -> property:
    """A model attribute that is the view ``name`` into one of the schedule's stacked buffers:
    reading gives the view, assigning copies into it (so the buffer stays joined)."""

    def get(self: Any) -> np.ndarray:
        return getattr(self, name)

    def put(self: Any, value: np.ndarray) -> None:
        getattr(self, name)[...] = value

    return property(get, put, doc=doc)


class PartnershipModel(mesa.Model):
    """A local strategic partnership: partners, their representatives' network, a chair and
    council, layers of governance, shared monitoring, scrutiny and delivery chains.

    Args:
        scenario: a Scenario, a preset name or a TOML path (default: the ``default`` preset).
        rng: seed or numpy Generator for this run (Mesa's ``rng``); nothing else is random.
    """

    # Mesa >= 3.4 makes Model.scenario a property for its own Scenario class (its setter sets
    # scenario.model, which pydantic refuses). This plain class attribute shadows that property,
    # so model.scenario is lspsim's Scenario on every Mesa version.
    scenario = None

    def __init__(self, scenario: Scenario | str | None = None, rng: Any = None) -> None:
        sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario or "default")
        if rng is None:
            # Mesa users expect a model built twice alike to run alike: the scenario's seed, as
            # replication 0 of `lspsim run` (lazy import: the run engine imports this module).
            from lspsim.runner import replication_rng

            rng = replication_rng(sc.seed, 0)
        # A numpy integer seed means the same as the Python int: Mesa 3.3 would otherwise seed
        # its stdlib random from a draw on rng (a different stream) and Mesa 3.5 raises.
        super().__init__(rng=int(rng) if isinstance(rng, np.integer) else rng)
        self.scenario = sc
        self.derived = derive(sc)
        self._draw_partners(sc)
        self._build_structures(sc)
        self._apply_scenario(sc)
        self._alloc_records(sc.months)
        self._spin_up(sc)
        self._record()

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickling and ``copy.deepcopy``: they copy each view as an array of its own, so the
        views into the stacked buffers are made again."""
        self.__dict__.update(state)
        self._bind_views()

    def _bind_views(self) -> None:
        """The schedule's views into its stacked buffers (_draw_partners, _build_structures,
        _loop_constants make them; __setstate__ makes them again)."""
        n = self.derived.n_partners
        self._c, self._obs = self._co
        self._T, self._W = self._tw
        self._tw_rows = self._tw.reshape(2 * n, n)
        self._T_flat = self._T.reshape(-1)
        self._diag = self._T_flat[:: n + 1]
        self._pressure, self._fine = self._faded
        self._hidden = self._one_hidden[1]
        self._seen_rows = (self._seen[:n], self._seen[n:])

    # The state the schedule keeps in stacked buffers, by name (assigning copies into them).
    trust = _buffer_view("_T", "(n, n) trust partner i places in partner j; 1 on the diagonal.")
    ties = _buffer_view("_W", "(n, n) symmetric tie strengths between the partners' "
                        "representatives.")
    commitment = _buffer_view("_c", "(n,) share of capacity and budget each partner aligns to "
                              "joint priorities.")
    pressure = _buffer_view("_pressure", "(n,) scrutiny pressure each partner feels.")
    fine_rate = _buffer_view("_fine", "(n,) the fine each partner expects per unit withheld "
                             "(costly punishment).")
    observed = _buffer_view("_obs", "(n,) what this month's reports show of each partner's "
                            "commitment.")

    # The partners' scenario-given attributes, read from ``derived`` (so a replaced scenario
    # changes them all at once).
    kinds = property(lambda self: self.derived.kinds)
    n_partners = property(lambda self: self.derived.n_partners)
    partner_names = property(lambda self: self.derived.partner_names)
    partner_themes = property(lambda self: self.derived.partner_themes)
    stake_in_success = property(lambda self: self.derived.stake_in_success)
    stake_in_failure = property(lambda self: self.derived.stake_in_failure)
    capacity = property(lambda self: self.derived.capacity)
    data_quality = property(lambda self: self.derived.data_quality)
    openness = property(lambda self: self.derived.openness)
    statutory = property(lambda self: self.derived.statutory)
    is_council = property(lambda self: self.derived.is_council)
    is_chair_org = property(lambda self: self.derived.is_chair_org)
    tier = property(lambda self: self.derived.tier)
    history = property(lambda self: self.derived.history)
    style = property(lambda self: self.derived.style)
    voice = property(lambda self: self.derived.voice)
    per_year = property(lambda self: self.derived.per_year)
    extra_meetings = property(lambda self: self.derived.extra_meetings)
    coordination = property(lambda self: self.derived.coordination)
    maturity_ceiling = property(lambda self: self.derived.maturity_ceiling)

    # ------------------------------------------------------------------ construction
    def _draw_partners(self, sc: Scenario) -> None:
        """The partners' own draws: each organisation's size, and conditional co-operators vs
        the rest (Fischbacher et al. 2001)."""
        rng, n = self.rng, self.derived.n_partners
        self._budget_draw = structure.budget_draws(rng, n, sc.structure.budget_spread)
        self._conditional = rng.random(n) < sc.commitment.conditional_share
        # commitment and what the reports show of it: rows of one array (_update_trust takes
        # both in one call); the properties ``commitment`` and ``observed`` are its rows
        self._co = np.empty((2, n))
        self._c, self._obs = self._co
        self._c[...] = sc.commitment.initial
        d = self.derived
        self.partners = [PartnerOrganisation(self, i, k, name) for i, (k, name)
                         in enumerate(zip(d.kinds, d.partner_names, strict=True))]

    def _build_structures(self, sc: Scenario) -> None:
        rng, d = self.rng, self.derived
        n = d.n_partners
        budget = d.budget_by_kind * self._budget_draw
        nw, tr, st = sc.network, sc.trust, sc.structure
        # trust and ties: the two matrices of one (2, n, n) array (one call casts, takes from or
        # sums both); the properties ``trust`` and ``ties`` are its matrices
        self._tw = np.empty((2, n, n))
        self._T, self._W = self._tw
        self._W[...] = ties = network.initial_ties(
            rng, n, nw.initial_density, nw.initial_strength, d.history, d.cross_tier,
            st.inter_tier_tie_factor, history_density_pull=nw.history_density_pull,
            history_strength_gain=nw.history_strength_gain, concentration=nw.tie_concentration,
            pairs=d.pairs)
        # the area's relationships at the start, kept up outside the partnership
        # (network.with_outside)
        self.outside_ties = ties.copy()
        self.outside_ties.flags.writeable = False
        self._T[...] = trust.initial_trust(
            rng, tr.initial, d.history, ties, d.cross_tier, st.inter_tier_tie_factor,
            mature_level=tr.mature_level, history_pull=tr.history_pull, tie_bonus=tr.tie_bonus,
            spread=tr.initial_spread, cross_tier_share=tr.cross_tier_share)

        self.chains, self.target_themes = delivery.build_chains(
            rng, d.kinds, d.partner_themes, budget, sc.delivery.n_targets,
            sc.delivery.chain_length)
        k = sc.delivery.n_targets
        self._difficulty_draw = rng.lognormal(0.0, sc.delivery.difficulty_spread, k)
        # later rounds draw their difficulty from a stream of their own (cycles.round_difficulty)
        self._round_seed = int(rng.integers(2**63))
        self._membership = delivery.membership(self.chains, n)
        self.chain_share = delivery.chain_share(self._membership)
        self._in_chains = self._membership.sum(axis=0)  # chains each partner is in
        # LAA rounds: the first opens at the first month run (spin-up included)
        self.first_month = 1 - d.spinup
        self.round_start, self.round_index = self.first_month, 0
        self._run_round = 0  # round_index of the run's first round (after the spin-up)
        self._active = np.ones(k, dtype=bool)
        # 0 on targets open, NaN on met ones (_open_targets), and as in the month just run
        self._unmet_nan = self._unmet_nan_now = np.zeros(k)
        self.efficacy = np.zeros(n)
        self.belief = np.full(n, np.nan)  # what each expects of the others (none yet)
        self._belief_fresh = True
        self._fresh_rows = None  # the NaN rows of belief, when only some are (_turnover)
        self._wins = cycles.plan_wins(self._membership)  # who shares which chains

        self.maturity = d.initial_maturity
        # what partners and the executive see of outcomes (monitoring.outcome_visibility; a
        # 0-d array, which numpy takes faster than a float)
        self._outcomes = np.array(monitoring.outcome_visibility(self.maturity,
                                                                sc.monitoring.own_data_share))
        # scrutiny pressure and the fine each partner expects per unit withheld
        # (mechanisms.punishment = "payoff_cost"): rows of one array, which fade together
        # (_scrutinise); state that carries on when the scenario is replaced
        self._faded = np.zeros((2, n))
        self._pressure, self._fine = self._faded
        self._most_fine = 0.0  # the largest fine rate (_scrutinise)
        self._total = np.zeros(())  # _scrutinise's sum of fines
        self.progress = np.zeros(k)
        self._weakest_flat: list[np.ndarray] = []  # each month's weakest position per chain
        self.effective_capacity = layers.effective_capacity(d.capacity, d.coordination)
        self.burden = np.full(n, d.coordination)
        self._obs[...] = self._c
        # link strengths; padded positions stay +inf so they never bind
        self.link = np.full(self.chains.shape, np.inf)
        self.adequacy = np.zeros(k)
        self.meetings = np.zeros(3)
        self.leavers = np.zeros(0, dtype=np.int64)
        # Workspaces: the monthly updates run in place, without allocating.
        self._evidence = np.empty((n, n))
        self._scratch = np.empty((n, n))
        self._scratch2 = np.empty((n, n))  # the loss pair by pair (trust.tie_forgiveness)
        self._weight = np.empty((n, n))
        # float32 copies of trust and ties, and their product (the gossip sum, _update_trust)
        self._single = np.empty((3, n, n), np.float32)
        self._tw_rows = self._tw.reshape(2 * n, n)  # both matrices' rows (_record's row sums)
        self._vec = np.empty(n)
        self._u = np.empty(n)
        # ones, and 1 - visibility (the share of each partner's conduct monitoring hides): one
        # product with the observations gives both sums the expectation needs
        self._one_hidden = np.ones((2, n))
        self._hidden = self._one_hidden[1]
        self._maturity = np.zeros(())  # maturity as a 0-d operand (_monitor)
        self._gone, self._others = np.zeros(()), np.zeros(())  # _small_wins', _decide_commitment's
        self._T_flat = self._T.reshape(-1)
        self._diag = self._T_flat[:: n + 1]  # trust in oneself (1)
        self._tie_mask = np.empty((n, n), dtype=bool)  # _record's count of dense pairs
        self._ones = np.ones(n)
        self._sanction = self._fine_shift = None  # set each month by _scrutinise

    def _apply_scenario(self, sc: Scenario) -> None:
        """Take every parameter of ``sc``: what derives from the scenario alone, and what
        combines it with the run's own draws and structures (budgets = kind budget x the
        organisation's size draw, slopes, target difficulty, seats, the schedule's constants).
        The state (trust, ties, commitment, maturity, pressure, progress) carries on. Called at
        construction and whenever ``model.scenario`` is replaced mid-run (an event: a new chair
        style, a budget cut, new data standards); a scenario with other partners or other
        delivery chains is refused."""
        d = derive(sc)
        if self.scenario is not None and self._applied is not None:
            old = self._applied
            if d.kinds != self.derived.kinds:
                raise ValueError("a running model's scenario can change its parameters, not its "
                                 f"partners ({len(self.derived.kinds)} partners of kinds "
                                 f"{sorted(set(self.derived.kinds))})")
            if (sc.delivery.n_targets, sc.delivery.chain_length) != (
                    old.delivery.n_targets, old.delivery.chain_length):
                raise ValueError("a running model's scenario cannot change delivery.n_targets "
                                 "or delivery.chain_length (its delivery chains are drawn)")
        self.derived = d
        self._applied = sc
        n, k = d.n_partners, len(self.progress)
        self.budget = d.budget_by_kind * self._budget_draw
        c = sc.commitment
        self.slope = np.where(self._conditional, c.conditional_slope, c.free_rider_slope)
        self.months_to_deliver = sc.delivery.months_to_deliver * self._difficulty_draw
        self.seat_matrix = layers.seats(d.statutory, d.voice, self.chains,
                                        sc.layers.executive_voice)
        self.co_members = layers.co_membership(self.seat_matrix, self._membership)

        expect_scale, pull_term = commit.folded_decision(
            self.slope, d.style["pull"], d.voice, sc.leadership.aspiration, n)
        rs, dl = sc.resources, sc.delivery
        pot = resources.pooled_pot(self.budget, rs.pooled_share)
        aligned_per_commitment = self.budget * rs.mainstream_alignment
        # From this month on, aligned spend = commitment @ this vector (an event can change it).
        segments = self.__dict__.setdefault("_aligned_segments", [])
        if segments and segments[-1][0] == self.steps:
            segments.pop()
        segments.append((self.steps, aligned_per_commitment))
        need = resources.need_per_target(self.budget, rs.need_share, k)
        # adequacy = pot / K / need + efficiency x (chain_share @ aligned) / need
        # (resources.adequacy, with aligned = aligned_per_commitment x commitment)
        efficiency = layers.allocation_efficiency(d.multiplier_clarity,
                                                  sc.layers.confused_allocation)
        # With executive steering (mechanisms.layers = "information") the matrix and base hold
        # the evenly split part, 1 - steered_share of the money (_allocate).
        steered = sc.layers.steered_share if sc.mechanisms.layers == "information" else 0.0
        even = 1.0 - steered
        self._schedule = Schedule(
            expect_scale=expect_scale, pull_term=pull_term, pot=pot,
            aligned_per_commitment=aligned_per_commitment,
            adequacy_matrix=even * efficiency / need * self.chain_share
            * aligned_per_commitment[None, :],
            adequacy_base=even * pot / k / need, need=need,
            per_month=1.0 / self.months_to_deliver,
            links=delivery.plan_links(self.chains, d.data_quality, tie_floor=dl.tie_floor,
                                      handover_exponent=dl.handover_exponent,
                                      tie_exponent=dl.tie_exponent,
                                      info_exponent=dl.info_exponent),
            argmin_flat=np.arange(k) * self.chains.shape[1],
            steered=steered, outside=np.flatnonzero(self._membership.sum(axis=0) == 0))
        self._loop_constants(sc)
        self._mark_round(sc)
        # Which layers meet depends on the month of the year only (meetings per year are whole
        # numbers): the patterns are computed once each (_pattern).
        self._patterns: dict[bytes, MeetingPattern] = {}
        self._month_pattern: list[MeetingPattern | None] = [None] * 12
        if getattr(self, "_draws", None) is not None:
            self._scale_draws()  # the year's draws stay; their scale follows the scenario
        else:
            self._draws = None
        self.visibility = monitoring.visibility(self.maturity, d.openness)
        np.subtract(1.0, self.visibility, out=self._hidden)
        # what the executive last read as each target's need (layers.executive_signal): an
        # even split until it first meets
        if getattr(self, "signal", None) is None:
            self.signal = np.full(k, 1.0 / k)
        self._steer = None  # the allocation follows the scenario's levers (_steering)

    _applied: Scenario | None = None  # the scenario whose parameters the run has taken

    def _pattern(self, sc: Scenario, month: int) -> MeetingPattern:
        """The ``MeetingPattern`` of ``month``."""
        slot = (month - 1) % 12
        cached = self._month_pattern[slot]
        if cached is not None:
            return cached
        d = self.derived
        meetings = d.month_meetings[slot]  # layers.meetings_in_month(month, d.per_year)
        key = meetings.tobytes()
        if key not in self._patterns:
            ly, nw, tr, c = sc.layers, sc.network, sc.trust, sc.commitment
            contact = layers.contact(meetings, self.co_members, d.contact_weights)
            # evidence counts more for pairs who meet in the partnership; ties also grow with
            # contact outside it (network.with_outside)
            weight = trust.contact_weight(contact, tr.weight_base, tr.weight_contact)
            contact = network.with_outside(contact, self.outside_ties, nw.outside_contact)
            meeting = layers.meeting_burden(meetings, self.seat_matrix, ly.meeting_cost,
                                            d.multiplier_clarity, d.extra_meetings,
                                            ly.confusion_meeting_cost)
            burden = layers.burden(meeting, d.coordination, ly.burden_cap)
            share = network.growth_share(contact, nw.tie_growth, d.style["networking"])
            grow_p, grow_q = network.growth_factors(share, nw.tie_decay)
            incentive = commit.own_incentive(d.stake_in_success, d.payoff,
                                             c.return_on_commitment, c.cost, burden)
            own = commit.own_preference(incentive, c.incentive_weight)
            room = np.stack([layers.effective_capacity(d.partnership_capacity, burden),
                             commit.spare_capacity(burden)])
            entry = MeetingPattern(
                meetings, burden, room[0],
                grow_p, grow_q,
                weight,
                self._keep_own * own, incentive, own,
                float(burden.max()), bool(meetings[layers.EXECUTIVE] > 0),
                float(meetings.sum()), c.incentive_weight * incentive,
                room[1], room)
            for arr in entry:
                if not isinstance(arr, np.ndarray):
                    continue
                arr.flags.writeable = False  # shared between months: never modified in place
            self._patterns[key] = entry
        self._month_pattern[slot] = self._patterns[key]
        return self._patterns[key]

    def _random_draws(self, month: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """This month's leavers (a uniform draw per partner against the monthly turnover rate)
        and two normal draws per partner: the observation error before its per-partner factor
        (sd = observation noise x layer confusion) and the decision noise (sd =
        commitment.noise). They are drawn from ``self.rng`` a year at a time (``_draws`` keeps
        the uniform and standard-normal blocks; ``reference.yearly_draws`` is the same)."""
        slot = (month - 1) % 12
        if slot == 0 or self._draws is None:
            n = self.derived.n_partners
            self._draws = (self.rng.random((12, n)), self.rng.standard_normal((12, 2, n)))
            self._scale_draws()
        return self._month_draws[slot]

    def _scale_draws(self) -> None:
        """The year's leavers and scaled normal draws under the current parameters."""
        d = self.derived
        self._scaled = self._draws[1] * d.noise_sd
        # the decision noise carries slope x pull term (commitment.folded_decision), which is
        # fixed while the scenario is (_loop_constants runs before this)
        self._scaled[:, 1] += self._slope_pull
        leave = self._draws[0] < d.monthly_turnover
        leavers = [row.nonzero()[0] if has else _NONE
                   for row, has in zip(leave, leave.any(axis=1).tolist(), strict=True)]
        # each month's (leavers, observation error, decision noise)
        self._month_draws = [(out, z[0], z[1])
                             for out, z in zip(leavers, self._scaled, strict=True)]

    def _apply_events(self, month: int) -> None:
        """Scheduled events (``Scenario.events``, lspsim/events.py): the scenario in force
        this month replaces ``self.scenario`` at the start of the month."""
        if self.scenario is not self.__dict__.get("_in_force"):  # as built, or replaced
            self._event_base, self._in_force_cache = self.scenario, {}
        self.scenario = self._in_force = scenario_in_force(self._event_base, month,
                                                           self._in_force_cache)

    # ------------------------------------------------------------------ the schedule
    def step(self) -> None:
        """One month, in the ODD's order (``lspsim.reference.month`` is the same month written
        plainly from the mechanisms' canonical functions)."""
        if self.scenario.events:
            self._apply_events(self.steps)
        sc = self.scenario
        if self._applied is not sc:  # the scenario object was replaced: take all of it
            self._apply_scenario(sc)
        month = self.steps  # Mesa increments steps before calling step(): 1-based month
        self._month(sc, month)
        self._weakest_flat.append(self._weakest_at)
        self._record()
        # Mesa's run_model() and batch_run stop when running is False: at the scenario's end
        # (step() itself still runs on, as the app does past the scenario's months).
        self.running = month < sc.months

    def _month(self, sc: Scenario, month: int) -> None:
        """Month ``month`` of the schedule (months <= 0 are the spin-up's)."""
        if month >= self._next_round:  # cycles.opens_round (_last_month_of_round)
            self._open_round(sc, month)
        leavers, z_obs, z_decide = self._random_draws(month)
        self._turnover(sc, leavers)
        self._meet(sc, month)
        self._monitor(sc, z_obs)
        self._update_trust(sc)
        network.grow_ties_in_place(self.ties, self._now.grow_p, self._now.grow_q)
        self._scrutinise(sc, month)
        self._decide_commitment(sc, z_decide)
        self._deliver(sc)
        self._small_wins(sc, month)

    def _spin_up(self, sc: Scenario) -> None:
        """The partnership's recent history (``Derived.spinup`` months, cycles.spinup_months):
        the model's own dynamics run before month 0, unrecorded and without advancing Mesa's
        ``steps``; then the run's first round of targets opens."""
        if not self.derived.spinup:
            return
        for month in range(self.first_month, 1):
            self._month(sc, month)
        self._open_round(sc, 1)
        self._run_round = self.round_index

    def _open_round(self, sc: Scenario, month: int) -> None:
        """A new round of targets (cycles): new difficulty, progress from 0, all open."""
        self.round_index += 1
        self.round_start = month
        self._difficulty_draw = cycles.round_difficulty(
            self._round_seed, self.round_index, sc.delivery.difficulty_spread, len(self.progress))
        self.months_to_deliver = sc.delivery.months_to_deliver * self._difficulty_draw
        self._schedule = self._schedule._replace(per_month=1.0 / self.months_to_deliver)
        self.progress = np.zeros(len(self.progress))
        self._active = np.ones(len(self.progress), dtype=bool)
        self._open_targets()
        self._mark_round(sc)

    def _mark_round(self, sc: Scenario) -> None:
        """What the schedule reads of the current round under ``sc``: its last month, its
        horizon and the month the next one opens (cycles.opens_round: with renewed rounds,
        ``round_months`` after this one opened; never otherwise)."""
        self._round_last = self._last_month_of_round(sc)
        self._round_horizon = self._horizon(sc)
        self._next_round = (self.round_start + sc.delivery.round_months
                            if sc.mechanisms.laa_rounds == "renewed" else math.inf)

    def _last_month_of_round(self, sc: Scenario) -> int:
        """The current round's last month: ``round_months`` after it opened when rounds are
        renewed, else the run's end (cycles.opens_round); -1 for the spin-up's (unrecorded)."""
        if self.round_start <= 0:
            return -1
        if sc.mechanisms.laa_rounds == "renewed":
            return self.round_start + sc.delivery.round_months - 1
        return sc.months

    def _open_targets(self) -> None:
        """Money for the targets still open this round (delivery.freed_share): a met target
        stops absorbing its chain's aligned money and its share of the pot; the executive's
        steering is redone over the open targets (_steering)."""
        sch = self._schedule
        # delivery.freed_share(membership, active), fast: the chain counts are sums of 0s and 1s,
        # exact in any order, so a product with the open targets gives those of the open ones,
        # and the count over all targets is kept (_build_structures)
        self._steer = None
        k = len(self._active)
        self._n_open = n_open = int(_count_nonzero(self._active))
        self._unmet_nan = np.where(self._active, 0.0, np.nan)  # _record's mask
        if n_open == k:  # all open: the factor is 1 on every partner's chains
            self._open_chain_share = self.chain_share
            self._adequacy_matrix = sch.adequacy_matrix
            self._adequacy_base = np.full(k, sch.adequacy_base)
            per_month = sch.per_month
        else:
            open_ = self._active.astype(float)
            in_open = open_.dot(self._membership)
            # in_chains / in_open where a partner is in an open chain; where it is in none, its
            # chain shares on open targets are 0, so any finite ratio gives the same products
            ratio = np.divide(self._in_chains, np.maximum(in_open, ONE))
            f = open_[:, None].dot(ratio[None, :])  # outer product, as a matrix product
            self._open_chain_share = self.chain_share * f
            self._adequacy_matrix = sch.adequacy_matrix * f
            self._adequacy_base = open_ * (sch.adequacy_base * (k / max(n_open, 1)))
            per_month = sch.per_month * open_
        # _deliver's m x per month (resources.resource_factor's m, delivery.progress_step)
        self._step_scale = self._scalars.max_factor * per_month

    def _loop_constants(self, sc: Scenario) -> None:
        """Constants of the feedback loop under ``sc`` (called by _apply_scenario); those of the
        scenario alone are kept per scenario (``Derived.scalars``, ``Derived.efficacy_logit``)."""
        d, c, sch = self.derived, sc.commitment, self._schedule
        self._efficacy_logit = d.efficacy_logit
        self._keep_own = 1.0 - self.slope  # weight of the own preference (commitment.desired)
        self._scalars = d.scalars
        # _steering's steered share / need x aligned per commitment, steered share x pot / need
        self._steer_aligned = sch.steered / sch.need * sch.aligned_per_commitment
        self._steer_base = const(sch.steered * sch.pot / sch.need)
        self._outside_one = np.zeros(d.n_partners)
        self._outside_one[sch.outside] = 1.0
        self._wins_matrix = np.concatenate([c.efficacy_rate * self._wins.own,
                                            sc.trust.wins_rate * self._wins.pair])
        self._seen = np.empty(len(self._wins_matrix))  # _small_wins' product, and its parts
        self._seen_rows = (self._seen[:d.n_partners], self._seen[d.n_partners:])
        # slope x pull term (commitment.folded_decision): added to the decision noise when the
        # year's draws are scaled (_scale_draws)
        self._slope_pull = self.slope * sch.pull_term
        # the expectation's folded scale without its 1 / (n - 1) (commitment.folded_decision):
        # the belief is kept as a mean over the others
        others = max(d.n_partners - 1, 1)
        self._belief_scale = sch.expect_scale * others
        self._lone = d.n_partners < 2  # no others: expect what is observed
        self._discount = float(c.distrust_discount)
        rate = self._belief_rate = c.belief_rate
        self._per_other = const(1.0 / others)
        self._rate_per_other = const(rate / others)  # update_belief's rate, / (n - 1)
        self._belief_keep = const(1.0 - rate)
        # monitoring.information_scale: floor + (1 - floor) x maturity
        self._info_floor = sc.delivery.info_floor
        self._info_rest = 1.0 - sc.delivery.info_floor
        # the forms of the mechanisms, read every month
        mech = sc.mechanisms
        self._efficacy_on = mech.small_wins == "trust_and_efficacy"
        self._wins_off = mech.small_wins == "off"
        self._capped = mech.capacity_limit == "spare_capacity"
        self._open_targets()

    def _turnover(self, sc: Scenario, leavers: np.ndarray) -> None:
        self.leavers = leavers
        if leavers.size:
            loss = sc.network.tie_loss_on_turnover
            network.break_ties(self.ties, self.leavers, loss, out=self.ties)
            trust.reset_for_newcomers(self.trust, self.leavers, sc.trust.initial,
                                      sc.trust.newcomer_share, out=self.trust)
            self.belief[leavers] = np.nan  # a new representative has no expectation yet
            if not self._belief_fresh:  # (before the first decision every row is NaN)
                self._fresh_rows = leavers
            self._belief_fresh = True

    def _meet(self, sc: Scenario, month: int) -> None:
        self._now = now = self._pattern(sc, month)
        self.meetings, self.burden, self.effective_capacity = (now.meetings, now.burden,
                                                               now.effective_capacity)

    def _monitor(self, sc: Scenario, z: np.ndarray) -> None:
        d = self.derived
        # monitoring.grow: maturity + rate x max(ceiling - maturity, 0)
        m = self.maturity
        self.maturity = m = m + d.maturity_growth * max(d.maturity_ceiling - m, 0.0)
        self._maturity.fill(m)
        self._outcomes.fill(monitoring.outcome_visibility(m, sc.monitoring.own_data_share))
        # visibility = maturity x openness; observation sd = base sd x (1 - visibility) x the
        # layer-confusion factor (monitoring.observation_sd; z carries the rest)
        np.multiply(d.openness, self._maturity, out=self.visibility)
        np.subtract(ONE, self.visibility, out=self._hidden)
        # monitoring.observe_draw: commitment + z sd, clipped to [0, 1]
        obs = np.multiply(z, self._hidden, out=self._obs)
        obs += self._c
        clip01(obs)

    def _update_trust(self, sc: Scenario) -> None:
        """Evidence, the weighted update and gossip, in place in ``self.trust``: one month of
        trust.kept_evidence (leadership.kept_evidence_seen for councils judged on the agenda,
        mechanisms.exclusion), trust.update_weight, trust.update_trust and trust.gossip, in
        the forms below (buffers reused, constants folded per scenario and meeting pattern)."""
        k, d = self._scalars, self.derived
        T, obs = self._T, self._obs
        kk = k.evidence[2]
        # trust.kept_evidence, factorised: e_ij = k / (k + a_i b_j) with a = exp(own / s),
        # b = exp(-observed / s), k = exp(tolerance / s) (trust.evidence_constants); the outer
        # product a b^T as a one-column matrix product (the same products, cheaper than
        # broadcasting)
        ab = np.multiply(self._co, k.evidence_rows)  # (own, observed) x (1 / s, -1 / s)
        np.exp(ab, out=ab)
        a, b = ab
        ev = a[:, None].dot(b[None, :], out=self._evidence)
        excluded = d.exclusion_cols.stop
        if not excluded and d.agenda_lift is not None:
            # Councils judged on what they do for each partner's priorities:
            # kept_evidence_seen(delivered_for(observed, stake), ...)_ij =
            # k / (k + a_i exp(-min(s_i, 1) obs_j / s)) = k / (k + a_i b_j exp(h_i obs_j)),
            # h = (1 - min(s, 1)) / s (Derived.agenda_lift), in the council columns
            nc = d.n_councils
            lift = d.agenda_lift.dot(obs[None, :nc])
            np.exp(lift, out=lift)
            ev[:, :nc] *= lift
        ev += kk
        np.divide(kk, ev, out=ev)
        if excluded:
            ev[:, d.exclusion_cols] *= d.exclusion
        # trust.update_weight: the contact part is fixed per meeting pattern; the visibility
        # part is maturity x weight_visibility x openness_j (Derived.visibility_weight)
        w = np.multiply(d.visibility_weight, self._maturity, out=self._weight)
        w += self._now.contact_weight
        if d.weight_clip:
            clip01(w)
        # trust.update_trust as T + w (g e - T ((g - l) e + l)), l = loss (1 - repair)
        # (trust.update_constants), clipped to [0, 1], trust in oneself 1; with
        # trust.tie_forgiveness f > 0 the loss is l (1 - f ties) pair by pair:
        # T + w (g e - T (l_ij + (g - l_ij) e)), l_ij = l - l f ties
        g, lo, g_less_lo = k.update
        if k.forgive is None:
            s = np.multiply(ev, g_less_lo, out=self._scratch)
            s += lo
        else:
            s = np.multiply(self._W, k.forgive, out=self._scratch)  # -l f ties
            s += lo                                                # l_ij
            u = np.subtract(g, s, out=self._scratch2)              # g - l_ij
            u *= ev
            s += u
        s *= T
        ev *= g
        ev -= s
        ev *= w
        T += ev
        clip01(T)
        diagonal = self._diag
        diagonal.fill(1.0)
        # trust.gossip as trust.spread computes it: the tie-weighted sum in single precision,
        # T_i <- (1 - r) T_i + r (ties_i . T) / sum(ties_i), in place
        strength = self._W.dot(self._ones)  # row sums (>= 0) as a product with ones
        single = self._single
        single[:2] = self._tw  # trust and ties in single precision
        t32, w32, h32 = single
        w32.dot(t32, out=h32)  # the single-precision product, kept in single precision
        if _count_nonzero(strength) == strength.size:  # every representative has a tie
            # r / strength_i x the sum, in double precision (cast first: a broadcast product
            # of mixed types costs more)
            heard = self._scratch
            heard[...] = h32
            heard *= np.divide(k.spread, strength)[:, None]
            T *= k.spread_keep
        else:  # partners with no ties keep their own view
            has = strength > 0
            r = np.where(has, k.spread, 0.0)
            heard = np.multiply(h32, (r / np.where(has, strength, 1.0))[:, None],
                                out=self._scratch)
            T *= (1.0 - r)[:, None]
        T += heard
        diagonal.fill(1.0)

    def _scrutinise(self, sc: Scenario, month: int) -> None:
        s, d, k = sc.scrutiny, self.derived, self._scalars
        form, aspiration = sc.mechanisms.punishment, sc.leadership.aspiration
        if form == "payoff_cost":
            self._faded *= k.memory  # scrutiny.fade of pressure and fine rates, in place
            # the largest rate fades with them (the same product, and rounding keeps the order)
            self._most_fine *= sc.scrutiny.memory
        else:
            self._pressure *= k.memory  # scrutiny.fade, in place
        if month % s.interval_months == 0:  # scrutiny.is_review_month
            bite = scrutiny.intensity(s.member_engagement, s.member_training,
                                      d.style["challenge"], s.untrained_bite)
            # into the rows of _faded
            self._pressure[...] = scrutiny.review(self._pressure, self._obs, aspiration,
                                                 d.stake_in_failure, bite)
            if form == "payoff_cost":
                self._fine[...] = scrutiny.review_fines(
                    self._fine, self._obs, aspiration, d.stake_in_failure, bite,
                    s.sanction_strength)
                self._most_fine = max(self._fine.tolist())
        # What scrutiny does to this month's decision (mechanisms.punishment): a push added to
        # the desired commitment ("push"), or a shift of the incentive per unit committed and
        # capacity given up by the challengers ("payoff_cost"); _decide_commitment uses them.
        now = self._now
        self._sanction = None
        self._fine_shift = None
        self._spare_now = now.spare
        if form == "push":
            self._sanction = self._pressure * s.sanction_strength
        elif form == "payoff_cost" and self._most_fine > 0:  # rates >= 0: some fine is due
            # scrutiny.fines_imposed summed, challenge_load, fined_incentive less the
            # pattern's incentive
            rate = self._fine
            short = np.subtract(k.aspiration, self._obs, out=self._vec)
            np.maximum(short, ZERO, out=short)
            total = rate.dot(short, out=self._total)  # 0-d: numpy takes it faster than a float
            # what challenge takes per unit of fines, x total: capacity, spare capacity and
            # incentive (Derived.challenge_rows)
            taken = np.multiply(d.challenge_rows, total)
            # rate - incentive share x total
            self._fine_shift = np.subtract(rate, taken[2], out=taken[2])
            # challengers' capacity goes on challenge (layers.burden's cap applies to the sum;
            # while it does not bind, capacity x (1 - burden - load)); what they can commit
            # (commitment.spare_capacity) falls with it
            if now.most_burden + float(total) * d.most_challenge <= sc.layers.burden_cap:
                # capacity - challenge capacity x total and spare - challenge share x total,
                # both rows at once
                room = np.subtract(now.room, taken[:2], out=taken[:2])
                self.effective_capacity, self._spare_now = room[0], room[1]
            else:
                load = d.challenge_share * float(total)
                burden = layers.burden(now.burden, load, sc.layers.burden_cap)
                self.effective_capacity = layers.effective_capacity(d.partnership_capacity,
                                                                    burden)
                self._spare_now = commit.spare_capacity(burden)

    def _allocate(self, sc: Scenario, effort: np.ndarray) -> np.ndarray:
        """Resources reaching each target relative to need this month (resources.adequacy with
        the executive's steering, layers.steered_money, when mechanisms.layers is
        "information"; the fixed split otherwise). The executive allocates at its meetings
        (report Table 8) on what it then reads as need (layers.executive_signal, kept as
        ``self.signal``); between meetings the allocation holds. ``effort`` is this month's
        commitment x effective capacity (the chains' activity)."""
        sch = self._schedule
        if sch.steered:
            if self._now.executive_meets or self._steer is None:
                if self._now.executive_meets:
                    self.signal = self._read_need(
                        layers.outcome_share(sc.layers.clarity, float(self._outcomes)), effort)
                self._steer = self._steering(self.signal)
            matrix, base = self._steer
        else:
            matrix, base = self._adequacy_matrix, self._adequacy_base
        adequacy = matrix.dot(self._c)
        adequacy += base
        return adequacy

    def _read_need(self, clarity: float, effort: np.ndarray) -> np.ndarray:
        """layers.executive_signal(outcome need, chain effort, clarity), fast; ``effort`` is
        commitment x effective capacity."""
        # layers.outcome_need: progress x (1 - progress) for an open target (progress < 1),
        # 0 for a met one (progress >= 1), where (1 - progress) x progress <= 0: the maximum
        # with 0 gives it exactly
        gap = np.subtract(ONE, self.progress)
        gap *= self.progress
        if self._n_open < len(gap):
            np.maximum(gap, ZERO, out=gap)
        activity = self._membership.dot(effort)
        gap_sum, activity_sum = sum(gap.tolist()), sum(activity.tolist())  # (cheaper in Python)
        if gap_sum > 0 and activity_sum > 0:
            gap *= clarity / gap_sum
            activity *= (1.0 - clarity) / activity_sum
            gap += activity
            return gap
        return layers.executive_signal(gap, activity, clarity)

    def _steering(self, signal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(matrix, base) with layers.steered_money(pot, aligned_per_commitment x c, ...) / need
        == matrix @ c + base for the executive's ``signal``: a partner's steered money goes to
        its chains in proportion to their signal (the evenly split part is fixed per round of
        open targets, _open_targets). Money steered to a target met since (by a stale reading,
        or by operational activity that goes on in its chain) is lost: its rows are zeroed."""
        sch, m = self._schedule, self._membership
        denom = signal.dot(m)
        if len(sch.outside):
            # partners in no chain (their column of m is 0 anyway): a denominator of 1, as
            # 0 + 1 (cheaper than assigning by index)
            denom += self._outside_one
        if min(denom.tolist()) <= 0:  # a partner whose chains all read no need: its share
            denom = np.where(denom > 0, denom, np.inf)  # of the split is the even one
            fallback = (denom == np.inf) * sch.steered / sch.need * sch.aligned_per_commitment
            extra = self._open_chain_share * fallback[None, :]
        else:
            extra = None  # nothing to add (adding 0.0 would change no sum the model takes)
        if self._n_open < len(signal):
            # met targets absorb what is steered to them: their rows are 0 (x 0 on the signal
            # gives the same products as x 0 on the rows; x 1 changes nothing)
            signal = signal * self._active
        # steered / need: signal_k x (steered share / need x aligned_i) / denom_i on partner i's
        # chains (m is 0 or 1); the outer product as a one-column matrix product (cheaper than
        # broadcasting)
        matrix = signal[:, None].dot((self._steer_aligned / denom)[None, :])
        matrix *= m
        base = signal * self._steer_base  # steered x pot / need
        matrix += self._adequacy_matrix
        if extra is not None:
            matrix += extra
        base += self._adequacy_base
        return matrix, base

    def _decide_commitment(self, sc: Scenario, z: np.ndarray) -> None:
        """The decision: commitment.desired(slope, leadership.pulled_expectation(belief, ...),
        own, pressure, noise, spare capacity) in its folded form (commitment.folded_decision),
        with belief = commitment.update_belief(belief, commitment.expected_of_others(...),
        belief_rate) and own = commitment.own_preference of commitment.own_incentive (with
        efficacy, and scrutiny.fined_incentive under costly punishment); then
        commitment.adjust. ``z`` is the decision noise plus slope x pull term
        (_scale_draws)."""
        obs, k = self._obs, self._scalars
        # commitment.expected_of_others_unit (sum(obs) - obs_i - D (sum(u) - (T u)_i)), u =
        # hidden x obs, without its 1 / (n - 1); both sums in one product (_one_hidden)
        if self._lone:
            seen = obs.copy()
        else:
            seen = self._T.dot(np.multiply(self._hidden, obs, out=self._u))
            seen *= k.discount
            seen -= obs
            total_obs, total_u = self._one_hidden.dot(obs).tolist()
            others = self._others
            others.fill(total_obs - self._discount * total_u)  # 0-d, as for _gone
            seen += others
        belief, rate = self.belief, self._belief_rate
        if rate >= 1.0:  # what it sees (no NaN rows left)
            seen *= self._per_other
            belief = seen
            self._belief_fresh, self._fresh_rows = False, None
        elif self._belief_fresh:  # a first decision, or new representatives: NaN rows
            rows = self._fresh_rows
            if rows is None:
                seen *= self._per_other
                belief = commit.update_belief(belief, seen, rate)
            else:  # this month's new representatives take what they see, the rest as below
                fresh = seen.take(rows)
                fresh *= self._per_other
                seen *= self._rate_per_other
                belief *= self._belief_keep
                belief += seen
                belief[rows] = fresh
            self._belief_fresh, self._fresh_rows = False, None
        else:  # b + r (seen - b) as (1 - r) b + (r / (n - 1)) x the sum
            seen *= self._rate_per_other
            belief *= self._belief_keep
            belief += seen
        self.belief = belief
        # the expectation's folded scale x (n - 1) (_loop_constants)
        target = np.multiply(belief, self._belief_scale)
        shift = self._fine_shift
        if self._efficacy_on or shift is not None:
            # own preference moves with the partner's sense of efficacy (commitment.own_incentive)
            # and with the fines it expects (scrutiny.fined_incentive): (1 - slope) x the
            # logistic commitment.own_preference of y = weight x incentive
            y = self._vec
            if self._efficacy_on:
                np.multiply(self._efficacy_logit, self.efficacy, out=y)
                y += self._now.incentive_logit
            else:
                np.copyto(y, self._now.incentive_logit)
            if shift is not None:  # the fined incentive: + rate - cost x challenge load
                shift *= k.incentive_weight
                y += shift
            expit(y, out=y)
            y *= self._keep_own
            target += y
        else:
            target += self._now.own_part
        if self._sanction is not None:  # the "push" form of mechanisms.punishment
            target += self._sanction
        target += z  # decision noise (and slope x pull term)
        if self._capped:
            # clipped to [0, 1] and to spare capacity (commit.spare_capacity, in [0, 1] once
            # burden >= 0), in one pass: min(max(x, 0), 1, spare) = min(max(x, 0), spare)
            clip_ufunc(target, ZERO, self._spare_now, out=target)
        else:
            clip01(target)
        # commitment.adjust: c + rate (target - c), in place
        c = self._c
        target -= c
        target *= k.adjust_rate
        c += target

    def _deliver(self, sc: Scenario) -> None:
        sch = self._schedule
        effort = self._c * self.effective_capacity  # one product for both uses
        self.adequacy = self._allocate(sc, effort)
        delivery.planned_link_strength(
            sch.links, effort, self._T, self._W,
            self._info_floor + self._info_rest * self.maturity,  # monitoring.information_scale
            self._scalars.effort_half, out=self.link, stacked=self._tw)
        flat = self.link.argmin(axis=1)
        flat += sch.argmin_flat
        self._weakest_at = flat
        self._weakest = self.link.take(flat)
        # resources.resource_factor(adequacy, m) = m A / ((m - 1) + A), with 0-d constants
        k = self._scalars
        # delivery.progress_step: weakest x resources / months, and met targets are done for
        # the round: per_month x 1 for open targets, x 0 for met ones (_open_targets); as
        # A / ((m - 1) + A) x weakest x (m x per_month) (_step_scale)
        adequacy = self.adequacy
        step = np.add(k.max_factor_less_1, adequacy)
        np.divide(adequacy, step, out=step)
        step *= self._weakest
        step *= self._step_scale
        self._unmet_nan_now = self._unmet_nan  # the targets open in the month just run
        n_targets = len(step)
        step += self.progress
        self.progress = step
        # a target was met this month: more targets at 1 than were met before (met ones stay
        # there); with all open, whether any reached 1
        if (max(self.progress.tolist()) >= 1.0 if self._n_open == n_targets
                else _count_nonzero(self.progress >= 1.0) + self._n_open != n_targets):
            self._active = ~(self.progress >= 1.0)
            self._open_targets()

    def _small_wins(self, sc: Scenario, month: int) -> None:
        """Progress seen against the round's pace moves trust between chain co-members and each
        partner's sense of efficacy (cycles)."""
        if self._wins_off:
            return
        # cycles.pace_gap: progress capped at 1 less the share of the round gone; with every
        # target open (all progress < 1, _deliver) the cap changes nothing
        gone = self._gone  # a 0-d operand (a ufunc takes it faster than a Python float)
        gone.fill((month - self.round_start + 1) / self._round_horizon)
        if self._n_open == len(self.progress):
            gap = self.progress - gone
        else:
            gap = np.minimum(self.progress, ONE)
            gap -= gone
        gap *= self._outcomes  # monitoring.outcome_visibility (cycles.seen_gap, shared_gap)
        # one product gives rate x the gap each partner sees (cycles.update_efficacy: e + r
        # (seen - e) = (1 - r) e + r seen) and wins rate x the gap each pair sees
        # (cycles.wins_trust_planned); the rates are folded into _wins_matrix
        self._wins_matrix.dot(gap, out=self._seen)
        own, pairs = self._seen_rows  # views of _seen: each partner's, each pair's
        if self._efficacy_on:
            self.efficacy *= self._scalars.efficacy_keep
            self.efficacy += own
        cycles.wins_pairs_in_place(self._T, self._wins.flat, pairs, flat=self._T_flat)

    def _horizon(self, sc: Scenario) -> int:
        """Months of the current round (cycles.horizon); kept as ``_round_horizon`` when a
        round opens or the scenario changes."""
        return cycles.horizon(self.round_start, self.first_month, sc.delivery.round_months,
                              sc.mechanisms.laa_rounds == "renewed", sc.months)

    @property
    def relevance(self) -> np.ndarray:
        """(K, n) 1 where partner i holds target k's theme (what it cares about), else 0."""
        return np.array([[th in self.partner_themes[i] for i in range(self.n_partners)]
                         for th in self.target_themes], dtype=float)

    @property
    def weakest_count(self) -> np.ndarray:
        """(K, L) how many months each link of each chain was its chain's weakest."""
        flat = self._weakest_flat[: self.steps]
        counts = np.bincount(np.concatenate(flat) if flat else np.zeros(0, np.int64),
                             minlength=self.link.size)
        return counts.reshape(self.link.shape)

    @property
    def aligned(self) -> np.ndarray:
        """Mainstream money each partner bends to joint priorities, GBP m/year."""
        return resources.aligned(self.budget, self.commitment,
                                 self.scenario.resources.mainstream_alignment)

    # ------------------------------------------------------------------ recording
    # Each month _record stores the partner-level rows and a few model-level quantities that
    # cannot be recovered later; series() derives the rest from them for all months at once.
    _RAW = ("dense_pairs", "maturity", "turnover_events", "meetings_held", "pooled_pot",
            "round", "round_end")

    def _alloc_records(self, months: int) -> None:
        # Partner rows are kept as one small array per month (fresh large buffers would cost
        # page faults at every construction); the (K,) series are small enough to preallocate.
        self._partner_rows: list[np.ndarray] = []
        self._raw: list[tuple[float, ...]] = []
        block = np.full((3, months + 1, len(self.progress)), np.nan)
        self._progress_series, self._adequacy_series, self._weakest_series = block

    def _grow_records(self) -> None:
        """The app may run past the scenario's months: double the buffers."""
        for name in ("_progress_series", "_adequacy_series", "_weakest_series"):
            a = getattr(self, name)
            setattr(self, name, np.concatenate([a, np.full_like(a, np.nan)]))

    def _record(self) -> None:
        t = self.steps
        if t >= self._progress_series.shape[0]:
            self._grow_records()
        n = self.derived.n_partners
        p = np.empty((len(_ROWS), n))
        self._partner_rows.append(p)
        p[_R_COMMITMENT] = self._c
        # Sums as products with ones (cheaper than reductions on small arrays): column sums of
        # trust over all partners and over the non-statutory ones in one product, row sums of
        # trust and ties in one.
        self.derived.sum_rows.dot(self._T, out=p[_R_TRUST_IN:_R_TRUST_IN_NS + 1])
        self._tw_rows.dot(self._ones, out=p[_R_TRUST_OUT:_R_TIES + 1].reshape(2 * n))
        p[_R_CAPACITY] = self.effective_capacity
        p[_R_PRESSURE] = self._pressure
        p[_R_EFFICACY] = self.efficacy
        self._progress_series[t] = self.progress
        if t:
            # only targets still open count (a met one's adequacy is 0: its money has moved on)
            # adequacy + 0 on open targets, + NaN on met ones
            np.add(self.adequacy, self._unmet_nan_now, out=self._adequacy_series[t])
            self._weakest_series[t] = self._weakest
        self._raw.append((
            int(_count_nonzero(np.greater_equal(self._W, self._scalars.tie_threshold,
                                                out=self._tie_mask))),
            self.maturity,
            self.leavers.size,
            self._now.meetings_held if t > 0 else 0.0,
            self._schedule.pot,  # recorded, not derived at the end: an event can change it
            self.round_index - self._run_round + 1,
            t == self._round_last,
        ))

    # ------------------------------------------------------------------ views
    def series(self) -> dict[str, np.ndarray]:
        """Model-level series so far, one array per name (month 0 = initial state)."""
        months = self.steps + 1
        n, k = self.n_partners, len(self.progress)
        raw = dict(zip(self._RAW, np.array(self._raw[:months], dtype=float).reshape(
            months, len(self._RAW)).T, strict=True))
        rows = np.stack(self._partner_rows[:months])  # (months, rows, n), see _record
        p = self.partner_series(rows)
        c, trust_out, ties = p[:, _P["commitment"]], p[:, _P["trust_out"]], p[:, _P["tie_strength"]]
        st, ns, n_council = self.derived.stat_idx, self.derived.ns_idx, self.derived.n_councils
        pairs = n * (n - 1)
        prog = self._progress_series[:months]
        met = np.count_nonzero(prog >= 1.0, axis=1) / k
        nan = np.full(months, np.nan)
        out = {
            "mean_trust": trust_out.sum(axis=1) / n if n > 1 else nan,
            "mean_commitment": c.sum(axis=1) / n,
            "commitment_statutory": c[:, st].sum(axis=1) / st.size if st.size else nan,
            "commitment_non_statutory": c[:, ns].sum(axis=1) / ns.size if ns.size else nan,
            "trust_in_council_non_statutory": (rows[:, _R_TRUST_IN_NS, :n_council].sum(axis=1)
                                               / (ns.size * n_council)
                                               if ns.size and n_council else nan),
            "network_density": raw["dense_pairs"] / pairs if n > 1 else np.zeros(months),
            "mean_tie_strength": ties.sum(axis=1) / pairs if n > 1 else np.zeros(months),
            "monitoring_maturity": raw["maturity"],
            "mean_target_progress": np.minimum(prog, 1.0).sum(axis=1) / k,
            "targets_met": met,
            "targets_met_round_end": _held(met, raw["round_end"] > 0),
            "laa_round": raw["round"],
            "mean_efficacy": rows[:, _R_EFFICACY].sum(axis=1) / max(n, 1),
            "mean_effective_capacity": p[:, _P["effective_capacity"]].sum(axis=1) / n,
            "meetings_held": raw["meetings_held"],
            "pooled_pot": raw["pooled_pot"],
            "aligned_spend": self._aligned_spend(c),
            "mean_resource_adequacy": _open_mean(self._adequacy_series[:months]),
            "mean_chain_strength": self._weakest_series[:months].sum(axis=1) / k,
            "scrutiny_pressure": p[:, _P["scrutiny_pressure"]].sum(axis=1) / n,
            "turnover_events": raw["turnover_events"],
        }
        return {name: out[name] for name in SERIES}

    def rounds(self) -> list[dict[str, Any]]:
        """One row per agreement round run so far: its months, whether it is complete, and the
        share of its targets met and their mean progress (capped at 1) at its last month run."""
        s = self.series()
        rnd, met, prog = s["laa_round"], s["targets_met"], s["mean_target_progress"]
        ends = self.series_round_ends()
        out = []
        for r in np.unique(rnd[1:]).astype(int).tolist() if len(rnd) > 1 else []:
            months = np.flatnonzero(rnd == r)
            months = months[months > 0]
            last = int(months[-1])
            out.append({"round": r, "first_month": int(months[0]), "last_month": last,
                        "complete": bool(ends[last]), "targets_met": float(met[last]),
                        "mean_progress": float(prog[last])})
        return out

    def series_round_ends(self) -> np.ndarray:
        """(months + 1,) True in the last month of each round (cycles.opens_round)."""
        months = self.steps + 1
        return np.array([r[self._RAW.index("round_end")] for r in self._raw[:months]], bool)

    def _aligned_spend(self, c: np.ndarray) -> np.ndarray:
        """Aligned spend per month from the commitment rows ``c``: the levers of each stretch of
        months (one stretch for a run without events)."""
        months = c.shape[0]
        out = np.empty(months)
        starts = [s for s, _ in self._aligned_segments] + [months]
        for (start, vec), end in zip(self._aligned_segments, starts[1:], strict=True):
            if start < months:  # row by row (not c @ vec: BLAS rounds a row differently
                # with the number of rows, so the months run so far would change a month's value)
                stop = min(end, months)
                out[start:stop] = (c[start:stop] * vec).sum(axis=1)
        out[0] = 0.0  # nothing is aligned before the first month
        return out

    def partner_series(self, rows: np.ndarray | None = None) -> np.ndarray:
        """(months + 1, len(PARTNER_SERIES), n) partner-level series so far. ``trust_in`` and
        ``trust_out`` are the mean trust placed in / by each partner over the others."""
        if rows is None:
            rows = np.stack(self._partner_rows[: self.steps + 1])
        p = rows[:, _PARTNER_ROWS]
        d = max(self.n_partners - 1, 1)
        trust_cols = [_P["trust_in"], _P["trust_out"]]
        p[:, trust_cols] -= 1.0  # trust in oneself (1) is not counted
        p[:, trust_cols] /= d
        return p

    def progress_series(self) -> np.ndarray:
        """(months + 1, K) each target's progress by month, 1 once met (a target's last step
        may carry it past 1 inside the model; a met target is met, so outputs stop at 1)."""
        return np.minimum(self._progress_series[: self.steps + 1], 1.0)

    def contribution(self) -> np.ndarray:
        """Pooled share plus aligned mainstream money per partner, GBP m/year."""
        r = self.scenario.resources
        return self.budget * (r.pooled_share + r.mainstream_alignment * self.commitment)

    def gains(self) -> np.ndarray:
        """What each partner gained: its stake in success realised by the targets it cares about
        (progress capped at 1), 0-1."""
        done = np.minimum(self.progress, 1.0)
        rel = self.relevance.sum(axis=0)
        realised = (self.relevance * done[:, None]).sum(axis=0) / np.where(rel > 0, rel, 1.0)
        return self.stake_in_success * realised

    def weakest_links(self) -> list[dict[str, Any]]:
        """For each target: its chain, the link that was weakest most often, and how often."""
        out = []
        months = max(self.steps, 1)
        counts = self.weakest_count
        for t, chain in enumerate(self.chains):
            members = [int(i) for i in chain if i >= 0]
            j = int(counts[t].argmax())
            a = members[j]
            b = members[j + 1] if j + 1 < len(members) else None
            out.append({
                "target": t,
                "theme": self.target_themes[t],
                "chain": [self.partner_names[i] for i in members],
                "weakest_from": self.partner_names[a],
                "weakest_to": self.partner_names[b] if b is not None else "(delivery)",
                "weakest_share_of_months": float(counts[t, j] / months),
                "progress": float(self.progress[t]),
                "met": bool(self.progress[t] >= 1.0),
            })
        return out

    @property
    def datacollector(self) -> Any:
        """A Mesa DataCollector built from the model's own records (series() and the partner
        series), so mesa.batch_run and DataCollector users read them; built when asked."""
        from lspsim.mesa_bridge import RecordsCollector

        return RecordsCollector(self)

    def run_months(self, months: int | None = None) -> PartnershipModel:
        for _ in range(self.scenario.months if months is None else months):
            self.step()
        return self
