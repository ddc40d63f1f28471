"""The Morris ranking of a screening sweep: which levers matter, in order, and does one dominate?

For each metric the levers are ranked by mu* (the mean absolute elementary effect, per full
range of the lever). Beside each: its bootstrap 95% CI, sigma (interactions and
non-linearity), the ratio of its mu* to the next lever's, whether its mu* stands clear of the
replication-noise floor (the mu* a lever with no effect would get from replication noise
alone: lspsim.sweep.analysis.morris_noise_floor) and the schema's evidence status of the
parameters it sets (``sourced`` or ``assumed``: lspsim.scenario.evidence_status).

The dominance check is issue 12's criterion: a lever whose mu* exceeds ``DOMINANCE`` times the
next one's carries the metric largely on its own, which the docs must explain (a constant that
encodes an outcome rather than a mechanism that produces it). It is flagged, with whether the
CIs agree (the top lever's CI low end above ``DOMINANCE`` times the next one's high end) or
only the point estimates do.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

# Issue 12, "Done when": no single constant's mu* may exceed twice the next one's unexplained.
DOMINANCE = 2.0

COLUMNS = ["metric", "rank", "parameter", "mu_star", "mu_star_ci_low", "mu_star_ci_high",
           "sigma", "ratio_to_next", "noise_floor", "clear_of_noise", "evidence", "source"]


def evidence_of(paths: list[str]) -> tuple[str, str]:
    """(status, source) of the parameters a lever sets: ``sourced``, ``assumed``, ``mixed`` or
    ``""`` (choices and switches, which describe an area rather than estimate a quantity)."""
    from lspsim.scenario import evidence_status, parameter_paths

    known = parameter_paths()
    found = [evidence_status(p) for p in paths if p in known]
    kinds = {s.split(":", 1)[0] for s in found}
    sources = sorted({s.split(": ", 1)[1] for s in found if ": " in s})
    if not kinds:
        return "", ""
    return (kinds.pop() if len(kinds) == 1 else "mixed"), "; ".join(sources)


def _finite(v: Any) -> float | None:
    """JSON-safe: NaN and infinity (no floor; a next lever with mu* 0) become None."""
    v = float(v)
    return v if math.isfinite(v) else None


def _ratio(a: float, b: float) -> float:
    if b > 0:
        return a / b
    return math.inf if a > 0 else math.nan


def morris_ranking(sens: pd.DataFrame, floors: dict[str, float] | None = None,
                   paths: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """One row per metric and lever, ranked by mu* (COLUMNS).

    Args:
        sens: Morris indices as lspsim.sweep.analysis.sensitivity returns them (metric,
            parameter, mu_star, its CI bounds, sigma).
        floors: per metric, the mu* replication noise alone gives (absent: no floor, NaN).
        paths: per lever (factor name), the Scenario paths it sets (default: the name itself).
    """
    floors = floors or {}
    paths = paths or {}
    rows: list[dict[str, Any]] = []
    for metric, s in sens.groupby("metric", sort=False):
        s = s.sort_values(["mu_star", "parameter"], ascending=[False, True])
        mu = s["mu_star"].to_numpy(dtype=float)
        floor = float(floors.get(metric, math.nan))
        for i, r in enumerate(s.itertuples(index=False)):
            status, source = evidence_of(paths.get(r.parameter, [r.parameter]))
            rows.append({
                "metric": metric, "rank": i + 1, "parameter": r.parameter,
                "mu_star": r.mu_star, "mu_star_ci_low": r.mu_star_ci_low,
                "mu_star_ci_high": r.mu_star_ci_high, "sigma": r.sigma,
                "ratio_to_next": _ratio(mu[i], mu[i + 1]) if i + 1 < len(mu) else math.nan,
                "noise_floor": floor,
                # the CI's low end above the floor: the lever is told apart from noise
                "clear_of_noise": bool(np.isfinite(floor) and r.mu_star_ci_low > floor),
                "evidence": status, "source": source})
    return pd.DataFrame(rows, columns=COLUMNS)


def dominance(ranking: pd.DataFrame, factor: float = DOMINANCE) -> list[dict[str, Any]]:
    """Per metric whose top lever's mu* exceeds ``factor`` times the next one's: the two levers,
    their mu* and CIs, the ratio, and whether the CIs confirm it (``by_ci``)."""
    out = []
    for metric, s in ranking.groupby("metric", sort=False):
        if len(s) < 2:
            continue
        top, nxt = s.iloc[0], s.iloc[1]
        if not top["mu_star"] > factor * nxt["mu_star"]:
            continue
        out.append({"metric": metric, "top": top["parameter"], "next": nxt["parameter"],
                    "mu_star": float(top["mu_star"]), "next_mu_star": float(nxt["mu_star"]),
                    "ratio": _finite(top["ratio_to_next"]),
                    "ci": (float(top["mu_star_ci_low"]), float(top["mu_star_ci_high"])),
                    "next_ci": (float(nxt["mu_star_ci_low"]), float(nxt["mu_star_ci_high"])),
                    "by_ci": bool(top["mu_star_ci_low"] > factor * nxt["mu_star_ci_high"]),
                    "evidence": top["evidence"] or "a choice",
                    "noise_floor": _finite(top["noise_floor"])})
    return out


def _times(r: float | None) -> str:
    if r is None or math.isinf(r):  # the next lever's mu* is 0
        return "infinitely many times"
    return "an undefined multiple (both 0) of" if math.isnan(r) else f"{r:.2f} times"


def dominance_lines(ranking: pd.DataFrame, factor: float = DOMINANCE) -> list[str]:
    """One plain sentence per metric: which lever dominates, or that none does."""
    flagged = {d["metric"]: d for d in dominance(ranking, factor)}
    lines = []
    for metric, s in ranking.groupby("metric", sort=False):
        if metric in flagged:
            d = flagged[metric]
            lines.append(
                f"FLAG {metric}: `{d['top']}` ({d['evidence']}) has mu* {d['mu_star']:#.3g} "
                f"[{d['ci'][0]:#.3g}, {d['ci'][1]:#.3g}], {_times(d['ratio'])} the next lever's "
                f"(`{d['next']}`, {d['next_mu_star']:#.3g} [{d['next_ci'][0]:#.3g}, "
                f"{d['next_ci'][1]:#.3g}]); "
                + ("the CIs confirm it" if d["by_ci"] else "the CIs overlap that ratio")
                + f": one lever carries {metric} more than {factor:g} times as much as any "
                "other; the docs must say why")
        elif len(s) >= 2:
            top = s.iloc[0]
            lines.append(f"{metric}: no lever dominates (the top one, `{top['parameter']}`, "
                         f"has {_times(top['ratio_to_next'])} the next one's mu*; the "
                         f"threshold is {factor:g})")
    return lines


def ranking_markdown(ranking: pd.DataFrame, top: int = 15) -> list[str]:
    """The summary.md section: the dominance lines, then each metric's top levers."""
    from lspsim.sweep.analysis import markdown_table

    lines = ["## Morris ranking", "",
             f"Levers by mu* (95% bootstrap CI), sigma, the ratio of each mu* to the next "
             f"one's, whether the CI clears the replication-noise floor and the parameter's "
             f"evidence status in the schema. A lever whose mu* is over {DOMINANCE:g} times "
             "the next one's is flagged. All levers: `morris_ranking.csv`.", ""]
    lines += [f"- {s}" for s in dominance_lines(ranking)]
    for metric, s in ranking.groupby("metric", sort=False):
        floor = s["noise_floor"].iloc[0]
        clear = int(s["clear_of_noise"].sum())
        shown = s.head(top).copy()
        shown["mu* [95% CI]"] = [f"{a:#.3g} [{b:#.3g}, {c:#.3g}]" for a, b, c in zip(
            shown["mu_star"], shown["mu_star_ci_low"], shown["mu_star_ci_high"], strict=True)]
        shown["clear of noise"] = np.where(shown["clear_of_noise"], "yes", "no")
        shown["mu* / next"] = ["" if np.isnan(r) else "inf" if np.isinf(r) else f"{r:.2f}"
                               for r in shown["ratio_to_next"]]
        shown = shown[["rank", "parameter", "mu* [95% CI]", "sigma", "mu* / next",
                       "clear of noise", "evidence"]]
        lines += ["", f"### {metric}", "",
                  (f"Noise floor {floor:#.3g}: {clear} of {len(s)} levers clear it."
                   if np.isfinite(floor) else "No noise floor (one replication per point)."),
                  "", markdown_table(shown, digits=3)]
        if len(s) > top:
            lines.append(f"\n{len(s) - top} more in morris_ranking.csv.")
    return lines + [""]
