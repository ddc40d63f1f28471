"""The appraisal from end to end: run replications, price them centrally and under sampled
assumptions, find switching values and a tornado, and compare two arrangements with common
random numbers (the same assumption draws and the same replication streams for both)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lspsim.appraisal import uncertainty as unc
from lspsim.appraisal.assumptions import AppraisalAssumptions, default_assumptions
from lspsim.appraisal.evaluate import (
    BENEFIT_CATEGORIES,
    COST_CATEGORIES,
    Money,
    Params,
    central_params,
    choices_of,
    monetise,
    npsv_over_reps,
)
from lspsim.appraisal.flows import (
    COST_LAYERS,
    Flows,
    flows_from_model,
    flows_from_replication,
    simulate,
)
from lspsim.model import PartnershipModel
from lspsim.results import RunResult
from lspsim.scenario import Scenario, load_scenario


def mean_money(items: list[Money]) -> Money:
    """Average of priced replications (NPSV is linear in the flows, so this is the expected
    appraisal of the partnership under these assumptions)."""
    def avg(get: Any) -> dict[str, np.ndarray]:
        keys = get(items[0]).keys()
        return {k: np.mean([get(m)[k] for m in items], axis=0) for k in keys}
    return Money(avg(lambda m: m.cost_pv), avg(lambda m: m.benefit_pv), items[0].discount,
                 avg(lambda m: m.cost_monthly), avg(lambda m: m.benefit_monthly),
                 avg(lambda m: m.by_partner_monthly))


def central_summary(m: Money) -> dict[str, Any]:
    """Headline measures of one (S = 1) priced case."""
    payback = float(m.payback_months[0])
    return {
        "pv_costs": float(m.pv_costs[0]),
        "pv_benefits": float(m.pv_benefits[0]),
        "npsv": float(m.npsv[0]),
        "bcr": _finite(float(m.bcr[0])),
        "payback_years": None if np.isnan(payback) else payback / 12.0,
        "horizon_years": m.discount.shape[1] / 12.0,
        "costs_by_category": {k: float(v.sum()) for k, v in m.cost_pv.items()},
        "benefits_by_category": {k: float(v.sum()) for k, v in m.benefit_pv.items()},
        "meeting_costs_by_layer": {layer: float(m.cost_pv[f"meetings_{layer}"].sum())
                                   for layer in COST_LAYERS},
    }


def _finite(x: float) -> float | None:
    return x if np.isfinite(x) else None


@dataclass
class Arrangement:
    """One scenario's replications, priced."""

    scenario: Scenario
    flows: list[Flows] = field(repr=False)
    central: Money = field(repr=False)
    central_by_rep: np.ndarray = field(repr=False)   # (R,) NPSV of each replication
    mc: dict[str, np.ndarray] = field(repr=False)     # (S, R) pv_costs, pv_benefits, npsv, ...

    def partners(self) -> pd.DataFrame:
        """Per partner: stakes, present value of what it pays and what it gains (central)."""
        f0 = self.flows[0]
        df = pd.DataFrame({
            "partner": f0.partner_names, "kind": f0.kinds, "statutory": f0.statutory,
            "stake_in_success": f0.stake_in_success, "stake_in_failure": f0.stake_in_failure,
            "budget_gbp_m": np.mean([f.budget for f in self.flows], axis=0),
        })
        for k in COST_CATEGORIES:
            df[f"cost_{k}"] = self.central.cost_pv[k][0]
        for k in BENEFIT_CATEGORIES:
            df[f"benefit_{k}"] = self.central.benefit_pv[k][0]
        df["pv_costs"] = df[[f"cost_{k}" for k in COST_CATEGORIES]].sum(axis=1)
        df["pv_benefits"] = df[[f"benefit_{k}" for k in BENEFIT_CATEGORIES]].sum(axis=1)
        df["net"] = df["pv_benefits"] - df["pv_costs"]
        df["share_of_costs"] = df["pv_costs"] / max(df["pv_costs"].sum(), 1e-300)
        df["share_of_benefits"] = df["pv_benefits"] / max(df["pv_benefits"].sum(), 1e-300)
        return df

    def by_year(self) -> pd.DataFrame:
        """Per year, partner and category: undiscounted and discounted GBP (central)."""
        rows = []
        f0 = self.flows[0]
        disc = self.central.discount[0]
        for cat, arr in self.central.by_partner_monthly.items():
            a = arr[0]                                 # (n, H)
            h = a.shape[1]
            year = np.arange(h) // 12 + 1
            for i, name in enumerate(f0.partner_names):
                und = np.bincount(year - 1, weights=a[i])
                dis = np.bincount(year - 1, weights=a[i] * disc)
                for y in range(und.size):
                    rows.append((y + 1, name, f0.kinds[i],
                                 "benefit" if cat in BENEFIT_CATEGORIES else "cost", cat,
                                 cat.removeprefix("meetings_") if cat.startswith("meetings_")
                                 else "", und[y], dis[y]))
        return pd.DataFrame(rows, columns=["year", "partner", "kind", "flow", "category",
                                           "layer", "gbp", "gbp_discounted"])

    def summary(self) -> dict[str, Any]:
        mc = self.mc
        with np.errstate(divide="ignore", invalid="ignore"):
            bcr = mc["pv_benefits"] / mc["pv_costs"]
        payback = mc["payback_months"] / 12.0
        return {
            "scenario": self.scenario.name,
            "central": central_summary(self.central),
            "replication_spread_of_npsv": unc.describe(self.central_by_rep),
            "monte_carlo": {
                "npsv": unc.describe(mc["npsv"]),
                "pv_costs": unc.describe(mc["pv_costs"]),
                "pv_benefits": unc.describe(mc["pv_benefits"]),
                "bcr": unc.describe(bcr),
                "payback_years": unc.describe(payback),
                "prob_payback_within_horizon": float(np.isfinite(payback).mean()),
            },
            "partners": json.loads(self.partners().to_json(orient="records")),
        }


@dataclass
class AppraisalResult:
    assumptions: AppraisalAssumptions = field(repr=False)
    seed: int
    samples: int
    replications: int
    base: Arrangement
    option: Arrangement | None
    params: Params = field(repr=False)
    switching: list[dict[str, Any]]
    tornado: list[dict[str, Any]]
    incremental_switching: list[dict[str, Any]] = field(default_factory=list)
    assumptions_file: str | None = None

    @property
    def incremental(self) -> dict[str, np.ndarray] | None:
        if self.option is None:
            return None
        return {k: self.option.mc[k] - self.base.mc[k] for k in ("npsv", "pv_costs",
                                                                 "pv_benefits")}

    def comparison(self) -> dict[str, Any] | None:
        inc = self.incremental
        if inc is None or self.option is None:
            return None
        d_b = float(inc["pv_benefits"].mean())
        d_c = float(inc["pv_costs"].mean())
        if d_c > 0:
            note = ("the option costs more; incremental BCR = extra benefits per pound of extra "
                    "cost")
            ratio: float | None = d_b / d_c
        elif d_b >= 0:
            note = "the option dominates: it costs less and delivers at least as much"
            ratio = None
        else:
            note = ("the option saves money but delivers less; ratio = benefits lost per pound "
                    "saved")
            ratio = d_b / d_c
        cb, co = central_summary(self.base.central), central_summary(self.option.central)
        return {
            "base": self.base.scenario.name,
            "option": self.option.scenario.name,
            "central_incremental_npsv": co["npsv"] - cb["npsv"],
            "incremental_npsv": unc.describe(inc["npsv"]),
            "incremental_pv_costs": unc.describe(inc["pv_costs"]),
            "incremental_pv_benefits": unc.describe(inc["pv_benefits"]),
            "incremental_bcr": ratio,
            "incremental_bcr_note": note,
            "prob_option_better": float((inc["npsv"] > 0).mean()),
            "prob_option_cheaper": float((inc["pv_costs"] < 0).mean()),
            "switching_values": self.incremental_switching,
            "common_random_numbers": "the same assumption draws and replication streams for "
                                     "both arrangements",
        }

    def to_dict(self) -> dict[str, Any]:
        a = self.assumptions
        return {
            "lspsim_appraisal": 1,
            "scenario": self.base.scenario.name,
            "compare": self.option.scenario.name if self.option else None,
            "assumptions": a.name,
            "assumptions_file": self.assumptions_file,
            "seed": self.seed,
            "samples": self.samples,
            "replications": self.replications,
            "months": self.base.flows[0].months,
            "discounting": {"rate": a.discounting.rate.value,
                            "long_term_rate": a.discounting.long_term_rate.value,
                            "long_term_after_years": a.discounting.long_term_after.value,
                            "timing": a.discounting.timing.value},
            "result": self.base.summary(),
            "switching_values": self.switching,
            "tornado": self.tornado,
            "option_result": self.option.summary() if self.option else None,
            "comparison": self.comparison(),
            "illustrative_assumptions": [p for p, q in a.quantities().items()
                                         if q.illustrative],
        }

    def samples_table(self) -> pd.DataFrame:
        """One row per assumption draw and replication: sampled values and results."""
        s, r = self.base.mc["npsv"].shape
        df = pd.DataFrame({"sample": np.repeat(np.arange(s), r),
                           "replication": np.tile(np.arange(r), s)})
        for p in self.assumptions.uncertain():
            df[p] = np.repeat(self.params[p], r)
        for k in ("pv_costs", "pv_benefits", "npsv", "payback_months"):
            df[k] = self.base.mc[k].ravel()
        if self.option is not None:
            for k in ("pv_costs", "pv_benefits", "npsv", "payback_months"):
                df[f"option_{k}"] = self.option.mc[k].ravel()
            df["incremental_npsv"] = df["option_npsv"] - df["npsv"]
        return df


def price(scenario: Scenario, flows: list[Flows], a: AppraisalAssumptions,
          params: Params) -> Arrangement:
    choices = choices_of(a)
    cp = central_params(a)
    per_rep = [monetise(f, cp, choices, detail=True) for f in flows]
    mc = npsv_over_reps(flows, params, choices)
    return Arrangement(scenario, flows, mean_money(per_rep),
                       np.array([float(m.npsv[0]) for m in per_rep]), mc)


def appraise(scenario: Scenario | str | Path = "default",
             assumptions: AppraisalAssumptions | None = None, *, seed: int | None = None,
             replications: int = 10, samples: int = 1000, months: int | None = None,
             compare: Scenario | str | Path | None = None,
             assumptions_file: str | None = None) -> AppraisalResult:
    """Appraise a scenario (and optionally compare it with another) under the assumptions.

    Replication k of both scenarios uses stream ``SeedSequence(seed, spawn_key=(k,))`` (as
    ``lspsim.results.run`` does) and both are priced under the same ``samples`` assumption draws.
    """
    a = assumptions or default_assumptions()
    sc = load_scenario(scenario)
    seed = sc.seed if seed is None else int(seed)
    params = unc.sample(a, samples, seed)
    base_flows = simulate(sc, seed, replications, months)
    base = price(sc, base_flows, a, params)
    choices = choices_of(a)
    objective = unc.expected_npsv(base_flows, choices)
    switching = unc.switching_values(objective, a)
    torn = unc.tornado(objective, a)
    option = None
    inc_switch: list[dict[str, Any]] = []
    if compare is not None:
        sc2 = load_scenario(compare)
        opt_flows = simulate(sc2, seed, replications, months)
        option = price(sc2, opt_flows, a, params)
        inc_switch = unc.switching_values(unc.incremental_npsv(base_flows, opt_flows, choices), a)
    return AppraisalResult(a, seed, samples, replications, base, option, params, switching,
                           torn, inc_switch, assumptions_file)


def appraise_flows(flows: list[Flows], a: AppraisalAssumptions | None = None) -> dict[str, Any]:
    """Central appraisal of runs you already have (no Monte Carlo): the mean over them."""
    a = a or default_assumptions()
    m = mean_money([monetise(f, central_params(a), choices_of(a)) for f in flows])
    return central_summary(m)


def appraise_model(model: PartnershipModel,
                   a: AppraisalAssumptions | None = None) -> dict[str, Any]:
    """Central appraisal of one model that has been stepped."""
    return appraise_flows([flows_from_model(model)], a)


def appraise_run(result: RunResult, a: AppraisalAssumptions | None = None) -> dict[str, Any]:
    """Central appraisal of a ``lspsim.results.run`` result: the mean over its replications."""
    flows = [flows_from_replication(result.scenario, result.seed, r) for r in result.reps]
    return appraise_flows(flows, a)
