"""Have the sensitivity indices converged, and how much of the variance is replication noise?

* **Nested subsamples.** A Saltelli sample of base size N is N blocks of (D + 2) rows (2D + 2
  with second order); its first n blocks, n a power of 2, are themselves a valid (balanced)
  Saltelli sample. A Morris sample is r trajectories of D + 1 rows; its first k trajectories are
  a Morris sample too. SALib analyses each prefix, with its bootstrap confidence intervals.
* **Verdict.** Sobol': converged when, at the full sample, every S1 and ST 95% CI half-width is
  at most ``tol`` and no ST moved by more than ``tol`` since half the sample. Morris: when every
  mu* CI half-width is at most ``rel_tol`` of the largest mu* and the ranking of the levers whose
  mu* is above that tolerance did not change since half the trajectories. Otherwise the runs
  needed follow from CI half-widths shrinking as 1/sqrt(sample size) (Sarrazin et al. 2016 use
  the same criteria for screening and ranking).
* **Replication noise.** With R replications per design point, a one-way random-effects split of
  the variance of single runs into the variance between design points (the levers' doing) and
  within them (replication noise): ``var_runs = var_between + var_within``. The indices are
  computed on point means, whose variance still holds ``var_within / R`` of noise; the table
  says how much.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


def _steps(n_full: int, min_n: int) -> list[int]:
    """Powers of two from ``min_n`` up to ``n_full`` (always including ``n_full``)."""
    out = []
    n = n_full
    while n >= min_n:
        out.append(n)
        if n % 2:
            break
        n //= 2
    return sorted(out)


def sobol_convergence(y: np.ndarray, factors: list[str], second_order: bool = False,
                      seed: int = 0, min_n: int = 16, num_resamples: int = 300
                      ) -> pd.DataFrame:
    """S1 and ST with bootstrap CI half-widths on nested base samples n = min_n ... N."""
    from SALib.analyze import sobol

    d = len(factors)
    block = 2 * d + 2 if second_order else d + 2
    n_full = len(y) // block
    problem = {"num_vars": d, "names": factors, "bounds": [[0.0, 1.0]] * d}
    rows = []
    for n in _steps(n_full, min(min_n, n_full)):
        res = sobol.analyze(problem, y[: n * block], calc_second_order=second_order,
                            conf_level=0.95, num_resamples=num_resamples, seed=seed)
        for j, f in enumerate(factors):
            rows.append({"parameter": f, "n_base": n, "runs_per_replication": n * block,
                         "S1": res["S1"][j], "S1_half": res["S1_conf"][j],
                         "ST": res["ST"][j], "ST_half": res["ST_conf"][j]})
    return pd.DataFrame(rows)


def morris_convergence(x: np.ndarray, y: np.ndarray, factors: list[str], levels: int,
                       seed: int = 0, min_r: int = 4, num_resamples: int = 300
                       ) -> pd.DataFrame:
    """mu* with bootstrap CI half-widths on nested sets of the first r trajectories."""
    from SALib.analyze import morris

    d = len(factors)
    r_full = len(y) // (d + 1)
    problem = {"num_vars": d, "names": factors, "bounds": [[0.0, 1.0]] * d}
    rows = []
    for r in _steps(r_full, min(min_r, r_full)):
        k = r * (d + 1)
        res = morris.analyze(problem, x[:k], y[:k], num_resamples=num_resamples,
                             conf_level=0.95, num_levels=levels, seed=seed)
        for j, f in enumerate(factors):
            rows.append({"parameter": f, "trajectories": r, "runs_per_replication": k,
                         "mu_star": res["mu_star"][j], "mu_star_half": res["mu_star_conf"][j],
                         "sigma": res["sigma"][j]})
    return pd.DataFrame(rows)


def _pow2_at_least(v: float) -> int:
    return 1 << max(0, math.ceil(math.log2(max(v, 1.0))))


def sobol_verdict(conv: pd.DataFrame, tol: float = 0.05, block: int = 1,
                  replications: int = 1) -> dict[str, Any]:
    """Converged or not at the full sample, and the base size N (and extra runs) needed."""
    steps = sorted(conv["n_base"].unique())
    full = conv[conv["n_base"] == steps[-1]].set_index("parameter")
    half = float(np.nanmax(np.r_[full["S1_half"], full["ST_half"]]))
    drift = float("nan")
    if len(steps) > 1:
        prev = conv[conv["n_base"] == steps[-2]].set_index("parameter")
        drift = float(np.nanmax(np.abs(full["ST"] - prev.loc[full.index, "ST"])))
    n = int(steps[-1])
    ok = half <= tol and (not np.isfinite(drift) or drift <= tol) and len(steps) > 1
    need = n if ok else max(2 * n, _pow2_at_least(n * (half / tol) ** 2))
    return {"converged": bool(ok), "n_base": n, "max_ci_half_width": half,
            "max_st_change_since_half": drift, "tolerance": tol, "n_base_needed": need,
            "more_runs_needed": int((need - n) * block * replications)}


def morris_verdict(conv: pd.DataFrame, rel_tol: float = 0.1, per_trajectory: int = 1,
                   replications: int = 1) -> dict[str, Any]:
    steps = sorted(conv["trajectories"].unique())
    full = conv[conv["trajectories"] == steps[-1]].set_index("parameter")
    top = float(full["mu_star"].max())
    tol = rel_tol * top if top > 0 else 0.0
    half = float(full["mu_star_half"].max())
    stable = True
    if len(steps) > 1 and top > 0:
        prev = conv[conv["trajectories"] == steps[-2]].set_index("parameter")
        keep = full.index[full["mu_star"] > tol]
        rank_now = list(full.loc[keep, "mu_star"].sort_values(ascending=False).index)
        rank_prev = list(prev.loc[keep, "mu_star"].sort_values(ascending=False).index)
        stable = rank_now == rank_prev
    r = int(steps[-1])
    ok = (top == 0 or half <= tol) and stable and len(steps) > 1
    need = r if ok else max(2 * r, math.ceil(r * (half / tol) ** 2) if tol > 0 else 2 * r)
    return {"converged": bool(ok), "trajectories": r, "max_ci_half_width": half,
            "relative_tolerance": rel_tol, "ranking_stable_since_half": bool(stable),
            "trajectories_needed": int(need),
            "more_runs_needed": int((need - r) * per_trajectory * replications)}


def variance_split(runs: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Per metric: variance of single runs split into between design points (parametric) and
    within them (replication noise), by one-way random-effects ANOVA (method of moments)."""
    ok = runs[runs["status"] == "ok"]
    rows = []
    for m in metrics:
        g = ok.groupby("point")[m]
        n = g.count()
        multi = n > 1
        if not multi.any():
            continue
        within = float((g.var(ddof=1)[multi] * (n[multi] - 1)).sum() / (n[multi] - 1).sum())
        means = g.mean()
        r_bar = float(n.mean())
        between = max(0.0, float(means.var(ddof=1)) - within / r_bar)
        total = between + within
        rows.append({"metric": m, "replications_per_point": r_bar,
                     "var_between_points": between, "var_replication": within,
                     "replication_share_of_run_variance": within / total if total else np.nan,
                     "noise_share_of_point_mean_variance":
                         (within / r_bar) / float(means.var(ddof=1))
                         if float(means.var(ddof=1)) > 0 else np.nan})
    return pd.DataFrame(rows)


def convergence(kind: str, design: pd.DataFrame, points: pd.DataFrame, runs: pd.DataFrame,
                factors: list[str], metrics: list[str], seed: int, replications: int,
                levels: int = 4, second_order: bool = False, tol: float = 0.05,
                rel_tol: float = 0.1) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Nested-subsample indices (all metrics), a verdict per metric and the variance split.
    Returns (convergence table, verdict table, sentences)."""
    tables, verdicts, lines = [], [], []
    d = len(factors)
    for m in metrics:
        y = points[f"{m}_mean"].to_numpy(dtype=float)
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
            continue
        if kind == "sobol":
            block = 2 * d + 2 if second_order else d + 2
            conv = sobol_convergence(y, factors, second_order, seed)
            v = sobol_verdict(conv, tol, block, replications)
            lines.append(
                f"{m}: Sobol' indices " + ("have converged" if v["converged"] else
                                           "have NOT converged")
                + f" at N = {v['n_base']} (largest 95% CI half-width "
                f"{v['max_ci_half_width']:.3f}, largest ST change since N = "
                f"{v['n_base'] // 2}: {v['max_st_change_since_half']:.3f}; tolerance {tol})"
                + ("" if v["converged"] else f"; about N = {v['n_base_needed']} is needed: "
                   f"{v['more_runs_needed']} more runs"))
        elif kind == "morris":
            x = design[[f"unit:{f}" for f in factors]].to_numpy(dtype=float)
            conv = morris_convergence(x, y, factors, levels, seed)
            v = morris_verdict(conv, rel_tol, d + 1, replications)
            lines.append(
                f"{m}: Morris mu* " + ("has converged" if v["converged"] else
                                       "has NOT converged")
                + f" with {v['trajectories']} trajectories (largest 95% CI half-width "
                f"{v['max_ci_half_width']:.3g}, ranking "
                + ("stable" if v["ranking_stable_since_half"] else "changed")
                + f" since half of them; tolerance {rel_tol:.0%} of the largest mu*)"
                + ("" if v["converged"] else f"; about {v['trajectories_needed']} trajectories "
                   f"are needed: {v['more_runs_needed']} more runs"))
        else:
            continue
        conv.insert(0, "metric", m)
        tables.append(conv)
        verdicts.append({"metric": m, **v})
    split = variance_split(runs, metrics)
    for row in split.itertuples(index=False):
        lines.append(
            f"{row.metric}: replication noise is {row.replication_share_of_run_variance:.0%} "
            "of the variance of single runs (the rest is the levers' doing); averaging "
            f"{row.replications_per_point:g} replications leaves "
            f"{row.noise_share_of_point_mean_variance:.1%} noise in the point means the "
            "indices use")
    conv_df = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    verdict_df = pd.DataFrame(verdicts)
    if not split.empty:
        verdict_df = (verdict_df.merge(split, on="metric", how="outer") if not verdict_df.empty
                      else split)
    return conv_df, verdict_df, lines


def convergence_figure(conv: pd.DataFrame, metric: str, top: int = 6) -> Any:
    """Indices against the sample size with their 95% CIs (the top levers at full size)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    c = conv[conv["metric"] == metric]
    sobol = "ST" in c
    size, key, half = (("n_base", "ST", "ST_half") if sobol
                       else ("trajectories", "mu_star", "mu_star_half"))
    full = c[c[size] == c[size].max()].sort_values(key, ascending=False)
    fig, ax = plt.subplots(figsize=(7, 4.4))
    for p in full["parameter"].head(top):
        s = c[c["parameter"] == p].sort_values(size)
        ax.errorbar(s[size], s[key], yerr=s[half], marker="o", capsize=3, label=p)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("base sample N" if sobol else "Morris trajectories")
    ax.set_ylabel(f"{key} (95% bootstrap CI)")
    ax.set_title(f"Convergence of {key} for {metric}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
