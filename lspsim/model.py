"""PartnershipModel: one local strategic partnership as a Mesa model.

``step()`` is one month and reads as the ODD's schedule: a short list of mechanism calls over
arrays the model owns. Randomness comes only from ``self.rng`` (a numpy Generator passed to Mesa).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import mesa
import numpy as np
from threadpoolctl import threadpool_limits

from lspsim import outcomes
from lspsim.agents import PartnerOrganisation
from lspsim.events import scenario_in_force
from lspsim.mechanisms import (
    clip01,
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
from lspsim.scenario import COUNCIL_KINDS, Scenario, load_scenario, partner_kinds

# One BLAS thread: multi-threaded OpenBLAS products differ in the last bits from single-threaded
# ones from about 220 partners up, which would make results depend on how a process was started
# (a Dask nanny pins one thread, a plain run does not). It is also faster for (n, n) products on
# few cores, and parallel sweeps want one thread per process anyway.
threadpool_limits(limits=1, user_api="blas")

# Derived quantities that say who the partners are: a replaced scenario keeps them.
_WHO_THE_PARTNERS_ARE = frozenset({"kinds", "n_partners", "partner_names", "partner_themes",
                                   "statutory", "is_council", "tier", "is_chair_org",
                                   "_budget_by_kind"})

_NONE = np.zeros(0, dtype=np.int64)  # no leavers this month
_NONE.flags.writeable = False

# Series recorded each month, in column order: declared in the outcome registry.
SERIES = outcomes.names("model")
PARTNER_SERIES = outcomes.names("partner")


def _derive(sc: Scenario) -> dict[str, Any]:
    """Everything about the partners and the schedule that depends on the scenario alone, as
    model attributes (no random draws). Arrays are read-only: models share them."""
    kinds = partner_kinds(sc)
    n = len(kinds)
    prof = [getattr(sc.kinds, k) for k in kinds]

    def arr(field: str) -> np.ndarray:
        return np.array([getattr(p, field) for p in prof], dtype=float)

    d: dict[str, Any] = {"kinds": kinds, "n_partners": n}
    for field in ("stake_in_success", "stake_in_failure", "capacity", "data_quality",
                  "openness"):
        d[field] = arr(field)
    d["_budget_by_kind"] = arr("budget")
    d["statutory"] = statutory = np.array([p.statutory for p in prof], dtype=bool)
    d["partner_themes"] = [list(p.themes) for p in prof]
    d["is_council"] = is_council = np.array([k in COUNCIL_KINDS for k in kinds])
    d["tier"] = tier = structure.tiers(kinds)
    chair = sc.leadership.chair_kind
    chair_org = 0 if chair == "council" else kinds.index(chair)  # councils come first
    d["is_chair_org"] = is_chair_org = np.arange(n) == chair_org
    totals, seen = Counter(kinds), Counter()
    names = []
    for k in kinds:
        seen[k] += 1
        label = k.replace("_", " ")
        names.append(f"{label} {seen[k]}" if totals[k] > 1 else label)
    d["partner_names"] = names

    d["history"] = history = structure.history_factor(sc.structure.years_of_joint_working)
    d["style"] = style = leadership.effective_style(
        sc.leadership.chair_style, sc.leadership.board_style, sc.leadership.chair_weight)
    d["voice"] = voice = leadership.voice(is_council, statutory, is_chair_org,
                                          style["inclusion"], sc.leadership.council_dominance)
    d["_cross_tier"] = (tier[:, None] * tier[None, :]) == 2  # county x district
    d["per_year"] = per_year = np.array([sc.layers.strategic_per_year,
                                         sc.layers.executive_per_year,
                                         sc.layers.operational_per_year], dtype=float)
    d["extra_meetings"] = structure.duplicated_meetings(
        kinds, sc.structure.n_districts, sc.structure.duplication_share, per_year.sum() / 12.0)
    d["coordination"] = structure.coordination_burden(n, structure.n_tiers(kinds),
                                                      sc.structure.coordination_cost)
    mon = sc.monitoring
    d["maturity_ceiling"] = ceiling = monitoring.ceiling(mon.common_data_standards,
                                                         mon.ceiling_without_standards)
    d["_initial_maturity"] = mon.initial_maturity + 0.4 * history * max(
        ceiling - mon.initial_maturity, 0.0)

    # Constants of the monthly schedule.
    d["_mean_openness"] = float(d["openness"].sum() / n)
    d["_mean_data_quality"] = float(d["data_quality"].sum() / n)
    d["_monthly_turnover"] = network.monthly_rate(sc.network.turnover)
    obs_sd = sc.trust.observation_noise * layers.information_noise_factor(sc.layers.clarity)
    d["_noise_sd"] = np.array([obs_sd, sc.commitment.noise])[:, None]  # (2, 1)
    d["_pull_keep"] = 1.0 - style["pull"] * voice
    d["_pull_add"] = style["pull"] * voice * sc.leadership.aspiration
    d["_adjust_rate"] = sc.commitment.adjustment_rate * style["speed"]
    # Partners kept off the top table read exclusion by the council as a breach: the evidence
    # on council columns is scaled by the partner's voice^0.5. Councils come first
    # (partner_kinds), so their columns are a slice.
    n_councils = int(is_council.sum())
    assert is_council[:n_councils].all()
    root = np.sqrt(voice)
    d["_excl_cols"] = slice(0, n_councils if root.min() < 1.0 else 0)
    d["_excl"] = np.repeat(root[:, None], n_councils, axis=1)
    d["_n_councils"] = n_councils
    d["_stat_idx"] = np.flatnonzero(statutory)
    d["_ns_idx"] = np.flatnonzero(~statutory)
    d["_ns_indicator"] = (~statutory).astype(float)
    d["_tie_threshold"] = sc.network.tie_threshold
    d["_pairs"] = network.upper_pairs(n)
    d["_sum_rows"] = np.stack([np.ones(n), d["_ns_indicator"]])  # (2, n), see _record
    for value in d.values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return d


# Scenarios are immutable (frozen), so what _derive returns can be kept per scenario object:
# replications and benchmark repeats of one scenario build it once. id -> (scenario, derived);
# holding the scenario keeps its id from being reused.
_DERIVED: dict[int, tuple[Scenario, dict[str, Any]]] = {}


def derived(sc: Scenario) -> dict[str, Any]:
    hit = _DERIVED.get(id(sc))
    if hit is not None and hit[0] is sc:
        return hit[1]
    d = _derive(sc)
    if len(_DERIVED) >= 64:
        del _DERIVED[next(iter(_DERIVED))]
    _DERIVED[id(sc)] = (sc, d)
    return d


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
        # A numpy integer seed means the same as the Python int: Mesa 3.3 would otherwise seed
        # its stdlib random from a draw on rng (a different stream) and Mesa 3.5 raises.
        super().__init__(rng=int(rng) if isinstance(rng, np.integer) else rng)
        sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario or "default")
        self.scenario = sc
        self._build_partners(sc)
        self._build_structures(sc)
        self._alloc_records(sc.months)
        self._record()

    # ------------------------------------------------------------------ construction
    def _build_partners(self, sc: Scenario) -> None:
        rng = self.rng
        self.__dict__.update(derived(sc))
        n = self.n_partners
        # Organisations of one kind differ in size: lognormal spread, mean preserved.
        self.budget = self._budget_by_kind * rng.lognormal(-0.02, 0.2, n)
        # Conditional co-operators vs the rest (Fischbacher et al. 2001), drawn per partner.
        cc = rng.random(n) < sc.commitment.conditional_share
        self.slope = np.where(cc, sc.commitment.conditional_slope, sc.commitment.free_rider_slope)
        self.commitment = np.full(n, sc.commitment.initial)
        self.partners = [PartnerOrganisation(self, i, k, name) for i, (k, name)
                         in enumerate(zip(self.kinds, self.partner_names, strict=True))]

    def _build_structures(self, sc: Scenario) -> None:
        rng, n = self.rng, self.n_partners
        cross_tier = self._cross_tier
        self.ties = network.initial_ties(
            rng, n, sc.network.initial_density, sc.network.initial_strength, self.history,
            cross_tier, sc.structure.inter_tier_tie_factor, pairs=self._pairs)
        self.trust = trust.initial_trust(rng, sc.trust.initial, self.history, self.ties,
                                         cross_tier, sc.structure.inter_tier_tie_factor)

        self.chains, self.target_themes = delivery.build_chains(
            rng, self.kinds, self.partner_themes, self.budget, sc.delivery.n_targets,
            sc.delivery.chain_length)
        k = sc.delivery.n_targets
        self.months_to_deliver = sc.delivery.months_to_deliver * rng.lognormal(
            0.0, sc.delivery.difficulty_spread, k)
        membership = delivery.membership(self.chains, n)
        in_chains = membership.sum(axis=0)
        self.chain_share = membership / np.where(in_chains > 0, in_chains, 1.0)

        self.seat_matrix = layers.seats(self.statutory, self.voice, self.chains)
        self.co_members = layers.co_membership(self.seat_matrix, membership)
        self.maturity = self._initial_maturity
        self.pressure = np.zeros(n)
        self.progress = np.zeros(k)
        self._weakest_flat: list[np.ndarray] = []  # each month's weakest position per chain
        self.effective_capacity = self.capacity * (1.0 - self.coordination)
        self.burden = np.full(n, self.coordination)
        self.observed = self.commitment.copy()
        # link strengths; padded positions stay +inf so they never bind
        self.link = np.full(self.chains.shape, np.inf)
        self.adequacy = np.zeros(k)
        self.meetings = np.zeros(3)
        self.leavers = np.zeros(0, dtype=np.int64)
        self._patterns_for: Scenario | None = None
        self._prepare_schedule(sc)

    def _prepare_schedule(self, sc: Scenario) -> None:
        """Constants and buffers of the monthly schedule. Speed only: every quantity here is a
        function of the scenario and the fixed structures, so the schedule reads as the ODD."""
        n, k = self.n_partners, len(self.progress)
        # Which layers meet depends on the month of the year only (meetings per year are whole
        # numbers), and everything that depends on the meetings alone is computed once per
        # meeting pattern (_pattern): a handful recur all year.
        self._patterns: dict[bytes, tuple[Any, ...]] = {}
        self._month_pattern: list[tuple[Any, ...] | None] = [None] * 12
        if self._patterns_for is not None:  # a replaced scenario (an event): take its levers
            d = derived(sc)
            if d["kinds"] != self.kinds:
                raise ValueError("a running model's scenario can change its levers, not its "
                                 "partners")
            self.__dict__.update({key: value for key, value in d.items()
                                  if key not in _WHO_THE_PARTNERS_ARE})
            if self._draws is not None:
                # Keep this year's draws (the same random stream with or without the event,
                # so an event's effect is a paired difference); rescale them for the new levers.
                self._scale_draws()
        else:
            self._draws = None
        self._patterns_for = sc
        self._expect_scale = self.slope * self._pull_keep / max(n - 1, 1)
        self._pot = resources.pooled_pot(self.budget, sc.resources.pooled_share)
        self._aligned_per_commitment = self.budget * sc.resources.mainstream_alignment
        # From this month on, aligned spend = commitment @ this vector (an event can change it).
        segments = self.__dict__.setdefault("_aligned_segments", [])
        if segments and segments[-1][0] == self.steps:
            segments.pop()
        segments.append((self.steps, self._aligned_per_commitment))
        need = sc.resources.need_share * float(self.budget.sum()) / k
        # adequacy = pot / K / need + efficiency x (chain_share @ aligned) / need
        self._adequacy_matrix = (layers.allocation_efficiency(sc.layers.clarity) / need
                                 * self.chain_share * self._aligned_per_commitment[None, :])
        self._adequacy_base = self._pot / k / need
        self._per_month = 1.0 / self.months_to_deliver
        self._links = delivery.plan_links(self.chains, self.data_quality)
        self._argmin_flat = np.arange(k) * self.chains.shape[1]
        # Workspaces: the monthly updates run in place, without allocating.
        self._evidence = np.empty((n, n))
        self._scratch = np.empty((n, n))
        self._weight = np.empty((n, n))
        self._spare = np.empty((n, n))
        self._single = (np.empty((n, n), np.float32), np.empty((n, n), np.float32))
        self.visibility = self.maturity * self.openness
        self._hidden = 1.0 - self.visibility
        self._vec = np.empty(n)
        self._ones = np.ones(n)

    def _pattern(self, sc: Scenario, month: int) -> tuple[Any, ...]:
        """(meetings, burden, effective capacity, tie factors P and Q, base trust-update weight,
        the constant part of the desired commitment, meetings held) for ``month``."""
        slot = (month - 1) % 12
        cached = self._month_pattern[slot]
        if cached is not None:
            return cached
        meetings = layers.meetings_in_month(month, self.per_year)
        key = meetings.tobytes()
        if key not in self._patterns:
            contact = layers.contact(meetings, self.co_members)
            meeting = layers.meeting_burden(meetings, self.seat_matrix, sc.layers.meeting_cost,
                                            sc.layers.clarity, self.extra_meetings)
            burden = np.clip(meeting + self.coordination, 0.0, 0.95)
            share = network.growth_share(contact, sc.network.tie_growth,
                                         self.style["networking"])
            grow_p, grow_q = network.growth_factors(share, sc.network.tie_decay)
            c = sc.commitment
            incentive = commit.own_incentive(self.stake_in_success, self.voice,
                                             c.return_on_commitment, c.cost, burden)
            own = commit.own_preference(incentive, c.incentive_weight)
            entry = (meetings, burden, self.capacity * (1.0 - burden), grow_p, grow_q,
                     0.3 + 0.3 * np.minimum(contact, 1.0),
                     self.slope * self._pull_add + (1.0 - self.slope) * own)
            for arr in entry:
                arr.flags.writeable = False  # shared between months: never modified in place
            self._patterns[key] = (*entry, float(meetings.sum()))
        self._month_pattern[slot] = self._patterns[key]
        return self._patterns[key]

    def _random_draws(self, month: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """This month's leavers (a uniform draw per partner against the monthly turnover rate)
        and two normal draws per partner: the observation error before its per-partner factor
        (sd = observation noise x layer confusion) and the decision noise (sd =
        commitment.noise). They are drawn from ``self.rng`` a year at a time (``_draws`` keeps
        the uniform and standard-normal blocks)."""
        slot = (month - 1) % 12
        if slot == 0 or self._draws is None:
            n = self.n_partners
            self._draws = (self.rng.random((12, n)), self.rng.standard_normal((12, 2, n)))
            self._scale_draws()
        z = self._scaled
        return self._leavers[slot], z[slot, 0], z[slot, 1]

    def _scale_draws(self) -> None:
        self._scaled = self._draws[1] * self._noise_sd
        leave = self._draws[0] < self._monthly_turnover
        self._leavers = [row.nonzero()[0] if has else _NONE
                         for row, has in zip(leave, leave.any(axis=1).tolist(), strict=True)]

    def _apply_events(self, month: int) -> None:
        """Scheduled events (``Scenario.events``, lspsim/events.py): the scenario in force
        this month replaces ``self.scenario`` at the start of the month."""
        if self.scenario is not self.__dict__.get("_in_force"):  # as built, or replaced
            self._event_base, self._in_force_cache = self.scenario, {}
        self.scenario = self._in_force = scenario_in_force(self._event_base, month,
                                                           self._in_force_cache)

    # ------------------------------------------------------------------ the schedule
    def step(self) -> None:
        """One month, in the ODD's order."""
        if self.scenario.events:
            self._apply_events(self.steps)
        sc = self.scenario
        if self._patterns_for is not sc:  # the scenario object was replaced: start afresh
            self._prepare_schedule(sc)
        month = self.steps  # Mesa increments steps before calling step(): 1-based month
        leavers, z_obs, z_decide = self._random_draws(month)
        self._turnover(sc, leavers)
        self._meet(sc, month)
        self._monitor(sc, z_obs)
        self._update_trust(sc)
        network.grow_ties_in_place(self.ties, self._grow_p, self._grow_q)
        self._scrutinise(sc, month)
        self._decide_commitment(sc, z_decide)
        self._deliver()
        self._record()

    def _turnover(self, sc: Scenario, leavers: np.ndarray) -> None:
        self.leavers = leavers
        if leavers.size:
            loss = sc.network.tie_loss_on_turnover
            network.break_ties(self.ties, self.leavers, loss, out=self.ties)
            trust.reset_for_newcomers(self.trust, self.leavers, sc.trust.initial, loss,
                                      out=self.trust)

    def _meet(self, sc: Scenario, month: int) -> None:
        (self.meetings, self.burden, self.effective_capacity, self._grow_p, self._grow_q,
         self._base_weight, self._desire_base, self._meetings_held) = self._pattern(sc, month)

    def _monitor(self, sc: Scenario, z: np.ndarray) -> None:
        mon = sc.monitoring
        self.maturity = monitoring.grow(self.maturity, mon.investment, mon.growth_rate,
                                        self.maturity_ceiling, self._mean_openness,
                                        self._mean_data_quality)
        # visibility = maturity x openness; observation sd = base sd x (1 - visibility) x the
        # layer-confusion factor (monitoring.observation_sd)
        np.multiply(self.openness, self.maturity, out=self.visibility)
        np.subtract(1.0, self.visibility, out=self._hidden)
        self.observed = monitoring.observe_draw(self.commitment, z, self._hidden,
                                                out=self.observed)

    def _update_trust(self, sc: Scenario) -> None:
        tr = sc.trust
        evidence = trust.kept_evidence(self.observed, self.commitment, tr.tolerance,
                                       out=self._evidence)
        if self._excl_cols.stop:
            evidence[:, self._excl_cols] *= self._excl
        # weight = 0.3 + 0.4 visibility_j + 0.3 min(contact_ij, 1); the contact part is cached
        weight = np.add(self._base_weight, np.multiply(self.visibility, 0.4, out=self._vec),
                        out=self._weight)
        trust.update_trust(self.trust, evidence, weight, tr.gain, tr.loss, self.style["repair"],
                           out=self.trust, scratch=self._scratch)
        spread = trust.spread(self.trust, self.ties, tr.spread, out=self._spare,
                              scratch=self._scratch, single=self._single, ones=self._ones)
        self._spare, self.trust = self.trust, spread

    def _scrutinise(self, sc: Scenario, month: int) -> None:
        s = sc.scrutiny
        self.pressure *= s.memory  # scrutiny.fade, in place
        if scrutiny.is_review_month(month, s.interval_months):
            bite = scrutiny.intensity(s.member_engagement, s.member_training,
                                      self.style["challenge"])
            self.pressure = scrutiny.review(self.pressure, self.observed, sc.leadership.aspiration,
                                            self.stake_in_failure, bite)

    def _decide_commitment(self, sc: Scenario, z: np.ndarray) -> None:
        # commitment.desired(slope, leadership.pulled_expectation(expected, ...), own,
        # sanction x pressure, noise), with its constant factors folded: slope (1 - pull
        # voice) / (n - 1) scales the expectation sum, and slope pull voice aspiration +
        # (1 - slope) own (fixed per meeting pattern) is added.
        target = commit.expected_of_others_unit(self.trust, self.observed, self._hidden,
                                                scale=self._expect_scale)
        target += self._desire_base
        target += np.multiply(self.pressure, sc.scrutiny.sanction_strength, out=self._vec)
        target += z  # decision noise
        clip01(target)
        self.commitment = commit.adjust(self.commitment, target, self._adjust_rate)

    def _deliver(self) -> None:
        self.adequacy = np.dot(self._adequacy_matrix, self.commitment)
        self.adequacy += self._adequacy_base
        delivery.planned_link_strength(self._links, self.commitment * self.effective_capacity,
                                       self.trust, self.ties, 0.5 + 0.5 * self.maturity,
                                       out=self.link)
        flat = self.link.argmin(axis=1)
        flat += self._argmin_flat
        self._weakest_flat.append(flat)
        self._weakest = self.link.take(flat)
        step = resources.resource_factor(self.adequacy)
        step *= self._weakest
        step *= self._per_month  # delivery.progress_step: weakest x resources / months
        self.progress = self.progress + step

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
    _RAW = ("dense_pairs", "maturity", "turnover_events", "meetings_held", "pooled_pot")

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
        T = self.trust
        # Rows: PARTNER_SERIES with, after trust_in, the trust the non-statutory partners
        # place in each partner (the views scale the trust sums and drop that row).
        p = np.empty((len(PARTNER_SERIES) + 1, self.n_partners))
        self._partner_rows.append(p)
        p[0] = self.commitment
        # Sums as products with ones (cheaper than reductions on small arrays): column sums of
        # T over all partners and over the non-statutory ones in one product, row sums in one.
        np.dot(self._sum_rows, T, out=p[1:3])
        np.dot(T, self._ones, out=p[3])
        p[4] = self.effective_capacity
        p[5] = self.pressure
        np.dot(self.ties, self._ones, out=p[6])
        self._progress_series[t] = self.progress
        if t:
            self._adequacy_series[t] = self.adequacy
            self._weakest_series[t] = self._weakest
        self._raw.append((
            int(np.count_nonzero(self.ties >= self._tie_threshold)),
            self.maturity,
            self.leavers.size,
            self._meetings_held if t > 0 else 0.0,
            self._pot,  # recorded, not derived at the end: an event can change the share
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
        c, trust_out, ties = p[:, 0], p[:, 2], p[:, 5]
        st, ns, n_council = self._stat_idx, self._ns_idx, self._n_councils
        pairs = n * (n - 1)
        prog = self._progress_series[:months]
        nan = np.full(months, np.nan)
        out = {
            "mean_trust": trust_out.sum(axis=1) / n if n > 1 else nan,
            "mean_commitment": c.sum(axis=1) / n,
            "commitment_statutory": c[:, st].sum(axis=1) / st.size if st.size else nan,
            "commitment_non_statutory": c[:, ns].sum(axis=1) / ns.size if ns.size else nan,
            "trust_in_council_non_statutory": (rows[:, 2, :n_council].sum(axis=1)
                                               / (ns.size * n_council)
                                               if ns.size and n_council else nan),
            "network_density": raw["dense_pairs"] / pairs if n > 1 else np.zeros(months),
            "mean_tie_strength": ties.sum(axis=1) / pairs if n > 1 else np.zeros(months),
            "monitoring_maturity": raw["maturity"],
            "mean_target_progress": np.minimum(prog, 1.0).sum(axis=1) / k,
            "targets_met": np.count_nonzero(prog >= 1.0, axis=1) / k,
            "mean_effective_capacity": p[:, 3].sum(axis=1) / n,
            "meetings_held": raw["meetings_held"],
            "pooled_pot": raw["pooled_pot"],
            "aligned_spend": self._aligned_spend(c),
            "mean_resource_adequacy": self._adequacy_series[:months].sum(axis=1) / k,
            "mean_chain_strength": self._weakest_series[:months].sum(axis=1) / k,
            "scrutiny_pressure": p[:, 4].sum(axis=1) / n,
            "turnover_events": raw["turnover_events"],
        }
        return {name: out[name] for name in SERIES}

    def _aligned_spend(self, c: np.ndarray) -> np.ndarray:
        """Aligned spend per month from the commitment rows ``c``: the levers of each stretch of
        months (one stretch for a run without events)."""
        months = c.shape[0]
        out = np.empty(months)
        starts = [s for s, _ in self._aligned_segments] + [months]
        for (start, vec), end in zip(self._aligned_segments, starts[1:], strict=True):
            if start < months:  # the full product, sliced: bit-identical to a run without
                out[start:min(end, months)] = (c @ vec)[start:min(end, months)]  # events
        out[0] = 0.0  # nothing is aligned before the first month
        return out

    def partner_series(self, rows: np.ndarray | None = None) -> np.ndarray:
        """(months + 1, len(PARTNER_SERIES), n) partner-level series so far. ``trust_in`` and
        ``trust_out`` are the mean trust placed in / by each partner over the others."""
        if rows is None:
            rows = np.stack(self._partner_rows[: self.steps + 1])
        p = rows[:, [0, 1, 3, 4, 5, 6]]
        d = max(self.n_partners - 1, 1)
        p[:, 1:3] -= 1.0  # trust in oneself (1) is not counted
        p[:, 1:3] /= d
        return p

    def progress_series(self) -> np.ndarray:
        return self._progress_series[: self.steps + 1]

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

    def run_months(self, months: int | None = None) -> PartnershipModel:
        for _ in range(self.scenario.months if months is None else months):
            self.step()
        return self
