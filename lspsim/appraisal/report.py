"""Appraisal outputs: JSON, CSV tables, PNG charts and a short Markdown report a policy officer
can read without the code. ``write_outputs`` writes them all into an atomic output directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from lspsim.appraisal.assumptions import assumptions_toml  # noqa: E402
from lspsim.appraisal.pipeline import AppraisalResult, central_summary  # noqa: E402
from lspsim.io import atomic_output_dir, write_json  # noqa: E402

CATEGORY_LABELS = {
    "meetings_strategic": "Strategic board meetings",
    "meetings_executive": "Executive group meetings",
    "meetings_operational": "Operational / thematic group meetings",
    "meetings_duplicated": "Duplicated district meetings (two-tier)",
    "coordination": "Coordination time outside meetings",
    "support_team": "Partnership support team",
    "monitoring": "Shared performance monitoring",
    "pooled_admin": "Administering the pooled budget",
    "progress": "Progress on targets",
    "targets_met": "Targets met",
    "avoided_costs": "Costs avoided while targets stay met",
    "efficiency": "Efficiency of aligned mainstream spend",
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
    """Distribution of NPSV over assumption draws x replications (and of the increment)."""
    base = result.base.mc["npsv"].ravel() / 1e6
    inc = result.incremental
    ncols = 2 if inc is not None else 1
    fig, axes = plt.subplots(1, ncols, figsize=(6.2 * ncols, 4.2), squeeze=False)
    ax = axes[0, 0]
    bins = np.histogram_bin_edges(np.concatenate(
        [base] + ([result.option.mc["npsv"].ravel() / 1e6] if result.option else [])), 50)
    ax.hist(base, bins=bins, color="#1f77b4", alpha=0.6,
            label=f"{result.base.scenario.name}: P(NPSV > 0) = {(base > 0).mean():.0%}")
    if result.option is not None:
        opt = result.option.mc["npsv"].ravel() / 1e6
        ax.hist(opt, bins=bins, color="#2ca02c", alpha=0.5,
                label=f"{result.option.scenario.name}: P(NPSV > 0) = {(opt > 0).mean():.0%}")
    ax.axvline(0, color="k", lw=1)
    ax.axvline(base.mean(), color="#1f77b4", ls="--", lw=1.5, label="mean")
    ax.set_xlabel("net present social value (GBP m)")
    ax.set_ylabel("draws")
    ax.set_title("NPSV: assumption draws x model replications", fontsize=10)
    ax.legend(fontsize=8)
    if inc is not None:
        ax2 = axes[0, 1]
        d = inc["npsv"].ravel() / 1e6
        ax2.hist(d, bins=50, color="#9467bd", alpha=0.7)
        ax2.axvline(0, color="k", lw=1)
        ax2.axvline(d.mean(), color="#9467bd", ls="--", lw=1.5)
        ax2.set_xlabel(f"NPSV of {result.option.scenario.name} minus "
                       f"{result.base.scenario.name} (GBP m)")
        ax2.set_title(f"Incremental NPSV: P(better) = {(d > 0).mean():.0%}", fontsize=10)
    fig.tight_layout()
    return fig


def tornado_figure(rows: list[dict[str, Any]], title: str = "", top: int = 12) -> Figure:
    """Expected NPSV with each uncertain assumption at its 5th and 95th percentile."""
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
              for r in rows]
    ax.set_yticks(y, labels, fontsize=7)
    ax.axvline(base, color="k", lw=1)
    ax.axvline(0, color="grey", lw=1, ls=":")
    ax.set_xlabel("expected NPSV (GBP m); black line = central case")
    ax.set_title(title or "What the answer depends on", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def partners_figure(result: AppraisalResult) -> Figure:
    """Who pays and who gains: PV of costs and benefits per partner, beside its stakes."""
    df = result.base.partners()
    fig, ax = plt.subplots(figsize=(10, 4.8))
    x = np.arange(len(df))
    ax.bar(x - 0.2, df["pv_costs"] / 1e3, 0.4, color="#d62728", alpha=0.8, label="PV of costs")
    ax.bar(x + 0.2, df["pv_benefits"] / 1e3, 0.4, color="#2ca02c", alpha=0.8,
           label="PV of benefits")
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
    ax.set_title("Who pays and who gains, beside their stakes (central case)", fontsize=10)
    fig.tight_layout()
    return fig


def cashflow_figure(result: AppraisalResult) -> Figure:
    """Present value by category, and the cumulative discounted net benefit over time."""
    m = result.base.central
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    cats = [(k, -float(v.sum())) for k, v in m.cost_pv.items()] + \
           [(k, float(v.sum())) for k, v in m.benefit_pv.items()]
    cats = [c for c in cats if c[1] != 0]
    y = np.arange(len(cats))
    ax1.barh(y, [v / 1e3 for _, v in cats],
             color=["#d62728" if v < 0 else "#2ca02c" for _, v in cats])
    ax1.set_yticks(y, [CATEGORY_LABELS.get(k, k) for k, _ in cats], fontsize=8)
    ax1.axvline(0, color="k", lw=1)
    ax1.set_xlabel("present value, GBP thousand (costs negative)")
    ax1.set_title("Costs and benefits (central case)", fontsize=10)
    net = m.discounted_net_monthly[0]
    months = np.arange(1, net.size + 1)
    ax2.plot(months / 12.0, np.cumsum(net) / 1e6, color="#1f77b4", lw=2)
    ax2.axhline(0, color="k", lw=1)
    ax2.axvline(result.base.flows[0].months / 12.0, color="grey", ls=":", lw=1,
                label="end of the simulated period")
    pb = m.payback_months[0]
    if np.isfinite(pb):
        ax2.axvline(pb / 12.0, color="#2ca02c", ls="--", lw=1.5,
                    label=f"payback: {pb / 12.0:.1f} years")
    ax2.set_xlabel("years")
    ax2.set_ylabel("cumulative discounted net benefit (GBP m)")
    ax2.set_title("When joint working pays back (central case)", fontsize=10)
    ax2.legend(fontsize=8)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------

def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def markdown(result: AppraisalResult, command: str = "") -> str:
    d = result.to_dict()
    res = d["result"]
    c, mc = res["central"], res["monte_carlo"]
    npsv = mc["npsv"]
    a = result.assumptions
    name = result.base.scenario.name
    bcr = c["bcr"]
    lines = [
        f"# Appraisal of joint working: {name}",
        "",
        "What this is: a cost-benefit appraisal in the manner of the HM Treasury Green Book of "
        f"the partnership simulated by lspsim (scenario `{name}`, {d['months']} months, "
        f"{d['replications']} model replications), priced with the assumptions "
        f"`{a.name}` and tested over {d['samples']} draws of those assumptions. Costs and "
        f"benefits are discounted at {a.discounting.rate.value:.1%} a year.",
        "",
        "## The answer in brief",
        "",
        f"- **Net present social value (central case): {gbp(c['npsv'])}** "
        f"(benefits {gbp(c['pv_benefits'])} less costs {gbp(c['pv_costs'])}).",
        (f"- Benefit-cost ratio: **{bcr:.2f}**: every £1 spent on joint working returns "
         f"about £{bcr:.2f} of social value." if bcr is not None else
         "- Benefit-cost ratio: not defined (no costs)"),
        f"- Allowing for uncertainty: NPSV has a mean of {gbp(npsv['mean'])} and a 90% range "
        f"of {gbp(npsv['p5'])} to {gbp(npsv['p95'])}; the chance that benefits exceed costs "
        f"is **{_pct(npsv['prob_positive'])}**.",
        "- Discounted payback: " + (
            f"{c['payback_years']:.1f} years in the central case" if c["payback_years"]
            is not None else "not within the appraisal period in the central case")
        + f" ({_pct(mc['prob_payback_within_horizon'])} of draws pay back within "
          f"{c['horizon_years']:.1f} years).",
        f"- Model replications alone (central assumptions) spread NPSV from "
        f"{gbp(res['replication_spread_of_npsv']['p5'])} to "
        f"{gbp(res['replication_spread_of_npsv']['p95'])}: the same partnership can turn "
        "out differently.",
        "",
        "## What joint working costs and what it gains (present values, central case)",
        "",
        "| item | present value |",
        "|---|---:|",
    ]
    for k, v in c["costs_by_category"].items():
        if v:
            lines.append(f"| cost: {CATEGORY_LABELS[k]} | {gbp(v)} |")
    for k, v in c["benefits_by_category"].items():
        if v:
            lines.append(f"| benefit: {CATEGORY_LABELS[k]} | {gbp(v)} |")
    lines += [
        "",
        "![costs, benefits and payback](cashflow.png)",
        "",
        "## Who pays and who gains",
        "",
        "Partners have unequal stakes in success and failure; the table sets what each pays "
        "(its meeting time, its coordination time, its share of shared costs) beside what it "
        "gains (its share of outcomes, by the attribution rule "
        f"`{a.benefits.attribution.value}`).",
        "",
        "| partner | stake in success | stake in failure | PV of costs | PV of benefits | net |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for p in res["partners"]:
        lines.append(f"| {p['partner']} | {p['stake_in_success']:.2f} | "
                     f"{p['stake_in_failure']:.2f} | {gbp(p['pv_costs'])} | "
                     f"{gbp(p['pv_benefits'])} | {gbp(p['net'], True)} |")
    lines += ["", "![who pays and who gains](partners.png)", "",
              "## What the answer depends on", "",
              "The tornado shows how far the expected NPSV moves when one uncertain assumption "
              "is set to a low (5th percentile) or high (95th percentile) value, the others "
              "held at their central values.", "", "![tornado](tornado.png)", "",
              "**Switching values**: the value each assumption would need, all else as assumed, "
              "for the NPSV to be zero.", "",
              "| assumption | assumed | switching value | change |", "|---|---:|---:|---:|"]
    lines += _switching_rows(d["switching_values"])
    comp = d["comparison"]
    if comp:
        inc = comp["incremental_npsv"]
        ratio = comp["incremental_bcr"]
        lines += [
            "", f"## Comparing `{comp['base']}` with `{comp['option']}`", "",
            f"- Extra NPSV of `{comp['option']}` over `{comp['base']}`: "
            f"**{gbp(comp['central_incremental_npsv'], True)}** in the central case; mean "
            f"{gbp(inc['mean'], True)}, 90% range {gbp(inc['p5'], True)} to "
            f"{gbp(inc['p95'], True)}.",
            f"- Chance that `{comp['option']}` is the better arrangement: "
            f"**{_pct(comp['prob_option_better'])}**; chance that it costs less: "
            f"{_pct(comp['prob_option_cheaper'])}.",
            "- Incremental benefit-cost ratio: "
            + (f"{ratio:.2f}" if ratio is not None else "not meaningful")
            + f" ({comp['incremental_bcr_note']}).",
            "- Both arrangements were priced under the same assumption draws and the same "
            "model random streams, so the difference is not blurred by unrelated noise.",
            "", "Switching values for the choice: the value each assumption would need for the "
            "two arrangements to be worth the same.", "",
            "| assumption | assumed | switching value | change |", "|---|---:|---:|---:|",
            *_switching_rows(comp["switching_values"]),
        ]
    illus = d["illustrative_assumptions"]
    lines += [
        "", "## Read with care", "",
        "- The benefits are what the *model* says joint working achieves, priced with the "
        "assumptions; they are not measured outcomes.",
        f"- {len(illus)} of {len(a.quantities())} assumptions are marked *illustrative*: no "
        "evidence stands behind their values. Replace them with local figures "
        "(`--assumptions FILE`) before using the numbers in a decision.",
        "- Costs are counted only during the simulated period; avoided costs of targets met by "
        f"its end continue for {a.horizon.benefit_persistence.value:g} years (central case).",
        "- Aligned mainstream spend is treated as money redirected, not new money: only the "
        "assumed efficiency saving on it counts as a benefit.",
    ]
    if command:
        lines += ["", "## Reproduce", "", "```", command, "```"]
    return "\n".join(lines) + "\n"


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
    """Write appraisal.json, CSV tables, PNG charts and appraisal.md; all or nothing."""
    out = Path(out)
    with atomic_output_dir(out, "appraisal") as tmp:
        write_json(tmp / "appraisal.json", _clean(result.to_dict()))
        result.base.partners().to_csv(tmp / "partners.csv", index=False)
        result.base.by_year().to_csv(tmp / "flows_by_year.csv", index=False)
        result.samples_table().to_csv(tmp / "samples.csv", index=False)
        if result.option is not None:
            result.option.partners().to_csv(tmp / "option_partners.csv", index=False)
            result.option.by_year().to_csv(tmp / "option_flows_by_year.csv", index=False)
        (tmp / "assumptions.toml").write_text(assumptions_toml(result.assumptions))
        (tmp / "scenario.toml").write_text(result.base.scenario.to_toml())
        if result.option is not None:
            (tmp / "option_scenario.toml").write_text(result.option.scenario.to_toml())
        figs = {"npsv_distribution.png": npsv_figure(result),
                "tornado.png": tornado_figure(
                    result.tornado, f"What the NPSV of {result.base.scenario.name} depends on"),
                "partners.png": partners_figure(result),
                "cashflow.png": cashflow_figure(result)}
        for fname, fig in figs.items():
            fig.savefig(tmp / fname, dpi=110, bbox_inches="tight")
            plt.close(fig)
        (tmp / "appraisal.md").write_text(markdown(result, command))
    return out


def _clean(o: Any) -> Any:
    """JSON has no NaN or infinity: write null."""
    if isinstance(o, dict):
        return {k: _clean(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_clean(v) for v in o]
    if isinstance(o, float | np.floating) and not np.isfinite(o):
        return None
    return o


__all__ = ["central_summary", "markdown", "write_outputs"]
