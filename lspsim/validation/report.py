"""The validation report: its figures and docs/validation.md, written whole."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from lspsim.validation.findings import Check, Results, _series_of
from lspsim.validation.lab import section as lab_section
from lspsim.validation.patterns import (
    HALF_MONTHS_MIN,
    KERNEL_START,
    LHS_RANGES,
    LHS_SEED,
    PAIRS,
    PASS_RULE,
    PG_CRITERIA,
    PG_REFERENCE,
    PG_SEED,
    ROBUST_SHARE,
    SEED,
)
from lspsim.validation.runs import _key


def _figures(res: Results, img: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []

    def save(fig: Any, name: str) -> None:
        fig.tight_layout()
        fig.savefig(img / name, dpi=110)
        plt.close(fig)
        written.append(name)

    # Public goods: mean contribution by round, with and without punishment.
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), width_ratios=(2, 1))
    rounds = np.arange(res.pg["none"].shape[1])
    for name, colour, label in (("none", "#d62728", "no punishment (public_goods)"),
                                ("punishment", "#1f77b4",
                                 "peer punishment (public_goods_punishment)")):
        lv = np.array(res.pg["levels"][name])
        ax.plot(rounds, lv[:, 0], "o-", color=colour, label=label)
        ax.fill_between(rounds, lv[:, 1], lv[:, 2], color=colour, alpha=0.25, lw=0)
        lo, hi, _ = PG_REFERENCE[name]
        ax.add_patch(plt.Rectangle((9.6, lo), 0.8, hi - lo, color=colour, alpha=0.15, lw=0))
    ax.add_patch(plt.Rectangle((0.6, 0.4), 0.8, 0.2, color="grey", alpha=0.2, lw=0,
                               label="lab reference ranges (EVIDENCE.md)"))
    ax.set(xlabel="round (month)", ylabel="mean contribution (commitment)", ylim=(0, 1),
           xticks=rounds)
    ax.set_title("Linear public-goods game: 4 players, MPCR 0.4 "
                 f"({res.pg['none'].shape[0]} replications, 95% CI)", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    sg = res.pg["sanction"]
    xs = list(sg)
    ax2.errorbar(xs, [sg[x][0] for x in xs], yerr=[[sg[x][0] - sg[x][1] for x in xs],
                                                  [sg[x][2] - sg[x][0] for x in xs]],
                 fmt="o-", color="#1f77b4", capsize=3)
    ax2.axvline(3.33, color="grey", ls=":", lw=1, label="chosen (3.33)")
    ax2.axhspan(*PG_REFERENCE["punishment"][:2], color="#1f77b4", alpha=0.12, lw=0)
    ax2.set(xlabel="scrutiny.sanction_strength", ylabel="round-10 mean contribution",
            ylim=(0, 1))
    ax2.set_title("Sensitivity to the sanction", fontsize=10)
    ax2.legend(fontsize=8)
    save(fig, "validation-public-goods.png")

    # Findings: forest plot of paired effects.
    rows = [c for c in res.checks if c.id[0].islower() and c.id not in ("f1", "h1")]
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(rows) + 1.4))
    y = np.arange(len(rows))[::-1]
    for yi, c in zip(y, rows, strict=True):
        colour = "#2ca02c" if c.passed else "#d62728"
        ax.errorbar(c.effect, yi, xerr=[[c.effect - c.lo], [c.hi - c.effect]], fmt="o",
                    color=colour, capsize=3)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, [f"{c.id} {c.title}: {c.short}" for c in rows], fontsize=8)
    ax.set(xlabel="paired effect A - B (claimed: > 0), mean and 95% CI")
    ax.set_title(f"The report's findings as paired effects ({res.config.replications} "
                 "replications)\ngreen = PASS, red = FAIL", fontsize=10)
    save(fig, "validation-findings.png")

    # Dynamics of each finding's first metric, A vs B.
    fig, axes = plt.subplots(2, 4, figsize=(13, 6))
    for ax, p in zip(axes.ravel(), PAIRS, strict=True):
        for side, colour, label in (("a", "#1f77b4", p.a_label), ("b", "#d62728", p.b_label)):
            m = res.dynamics[p.id][side]
            ax.plot(m.mean(axis=0), color=colour, label=label)
            ax.fill_between(np.arange(m.shape[1]), *np.quantile(m, [0.1, 0.9], axis=0),
                            color=colour, alpha=0.15, lw=0)
        ax.set_title(f"({p.id}) {p.title}", fontsize=9)
        ax.set_xlabel("month", fontsize=8)
        ax.set_ylabel(_series_of(p.metrics[0]), fontsize=8)
        ax.legend(fontsize=7)
        ax.tick_params(labelsize=7)
    fig.suptitle("A (blue) vs B (red): mean and 10-90% range of replications")
    save(fig, "validation-dynamics.png")

    # Monitoring maturity.
    fig, ax = plt.subplots(figsize=(7, 4))
    mo = res.monitoring
    ax.plot(mo["standards"], label="common data standards")
    ax.plot(mo["none"], label="no common standards")
    start = float(mo["standards"][0])
    ax.axhline(start + 0.5 * (1 - start), color="grey", ls=":", lw=1, label="half way to 1")
    if np.isfinite(mo["half"]):
        ax.axvline(mo["half"], color="grey", ls="--", lw=1,
                   label=f"reached at month {mo['half']:.0f}")
    ax.axvline(HALF_MONTHS_MIN, color="black", lw=0.6, label=f"{HALF_MONTHS_MIN} months")
    ax.set(xlabel="month", ylabel="shared monitoring maturity", ylim=(0, 1),
           title="A new partnership's shared monitoring (default preset, 0 years)")
    ax.legend(fontsize=8)
    save(fig, "validation-monitoring.png")

    # Trust: the kernel and the run-level asymmetry.
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    k = res.kernel
    ax1.plot(k["up"], "o-", color="#2ca02c", label="kept every month")
    ax1.plot(k["down"], "o-", color="#d62728", label="broken every month")
    ax1.set(xlabel="months", ylabel="trust", ylim=(0, 1),
            title=f"update_trust from {KERNEL_START} (gain {k['gain']}, loss {k['loss']})")
    ax1.legend(fontsize=8)
    ax2.hist(k["asym"][np.isfinite(k["asym"])], bins=30, color="#7f7f7f")
    ax2.axvline(0, color="black", lw=0.8)
    ax2.set(xlabel="mean fall - mean rise of monthly trust_in, per run",
            ylabel="replications", title="Falls vs rises in default runs")
    save(fig, "validation-trust.png")

    # Robustness.
    rob = [c for c in res.checks if c.robustness is not None]
    fig, ax = plt.subplots(figsize=(8, 0.38 * len(rob) + 1.2))
    y = np.arange(len(rob))[::-1]
    ax.barh(y, [c.robustness for c in rob],
            color=["#2ca02c" if c.robust_ok else "#d62728" for c in rob])
    ax.axvline(ROBUST_SHARE, color="black", ls="--", lw=1)
    ax.set_yticks(y, [f"{c.id} {c.title}" for c in rob], fontsize=8)
    ax.set(xlim=(0, 1), xlabel="share of Latin-hypercube points where the effect has the "
           "claimed sign", title=f"Robustness over {len(res.lhs)} points (target >= "
           f"{ROBUST_SHARE:.0%})")
    save(fig, "validation-robustness.png")
    return written


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "never"
    return f"{x:+.3f}" if abs(x) < 10 else f"{x:.0f}"


def render_markdown(res: Results) -> str:
    cfg = res.config
    n_pass = sum(c.passed for c in res.checks)
    lines = [
        "# Validation",
        "",
        "<!-- GENERATED by `lspsim validation`; do not edit by hand. -->",
        "",
        "Does the model's behaviour match what is known? Two kinds of evidence "
        "(sources in EVIDENCE.md): the laboratory's public-goods games, reproduced by the model's "
        "own decision core, and the Audit Commission's (2009) findings, each measured as a paired "
        "effect with a 95% interval and tested for robustness over uncertain parameters.",
        "",
        f"**{n_pass} of {len(res.checks)} checks pass.** Regenerate with "
        "`lspsim validation` (add `--quick` for a fast, less precise run).",
        "",
        f"Settings: {cfg.replications} replications per scenario; robustness over "
        f"{cfg.lhs_points} Latin-hypercube points x {cfg.lhs_replications} paired replications; "
        f"seeds {PG_SEED} (games), {SEED} (findings), {LHS_SEED} (hypercube). Run time "
        f"{res.seconds:.0f} s on {res.workers} worker(s); the numbers do not depend on the "
        "worker count.",
        "",
        "## Acceptance criteria (fixed before the runs)",
        "",
        "Public-goods game (round r = series `mean_commitment` at month r):",
        "",
        *[f"- **{k}** {v}" for k, v in PG_CRITERIA.items()],
        "",
        "Findings: " + PASS_RULE,
        "",
        "## Results",
        "",
        "| check | finding | measured effect | 95% CI | robustness | result |",
        "|---|---|---|---|---|---|",
    ]
    for c in res.checks:
        ci = "deterministic" if c.lo == c.hi else f"[{_fmt(c.lo)}, {_fmt(c.hi)}]"
        rob = "—" if c.robustness is None else f"{c.robustness:.0%}"
        verdict = "**PASS**" if c.passed else "**FAIL**"
        lines.append(f"| {c.id} | {c.title} | {_fmt(c.effect)} | {ci} | {rob} | {verdict} |")
    lines += [
        "",
        "![Robustness](img/validation-robustness.png)",
        "",
        "## 1. The decision core against the laboratory",
        "",
        "The presets `scenarios/public_goods.toml` and `scenarios/public_goods_punishment.toml` "
        "set only ordinary parameters; the model runs them through the same code as any "
        "partnership. The mapping:",
        "",
        "| game | model setting |",
        "|---|---|",
        "| 4 players, equal | a unitary council and police, health and fire (no voluntary or "
        "business partners), every kind's stakes 1, capacity 0.5, openness and data quality 1 |",
        "| strangers, no history | `years_of_joint_working = 0`, no ties at the start and none "
        "formed (`tie_growth = 0`), no turnover |",
        "| contribution, endowment 1 | commitment (0-1); `commitment.initial = 0.5` |",
        "| MPCR 0.4; a token costs a token | `return_on_commitment = 0.4`, `cost = 1`; no meeting "
        "or coordination cost, so the net incentive is 0.4 x voice - 1 < 0 |",
        "| contributions shown after each round | monitoring mature and open (maturity 1, "
        "openness 1), `observation_noise = 0` |",
        "| no leader | laissez-faire chair and board (pull 0), `council_dominance = 0` |",
        "| one round | one month; ten rounds = `months = 10` |",
        "| player types | `conditional_share = 0.5`, `conditional_slope = 0.85`, "
        "`free_rider_slope = 0.2` (Fischbacher et al. 2001: ~50% conditional co-operators, ~30% "
        "free riders, ~14% hump-shaped: (0.3 x 0 + 0.2 x 0.5) / 0.5 = 0.2); "
        "`adjustment_rate = 1` and the laissez-faire style's `speed = 1` (each round a fresh "
        "decision) |",
        "| belief before round 1 | month 0, `commitment.initial = 0.5`: an input, not a "
        "decision; month r is round r |",
        "| peer punishment | from round 2 (an event at month 2: nobody is punished for the "
        "belief), scrutiny every month, engagement and training 1, `memory = 0`, "
        "`aspiration = 1`, `sanction_strength = 3.33`: the review's bite is 1 x 1 x 0.3 "
        "(laissez-faire challenge), so a unit of visible shortfall is answered by a unit of "
        "pressure, more than the 0.6 a withheld unit saves. Chosen before any run. |",
        "",
        "The two presets differ only in that event (a test checks this).",
        "",
        "![Public goods](img/validation-public-goods.png)",
        "",
    ]
    lv = res.pg["levels"]
    lines += ["| round | no punishment: mean [95% CI] | with punishment: mean [95% CI] |",
              "|---|---|---|"]
    for r in range(len(lv["none"])):
        a, b = lv["none"][r], lv["punishment"][r]
        lines.append(f"| {r} | {a[0]:.3f} [{a[1]:.3f}, {a[2]:.3f}] | "
                     f"{b[0]:.3f} [{b[1]:.3f}, {b[2]:.3f}] |")
    lines.append("")
    ratio = res.pg["ratio"]
    lines += [
        "How to read round 1: month 0 is `commitment.initial = 0.5`, an input standing for "
        "what each player believes the others will give. The model's first decision (month 1) "
        "is taken on that belief and closes the whole gap to what the player wants, so it is "
        "the laboratory's round-1 decision (lspsim.validation.lab).",
        "",
        f"Decay without punishment, round to round (mean contribution in round r over round "
        f"r - 1): {', '.join(f'{x:.2f}' for x in ratio)}. A fall from about 0.5 in round 1 to "
        "0.1-0.2 in round 10 (Fehr & Gaechter 2000) is a ratio of about "
        f"{(0.1 / 0.5) ** (1 / 9):.2f}-{(0.2 / 0.5) ** (1 / 9):.2f} a round.",
        "",
        "Sensitivity of the punished game to `scrutiny.sanction_strength` (the one value chosen "
        "by judgement; everything else as in `public_goods_punishment`), round-10 mean [95% CI]: "
        + "; ".join(f"{k:g}: {v[0]:.3f} [{v[1]:.3f}, {v[2]:.3f}]"
                    for k, v in res.pg["sanction"].items()) + ".",
        "",
    ]
    for name in ("none", "punishment"):
        lo, hi, text = PG_REFERENCE[name]
        v = lv[name][-1][0]
        where = "within" if lo <= v <= hi else ("below" if v < lo else "above")
        lines.append(f"- Reference (not a pass/fail criterion): {text}; the model gives "
                     f"{v:.3f} at round 10, {where} that range.")
    lines.append("")
    for c in res.checks:
        if c.id.startswith("P"):
            lines += _check_block(c)
    lines += lab_section(res)  # i12v1: quantitative patterns and the shipped calibration
    lines += [
        "## 2. The report's findings as patterns",
        "",
        "Each finding compares scenario A with scenario B, both the `default` preset with one "
        "lever changed, over paired replications with common random numbers (replication k of A "
        "and of B use the same seed stream). The effect is the mean of A - B at month 36 with a "
        "two-sided 95% t interval.",
        "",
        "Robustness: the same paired comparison at each point of a seeded Latin hypercube "
        f"(scipy.stats.qmc, seed {LHS_SEED}) over these uncertain parameters, within their schema "
        "bounds:",
        "",
        "| parameter | range | why |",
        "|---|---|---|",
        *[f"| `{p}` | {lo:g} - {hi:g} | {why} |" for p, (lo, hi, why) in LHS_RANGES.items()],
        "",
        "![Findings](img/validation-findings.png)",
        "",
        "![Dynamics](img/validation-dynamics.png)",
        "",
    ]
    for p in PAIRS:
        lines.append(f"- **({p.id})** A = {p.a_label} `{_key(p.a)}`; B = {p.b_label} "
                     f"`{_key(p.b)}`")
    lines.append("")
    for c in res.checks:
        if not c.id.startswith("P"):
            lines += _check_block(c)
            if c.id == "f1":
                lines += ["![Monitoring](img/validation-monitoring.png)", ""]
            if c.id == "h2":
                lines += ["![Trust](img/validation-trust.png)", ""]
    return "\n".join(lines).rstrip() + "\n"


def _check_block(c: Check) -> list[str]:
    ci = ("deterministic (no random input)" if c.lo == c.hi
          else f"95% CI [{_fmt(c.lo)}, {_fmt(c.hi)}]")
    rob = ("" if c.robustness is None else
           f"; robustness {c.robustness:.0%} of hypercube points "
           f"({'meets' if c.robust_ok else 'misses'} the {ROBUST_SHARE:.0%} target)")
    return [f"### {c.id} {c.title}: {'PASS' if c.passed else 'FAIL'}", "",
            f"- Claim: {c.claim}", f"- Source: {c.source}",
            f"- Measured: {c.measure} = **{_fmt(c.effect)}**, {ci}{rob}.",
            f"- Figure: [{c.figure}]({c.figure})", ""]


def write_docs(res: Results, out: str | Path) -> Path:
    """Write validation.md and img/validation-*.png under ``out``; every file appears whole (built
    in a temporary directory first, then moved into place)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".validation.", dir=out))
    try:
        (tmp / "img").mkdir()
        names = _figures(res, tmp / "img")
        (tmp / "validation.md").write_text(render_markdown(res))
        (out / "img").mkdir(exist_ok=True)
        for n in names:
            os.replace(tmp / "img" / n, out / "img" / n)
        os.replace(tmp / "validation.md", out / "validation.md")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out / "validation.md"
