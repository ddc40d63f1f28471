"""Appraisal outputs: a Markdown report a policy officer can read without the code (led by the
one-page Green Book summary table), the CBA workbook (xlsx), JSON, CSV tables and PNG charts.
``write_outputs`` writes them all into an atomic output directory."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from lspsim.appraisal.assumptions import assumptions_toml  # noqa: E402
from lspsim.appraisal.evaluate import BENEFIT_CATEGORIES, COST_CATEGORIES  # noqa: E402
from lspsim.appraisal.pipeline import (  # noqa: E402
    BCR_USE,
    COUNTERFACTUAL_NOTE,
    AppraisalResult,
    central_summary,
    schedule_text,
)
from lspsim.appraisal.uncertainty import SWITCHING_DRAWS  # noqa: E402
from lspsim.appraisal.workbook import write_workbook  # noqa: E402
from lspsim.io import atomic_output_dir, write_json  # noqa: E402

CATEGORY_LABELS = {
    "meetings_strategic": "Strategic board meetings",
    "meetings_executive": "Executive group meetings",
    "meetings_operational": "Operational / thematic group meetings",
    "meetings_duplicated": "Duplicated district meetings (two-tier)",
    "coordination": "Coordination time outside meetings",
    "support_team": "Partnership support team",
    "monitoring": "Running shared performance monitoring",
    "pooled_admin": "Extra administration of the pooled budget (net)",
    "transition": "Transition (one-off, against the do-minimum)",
    "fiscal_cashable": "Fiscal, cashable (by agency)",
    "fiscal_non_cashable": "Fiscal, non-cashable (by agency)",
    "economic": "Economic (residents)",
    "social": "Social: wellbeing (residents)",
}
NON_MONETISED_LABELS = {
    "mean_trust": "mean trust between partners (0-1)",
    "trust_in_council_non_statutory": "voluntary and business partners' trust in the council",
    "mean_commitment": "mean commitment (0-1)",
    "commitment_non_statutory": "commitment of non-statutory partners",
    "network_density": "density of working ties",
    "monitoring_maturity": "maturity of shared monitoring (0-1)",
    "targets_met": "share of targets met",
}


def gbp(x: float | None, signed: bool = False) -> str:
    """Pounds in a readable form: GBP 1.23m, GBP 456k."""
    if x is None or not np.isfinite(x):
        return "n/a"
    sign = "-" if x < 0 else ("+" if signed and x > 0 else "")
    v = abs(x)
    if v >= 1e6:
        body = f"{v / 1e6:.2f}m"
    elif v >= 1e3:
        body = f"{v / 1e3:.0f}k"
    else:
        body = f"{v:.0f}"
    return f"{sign}£{body}"


def fmt_value(x: float | None, unit: str) -> str:
    """A quantity for people: pounds as GBP 250k/year, other units as 3 significant figures."""
    if x is None:
        return "n/a"
    if unit.startswith("GBP"):
        return gbp(x) + unit[3:]
    return f"{x:.3g} {unit}"


def fmt_range(lo: float, hi: float, unit: str) -> str:
    if unit.startswith("GBP"):
        return f"{gbp(lo)} to {gbp(hi)}{unit[3:]}"
    return f"{lo:.3g} to {hi:.3g} {unit}"


def _label(path: str) -> str:
    return path.replace("_", " ").replace(".", ": ", 1)


# ---------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------

def npsv_figure(result: AppraisalResult) -> Figure:
    """Distribution of NPSV over assumption draws x replications: the do-minimum against no
    partnership, and each option against the do-minimum."""
    ncols = 2 if result.options else 1
    fig, axes = plt.subplots(1, ncols, figsize=(6.2 * ncols, 4.2), squeeze=False)
    ax = axes[0, 0]
    base = result.base.mc["npsv"].ravel() / 1e6
    ax.hist(base, bins=50, color="#1f77b4", alpha=0.6,
            label=f"{result.base.name}: P(NPSV > 0) = {(base > 0).mean():.0%}")
    ax.axvline(0, color="k", lw=1)
    ax.axvline(base.mean(), color="#1f77b4", ls="--", lw=1.5, label="expected value")
    ax.set_xlabel("net present social value (GBP m)")
    ax.set_ylabel("draws x replications")
    ax.set_title(f"{result.base.name} (do-minimum) against no partnership", fontsize=10)
    ax.legend(fontsize=8)
    if result.options:
        ax2 = axes[0, 1]
        colours = ["#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
        incs = [o.inc["npsv"].ravel() / 1e6 for o in result.options]
        bins = np.histogram_bin_edges(np.concatenate(incs), 50)
        for o, d, col in zip(result.options, incs, colours * 4, strict=False):
            ax2.hist(d, bins=bins, color=col, alpha=0.5,
                     label=f"{o.name}: P(better) = {(d > 0).mean():.0%}")
            ax2.axvline(d.mean(), color=col, ls="--", lw=1.5)
        ax2.axvline(0, color="k", lw=1)
        ax2.set_xlabel(f"incremental NPSV over {result.base.name} (GBP m)")
        ax2.set_title("Options against the do-minimum (simulated)", fontsize=10)
        ax2.legend(fontsize=8)
    fig.tight_layout()
    return fig


def tornado_figure(rows: list[dict[str, Any]], title: str = "", top: int = 12) -> Figure:
    """NPSV with each uncertain input at its 5th and 95th percentile (sensitivity inputs at
    their two tested values), the others at their central values."""
    rows = rows[:top][::-1]
    fig, ax = plt.subplots(figsize=(8.5, 0.45 * max(len(rows), 3) + 1.4))
    if not rows:
        ax.text(0.5, 0.5, "no uncertain assumptions", ha="center", transform=ax.transAxes)
        return fig
    base = rows[0]["npsv_base"] / 1e6
    y = np.arange(len(rows))
    for i, r in enumerate(rows):
        lo, hi = r["npsv_low"] / 1e6, r["npsv_high"] / 1e6
        ax.barh(i, lo - base, left=base, color="#4c72b0", alpha=0.8,
                label="assumption at its 5th percentile" if i == 0 else None)
        ax.barh(i, hi - base, left=base, color="#dd8452", alpha=0.8,
                label="assumption at its 95th percentile" if i == 0 else None)
    labels = [f"{_label(r['path'])}\n({fmt_range(r['low_value'], r['high_value'], r['unit'])})"
              if r.get("kind") != "sensitivity" else f"{_label(r['path'])}\n({r['description']})"
              for r in rows]
    ax.set_yticks(y, labels, fontsize=7)
    ax.axvline(base, color="k", lw=1)
    ax.axvline(0, color="grey", lw=1, ls=":")
    ax.set_xlabel("NPSV (GBP m), others at central values; black line = modal case")
    ax.set_title(title or "What the answer depends on", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def partners_figure(result: AppraisalResult) -> Figure:
    """Who pays (each partner's PV of costs, beside its stakes) and who gains (each agency's
    and residents' PV of benefits), expected values for the do-minimum."""
    df = result.base.partners()
    ben = result.base.beneficiaries()
    fig, (ax, axb) = plt.subplots(1, 2, figsize=(13, 4.8),
                                  gridspec_kw={"width_ratios": [3, 2]})
    x = np.arange(len(df))
    ax.bar(x, df["pv_costs"] / 1e3, 0.6, color="#d62728", alpha=0.8, label="PV of costs")
    ax.set_ylabel("GBP thousand (present value)")
    ax.set_xticks(x, df["partner"], rotation=55, ha="right", fontsize=8)
    ax2 = ax.twinx()
    ax2.plot(x, df["stake_in_success"], "o", color="#1f4e79", label="stake in success")
    ax2.plot(x, df["stake_in_failure"], "s", color="#ff7f0e", label="stake in failure")
    ax2.set_ylim(0, 1.05)
    ax2.set_ylabel("stake (0-1)")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper right")
    ax.set_title("Who pays, beside their stakes", fontsize=10)
    xb = np.arange(len(ben))
    bottom = np.zeros(len(ben))
    for cat, col in zip(("fiscal_cashable", "fiscal_non_cashable", "economic", "social"),
                        ("#2ca02c", "#98df8a", "#17becf", "#bcbd22"), strict=True):
        ax_v = ben[cat].to_numpy() / 1e3
        axb.bar(xb, ax_v, 0.6, bottom=bottom, color=col, label=CATEGORY_LABELS[cat])
        bottom += ax_v
    axb.set_xticks(xb, ben["beneficiary"], rotation=55, ha="right", fontsize=8)
    axb.set_ylabel("GBP thousand (present value)")
    axb.set_title("Who gains: agencies and residents", fontsize=10)
    axb.legend(fontsize=7)
    fig.suptitle(f"{result.base.name} against no partnership (expected values)", fontsize=10)
    fig.tight_layout()
    return fig


def cashflow_figure(result: AppraisalResult) -> Figure:
    """Present value by category, and the cumulative discounted net benefit by year."""
    det = result.base.detail
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    cats = [(k, -float(v.sum())) for k, v in det.discounted.items() if k in COST_CATEGORIES] + \
           [(k, float(v.sum())) for k, v in det.discounted.items() if k in BENEFIT_CATEGORIES]
    cats = [c for c in cats if c[1] != 0]
    y = np.arange(len(cats))
    ax1.barh(y, [v / 1e3 for _, v in cats],
             color=["#d62728" if v < 0 else "#2ca02c" for _, v in cats])
    ax1.set_yticks(y, [CATEGORY_LABELS.get(k, k) for k, _ in cats], fontsize=8)
    ax1.axvline(0, color="k", lw=1)
    ax1.set_xlabel("present value, GBP thousand (costs negative)")
    ax1.set_title(f"{result.base.name}: costs and benefits (expected)", fontsize=10)
    net = sum(v.sum(axis=0) for k, v in det.discounted.items() if k in BENEFIT_CATEGORIES) - \
        sum(v.sum(axis=0) for k, v in det.discounted.items() if k in COST_CATEGORIES)
    years = np.arange(net.size) // 12
    annual = np.bincount(years, weights=net)
    ax2.bar(np.arange(annual.size), annual / 1e6, color="#aec7e8", label="discounted net, year")
    ax2.plot(np.arange(annual.size), np.cumsum(annual) / 1e6, "o-", color="#1f77b4", lw=2,
             label="cumulative")
    ax2.axhline(0, color="k", lw=1)
    ax2.axvline(result.base.flows[0].months / 12.0 - 0.5, color="grey", ls=":", lw=1,
                label="end of the simulated period")
    ax2.set_xlabel("Green Book year (year 0 undiscounted)")
    ax2.set_ylabel("GBP m")
    ax2.set_title("Discounted net benefit by year (expected)", fontsize=10)
    ax2.legend(fontsize=8)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------

def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def _ratio(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def markdown(result: AppraisalResult, command: str = "") -> str:
    d = result.to_dict()
    a = result.assumptions
    res = d["result"]
    c, modal, mc = res["central"], res["modal_case"], res["monte_carlo"]
    base = result.base.name
    year = d["price_base_year"]
    opts = ", ".join(f"`{o}`" for o in d["options"]) or "none"
    lines = [
        f"# Options appraisal of joint working: do-minimum `{base}`",
        "",
        "A cost-benefit appraisal in the manner of the HM Treasury Green Book and its guidance "
        "for local partnerships (HM Treasury 2014) of partnerships simulated by lspsim: the "
        f"do-minimum `{base}` and the options {opts}, each run through the model "
        f"({d['months']} months, {d['replications']} replications with the same random "
        f"streams) and priced with the assumptions `{a.name}` over {d['samples']} draws. "
        f"GBP in {year} prices; flows by Green Book year, year 0 undiscounted, then on the "
        f"Green Book (February 2026) standard schedule, {schedule_text(a.discounting.standard)}"
        + ("; residents' wellbeing benefits on the health schedule, "
           f"{schedule_text(a.discounting.health)}"
           if a.discounting.wellbeing_schedule.value == "health" else "") + ".",
        "",
        "## Summary table",
        "",
        "Expected values over assumption draws and model replications (the central case). "
        "The first rows appraise each arrangement against no partnership; the last appraise "
        "each option against the do-minimum.",
        "",
        "| arrangement | against | PV costs | PV benefits | NPSV | BCR | fiscal return | "
        "cashable return | P(NPSV > 0) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    probs = [mc["npsv"]["prob_positive"]] + \
        [r["monte_carlo"]["npsv"]["prob_positive"] for r in d["option_results"]] + \
        [cmp["prob_option_better"] for cmp in d["comparisons"]]
    for row, p in zip(d["summary_table"], probs, strict=True):
        lines.append(f"| `{row['arrangement']}` | {row['against']} | {gbp(row['pv_costs'])} | "
                     f"{gbp(row['pv_benefits'])} | **{gbp(row['npsv'])}** | "
                     f"{_ratio(row['bcr'])} | {_ratio(row['fiscal_return'])} | "
                     f"{_ratio(row['cashable_return'])} | {_pct(p)} |")
    lines += [
        "",
        f"- **BCR convention.** {d['conventions']['bcr']}",
        f"- **Reading the BCR.** {BCR_USE}",
        f"- **Financial return to the public sector.** {d['conventions']['financial_return']} "
        "It sits beside, not in place of, the public value (NPSV).",
        f"- **Modal case** (every assumption at its central value, labelled so because it is "
        f"not the expected value): `{base}` NPSV {gbp(modal['npsv'])}"
        + "".join(f"; `{cmp['option']}` over `{base}` {gbp(cmp['modal_incremental_npsv'], True)}"
                  for cmp in d["comparisons"]) + ".",
        f"- **Monte Carlo standard error** of the expected NPSV: {gbp(c['npsv_mc_se'])} "
        f"(draws and replications treated as two crossed samples).",
    ]
    for cmp in d["comparisons"]:
        pb = cmp["incremental_payback_years"]
        lines.append(f"- **Discounted payback** of `{cmp['option']}` over `{base}`: "
                     + ("none within the appraisal period" if pb is None else
                        f"{pb:.1f} years") + " (of the expected extra flows).")
    for row in d["summary_table"]:
        if row.get("bcr_note") and row["bcr"] is None:
            lines.append(f"- `{row['arrangement']}` over `{base}`: {row['bcr_note']}.")
        if row.get("return_note"):
            lines.append(f"- `{row['arrangement']}` over `{base}`: {row['return_note']}.")
    lines += ["", "### Non-monetised effects (the model's state at the end of the run)", "",
              "| effect | " + " | ".join(f"`{n}`" for n in [base, *d["options"]]) + " |",
              "|---|" + "---:|" * (1 + len(d["options"]))]
    ends = [res["non_monetised_end_state"]] + [r["non_monetised_end_state"]
                                               for r in d["option_results"]]
    for k, label in NON_MONETISED_LABELS.items():
        lines.append(f"| {label} | " + " | ".join(f"{e[k]:.2f}" for e in ends) + " |")
    if d["comparisons"]:
        lines += ["", "### Switching values nearest to the central case (options)", "",
                  "The value of an input at which the option's expected extra NPSV over the "
                  "do-minimum is zero.", "",
                  "| option | input | assumed | switching value | change |",
                  "|---|---|---:|---:|---:|"]
        for row in d["summary_table"]:
            for s in row.get("nearest_switching_values", []):
                unit = next((t["unit"] for t in result.switching if t["path"] == s["path"]), "")
                lines.append(f"| `{row['arrangement']}` | `{s['path']}` | "
                             f"{fmt_value(s['base'], unit)} | "
                             f"{fmt_value(s['switching_value'], unit)} | "
                             f"{s['change_pct']:+.0f}% |")
    lines += ["", "## The counterfactual: which is which", "",
              f"- Each arrangement against no partnership: {COUNTERFACTUAL_NOTE['arrangement']}.",
              f"- Each option against the do-minimum: {COUNTERFACTUAL_NOTE['option']}.",
              "- Net additional share used: " + ", ".join(
                  f"{k} {getattr(a.additionality, k).value:g}"
                  for k in ("deadweight", "leakage", "displacement", "substitution")) + ".",
              "", "## Costs and benefits by category (expected present values)", "",
              "| category | " + " | ".join(
                  [f"`{base}` vs none"] + [f"`{o}` vs `{base}`" for o in d["options"]]) + " |",
              "|---|" + "---:|" * (1 + len(d["options"]))]
    cols = [res["costs_by_category"] | res["benefits_by_category"]] + [
        cmp["costs_by_category"] | cmp["benefits_by_category"] for cmp in d["comparisons"]]
    for k, label in CATEGORY_LABELS.items():
        vals = [col.get(k, 0.0) for col in cols]
        if any(vals):
            kind = "cost" if k in COST_CATEGORIES else "benefit"
            lines.append(f"| {kind}: {label} | " + " | ".join(gbp(v) for v in vals) + " |")
    lines += [
        "", "Each outcome is valued once: a target's achieved share gives outcome units, and "
        "each unit is split into fiscal (cashable and non-cashable, to the agency whose "
        "budget gains), economic and wellbeing value (to residents). Pooled and aligned money is "
        "redirected, not new: it buys the progress that is valued, so it is neither a cost nor a "
        "benefit of its own.",
        "", "![costs, benefits and net by year](cashflow.png)", "",
        "## Who pays and who gains", "",
        "| partner | stake in success | stake in failure | PV of costs it bears |",
        "|---|---:|---:|---:|",
    ]
    for p in res["partners"]:
        lines.append(f"| {p['partner']} | {p['stake_in_success']:.2f} | "
                     f"{p['stake_in_failure']:.2f} | {gbp(p['pv_costs'])} |")
    lines += ["", "| beneficiary | fiscal cashable | fiscal non-cashable | economic | social | "
              "total |", "|---|---:|---:|---:|---:|---:|"]
    for b in res["beneficiaries"]:
        lines.append(f"| {b['beneficiary']} | {gbp(b['fiscal_cashable'])} | "
                     f"{gbp(b['fiscal_non_cashable'])} | {gbp(b['economic'])} | "
                     f"{gbp(b['social'])} | {gbp(b['pv_benefits'])} |")
    lines += ["", "![who pays and who gains](partners.png)", "",
              "## Sensitivities (expected NPSV)", "",
              "| case | " + " | ".join([f"`{base}` vs none"] + [
                  f"`{o}` vs `{base}`" for o in d["options"]]) + " |",
              "|---|" + "---:|" * (1 + len(d["options"]))]
    for row in d["sensitivities"]:
        vals = [row["do_minimum_npsv"]] + [row[f"{o}_incremental_npsv"] for o in d["options"]]
        lines.append(f"| {row['case']} | " + " | ".join(gbp(v) for v in vals) + " |")
    if len(a.prices.deflator) == 1:
        lines.append(f"\nNo other price base year is shown: the deflator has only {year}.")
    lines += ["", "## What the answer depends on", "",
              f"The tornado moves one input at a time ({len(result.tornado)} inputs: every "
              "uncertain one from its 5th to its 95th percentile, and the discount schedule, "
              "optimism bias, continuing costs and distributional weights between their tested "
              "values), the others at their central values; the chart shows the widest 15, "
              "`appraisal.json` and `tornado.csv` list them all.", "",
              "![tornado](tornado.png)", "",
              "**Switching values** (do-minimum against no partnership): the value each input "
              "would need for the expected NPSV (the central case: the mean over the "
              f"first {SWITCHING_DRAWS} assumption draws with the other inputs as drawn, and "
              f"over the replications) to be zero ({year} prices).",
              "", "| input | assumed | switching value | change |", "|---|---:|---:|---:|"]
    lines += _switching_rows(d["switching_values"])
    for cmp in d["comparisons"]:
        lines += ["", f"Switching values for `{cmp['option']}` over `{base}`:", "",
                  "| input | assumed | switching value | change |", "|---|---:|---:|---:|",
                  *_switching_rows(cmp["switching_values"])]
    illus = d["illustrative_assumptions"]
    sourced = d["sourced_assumptions"]
    lines += [
        "", "## Read with care", "",
        "- The benefits are what the *model* says the arrangements achieve, priced with the "
        "assumptions; they are not measured outcomes.",
        f"- {len(illus)} of {len(a.quantities())} assumptions are marked *illustrative* (no "
        f"evidence stands behind their values); {len(sourced)} cite a source: "
        + "; ".join(f"`{p}`" for p in sourced) + ". Replace the illustrative ones with local "
        "figures (`--assumptions FILE`) before using the numbers in a decision.",
        f"- Running costs continue after the simulated period at "
        f"{a.horizon.continuing_cost_share.value:.0%} of the last year's level for as long as "
        f"outcomes are counted ({a.horizon.benefit_persistence.value:g} years, central case).",
    ]
    if command:
        lines += ["", "## Reproduce", "", "```", command, "```"]
    return "\n".join(lines) + "\n"


def assumptions_markdown(a: Any) -> str:
    """The assumptions as a Markdown table: value, price year, distribution, source (the
    table in docs/appraisal.md is this, regenerated by docs/regenerate_appraisal.py)."""
    from lspsim.appraisal.assumptions import choice_specs

    rows = ["| assumption | value | price year | distribution | status | source |",
            "|---|---:|---:|---|---|---|"]
    for path, q in a.quantities().items():
        dist = "fixed" if q.dist == "fixed" else (
            f"lognormal, sigma {q.sigma:g}" if q.dist == "lognormal"
            else f"{q.dist} {fmt_range(q.low, q.high, q.unit)}")
        status = "illustrative" if q.illustrative else "**sourced**"
        rows.append(f"| `{path}` | {fmt_value(q.value, q.unit)} | {q.price_year or ''} | "
                    f"{dist} | {status} | {q.source} |")
    for path, spec in choice_specs().items():
        c = a.choice(path)
        src = _get_choice_source(a, path)
        rows.append(f"| `{path}` | {c} | | one of {', '.join(spec['choices'])} | rule | {src} |")
    return "\n".join(rows)


def _get_choice_source(a: Any, path: str) -> str:
    obj = a
    for k in path.split("."):
        obj = getattr(obj, k)
    return obj.source


def _switching_rows(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    for s in rows:
        sv, unit = s["switching_value"], s["unit"]
        if s["method"] == "no effect":
            shown, ch = "no effect here", ""
        elif sv is None:
            shown, ch = "none in the allowed range", ""
        elif not s["within_range"]:
            shown = f"none in the allowed range (would need {fmt_value(sv, unit)})"
            ch = ""
        else:
            shown = fmt_value(sv, unit)
            ch = "" if s["change_pct"] is None else f"{s['change_pct']:+.0f}%"
        label = s["description"].split(" (")[0]
        out.append(f"| {label} (`{s['path']}`) | {fmt_value(s['base'], unit)} | {shown} | {ch} |")
    return out


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------

def write_outputs(result: AppraisalResult, out: str | Path, command: str = "") -> Path:
    """Write appraisal.md, appraisal.xlsx, appraisal.json, CSV tables and PNG charts; all or
    nothing."""
    out = Path(out)
    with atomic_output_dir(out, "appraisal") as tmp:
        write_json(tmp / "appraisal.json", _clean(result.to_dict()))
        write_workbook(result, tmp / "appraisal.xlsx")
        pd.DataFrame(result.summary_table()).to_csv(tmp / "summary.csv", index=False)
        result.base.partners().to_csv(tmp / "partners.csv", index=False)
        result.base.beneficiaries().to_csv(tmp / "beneficiaries.csv", index=False)
        result.base.by_year().to_csv(tmp / "flows_by_year.csv", index=False)
        result.samples_table().to_csv(tmp / "samples.csv", index=False)
        pd.DataFrame(result.sensitivities).to_csv(tmp / "sensitivities.csv", index=False)
        pd.DataFrame(result.tornado).to_csv(tmp / "tornado.csv", index=False)
        stems: set[str] = set()
        for o in result.options:
            stem = file_stem(o.name)
            while stem in stems:  # two names that differ only in unsafe characters
                stem += "_"
            stems.add(stem)
            o.by_year(incremental=True).to_csv(tmp / f"flows_by_year_{stem}.csv", index=False)
            (tmp / f"option_{stem}_scenario.toml").write_text(o.scenario.to_toml())
        (tmp / "assumptions.toml").write_text(assumptions_toml(result.assumptions))
        (tmp / "scenario.toml").write_text(result.base.scenario.to_toml())
        for fname, fig in figures(result).items():
            fig.savefig(tmp / fname, dpi=110, bbox_inches="tight")
            plt.close(fig)
        (tmp / "appraisal.md").write_text(markdown(result, command))
    return out


def file_stem(name: str) -> str:
    """A scenario name as part of a file name: names are identifiers, never paths."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)[:60] or "option"


def figures(result: AppraisalResult) -> dict[str, Figure]:
    """The appraisal's charts by file name."""
    return {"npsv_distribution.png": npsv_figure(result),
            "tornado.png": tornado_figure(
                result.tornado, f"What the NPSV of {result.base.name} depends on", top=15),
            "partners.png": partners_figure(result),
            "cashflow.png": cashflow_figure(result)}


def _clean(o: Any) -> Any:
    """JSON has no NaN or infinity: write null."""
    if isinstance(o, dict):
        return {k: _clean(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_clean(v) for v in o]
    if isinstance(o, float | np.floating) and not np.isfinite(o):
        return None
    return o


__all__ = ["assumptions_markdown", "central_summary", "markdown", "write_outputs"]
