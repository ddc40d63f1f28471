"""The appraisal from end to end: run the do-minimum and each option through the model with
common random numbers (the same replication streams and the same assumption draws), price
them, and report expected values, Monte Carlo spreads, sensitivities, switching values and a
tornado.

Which counterfactual is which:

- an arrangement on its own (the do-minimum or an option) is appraised against *no
  partnership*; the model does not simulate that, so deadweight, leakage, displacement and
  substitution are all netted off (the counterfactual is assumed);
- an option is appraised against the *do-minimum*, run through the model with the same random
  streams: what would have happened anyway is simulated, so deadweight is not applied a second
  time; leakage, displacement and substitution (effects outside what the model simulates) are.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lspsim.appraisal import uncertainty as unc
from lspsim.appraisal.assumptions import (
    OPTIMISM_BIAS_BOUNDS,
    AppraisalAssumptions,
    default_assumptions,
    money_paths,
)
from lspsim.appraisal.evaluate import (
    BENEFICIARIES,
    BENEFIT_CATEGORIES,
    COST_CATEGORIES,
    SCHEDULE_CHOICE,
    Money,
    Params,
    central_params,
    choices_of,
    detail_sums,
    horizon_months,
    monetise,
    n_draws,
    npsv_over_reps,
)
from lspsim.appraisal.flows import (
    COST_LAYERS,
    NON_MONETISED,
    Flows,
    flows_from_model,
    flows_from_replication,
    simulate,
)
from lspsim.appraisal.money import BAND_ENDS, BANDS
from lspsim.appraisal.money import discounted_payback as money_payback
from lspsim.model import PartnershipModel
from lspsim.results import RunResult
from lspsim.scenario import Scenario, load_scenario

BCR_CONVENTION = ("BCR = PV of every monetised benefit (fiscal, economic and social) / PV of "
                  "the full social cost (public bodies' costs and voluntary groups' and "
                  "businesses' time, with optimism bias); nothing is netted off the costs. For "
                  "an option: extra benefits / extra costs (transition costs included) over "
                  "the do-minimum. Expected values, so a ratio of means.")
# HM Treasury, The Green Book (February 2026), as EVIDENCE.md records it.
BCR_USE = ("A benefit-cost ratio is not a pass/fail test and is not for comparing places "
           "(Green Book 2026): read it with the NPSV, the non-monetised effects, the ranges and "
           "the switching values, for options for this partnership only.")
INC_PAYBACK_NOTE = ("discounted payback of an option over the do-minimum: the first Green Book "
                    "month after which the cumulative discounted extra benefits less extra "
                    "costs (transition costs included) of the expected flows stay at or above "
                    "zero to the horizon; none if they never do")
ROI_CONVENTION = ("Financial return to the public sector = PV of fiscal benefits (cashable and "
                  "non-cashable) / PV of the costs public bodies bear; the cashable return "
                  "counts only cashable fiscal benefits.")
COUNTERFACTUAL_NOTE = {
    "arrangement": "not simulated, so deadweight, leakage, "
                   "displacement and substitution are all netted off (assumed)",
    "option": "simulated with common random numbers: deadweight is "
              "not applied; leakage, displacement and substitution are (the model does not "
              "simulate effects outside the partnership's area and services)",
}


def mean_money(items: list[Money]) -> Money:
    """Average of priced replications (NPSV is linear in the flows, so this is the appraisal
    of the partnership's expected run under these assumption values)."""
    def avg(get: Any) -> dict[str, np.ndarray]:
        keys = get(items[0]).keys()
        return {k: np.mean([get(m)[k] for m in items], axis=0) for k in keys}
    return Money(avg(lambda m: m.cost_pv), avg(lambda m: m.benefit_pv), items[0].discount,
                 avg(lambda m: m.cost_monthly), avg(lambda m: m.benefit_monthly),
                 items[0].public, avg(lambda m: m.detail), items[0].social_discount)


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


def _ratio(num: float, den: float) -> float | None:
    return num / den if den != 0 else None


def expected_summary(mc: dict[str, np.ndarray]) -> dict[str, Any]:
    """Expected values over draws x replications; BCR and returns as ratios of means."""
    m = {k: float(np.mean(v)) for k, v in mc.items()}
    return {
        "pv_costs": m["pv_costs"], "pv_benefits": m["pv_benefits"], "npsv": m["npsv"],
        "bcr": _ratio(m["pv_benefits"], m["pv_costs"]),
        "pv_public_costs": m["pv_public_costs"], "pv_fiscal": m["pv_fiscal"],
        "pv_cashable": m["pv_cashable"],
        "fiscal_return": _ratio(m["pv_fiscal"], m["pv_public_costs"]),
        "cashable_return": _ratio(m["pv_cashable"], m["pv_public_costs"]),
        "npsv_mc_se": unc.crossed_standard_error(mc["npsv"]),
    }


@dataclass
class Detail:
    """Expected monthly flows over draws and replications, per category and per partner (costs)
    or beneficiary (benefits): undiscounted and discounted GBP, shape (n or B, H)."""

    flows: dict[str, np.ndarray]
    discounted: dict[str, np.ndarray]


def expected_detail(flows: list[Flows], params: Params, choices: dict[str, str],
                    counterfactual: str, baselines: list[Flows] | None = None) -> Detail:
    """Mean flows over every draw and replication, so their discounted sums are exactly the
    expected present values the summary reports."""
    s = n_draws(params)
    h = horizon_months(flows[0], params)  # one horizon for every arrangement and draw
    und: dict[str, np.ndarray] = {}
    dis: dict[str, np.ndarray] = {}
    for j, fl in enumerate(flows):
        base = baselines[j] if baselines is not None else None
        for cat, (u, d) in detail_sums(fl, params, choices, h, counterfactual, base).items():
            und[cat] = und.get(cat, 0.0) + u
            dis[cat] = dis.get(cat, 0.0) + d
    n = s * len(flows)
    return Detail({k: v / n for k, v in und.items()}, {k: v / n for k, v in dis.items()})


def detail_table(d: Detail, partner_names: list[str], kinds: list[str]) -> pd.DataFrame:
    """Per Green Book year (year 0 = months 1-12), category and partner or beneficiary:
    expected GBP undiscounted and discounted."""
    rows = []
    for cat, arr in d.flows.items():
        benefit = cat in BENEFIT_CATEGORIES
        names = list(BENEFICIARIES) if benefit else partner_names
        h = arr.shape[1]
        year = np.arange(h) // 12
        for i, name in enumerate(names):
            und = np.bincount(year, weights=arr[i])
            dis = np.bincount(year, weights=d.discounted[cat][i])
            for y in range(und.size):
                if und[y] == 0 and dis[y] == 0:
                    continue
                rows.append((y, "benefit" if benefit else "cost", cat, name,
                             "beneficiary" if benefit else kinds[i], und[y], dis[y]))
    return pd.DataFrame(rows, columns=["year", "flow", "category", "who", "kind", "gbp",
                                       "gbp_discounted"])


@dataclass
class Arrangement:
    """One scenario's replications, priced: on its own (against no partnership) and, for an
    option, against the do-minimum."""

    scenario: Scenario
    flows: list[Flows] = field(repr=False)
    modal: Money = field(repr=False)                 # every assumption at its central value
    modal_by_rep: np.ndarray = field(repr=False)     # (R,) NPSV of each replication (modal)
    mc: dict[str, np.ndarray] = field(repr=False)    # (S, R) against no partnership
    detail: Detail = field(repr=False)               # expected flows against no partnership
    role: str = "do-minimum"
    inc: dict[str, np.ndarray] | None = field(default=None, repr=False)  # (S, R) vs do-min
    inc_detail: Detail | None = field(default=None, repr=False)
    inc_switching: list[dict[str, Any]] = field(default_factory=list)
    inc_modal_by_rep: np.ndarray | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.scenario.name

    def end_state(self) -> dict[str, float]:
        return {k: float(np.mean([f.end_state.get(k, np.nan) for f in self.flows]))
                for k in NON_MONETISED}

    def partners(self) -> pd.DataFrame:
        """Per partner: stakes and the expected PV of each cost it bears."""
        f0 = self.flows[0]
        df = pd.DataFrame({
            "partner": f0.partner_names, "kind": f0.kinds, "statutory": f0.statutory,
            "stake_in_success": f0.stake_in_success, "stake_in_failure": f0.stake_in_failure,
            "budget_gbp_m": np.mean([f.budget for f in self.flows], axis=0),
        })
        for k in COST_CATEGORIES:
            df[f"cost_{k}"] = self.detail.discounted[k].sum(axis=1)
        df["pv_costs"] = df[[f"cost_{k}" for k in COST_CATEGORIES]].sum(axis=1)
        df["share_of_costs"] = df["pv_costs"] / max(df["pv_costs"].sum(), 1e-300)
        return df

    def beneficiaries(self) -> pd.DataFrame:
        """Per beneficiary (agencies and residents): expected PV of each kind of benefit."""
        df = pd.DataFrame({"beneficiary": list(BENEFICIARIES)})
        for k in BENEFIT_CATEGORIES:
            df[k] = self.detail.discounted[k].sum(axis=1)
        df["pv_benefits"] = df[list(BENEFIT_CATEGORIES)].sum(axis=1)
        return df[df["pv_benefits"] != 0].reset_index(drop=True)

    def by_year(self, incremental: bool = False) -> pd.DataFrame:
        d = self.inc_detail if incremental else self.detail
        if d is None:
            raise ValueError("no incremental flows: this arrangement is the do-minimum")
        f0 = self.flows[0]
        return detail_table(d, f0.partner_names, f0.kinds)

    def summary(self) -> dict[str, Any]:
        mc = self.mc
        with np.errstate(divide="ignore", invalid="ignore"):
            bcr_draws = mc["pv_benefits"] / mc["pv_costs"]
        payback = mc["payback_months"] / 12.0
        return {
            "scenario": self.name,
            "role": self.role,
            "counterfactual": COUNTERFACTUAL_NOTE["arrangement"],
            "central": expected_summary(mc) | {
                "label": "expected value over assumption draws and model replications"},
            "modal_case": central_summary(self.modal) | {
                "label": "every assumption at its central value (the mode of a triangular, "
                         "the median of a lognormal), averaged over replications"},
            "costs_by_category": {k: float(v.sum()) for k, v in self.detail.discounted.items()
                                  if k in COST_CATEGORIES},
            "benefits_by_category": {k: float(v.sum())
                                     for k, v in self.detail.discounted.items()
                                     if k in BENEFIT_CATEGORIES},
            "replication_spread_of_npsv": unc.describe(self.modal_by_rep),
            "monte_carlo": {
                "npsv": unc.describe(mc["npsv"]),
                "pv_costs": unc.describe(mc["pv_costs"]),
                "pv_benefits": unc.describe(mc["pv_benefits"]),
                "bcr_of_each_draw": unc.describe(bcr_draws),
                "payback_years": unc.describe(payback),
                "prob_payback_within_horizon": float(np.isfinite(payback).mean()),
            },
            "non_monetised_end_state": self.end_state(),
            "partners": json.loads(self.partners().to_json(orient="records")),
            "beneficiaries": json.loads(self.beneficiaries().to_json(orient="records")),
        }


def schedule_text(schedule: Any) -> str:
    """"3.00% years 0-30, 2.57% years 31-75, ..." for a discount schedule."""
    labels = ["years 0-30", "31-75", "76-125", "126-200", "201-300", "after 300"]
    return ", ".join(f"{getattr(schedule, b).value:.2%} {lab}"
                     for b, lab in zip(BANDS, labels, strict=True))


def sensitivity_cases(a: AppraisalAssumptions) -> list[tuple[str, Callable[[Params], Params],
                                                            dict[str, str]]]:
    """(label, how the draws change, how the rules change) for each sensitivity the Green Book
    asks for: the lower discount-rate test, optimism bias at its category's bounds, the
    appraisal period and continuing costs, distributional weights and the price base year."""
    cat = a.costs.optimism_bias_category.value
    lo, hi = OPTIMISM_BIAS_BOUNDS[cat]
    d = a.discounting
    health_wb = d.wellbeing_schedule.value == "health"

    def setting(**values: float) -> Callable[[Params], Params]:
        def edit(p: Params) -> Params:
            out = dict(p)
            for k, v in values.items():
                out[k.replace("__", ".")] = np.full_like(np.asarray(p[k.replace("__", ".")],
                                                                    dtype=float), v)
            return out
        return edit

    cases: list[tuple[str, Callable[[Params], Params], dict[str, str]]] = [
        ("central (Green Book 2026 standard discount schedule"
         + (", health schedule on wellbeing)" if health_wb else ")"), setting(), {}),
        ("lower-rate test (Green Book 2026): every flow on the lower-rate schedule, "
         f"{schedule_text(d.lower_rate_test)}",
         setting(), {SCHEDULE_CHOICE: "lower_rate_test"}),
        (("wellbeing on the standard schedule instead of the health schedule"
          if health_wb else
          "health schedule on residents' wellbeing (WELLBY) benefits, "
          f"{schedule_text(d.health)}"),
         setting(), {"discounting.wellbeing_schedule": "standard" if health_wb else "health"}),
        (f"optimism bias at the lower bound for {cat} ({lo:.0%})",
         setting(costs__optimism_bias=lo), {}),
        (f"optimism bias at the upper bound for {cat} ({hi:.0%})",
         setting(costs__optimism_bias=hi), {}),
        ("appraisal period: the simulated years only", setting(horizon__benefit_persistence=0),
         {}),
        ("appraisal period: outcomes counted 10 years after the simulated period",
         setting(horizon__benefit_persistence=10), {}),
        ("continuing costs: none after the simulated period",
         setting(horizon__continuing_cost_share=0), {}),
        ("distributional weights on residents' benefits "
         f"(income ratio {a.distribution.area_income_ratio.value:g}, elasticity "
         f"{a.distribution.elasticity.value:g})", setting(), {"distribution.weighting": "on"}),
    ]
    base = str(int(a.prices.base_year.value))
    for year in sorted(a.prices.deflator):
        if year == base:
            continue
        factor = a.prices.deflator[year] / a.prices.deflator[base]

        def rebase(p: Params, f: float = factor) -> Params:
            return {k: (np.asarray(v) * f if k in money_paths() else v) for k, v in p.items()}
        cases.append((f"price base year {year} (deflator x{factor:.3f})", rebase, {}))
    return cases


@dataclass
class AppraisalResult:
    assumptions: AppraisalAssumptions = field(repr=False)
    seed: int
    samples: int
    replications: int
    base: Arrangement
    options: list[Arrangement]
    params: Params = field(repr=False)
    switching: list[dict[str, Any]]
    tornado: list[dict[str, Any]]
    sensitivities: list[dict[str, Any]] = field(default_factory=list)
    assumptions_file: str | None = None
    base_simulated: dict[str, np.ndarray] | None = field(default=None, repr=False)

    @property
    def option(self) -> Arrangement | None:
        """The first option (the one ``--compare`` names)."""
        return self.options[0] if self.options else None

    @property
    def incremental(self) -> dict[str, np.ndarray] | None:
        return self.option.inc if self.option is not None else None

    def comparison_of(self, opt: Arrangement) -> dict[str, Any]:
        inc = opt.inc
        assert inc is not None
        e = expected_summary(inc)
        d_b, d_c = e["pv_benefits"], e["pv_costs"]
        if d_c > 0:
            note = "extra benefits per pound of extra cost"
            ratio: float | None = d_b / d_c
        elif d_b >= 0:
            note = "the option dominates: it costs less and delivers at least as much"
            ratio = None
        elif d_c == 0:  # no ratio to give (it was a division by zero)
            note = "the option costs the same and delivers less"
            ratio = None
        else:
            note = "the option saves money but delivers less; ratio = benefits lost per pound saved"
            ratio = d_b / d_c
        modal = [] if opt.inc_modal_by_rep is None else [float(np.mean(opt.inc_modal_by_rep))]
        transition = float(opt.inc_detail.discounted["transition"].sum()) \
            if opt.inc_detail is not None else 0.0
        end_o, end_b = opt.end_state(), self.base.end_state()
        payback = None
        if opt.inc_detail is not None:
            net = sum(v.sum(axis=0) for k, v in opt.inc_detail.discounted.items()
                      if k in BENEFIT_CATEGORIES) - \
                sum(v.sum(axis=0) for k, v in opt.inc_detail.discounted.items()
                    if k in COST_CATEGORIES)
            months = float(money_payback(np.asarray(net)[None, :])[0])
            payback = None if np.isnan(months) else months / 12.0
        return {
            "base": self.base.name,
            "option": opt.name,
            "counterfactual": COUNTERFACTUAL_NOTE["option"],
            "central_incremental_npsv": e["npsv"],
            "central_label": "expected value over assumption draws and model replications",
            "modal_incremental_npsv": modal[0] if modal else None,
            "incremental": e,
            "pv_transition_costs": transition,
            "incremental_payback_years": payback,
            "incremental_payback_note": INC_PAYBACK_NOTE,
            "incremental_npsv": unc.describe(inc["npsv"]),
            "incremental_pv_costs": unc.describe(inc["pv_costs"]),
            "incremental_pv_benefits": unc.describe(inc["pv_benefits"]),
            "incremental_bcr": ratio,
            "incremental_bcr_note": note,
            "prob_option_better": float((inc["npsv"] > 0).mean()),
            "prob_option_cheaper": float((inc["pv_costs"] < 0).mean()),
            "switching_values": opt.inc_switching,
            "non_monetised_change": {k: end_o[k] - end_b[k] for k in end_o},
            "costs_by_category": {k: float(v.sum()) for k, v in opt.inc_detail.discounted.items()
                                  if k in COST_CATEGORIES} if opt.inc_detail else {},
            "benefits_by_category": {k: float(v.sum())
                                     for k, v in opt.inc_detail.discounted.items()
                                     if k in BENEFIT_CATEGORIES} if opt.inc_detail else {},
            "common_random_numbers": "the same assumption draws and replication streams for "
                                     "the option and the do-minimum",
        }

    def comparison(self) -> dict[str, Any] | None:
        return self.comparison_of(self.option) if self.option is not None else None

    def summary_table(self) -> list[dict[str, Any]]:
        """The one-page Green Book summary: each arrangement against no partnership, and each
        option against the do-minimum (expected values)."""
        rows = []
        for arr in [self.base, *self.options]:
            e = expected_summary(arr.mc)
            rows.append({"arrangement": arr.name, "role": arr.role,
                         "against": "no partnership (counterfactual assumed)", **e})
        for opt in self.options:
            c = self.comparison_of(opt)
            sv = sorted([s for s in opt.inc_switching if s.get("within_range")],
                        key=lambda s: abs(s["change_pct"] or 1e300))[:3]
            inc = dict(c["incremental"])
            # Ratios of increments mean something only when the option costs more; otherwise
            # the note says what happened instead.
            inc["bcr"] = c["incremental_bcr"]
            inc["bcr_note"] = c["incremental_bcr_note"]
            if inc["pv_public_costs"] <= 0:
                inc["fiscal_return"] = inc["cashable_return"] = None
                inc["return_note"] = "the option costs the public sector less than the " \
                                     "do-minimum: no ratio; see the PVs"
            rows.append({"arrangement": opt.name, "role": "option",
                         "against": f"{self.base.name} (do-minimum, simulated)",
                         **inc,
                         "pv_transition_costs": c["pv_transition_costs"],
                         "prob_better": c["prob_option_better"],
                         "nearest_switching_values": [
                             {"path": s["path"], "base": s["base"],
                              "switching_value": s["switching_value"],
                              "change_pct": s["change_pct"]} for s in sv],
                         "non_monetised_change": c["non_monetised_change"]})
        return rows

    def to_dict(self) -> dict[str, Any]:
        a = self.assumptions
        comps = [self.comparison_of(o) for o in self.options]
        return {
            "lspsim_appraisal": 2,
            "scenario": self.base.name,
            "do_minimum": self.base.name,
            "options": [o.name for o in self.options],
            "compare": self.option.name if self.option else None,
            "assumptions": a.name,
            "assumptions_file": self.assumptions_file,
            "seed": self.seed,
            "samples": self.samples,
            "replications": self.replications,
            "months": self.base.flows[0].months,
            "price_base_year": int(a.prices.base_year.value),
            "discounting": {
                "edition": "HM Treasury, The Green Book (February 2026)",
                "band_ends_years": list(BAND_ENDS),
                **{name: [getattr(getattr(a.discounting, name), b).value for b in BANDS]
                   for name in ("standard", "health", "lower_rate_test")},
                "wellbeing_schedule": a.discounting.wellbeing_schedule.value,
                "timing": a.discounting.timing.value},
            "conventions": {"bcr": BCR_CONVENTION, "bcr_use": BCR_USE,
                            "financial_return": ROI_CONVENTION,
                            "central_case": "the expected value over assumption draws and "
                                            "model replications; the modal case is reported "
                                            "beside it, labelled",
                            "standard_error": "over draws and replications as two crossed "
                                              "samples (unc.crossed_standard_error)",
                            "switching_values": "each input's value at which the expected "
                                                "NPSV (the central case: the mean over "
                                                f"the first {unc.SWITCHING_DRAWS} "
                                                "assumption draws, the other inputs as "
                                                "drawn, and the model replications) is "
                                                "zero; money in base-year prices",
                            "incremental_payback": INC_PAYBACK_NOTE,
                            "counterfactual": COUNTERFACTUAL_NOTE},
            "summary_table": self.summary_table(),
            "result": self.base.summary(),
            "switching_values": self.switching,
            "tornado": self.tornado,
            "sensitivities": self.sensitivities,
            "option_results": [o.summary() for o in self.options],
            "option_result": self.option.summary() if self.option else None,
            "comparisons": comps,
            "comparison": comps[0] if comps else None,
            "illustrative_assumptions": [p for p, q in a.quantities().items()
                                         if q.illustrative],
            "sourced_assumptions": {p: q.source for p, q in a.quantities().items()
                                    if not q.illustrative},
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
        for o in self.options:
            df[f"{o.name}_npsv"] = o.mc["npsv"].ravel()
            df[f"{o.name}_incremental_npsv"] = o.inc["npsv"].ravel()
        return df


def price(scenario: Scenario, flows: list[Flows], a: AppraisalAssumptions,
          params: Params) -> Arrangement:
    """An arrangement priced against no partnership (the counterfactual assumed)."""
    choices = choices_of(a)
    cp = central_params(a)
    per_rep = [monetise(f, cp, choices, detail=True) for f in flows]
    mc = npsv_over_reps(flows, params, choices)
    detail = expected_detail(flows, params, choices, "assumed")
    return Arrangement(scenario, flows, mean_money(per_rep),
                       np.array([float(m.npsv[0]) for m in per_rep]), mc, detail)


def _sensitivities(a: AppraisalAssumptions, params: Params, base: list[Flows],
                   options: list[tuple[str, list[Flows]]]) -> list[dict[str, Any]]:
    choices = choices_of(a)
    rows = []
    for label, edit, rule in sensitivity_cases(a):
        p, ch = edit(params), choices | rule
        row: dict[str, Any] = {"case": label, "do_minimum_npsv":
                               float(npsv_over_reps(base, p, ch)["npsv"].mean())}
        if options:
            b = npsv_over_reps(base, p, ch, counterfactual="simulated")["npsv"]
            for name, fl in options:
                o = npsv_over_reps(fl, p, ch, counterfactual="simulated", baselines=base)
                row[f"{name}_incremental_npsv"] = float((o["npsv"] - b).mean())
        rows.append(row)
    return rows


def sensitivity_tornado_rows(a: AppraisalAssumptions, objective_for: Callable[
        [dict[str, str]], unc.Objective]) -> list[dict[str, Any]]:
    """Tornado rows for the inputs the Green Book tests by sensitivity rather than by a
    distribution: the discount schedule, optimism bias, continuing costs and weighting."""
    cp = central_params(a)
    choices = choices_of(a)
    cat = a.costs.optimism_bias_category.value
    lo, hi = OPTIMISM_BIAS_BOUNDS[cat]
    d = a.discounting
    rows_in = [
        ("costs.optimism_bias", "share", f"Optimism bias within the bounds for {cat}",
         {"costs.optimism_bias": lo}, {"costs.optimism_bias": hi}, lo, hi),
        ("horizon.continuing_cost_share", "share", "Running costs continuing after the run",
         {"horizon.continuing_cost_share": 0.0}, {"horizon.continuing_cost_share": 1.0},
         0.0, 1.0),
    ]
    f = objective_for(choices)
    base = float(f(cp)[0])
    out = []
    for path, unit, desc, low_edit, high_edit, lv, hv in rows_in:
        vals = []
        for edit in (low_edit, high_edit):
            p = dict(cp)
            p.update({k: np.array([v], dtype=float) for k, v in edit.items()})
            vals.append(float(f(p)[0]))
        out.append({"path": path, "unit": unit, "description": desc, "base_value": None,
                    "low_value": lv, "high_value": hv, "npsv_low": vals[0],
                    "npsv_high": vals[1], "npsv_base": base,
                    "swing": abs(vals[1] - vals[0]), "kind": "sensitivity"})
    lower = float(objective_for(choices | {SCHEDULE_CHOICE: "lower_rate_test"})(cp)[0])
    out.append({"path": "discounting.schedule", "unit": "", "description":
                "Discount schedule: Green Book 2026 lower-rate test / standard", "base_value": None,
                "low_value": d.lower_rate_test.years_0_30.value,
                "high_value": d.standard.years_0_30.value, "npsv_low": lower, "npsv_high": base,
                "npsv_base": base, "swing": abs(base - lower), "kind": "sensitivity"})
    other = "standard" if d.wellbeing_schedule.value == "health" else "health"
    wb = float(objective_for(choices | {"discounting.wellbeing_schedule": other})(cp)[0])
    out.append({"path": "discounting.wellbeing_schedule", "unit": "", "description":
                f"Wellbeing benefits on the {other} schedule / as in the headline",
                "base_value": None, "low_value": 0.0, "high_value": 1.0, "npsv_low": wb,
                "npsv_high": base, "npsv_base": base, "swing": abs(base - wb),
                "kind": "sensitivity"})
    w = float(objective_for(choices | {"distribution.weighting": "on"})(cp)[0])
    out.append({"path": "distribution.weighting", "unit": "", "description":
                "Distributional weights off / on", "base_value": None, "low_value": 0.0,
                "high_value": 1.0, "npsv_low": base, "npsv_high": w, "npsv_base": base,
                "swing": abs(w - base), "kind": "sensitivity"})
    return out


def appraise(scenario: Scenario | str | Path = "default",
             assumptions: AppraisalAssumptions | None = None, *, seed: int | None = None,
             replications: int = 10, samples: int = 1000, months: int | None = None,
             compare: Scenario | str | Path | None = None,
             options: list[Scenario | str | Path] | None = None,
             assumptions_file: str | None = None) -> AppraisalResult:
    """Appraise a do-minimum ``scenario`` and any ``options`` (``compare`` is one more option).

    Replication k of every arrangement uses stream ``SeedSequence(seed, spawn_key=(k,))`` (as
    ``lspsim.results.run`` does) and all are priced under the same ``samples`` draws.
    """
    a = assumptions or default_assumptions()
    sc = load_scenario(scenario)
    seed = sc.seed if seed is None else int(seed)
    params = unc.sample(a, samples, seed)
    choices = choices_of(a)
    base_flows = simulate(sc, seed, replications, months)
    base = price(sc, base_flows, a, params)
    objective = unc.expected_npsv(base_flows, choices)
    switching = unc.switching_values(objective, a, _switch_paths(a), draws=params)
    torn = unc.tornado(objective, a) + sensitivity_tornado_rows(
        a, lambda ch: unc.expected_npsv(base_flows, ch))
    torn.sort(key=lambda r: -r["swing"])
    opts: list[Arrangement] = []
    wanted = list(options or []) + ([compare] if compare is not None else [])
    base_sim = npsv_over_reps(base_flows, params, choices, counterfactual="simulated") \
        if wanted else None
    cp = central_params(a)
    names = {sc.name}
    for spec in wanted:
        osc = load_scenario(spec)
        if osc.name in names:  # each arrangement is known by its name in every table
            i = 2
            while f"{osc.name}_{i}" in names:
                i += 1
            osc = osc.with_updates({"name": f"{osc.name}_{i}"})
        names.add(osc.name)
        ofl = simulate(osc, seed, replications, months)
        arr = price(osc, ofl, a, params)
        arr.role = "option"
        o = npsv_over_reps(ofl, params, choices, counterfactual="simulated",
                           baselines=base_flows)
        arr.inc = {k: o[k] - base_sim[k] for k in o if k != "payback_months"}
        opt_d = expected_detail(ofl, params, choices, "simulated", base_flows)
        base_d = expected_detail(base_flows, params, choices, "simulated")
        arr.inc_detail = Detail({k: opt_d.flows[k] - base_d.flows[k] for k in opt_d.flows},
                                {k: opt_d.discounted[k] - base_d.discounted[k]
                                 for k in opt_d.discounted})
        arr.inc_modal_by_rep = np.array([
            float(monetise(of, cp, choices, counterfactual="simulated", baseline=bf).npsv[0]
                  - monetise(bf, cp, choices, counterfactual="simulated").npsv[0])
            for of, bf in zip(ofl, base_flows, strict=True)])
        arr.inc_switching = unc.switching_values(
            unc.incremental_npsv(base_flows, ofl, choices), a, _switch_paths(a), draws=params)
        opts.append(arr)
    sens = _sensitivities(a, params, base_flows, [(o.name, o.flows) for o in opts])
    return AppraisalResult(a, seed, samples, replications, base, opts, params, switching,
                           torn, sens, assumptions_file, base_sim)


def _switch_paths(a: AppraisalAssumptions) -> list[str]:
    """Uncertain inputs, and the fixed ones a reader most often asks about."""
    extra = ["costs.optimism_bias", "discounting.standard.years_0_30"]
    return a.uncertain() + [p for p in extra if p not in a.uncertain()]


def appraise_flows(flows: list[Flows], a: AppraisalAssumptions | None = None) -> dict[str, Any]:
    """Modal-case appraisal of runs you already have (no Monte Carlo), against no
    partnership: the mean over them."""
    a = a or default_assumptions()
    m = mean_money([monetise(f, central_params(a), choices_of(a)) for f in flows])
    return central_summary(m)


def appraise_model(model: PartnershipModel,
                   a: AppraisalAssumptions | None = None) -> dict[str, Any]:
    """Modal-case appraisal of one model that has been stepped."""
    return appraise_flows([flows_from_model(model)], a)


def appraise_run(result: RunResult, a: AppraisalAssumptions | None = None) -> dict[str, Any]:
    """Modal-case appraisal of a ``lspsim.results.run`` result: the mean over replications."""
    flows = [flows_from_replication(result.scenario, result.seed, r) for r in result.reps]
    return appraise_flows(flows, a)
