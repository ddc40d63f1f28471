"""Analysing a finished sweep: per-point means with 95% CIs over replications, Sobol' indices
(SALib, with bootstrap CIs) for ``sobol`` designs, Morris mu*/sigma for ``morris`` designs,
figures (main effects, a two-lever interaction heatmap, sensitivity bars), CSV and Markdown;
for ``morris`` designs also the ranking of the levers with the dominance check
(lspsim.sweep.ranking).

Sensitivity indices are computed on the per-point mean over replications, against the unit
coordinates of the design: levers are compared over their whole sampled ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from lspsim import stats
from lspsim.errors import InputError
from lspsim.io import atomic_output_dir, check_output_dir, write_json

MAX_MD_ROWS = 60
MAX_PANELS = 12


@dataclass
class Analysis:
    """What ``analyse`` produced: the output folder and its main tables."""

    out: Path
    points: pd.DataFrame
    sensitivity: pd.DataFrame | None
    notes: list[str]
    ranking: pd.DataFrame | None = None  # Morris designs: lspsim.sweep.ranking.morris_ranking


def point_summary(runs: pd.DataFrame, factors: list[str], metrics: list[str],
                  level: float = 0.95) -> pd.DataFrame:
    """Per design point: factor values, runs ok/failed, and each metric's mean, sd and t-based
    CI over its successful replications (lspsim.stats.mean_ci, vectorised)."""
    ok = runs[runs["status"] == "ok"]
    first = runs.groupby("point", sort=True)[factors].first()
    out = first.copy()
    out["runs_ok"] = ok.groupby("point").size().reindex(out.index, fill_value=0)
    out["runs_failed"] = (runs.groupby("point").size() - out["runs_ok"]).astype(int)
    g = ok.groupby("point")[metrics]
    mean, sd, n = g.mean(), g.std(ddof=1), g.count()
    for m in metrics:
        mm = mean[m].reindex(out.index)
        nn = n[m].reindex(out.index, fill_value=0)
        ss = sd[m].reindex(out.index)
        half = stats.half_width(ss, nn, level)
        half = half.where(nn > 1)
        out[f"{m}_mean"] = mm
        out[f"{m}_sd"] = ss.where(nn > 1)
        out[f"{m}_ci_low"] = mm - half
        out[f"{m}_ci_high"] = mm + half
    return out.reset_index()


def sensitivity(kind: str, design: pd.DataFrame, points: pd.DataFrame, factors: list[str],
                metrics: list[str], seed: int, levels: int = 4, second_order: bool = False,
                notes: list[str] | None = None) -> pd.DataFrame | None:
    """SALib indices per metric and factor, or None for designs without them."""
    if kind not in ("sobol", "morris"):
        return None
    notes = notes if notes is not None else []
    problem = {"num_vars": len(factors), "names": factors, "bounds": [[0.0, 1.0]] * len(factors)}
    rows: list[dict[str, Any]] = []
    for m in metrics:
        y = points[f"{m}_mean"].to_numpy(dtype=float)
        noise = _noise_note(kind, points, m, levels)
        if noise:
            notes.append(noise)
        if not np.all(np.isfinite(y)):
            bad = int((~np.isfinite(y)).sum())
            notes.append(f"{m}: no indices ({bad} design points have no successful run)")
            continue
        if np.ptp(y) == 0:
            notes.append(f"{m}: constant over the design, every index is 0")
        if kind == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=second_order, conf_level=0.95,
                                num_resamples=1000, seed=seed)
            for j, f in enumerate(factors):
                rows.append({"metric": m, "parameter": f,
                             "S1": res["S1"][j], "S1_ci_low": res["S1"][j] - res["S1_conf"][j],
                             "S1_ci_high": res["S1"][j] + res["S1_conf"][j],
                             "ST": res["ST"][j], "ST_ci_low": res["ST"][j] - res["ST_conf"][j],
                             "ST_ci_high": res["ST"][j] + res["ST_conf"][j]})
        else:
            from SALib.analyze import morris

            x = design[[f"unit:{f}" for f in factors]].to_numpy(dtype=float)
            res = morris.analyze(problem, x, y, num_resamples=1000, conf_level=0.95,
                                 num_levels=levels, seed=seed)
            for j, f in enumerate(factors):
                rows.append({"metric": m, "parameter": f, "mu": res["mu"][j],
                             "mu_star": res["mu_star"][j],
                             "mu_star_ci_low": res["mu_star"][j] - res["mu_star_conf"][j],
                             "mu_star_ci_high": res["mu_star"][j] + res["mu_star_conf"][j],
                             "sigma": res["sigma"][j]})
    return pd.DataFrame(rows) if rows else None


def morris_noise_floor(se2: float, levels: int) -> float:
    """Expected mu* of a lever with no effect: |difference of two noisy point means| / delta."""
    delta = levels / (2 * (levels - 1))
    return float(np.sqrt(2 / np.pi) * np.sqrt(2 * se2) / delta)


def _point_noise(points: pd.DataFrame, m: str) -> float | None:
    """Variance of a point mean from replication noise alone (None: no replicated point)."""
    n = points["runs_ok"].to_numpy(dtype=float)
    sd = points[f"{m}_sd"].to_numpy(dtype=float)
    ok = np.isfinite(sd) & (n > 1)
    return float(np.mean(sd[ok] ** 2 / n[ok])) if ok.any() else None


def noise_floors(points: pd.DataFrame, metrics: list[str], levels: int) -> dict[str, float]:
    """Per metric, the Morris mu* of a lever with no effect (metrics without replication left
    out)."""
    out = {}
    for m in metrics:
        se2 = _point_noise(points, m)
        if se2 is not None:
            out[m] = morris_noise_floor(se2, levels)
    return out


def _noise_note(kind: str, points: pd.DataFrame, m: str, levels: int) -> str | None:
    """How much of the sensitivity signal replication noise alone would produce."""
    se2 = _point_noise(points, m)
    if se2 is None:
        return None
    if kind == "morris":
        floor = morris_noise_floor(se2, levels)
        return (f"{m}: replication noise alone gives mu* of about {floor:.3g}; levers near it "
                "are not distinguishable from noise (more replications lower it)")
    var = float(np.nanvar(points[f"{m}_mean"].to_numpy(dtype=float)))
    if var > 0:
        share = se2 / var
        shown = "under 1%" if share < 0.01 else f"about {share:.0%}"
        return (f"{m}: replication noise is {shown} of the variance of the point means; "
                "every total-order index ST is inflated by about that much (more replications "
                "lower it)")
    return None


def _ranked(sens: pd.DataFrame | None, metric: str, factors: list[str]) -> list[str]:
    if sens is None or sens.empty or metric not in set(sens["metric"]):
        return factors
    key = "ST" if "ST" in sens else "mu_star"
    s = sens[sens["metric"] == metric].sort_values(key, ascending=False)
    return list(s["parameter"])


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _levels(s: pd.Series, bins: int) -> pd.Series:
    """Grid levels as they are; many distinct numeric values binned into quantiles (midpoint)."""
    if not _is_numeric(s) or s.nunique() <= bins:
        return s
    cut = pd.qcut(s, bins, duplicates="drop")
    return cut.map(lambda iv: iv.mid).astype(float)


def main_effects_figure(runs: pd.DataFrame, factors: list[str], metric: str,
                        kind: str = "grid") -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = runs[runs["status"] == "ok"]
    fs = factors[:MAX_PANELS]
    ncol = min(4, len(fs))
    nrow = -(-len(fs) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.4 * ncol, 2.8 * nrow), squeeze=False,
                             sharey=True)
    for ax, f in zip(axes.ravel(), fs, strict=False):
        lv = _levels(ok[f], 8)
        g = ok.groupby(lv, sort=True, observed=True)[metric]
        mean, sd, n = g.mean(), g.std(ddof=1), g.count()
        half = 1.96 * sd / np.sqrt(n)
        x = mean.index.to_numpy()
        if _is_numeric(pd.Series(x)):
            ax.errorbar(x.astype(float), mean.values, yerr=half.values, marker="o", capsize=3)
        else:
            pos = np.arange(len(x))
            ax.errorbar(pos, mean.values, yerr=half.values, marker="o", ls="none", capsize=3)
            ax.set_xticks(pos, [str(v) for v in x], rotation=30, ha="right", fontsize=8)
            ax.set_xlim(-0.6, len(x) - 0.4)
        ax.set_title(f, fontsize=9)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(fs):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel(metric)
    title = f"Main effects on {metric} (mean and 95% CI over runs at each level)"
    if kind == "morris":
        title += ("\nMorris points share trajectories: these marginal means are rough; "
                  "read mu* and sigma")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def interaction_figure(runs: pd.DataFrame, a: str, b: str, metric: str) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = runs[runs["status"] == "ok"]
    la, lb = _levels(ok[a], 6), _levels(ok[b], 6)
    table = (ok.groupby([la.rename("_a"), lb.rename("_b")], observed=True)[metric].mean()
             .unstack("_b"))
    fig, ax = plt.subplots(figsize=(7, 5.2))
    im = ax.imshow(table.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
    fmt = (lambda v: f"{v:.3g}" if isinstance(v, float) else str(v))  # noqa: E731
    ax.set_yticks(range(len(table.index)), [fmt(v) for v in table.index])
    ax.set_xticks(range(len(table.columns)), [fmt(v) for v in table.columns], rotation=30,
                  ha="right")
    ax.set_ylabel(a)
    ax.set_xlabel(b)
    vals = table.to_numpy(dtype=float)
    lo, hi = np.nanmin(vals), np.nanmax(vals)
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            v = vals[i, j]
            if np.isfinite(v):
                light = hi > lo and (v - lo) / (hi - lo) > 0.6
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8,
                        color="k" if light else "w")
    fig.colorbar(im, ax=ax, label=f"mean {metric}")
    ax.set_title(f"{metric}: {a} x {b}")
    fig.tight_layout()
    return fig


def sensitivity_figure(sens: pd.DataFrame, metric: str, floor: float | None = None) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = sens[sens["metric"] == metric]
    key = "ST" if "ST" in s else "mu_star"
    s = s.sort_values(key, ascending=True).tail(25)
    y = np.arange(len(s))
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.32 * len(s)))
    if key == "ST":
        h = 0.38
        for col, off, colour, label in (("S1", -h / 2, "#1f77b4", "first order S1"),
                                        ("ST", h / 2, "#ff7f0e", "total order ST")):
            err = np.vstack([s[col] - s[f"{col}_ci_low"], s[f"{col}_ci_high"] - s[col]])
            ax.barh(y + off, s[col], h, xerr=err, color=colour, label=label, capsize=2)
        ax.set_xlabel("Sobol' index (95% bootstrap CI)")
    else:
        err = np.vstack([s["mu_star"] - s["mu_star_ci_low"], s["mu_star_ci_high"] - s["mu_star"]])
        ax.barh(y - 0.2, s["mu_star"], 0.4, xerr=err, color="#1f77b4", label="mu*", capsize=2)
        ax.barh(y + 0.2, s["sigma"], 0.4, color="#ff7f0e", label="sigma")
        ax.set_xlabel(f"Morris elementary effects on {metric} per full range of the lever")
        if floor:
            ax.axvline(floor, color="grey", ls="--", lw=1, label="noise floor of mu*")
    ax.set_yticks(y, list(s["parameter"]), fontsize=8)
    ax.axvline(0, color="k", lw=0.6)
    ax.legend(loc="lower right")
    ax.set_title(f"Sensitivity of {metric}")
    fig.tight_layout()
    return fig


def markdown_table(df: pd.DataFrame, digits: int = 4) -> str:
    def cell(v: Any) -> str:
        if isinstance(v, float | np.floating):
            return "" if not np.isfinite(v) else f"{v:.{digits}g}"
        return str(v).replace("|", "\\|")

    head = "| " + " | ".join(str(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _read_sweep(store: Any) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """The manifest, runs and design of a complete sweep, checked: a broken folder is one
    InputError naming the file and what is wrong, never a traceback."""
    manifest = store.read_manifest()
    runs_path = store.path / "runs.parquet"
    if manifest.get("status") != "complete" or not runs_path.is_file():
        raise InputError(str(store.path), "status", manifest.get("status"), "a complete sweep "
                         "(finish it with `lspsim sweep EXPERIMENT --resume --out DIR`)")
    design = manifest.get("design")
    factors = design.get("factors") if isinstance(design, dict) else None
    if not (isinstance(factors, list) and all(isinstance(f, dict) and isinstance(
            f.get("name"), str) and "kind" in f for f in factors)
            and isinstance(design.get("kind"), str) and "points" in design):
        raise InputError(str(store.manifest_path), "design", None, "the design summary "
                         "`lspsim sweep` writes (a table with a list of factors)")
    if not (isinstance(manifest.get("metrics"), list) and manifest["metrics"]
            and isinstance(manifest.get("seed"), int)):
        raise InputError(str(store.manifest_path), "metrics/seed", None, "the metrics list "
                         "and integer seed `lspsim sweep` writes")
    lacking = [k for k in ("name", "experiment_hash", "replications", "months", "versions")
               if k not in manifest]
    if lacking or not isinstance(manifest["versions"], dict):
        raise InputError(str(store.manifest_path), ", ".join(lacking or ["versions"]), None,
                         "every field `lspsim sweep` writes into its manifest")
    frames = []
    for path in (runs_path, store.path / "design.parquet"):
        try:
            frames.append(pd.read_parquet(path))
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise InputError(str(path), "(file)", None, "a readable Parquet file written by "
                             f"`lspsim sweep` ({type(exc).__name__}: {exc})") from None
    runs, table = frames
    needed = ["point", "status", *manifest["metrics"], *(f["name"] for f in factors)]
    missing = [c for c in needed if c not in runs.columns]
    if missing or "point" not in table.columns:
        raise InputError(str(runs_path), "columns", None, "the columns the manifest names; "
                         f"missing: {', '.join(missing or ['point (design.parquet)'])}")
    return manifest, runs, table


def analyse(sweep_dir: str | Path, out: str | Path | None = None, *,
            force: bool = False) -> Analysis:
    """Summarise the sweep in ``sweep_dir``; write tables and figures to ``out``
    (default ``sweep_dir/analysis``), atomically. An existing analysis there is replaced only
    with ``force`` (lspsim.io.check_output_dir)."""
    import matplotlib.pyplot as plt

    from lspsim.sweep.store import SweepStore

    store = SweepStore(sweep_dir)
    manifest, runs, design = _read_sweep(store)
    target = check_output_dir(store.path / "analysis" if out is None else out, "analysis",
                              force=force)
    for f in manifest["design"]["factors"]:
        if f["kind"] != "numeric" and f.get("values"):
            # categories in the order the experiment gave them, not alphabetical
            order = list(dict.fromkeys(f["values"]))
            if set(runs[f["name"]].dropna()) <= set(order):
                runs[f["name"]] = pd.Categorical(runs[f["name"]], categories=order,
                                                 ordered=True)
    factors = [f["name"] for f in manifest["design"]["factors"]]
    metrics = list(manifest["metrics"])
    kind = manifest["design"]["kind"]
    notes: list[str] = []
    points = point_summary(runs, factors, metrics)
    sens = sensitivity(kind, design, points, factors, metrics, int(manifest["seed"]),
                       int(manifest["design"].get("levels", 4)),
                       bool(manifest["design"].get("second_order", False)), notes)
    conv, verdicts, conv_lines = _convergence(kind, design, points, runs, factors, metrics,
                                              manifest)
    notes += conv_lines
    failed = int((runs["status"] != "ok").sum())
    if failed:
        notes.append(f"{failed} of {len(runs)} runs failed; means use the successful ones")
    levels = int(manifest["design"].get("levels", 4))
    floors = noise_floors(points, metrics, levels) if kind == "morris" else {}
    ranking = None
    if kind == "morris" and sens is not None:
        from lspsim.sweep.ranking import dominance, morris_ranking

        ranking = morris_ranking(sens, floors, {f["name"]: list(f.get("paths") or [f["name"]])
                                                for f in manifest["design"]["factors"]})

    with atomic_output_dir(target, "analysis") as tmp:
        points.to_csv(tmp / "points.csv", index=False)
        if sens is not None:
            sens.to_csv(tmp / "sensitivity.csv", index=False)
        if ranking is not None:
            ranking.to_csv(tmp / "morris_ranking.csv", index=False)
        _write_convergence(tmp, conv, verdicts, metrics)
        for m in metrics[:4]:
            ranked = _ranked(sens, m, factors)
            fig = main_effects_figure(runs, ranked, m, kind)
            fig.savefig(tmp / f"main_effects_{m}.png", dpi=110)
            plt.close(fig)
            if sens is not None and m in set(sens["metric"]):
                fig = sensitivity_figure(sens, m, floors.get(m))
                fig.savefig(tmp / f"sensitivity_{m}.png", dpi=110)
                plt.close(fig)
        primary = metrics[0]
        pair = _ranked(sens, primary, factors)[:2]
        if len(pair) == 2:
            fig = interaction_figure(runs, pair[0], pair[1], primary)
            fig.savefig(tmp / "interaction.png", dpi=110)
            plt.close(fig)
        (tmp / "summary.md").write_text(_markdown(manifest, points, sens, factors, metrics,
                                                  notes, len(runs), failed, ranking))
        extra = {} if ranking is None else {"morris_dominance": dominance(ranking)}
        write_json(tmp / "analysis.json", {"sweep": str(store.path), "kind": kind,
                                           "runs": len(runs), "failed": failed, "notes": notes,
                                           "experiment_hash": manifest["experiment_hash"],
                                           **extra})
    return Analysis(target, points, sens, notes, ranking)


def _convergence(kind: str, design: pd.DataFrame, points: pd.DataFrame, runs: pd.DataFrame,
                 factors: list[str], metrics: list[str], manifest: dict[str, Any]
                 ) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Convergence of the indices and the replication-noise split (lspsim.sweep.convergence)."""
    from lspsim.sweep.convergence import convergence

    d = manifest["design"]
    return convergence(kind, design, points, runs, factors, metrics, int(manifest["seed"]),
                       int(manifest["replications"]), int(d.get("levels", 4)),
                       bool(d.get("second_order", False)))


def _write_convergence(tmp: Path, conv: pd.DataFrame, verdicts: pd.DataFrame,
                       metrics: list[str]) -> None:
    import matplotlib.pyplot as plt

    from lspsim.sweep.convergence import convergence_figure

    if not conv.empty:
        conv.to_csv(tmp / "convergence.csv", index=False)
        for m in metrics[:4]:
            if m in set(conv["metric"]):
                fig = convergence_figure(conv, m)
                fig.savefig(tmp / f"convergence_{m}.png", dpi=110)
                plt.close(fig)
    if not verdicts.empty:
        verdicts.to_csv(tmp / "convergence_verdict.csv", index=False)


def _markdown(manifest: dict[str, Any], points: pd.DataFrame, sens: pd.DataFrame | None,
              factors: list[str], metrics: list[str], notes: list[str], n_runs: int,
              failed: int, ranking: pd.DataFrame | None = None) -> str:
    d = manifest["design"]
    lines = [f"# Sweep {manifest['name']}", "", manifest.get("description", ""), "",
             f"- design: {d['kind']}, {d['points']} points x {manifest['replications']} "
             f"replications = {n_runs} runs of {manifest['months']} months ({failed} failed)",
             f"- seed {manifest['seed']}; experiment hash `{manifest['experiment_hash'][:16]}`",
             f"- lspsim {manifest['versions'].get('lspsim')}, mesa "
             f"{manifest['versions'].get('mesa')}, python {manifest['versions'].get('python')}",
             ""]
    lines += [f"- note: {n}" for n in notes]
    if ranking is not None:
        from lspsim.sweep.ranking import ranking_markdown

        lines += [""] + ranking_markdown(ranking)
    if sens is not None:
        lines += ["", "## Sensitivity", ""]
        key = "ST" if "ST" in sens else "mu_star"
        for m in metrics:
            s = sens[sens["metric"] == m].sort_values(key, ascending=False)
            if s.empty:
                continue
            lines += [f"### {m}", "", markdown_table(s.drop(columns="metric").head(MAX_MD_ROWS)),
                      ""]
    shown = points[["point", *factors]].copy()
    for m in metrics[:6]:
        mean, lo, hi = (points[f"{m}_{k}"] for k in ("mean", "ci_low", "ci_high"))
        shown[m] = [("" if not np.isfinite(a) else f"{a:.3g}" if not np.isfinite(b)
                     else f"{a:.3g} [{b:.3g}, {c:.3g}]") for a, b, c in zip(mean, lo, hi,
                                                                          strict=True)]
        shown[f"_{m}"] = mean
    shown["runs ok/failed"] = [f"{a}/{b}" for a, b in zip(points["runs_ok"],
                                                           points["runs_failed"], strict=True)]
    hidden = [c for c in shown.columns if c.startswith("_")]
    lines += ["", "## Design points (mean [95% CI] over replications)", ""]
    if len(shown) > MAX_MD_ROWS:
        m = f"_{metrics[0]}"
        top = shown.sort_values(m, ascending=False)
        lines += [f"{len(shown)} points: the {MAX_MD_ROWS // 2} highest and lowest by {m} "
                  "(all in points.csv)", "",
                  markdown_table(pd.concat([top.head(MAX_MD_ROWS // 2),
                                            top.tail(MAX_MD_ROWS // 2)]).drop(columns=hidden))]
    else:
        lines.append(markdown_table(shown.drop(columns=hidden)))
    return "\n".join(lines) + "\n"
