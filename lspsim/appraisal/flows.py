"""What a model run did, in physical units the appraisal can price: seats filled at each layer's
meetings, time spent coordinating, the pooled pot, aligned mainstream spend and the progress and
meeting of each target, month by month.

Everything here is read from the model (its arrays, recorded series and the mechanism functions
it uses); nothing is written back. The appraisal (``evaluate.py``) multiplies these quantities by
money assumptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lspsim.mechanisms import layers, resources
from lspsim.model import PARTNER_SERIES, PartnershipModel
from lspsim.runner import Replication, replication_rng, run_model
from lspsim.scenario import THEMES, Scenario

COST_LAYERS = ("strategic", "executive", "operational", "duplicated")
# Model outcomes the appraisal does not put a money value on: reported beside it, as the Green
# Book's non-monetised effects (their values at the end of the run).
NON_MONETISED = ("mean_trust", "trust_in_council_non_statutory", "mean_commitment",
                 "commitment_non_statutory", "network_density", "monitoring_maturity",
                 "targets_met")


@dataclass(frozen=True)
class Flows:
    """One run, priced later. Shapes: n partners, K targets, M simulated months."""

    months: int
    partner_names: list[str]
    kinds: list[str]
    statutory: np.ndarray            # (n,) bool
    is_council: np.ndarray           # (n,) bool
    stake_in_success: np.ndarray     # (n,) 0-1
    stake_in_failure: np.ndarray     # (n,) 0-1
    budget: np.ndarray               # (n,) GBP m/year
    per_year: np.ndarray             # (3,) meetings a year by layer
    layer_meetings: np.ndarray       # (3, M) meetings held by layer and month
    seats: np.ndarray                # (n, 3) bool: who sits on which layer
    meeting_factor: float            # time per meeting relative to clear layers (model's factor)
    duplicated: np.ndarray           # (n,) extra district meetings attended per month (two-tier)
    coordination_teams: np.ndarray   # (n,) notional teams (capacity units) spent coordinating
    pooled: np.ndarray               # (n,) pooled-pot contribution, GBP m/year
    aligned: np.ndarray              # (n, M) aligned mainstream spend, GBP m/year
    allocation_efficiency: float     # share of aligned money the executive steers well
    monitoring_investment: float     # scenario monitoring.investment, 0-1
    common_data_standards: bool
    progress: np.ndarray             # (K, M + 1) progress of each target, capped at 1
    target_theme: np.ndarray         # (K,) index into THEMES
    relevance: np.ndarray            # (K, n) 1 if partner holds the target's theme
    chain_member: np.ndarray         # (K, n) 1 if partner is in the target's delivery chain
    meetings_held: np.ndarray = field(repr=False)  # (M,) the model's own meetings_held series
    layer_clarity: float = 0.8       # scenario layers.clarity (transition costs compare it)
    end_state: dict[str, float] = field(default_factory=dict)  # NON_MONETISED at the end
    rounds: np.ndarray | None = None  # (M + 1,) the run's laa_round series; None: one round

    @property
    def n_partners(self) -> int:
        return len(self.kinds)

    @property
    def n_targets(self) -> int:
        return self.progress.shape[0]

    @property
    def seat_meetings(self) -> np.ndarray:
        """(4, n, M) meetings attended per partner and month, by layer and for duplicated
        district meetings, in clear-layer equivalents (times the model's confusion factor)."""
        by_layer = self.seats.T[:, :, None] * self.layer_meetings[:, None, :]
        dup = np.broadcast_to(self.duplicated[:, None], (self.n_partners, self.months))
        return np.concatenate([by_layer, dup[None]], axis=0) * self.meeting_factor

    @property
    def achieved(self) -> np.ndarray:
        """(K, M + 1) outcome achieved: this round's progress plus what earlier rounds' targets
        achieved (``achieved_outcome``); the progress itself when there is one round."""
        if self.rounds is None:
            return self.progress
        return achieved_outcome(self.progress, self.rounds)

    @property
    def progress_gain(self) -> np.ndarray:
        """(K, M) progress made in each month (progress beyond 1 is not counted)."""
        return np.diff(self.progress, axis=1)

    @property
    def met(self) -> np.ndarray:
        """(K, M) 1 in every month at whose end the target stands met."""
        return (self.progress[:, 1:] >= 1.0).astype(float)

    @property
    def met_event(self) -> np.ndarray:
        """(K, M) 1 in the month a target is first met."""
        m = self.progress >= 1.0
        return (m[:, 1:] & ~m[:, :-1]).astype(float)


def achieved_outcome(progress: np.ndarray, rounds: np.ndarray) -> np.ndarray:
    """(K, M + 1) outcome achieved on each target line, in targets' worth: the progress of this
    round's target (capped at 1) plus what the earlier rounds' targets on the line had achieved
    when their round ended. An LAA round's targets are renewed with new ones (mechanisms
    .laa_rounds): the improvement a met target made stays made, and the next round's target
    is a further improvement, so a round's start does not take back earlier outcomes (reading
    progress alone would). ``rounds`` (M + 1,) is the run's ``laa_round`` series."""
    capped = np.minimum(progress, 1.0)
    carried = np.zeros_like(capped)
    rounds = np.asarray(rounds)
    for t in range(1, capped.shape[1]):
        carried[:, t] = carried[:, t - 1]
        if rounds[t] != rounds[t - 1] and t > 1:  # month t opens a round: bank the last
            carried[:, t] += capped[:, t - 1]
    return capped + carried


def _meeting_factor(clarity: float, confusion_cost: float) -> float:
    """The model's own multiplier on the capacity one meeting takes: 1 with clear layers, more
    when the layers are confused (``layers.meeting_burden`` for one meeting at unit cost)."""
    one = layers.meeting_burden(np.ones(1), np.ones((1, 1), dtype=bool), 1.0, clarity,
                                np.zeros(1), confusion_cost)
    return float(one[0])


def _build(model: PartnershipModel, months: int, commitment: np.ndarray,
           progress: np.ndarray, series: dict[str, np.ndarray]) -> Flows:
    meetings_held = series["meetings_held"]
    sc: Scenario = model.scenario
    n, k = model.n_partners, len(model.target_themes)
    per_year = np.asarray(model.per_year, dtype=float)
    layer_meetings = np.stack([layers.meetings_in_month(m, per_year)
                               for m in range(1, months + 1)], axis=1).reshape(3, months)
    aligned = np.stack([resources.aligned(model.budget, commitment[m], sc.resources
                                          .mainstream_alignment)
                        for m in range(1, months + 1)], axis=1).reshape(n, months)
    chain_member = np.zeros((k, n))
    for t, chain in enumerate(model.chains):
        chain_member[t, chain[chain >= 0]] = 1.0
    return Flows(
        months=months,
        partner_names=list(model.partner_names),
        kinds=list(model.kinds),
        statutory=np.asarray(model.statutory, dtype=bool),
        is_council=np.asarray(model.is_council, dtype=bool),
        stake_in_success=np.asarray(model.stake_in_success, dtype=float),
        stake_in_failure=np.asarray(model.stake_in_failure, dtype=float),
        budget=np.asarray(model.budget, dtype=float),
        per_year=per_year,
        layer_meetings=layer_meetings,
        seats=np.asarray(model.seat_matrix, dtype=bool),
        # the model's fixed confusion factors act only in their form of mechanisms.layers
        meeting_factor=_meeting_factor(model.derived.multiplier_clarity,
                                       sc.layers.confusion_meeting_cost),
        duplicated=np.asarray(model.extra_meetings, dtype=float),
        coordination_teams=float(model.coordination) * np.asarray(model.capacity, dtype=float),
        pooled=np.asarray(model.budget, dtype=float) * sc.resources.pooled_share,
        aligned=aligned,
        allocation_efficiency=float(layers.allocation_efficiency(
            model.derived.multiplier_clarity, sc.layers.confused_allocation)),
        monitoring_investment=float(sc.monitoring.investment),
        common_data_standards=bool(sc.monitoring.common_data_standards),
        progress=np.minimum(np.asarray(progress, dtype=float).T, 1.0),
        rounds=np.asarray(series["laa_round"][:months + 1], dtype=float),
        target_theme=np.array([THEMES.index(t) for t in model.target_themes], dtype=np.int64),
        relevance=np.asarray(model.relevance, dtype=float),
        chain_member=chain_member,
        meetings_held=np.asarray(meetings_held[1:months + 1], dtype=float),
        layer_clarity=float(sc.layers.clarity),
        end_state={k: float(series[k][months]) for k in NON_MONETISED if k in series},
    )


_COMMITMENT = PARTNER_SERIES.index("commitment")


def flows_from_model(model: PartnershipModel) -> Flows:
    """Flows of a model that has been stepped (``model.steps`` months so far)."""
    months = int(model.steps)
    if months < 1:
        raise ValueError("the model has not been run: step it at least one month")
    return _build(model, months, model.partner_series()[:, _COMMITMENT, :],
                  model.progress_series(), model.series())


def flows_from_replication(scenario: Scenario, seed: int, rep: Replication) -> Flows:
    """Flows of a finished replication (``lspsim.results.run_replication``). The partnership's
    fixed structure (seats, chains, budgets) is rebuilt from the same random stream: building a
    model is deterministic given its Generator, so it is the structure the run had."""
    model = PartnershipModel(scenario, rng=replication_rng(seed, rep.replication))
    months = rep.progress_series.shape[0] - 1
    if not np.allclose(model.budget, rep.partners["budget_gbp_m"].to_numpy()):
        raise ValueError("the replication was not run from this scenario and seed")
    return _build(model, months, rep.partner_series[:, _COMMITMENT, :], rep.progress_series,
                  rep.series)


def simulate(scenario: Scenario, seed: int, replications: int,
             months: int | None = None) -> list[Flows]:
    """Run ``replications`` replications (the same streams as ``lspsim.results.run``) and keep
    the flows of each."""
    out = []
    for k in range(replications):
        out.append(flows_from_model(run_model(scenario, seed, k, months)))
    return out
