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

from lspsim.agents import PartnerOrganisation
from lspsim.mechanisms import (
    commitment as commit,
)
from lspsim.mechanisms import (
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
from lspsim.scenario import COUNCIL_KINDS, Scenario, load_scenario, partner_kinds

# One BLAS thread: multi-threaded OpenBLAS products differ in the last bits from single-threaded
# ones from about 220 partners up, which would make results depend on how a process was started
# (a Dask nanny pins one thread, a plain run does not). It is also faster for (n, n) products on
# few cores, and parallel sweeps want one thread per process anyway.
threadpool_limits(limits=1, user_api="blas")

# Model-level series recorded each month, in column order.
SERIES = (
    "mean_trust",
    "mean_commitment",
    "commitment_statutory",
    "commitment_non_statutory",
    "trust_in_council_non_statutory",
    "network_density",
    "mean_tie_strength",
    "monitoring_maturity",
    "mean_target_progress",
    "targets_met",
    "mean_effective_capacity",
    "meetings_held",
    "pooled_pot",
    "aligned_spend",
    "mean_resource_adequacy",
    "mean_chain_strength",
    "scrutiny_pressure",
    "turnover_events",
)
# Partner-level series recorded each month.
PARTNER_SERIES = ("commitment", "trust_in", "trust_out", "effective_capacity",
                  "scrutiny_pressure", "tie_strength")


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
        kinds = partner_kinds(sc)
        self.kinds = kinds
        n = self.n_partners = len(kinds)
        prof = [getattr(sc.kinds, k) for k in kinds]

        def arr(field: str) -> np.ndarray:
            return np.array([getattr(p, field) for p in prof], dtype=float)

        self.stake_in_success = arr("stake_in_success")
        self.stake_in_failure = arr("stake_in_failure")
        self.capacity = arr("capacity")
        self.data_quality = arr("data_quality")
        self.openness = arr("openness")
        # Organisations of one kind differ in size: lognormal spread, mean preserved.
        self.budget = arr("budget") * rng.lognormal(-0.02, 0.2, n)
        self.statutory = np.array([p.statutory for p in prof], dtype=bool)
        self.partner_themes = [list(p.themes) for p in prof]
        self.is_council = np.array([k in COUNCIL_KINDS for k in kinds])
        self.tier = structure.tiers(kinds)
        chair = sc.leadership.chair_kind
        chair_org = 0 if chair == "council" else kinds.index(chair)  # councils come first
        self.is_chair_org = np.zeros(n, dtype=bool)
        self.is_chair_org[chair_org] = True
        # Conditional co-operators vs the rest (Fischbacher et al. 2001), drawn per partner.
        cc = rng.random(n) < sc.commitment.conditional_share
        self.slope = np.where(cc, sc.commitment.conditional_slope, sc.commitment.free_rider_slope)
        self.commitment = np.full(n, sc.commitment.initial)

        totals, seen = Counter(kinds), Counter()
        names = []
        for k in kinds:
            seen[k] += 1
            label = k.replace("_", " ")
            names.append(f"{label} {seen[k]}" if totals[k] > 1 else label)
        self.partner_names = names
        for i, (k, name) in enumerate(zip(kinds, names, strict=True)):
            PartnerOrganisation(self, i, k, name)
        self.partners = sorted(self.agents, key=lambda a: a.index)

    def _build_structures(self, sc: Scenario) -> None:
        rng, n = self.rng, self.n_partners
        self.history = structure.history_factor(sc.structure.years_of_joint_working)
        self.style = leadership.effective_style(
            sc.leadership.chair_style, sc.leadership.board_style, sc.leadership.chair_weight)
        self.voice = leadership.voice(self.is_council, self.statutory, self.is_chair_org,
                                      self.style["inclusion"], sc.leadership.council_dominance)
        cross_tier = (self.tier[:, None] * self.tier[None, :]) == 2  # county x district
        self.ties = network.initial_ties(
            rng, n, sc.network.initial_density, sc.network.initial_strength, self.history,
            cross_tier, sc.structure.inter_tier_tie_factor)
        self.trust = trust.initial_trust(rng, sc.trust.initial, self.history, self.ties,
                                         cross_tier, sc.structure.inter_tier_tie_factor)

        self.chains, self.target_themes = delivery.build_chains(
            rng, self.kinds, self.partner_themes, self.budget, sc.delivery.n_targets,
            sc.delivery.chain_length)
        k = sc.delivery.n_targets
        self.months_to_deliver = sc.delivery.months_to_deliver * rng.lognormal(
            0.0, sc.delivery.difficulty_spread, k)
        membership = np.zeros((k, n))
        for t, chain in enumerate(self.chains):
            membership[t, chain[chain >= 0]] = 1.0
        in_chains = membership.sum(axis=0)
        self.chain_share = membership / np.where(in_chains > 0, in_chains, 1.0)
        self.relevance = np.array([[th in self.partner_themes[i] for i in range(n)]
                                   for th in self.target_themes], dtype=float)  # (K, n)

        self.seat_matrix = layers.seats(self.statutory, self.voice, self.chains)
        self.co_members = layers.co_membership(self.seat_matrix, self.chains)
        self.per_year = np.array([sc.layers.strategic_per_year, sc.layers.executive_per_year,
                                  sc.layers.operational_per_year], dtype=float)
        self.extra_meetings = structure.duplicated_meetings(
            self.kinds, sc.structure.n_districts, sc.structure.duplication_share,
            self.per_year.sum() / 12.0)
        self.coordination = structure.coordination_burden(
            n, structure.n_tiers(self.kinds), sc.structure.coordination_cost)

        mon = sc.monitoring
        self.maturity_ceiling = monitoring.ceiling(mon.common_data_standards,
                                                   mon.ceiling_without_standards)
        self.maturity = mon.initial_maturity + 0.4 * self.history * max(
            self.maturity_ceiling - mon.initial_maturity, 0.0)
        self.pressure = np.zeros(n)
        self.progress = np.zeros(k)
        self.weakest_count = np.zeros(self.chains.shape, dtype=np.int64)
        self.effective_capacity = self.capacity * (1.0 - self.coordination)
        self.burden = np.full(n, self.coordination)
        self.observed = self.commitment.copy()
        self.link = np.full(self.chains.shape, np.nan)
        self.adequacy = np.zeros(k)
        self.aligned = np.zeros(n)
        self.meetings = np.zeros(3)
        self.leavers = np.zeros(0, dtype=np.int64)
        # Static pieces the monthly schedule reuses (speed only: results are unchanged).
        # Everything that depends only on which layers meet, keyed by the meetings vector.
        self._by_meetings: dict[bytes, tuple[np.ndarray, ...]] = {}
        self._by_meetings_for: Scenario | None = None
        # Partners kept off the top table read exclusion by the council as a breach.
        self._exclusion = np.where(self.is_council[None, :], self.voice[:, None] ** 0.5, 1.0)
        self._off = ~np.eye(n, dtype=bool)
        self._chain_pairs = delivery.chain_pairs(self.chains)
        self._stat_idx = np.flatnonzero(self.statutory)
        self._ns_idx = np.flatnonzero(~self.statutory)
        self._ns_council = (self._ns_idx[:, None], np.flatnonzero(self.is_council)[None, :])

    # ------------------------------------------------------------------ the schedule
    def step(self) -> None:
        """One month, in the ODD's order."""
        sc = self.scenario
        month = self.steps  # Mesa increments steps before calling step(): 1-based month
        self._turnover(sc)
        self._meet(sc, month)
        self._monitor(sc)
        self._update_trust(sc)
        self.ties = network.grow_ties(self.ties, self._tie_growth, sc.network.tie_decay)
        self._scrutinise(sc, month)
        self._decide_commitment(sc)
        self._deliver(sc)
        self._record()

    def _turnover(self, sc: Scenario) -> None:
        self.leavers = network.turnover_events(self.rng, self.n_partners, sc.network.turnover)
        self.ties = network.break_ties(self.ties, self.leavers, sc.network.tie_loss_on_turnover)
        self.trust = trust.reset_for_newcomers(self.trust, self.leavers, sc.trust.initial,
                                               sc.network.tie_loss_on_turnover)

    def _meet(self, sc: Scenario, month: int) -> None:
        self.meetings = layers.meetings_in_month(month, self.per_year)
        if self._by_meetings_for is not sc:  # a new scenario object: start the cache afresh
            self._by_meetings, self._by_meetings_for = {}, sc
        key = self.meetings.tobytes()
        if key not in self._by_meetings:  # a handful of meeting patterns recur all year
            contact = layers.contact(self.meetings, self.co_members)
            meeting = layers.meeting_burden(self.meetings, self.seat_matrix,
                                            sc.layers.meeting_cost, sc.layers.clarity,
                                            self.extra_meetings)
            burden = np.clip(meeting + self.coordination, 0.0, 0.95)
            self._by_meetings[key] = (
                contact, burden, self.capacity * (1.0 - burden),
                network.growth_share(contact, sc.network.tie_growth, self.style["networking"]),
                0.3 * np.minimum(contact, 1.0))
            for a in self._by_meetings[key]:
                a.flags.writeable = False  # shared between months: never modify in place
        (self.contact, self.burden, self.effective_capacity, self._tie_growth,
         self._contact_weight) = self._by_meetings[key]

    def _monitor(self, sc: Scenario) -> None:
        mon = sc.monitoring
        self.maturity = monitoring.grow(self.maturity, mon.investment, mon.growth_rate,
                                        self.maturity_ceiling, float(self.openness.mean()),
                                        float(self.data_quality.mean()))
        sd = monitoring.observation_sd(self.maturity, self.openness, sc.trust.observation_noise,
                                       layers.information_noise_factor(sc.layers.clarity))
        self.observed = monitoring.observe(self.rng, self.commitment, sd)

    def _update_trust(self, sc: Scenario) -> None:
        evidence = trust.kept_evidence(self.observed, self.commitment, sc.trust.tolerance)
        evidence = evidence * self._exclusion  # see _build_structures
        visibility = self.maturity * self.openness
        # 0.3 + 0.4 visibility + 0.3 min(contact, 1), the last term cached in _meet
        weight = np.clip(0.3 + 0.4 * visibility[None, :] + self._contact_weight, 0.0, 1.0)
        self.trust = trust.update_trust(self.trust, evidence, weight, sc.trust.gain,
                                        sc.trust.loss, self.style["repair"])
        self.trust = trust.spread(self.trust, self.ties, sc.trust.spread)

    def _scrutinise(self, sc: Scenario, month: int) -> None:
        s = sc.scrutiny
        self.pressure = scrutiny.fade(self.pressure, s.memory)
        if scrutiny.is_review_month(month, s.interval_months):
            bite = scrutiny.intensity(s.member_engagement, s.member_training,
                                      self.style["challenge"])
            self.pressure = scrutiny.review(self.pressure, self.observed, sc.leadership.aspiration,
                                            self.stake_in_failure, bite)

    def _decide_commitment(self, sc: Scenario) -> None:
        c = sc.commitment
        expected = commit.expected_of_others(self.trust, self.observed,
                                             self.maturity * self.openness)
        expected = leadership.pulled_expectation(expected, sc.leadership.aspiration,
                                                 self.style["pull"], self.voice)
        incentive = commit.own_incentive(self.stake_in_success, self.voice,
                                         c.return_on_commitment, c.cost, self.burden)
        noise = self.rng.normal(0.0, c.noise, self.n_partners)
        own = commit.own_preference(incentive, c.incentive_weight)
        target = commit.desired(self.slope, expected, own,
                                sc.scrutiny.sanction_strength * self.pressure, noise)
        self.commitment = commit.adjust(self.commitment, target,
                                        c.adjustment_rate * self.style["speed"])

    def _deliver(self, sc: Scenario) -> None:
        r = sc.resources
        pot = resources.pooled_pot(self.budget, r.pooled_share)
        self.aligned = resources.aligned(self.budget, self.commitment, r.mainstream_alignment)
        need = r.need_share * float(self.budget.sum()) / len(self.progress)
        self.adequacy = resources.adequacy(pot, self.aligned, self.chain_share,
                                           layers.allocation_efficiency(sc.layers.clarity), need)
        effort = self.commitment * self.effective_capacity
        info = self.data_quality * (0.5 + 0.5 * self.maturity)
        self.link = delivery.link_strength(self.chains, effort, self.trust, self.ties, info,
                                           self._chain_pairs)
        weakest = self.link.argmin(axis=1)
        self.weakest_count[np.arange(len(weakest)), weakest] += 1
        self.progress = self.progress + delivery.progress_step(
            self.link, resources.resource_factor(self.adequacy), self.months_to_deliver)

    # ------------------------------------------------------------------ recording
    def _alloc_records(self, months: int) -> None:
        self._series = np.full((months + 1, len(SERIES)), np.nan)
        self._partner_series = np.full((months + 1, len(PARTNER_SERIES), self.n_partners), np.nan)
        self._progress_series = np.full((months + 1, len(self.progress)), np.nan)

    def _grow_records(self) -> None:
        """The app may run past the scenario's months: double the buffers."""
        for name in ("_series", "_partner_series", "_progress_series"):
            a = getattr(self, name)
            setattr(self, name, np.concatenate([a, np.full_like(a, np.nan)]))

    def _record(self) -> None:
        # Means are written as sum / count (what ndarray.mean computes, without its overhead)
        # and rows are filled in place: the records are bit-identical to the plain version.
        t = self.steps
        if t >= self._series.shape[0]:
            self._grow_records()
        n = self.n_partners
        T, c, k = self.trust, self.commitment, self.progress.size
        council_cols = T[self._ns_council]
        finite = np.isfinite(self.link)
        if finite.any():
            weakest = np.nanmin(np.where(finite, self.link, np.nan), axis=1)
            chain_strength = weakest.sum() / weakest.size
        else:
            chain_strength = np.nan
        s, st, ns = self._series[t], self._stat_idx, self._ns_idx
        s[0] = trust.mean_offdiag(T)
        s[1] = c.sum() / n
        s[2] = c[st].sum() / st.size if st.size else np.nan
        s[3] = c[ns].sum() / ns.size if ns.size else np.nan
        s[4] = council_cols.sum() / council_cols.size if council_cols.size else np.nan
        s[5] = network.density(self.ties, self.scenario.network.tie_threshold)
        s[6] = self.ties[self._off].mean() if n > 1 else 0.0
        s[7] = self.maturity
        s[8] = np.minimum(self.progress, 1.0).sum() / k
        s[9] = np.count_nonzero(self.progress >= 1.0) / k
        s[10] = self.effective_capacity.sum() / n
        s[11] = self.meetings.sum()
        s[12] = resources.pooled_pot(self.budget, self.scenario.resources.pooled_share)
        s[13] = self.aligned.sum()
        s[14] = self.adequacy.sum() / k if t > 0 else np.nan
        s[15] = chain_strength
        s[16] = self.pressure.sum() / n
        s[17] = self.leavers.size
        d = max(n - 1, 1)
        p = self._partner_series[t]  # PARTNER_SERIES order
        p[0] = c
        p[1] = T.sum(axis=0)
        p[1] -= 1.0
        p[1] /= d
        p[2] = T.sum(axis=1)
        p[2] -= 1.0
        p[2] /= d
        p[3] = self.effective_capacity
        p[4] = self.pressure
        p[5] = self.ties.sum(axis=1)
        self._progress_series[t] = self.progress

    # ------------------------------------------------------------------ views
    def series(self) -> dict[str, np.ndarray]:
        """Model-level series so far, one array per name (month 0 = initial state)."""
        rows = self._series[: self.steps + 1]
        return {name: rows[:, j] for j, name in enumerate(SERIES)}

    def partner_series(self) -> np.ndarray:
        """(months + 1, len(PARTNER_SERIES), n) partner-level series so far."""
        return self._partner_series[: self.steps + 1]

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
        for t, chain in enumerate(self.chains):
            members = [int(i) for i in chain if i >= 0]
            j = int(self.weakest_count[t].argmax())
            a = members[j]
            b = members[j + 1] if j + 1 < len(members) else None
            out.append({
                "target": t,
                "theme": self.target_themes[t],
                "chain": [self.partner_names[i] for i in members],
                "weakest_from": self.partner_names[a],
                "weakest_to": self.partner_names[b] if b is not None else "(delivery)",
                "weakest_share_of_months": float(self.weakest_count[t, j] / months),
                "progress": float(self.progress[t]),
                "met": bool(self.progress[t] >= 1.0),
            })
        return out

    def run_months(self, months: int | None = None) -> PartnershipModel:
        for _ in range(self.scenario.months if months is None else months):
            self.step()
        return self
