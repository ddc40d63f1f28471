"""Calibration of the decision core against the laboratory patterns by rejection ABC
(approximate Bayesian computation; Hartig et al. 2011, van der Vaart et al. 2015).

1. Priors: uniform over each uncertain constant's range in experiments/calibration.toml (the
   schema's own bounds unless the file says otherwise; the sweep checks them against the schema).
2. Draws: the experiment's seeded Latin hypercube (scipy.stats.qmc through lspsim.sweep).
3. Simulation: the sweep machinery (``run_sweep`` with the evaluator
   :func:`lspsim.validation.lab.lab_game`): each run is one four-player group playing the
   public-goods game without and with punishment from one run seed; a draw's replications are
   its groups. It runs on a process pool or a Dask cluster unchanged, and resumes.
4. Summary statistics: the lab patterns' statistics (lab.CALIBRATED), over a draw's groups.
5. Acceptance, both reported: (a) exact: every band met; (b) epsilon: the draws whose
   normalised distance to the bands (lab.distance) is in the lowest ``quantile``.

Outputs (``DIR/abc``, written whole): draws.csv (every draw, its statistics and distance),
accepted.csv and accepted.parquet, posterior.json (prior ranges, posterior medians and 90%
ranges, for both rules), shrinkage.csv (which pattern constrains which constant),
calibration.md and img/calibration-posterior.png. ``posterior_updates`` turns posterior.json into
scenario updates; ``lspsim calibrate --apply`` prints them (it writes nothing unless asked).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lspsim.errors import InputError
from lspsim.validation import lab

EXPERIMENT = "calibration"  # experiments/calibration.toml
EPSILON_QUANTILE = 0.05
MIN_ACCEPTED = 5  # fewer accepted draws say nothing about a posterior's spread
# A constant whose posterior sd is within 10% of its prior's is not constrained by the patterns:
# --apply keeps its current value rather than a median that is only the prior's middle.
MIN_SHRINKAGE = 0.1
CONFIRM_GROUPS = 200  # groups an accepted draw is re-measured with (as the lab patterns are)
CONFIRM_MAX = 50  # accepted draws re-measured at most (the nearest)
SHIPPED = Path("docs") / "calibration"  # the committed posterior (posterior.json, accepted.csv)


def load(experiment: str | Path = EXPERIMENT) -> Any:
    """The calibration experiment, its metrics set to the lab statistics (the evaluator's)."""
    from lspsim.sweep.experiment import load_experiment

    exp = load_experiment(experiment)
    src = exp.source
    if exp.scenario != lab.GAME and Path(exp.scenario).stem != lab.GAME:
        raise InputError(src, "scenario", exp.scenario,
                         f'"{lab.GAME}" (the laboratory patterns are measured on that game)')
    if exp.base.months < 10:
        raise InputError(src, "months", exp.base.months, "at least 10 (ten rounds)")
    if exp.design.kind not in ("lhs", "sobol_sequence"):
        raise InputError(src, "design.kind", exp.design.kind,
                         '"lhs" or "sobol_sequence" (draws from the uniform prior)')
    if exp.metrics is not None:
        raise InputError(src, "metrics", exp.metrics, "no metrics: the calibration's "
                         "statistics are the lab patterns' (lspsim.validation.lab)")
    bad = [f.name for f in exp.factors if f.kind != "numeric"]
    if bad:
        raise InputError(src, "parameters", bad, "numeric parameters with a range (a prior)")
    exp.metrics = list(lab.GROUP_STATS)  # after validation: the evaluator's own statistics
    return exp


@dataclass
class Calibration:
    """Every draw with its statistics, and what each acceptance rule keeps."""

    draws: pd.DataFrame  # one row per draw: parameters, statistics, distance, pass flags
    params: list[str]
    prior: dict[str, tuple[float, float]]
    epsilon: float
    quantile: float
    groups: int
    runs: int
    failed: int
    confirm: pd.DataFrame | None = None  # accepted draws re-measured with more groups
    confirm_groups: int = 0

    @property
    def exact(self) -> pd.DataFrame:
        return self.draws[self.draws["all_bands"]]

    @property
    def nearest(self) -> pd.DataFrame:
        return self.draws[self.draws["distance"] <= self.epsilon]

    def all_but(self) -> dict[str, int]:
        """Per pattern, the draws that meet every other band: which pattern the rest of the
        patterns cannot be met together with."""
        flags = {p.id: self.draws[f"ok_{p.id}"] for p in lab.CALIBRATED}
        return {pid: int(np.logical_and.reduce([f for q, f in flags.items() if q != pid]).sum())
                for pid in flags}

    @property
    def relaxed(self) -> tuple[str | None, pd.DataFrame]:
        """The draws meeting every band but one: the pattern whose exclusion admits the most
        draws (the binding one), when no draw meets them all; (None, no rows) otherwise."""
        but = self.all_but()
        pid = max(but, key=lambda k: but[k]) if but else None
        if len(self.exact) or pid is None or but[pid] == 0:
            return None, self.draws.iloc[:0]
        others = [f"ok_{q.id}" for q in lab.CALIBRATED if q.id != pid]
        return pid, self.draws[self.draws[others].all(axis=1)]

    def posterior(self) -> dict[str, Any]:
        def summary(df: pd.DataFrame) -> dict[str, Any]:
            out: dict[str, Any] = {"accepted": len(df)}
            for p in self.params:
                if len(df):
                    q = np.quantile(df[p], [0.05, 0.5, 0.95])
                    out[p] = {"median": float(q[1]), "q05": float(q[0]), "q95": float(q[2]),
                              "shrinkage": self._shrink(df[p], p)}
            return out

        return {"draws": len(self.draws), "groups_per_draw": self.groups,
                "prior": {p: list(v) for p, v in self.prior.items()},
                "meeting_all_but": self.all_but(),
                "exact": summary(self.exact),
                "epsilon": {"quantile": self.quantile, "distance": self.epsilon,
                            **summary(self.nearest)},
                "relaxed": {"dropped": self.relaxed[0], **summary(self.relaxed[1])},
                "confirmed": (None if self.confirm is None else
                              {"groups": self.confirm_groups, "draws": len(self.confirm),
                               "confirmed": int(self.confirm["confirmed"].sum())
                               if len(self.confirm) else 0}),
                "patterns": {p.id: {"key": p.key, "band": list(p.band), "source": p.source}
                             for p in lab.CALIBRATED}}

    def accepted(self) -> tuple[str, pd.DataFrame]:
        """The strictest rule that accepted anything, and its draws."""
        return next(((r, df) for r, df in (("exact", self.exact), ("relaxed", self.relaxed[1]))
                     if len(df)), ("epsilon", self.nearest))

    def _shrink(self, x: pd.Series, p: str) -> float:
        lo, hi = self.prior[p]
        sd_prior = (hi - lo) / np.sqrt(12.0)
        if len(x) < MIN_ACCEPTED or sd_prior <= 0:
            return float("nan")
        return float(1.0 - x.std(ddof=1) / sd_prior)

    def shrinkage(self) -> pd.DataFrame:
        """Which pattern constrains which constant: 1 - sd(accepted) / sd(prior) when accepting
        on each pattern alone (0: no information; 1: pinned), NaN with too few accepted."""
        rows = []
        sets = [(p.id + " " + p.name, self.draws[f"ok_{p.id}"]) for p in lab.CALIBRATED]
        sets += [("all bands", self.draws["all_bands"]),
                 (f"nearest {self.quantile:.0%}", self.draws["distance"] <= self.epsilon)]
        for label, mask in sets:
            row: dict[str, Any] = {"accepted on": label, "accepted": int(mask.sum())}
            for p in self.params:
                row[p] = self._shrink(self.draws.loc[mask, p], p)
            rows.append(row)
        return pd.DataFrame(rows)


def summarise_sweep(exp: Any, runs: pd.DataFrame, quantile: float = EPSILON_QUANTILE
                    ) -> Calibration:
    """Per draw: the lab statistics over its groups (successful runs), the distance to the bands,
    each band's pass flag and the acceptance flags."""
    params = [f.name for f in exp.factors]
    ok = runs[runs["status"] == "ok"]
    rows = []
    for point, g in ok.groupby("point", sort=True):
        stats = lab.summarise({k: g[k].to_numpy() for k in lab.GROUP_STATS})
        row = {"point": int(point), **{p: float(g[p].iloc[0]) for p in params}, **stats,
               "groups": len(g), "distance": lab.distance(stats)}
        for p in lab.CALIBRATED:
            row[f"ok_{p.id}"] = p.holds(stats[p.key])
        row["all_bands"] = all(row[f"ok_{p.id}"] for p in lab.CALIBRATED)
        rows.append(row)
    draws = pd.DataFrame(rows)
    eps = float(np.quantile(draws["distance"], quantile)) if len(draws) else float("nan")
    prior = {f.name: (float(f.low), float(f.high)) for f in exp.factors}
    return Calibration(draws, params, prior, eps, quantile, exp.replications, len(runs),
                       int((runs["status"] != "ok").sum()))


def run_calibration(out: str | Path, experiment: str | Path = EXPERIMENT, *,
                    workers: int | None = None, scheduler: str | None = None,
                    resume: bool = False, force: bool = False,
                    quantile: float = EPSILON_QUANTILE, progress: bool = False,
                    confirm_groups: int = CONFIRM_GROUPS,
                    log: Callable[[str], None] | None = None) -> Calibration:
    """Run (or resume) the calibration sweep in ``out`` and write its results to ``out/abc``.
    With ``confirm_groups``, re-measure the accepted draws (at most CONFIRM_MAX, the nearest)
    with that many groups: a draw accepted on a few groups near a band's edge may be luck.
    The numbers depend only on the experiment (seeds, design), never on the worker count."""
    from lspsim.io import check_output_dir
    from lspsim.sweep.executors import run_sweep

    if not 0 < quantile < 1:
        raise InputError("--quantile", "quantile", quantile, "a number between 0 and 1")
    if confirm_groups < 0:
        raise InputError("--confirm-groups", "confirm_groups", confirm_groups,
                         "an integer >= 0 (0: no confirmation)")
    exp = load(experiment)
    target = check_output_dir(Path(out) / "abc", "analysis", force=force, flag="--out")
    if log:
        log(f"{exp.name}: {exp.n_points} draws x {exp.replications} groups = {exp.n_runs} runs "
            f"of {lab.GAME} (each plays the game without and with punishment)")
    res = run_sweep(exp, out, workers=workers, scheduler=scheduler, resume=resume,
                    progress=progress, evaluator=lab.lab_game)
    cal = summarise_sweep(exp, res.runs_frame(), quantile)
    if confirm_groups:
        if log:
            log(f"confirming the accepted draws with {confirm_groups} groups each")
        confirm(cal, confirm_groups, 1 if workers is None else max(1, workers))
    write_outputs(cal, target, exp.name)
    return cal


def confirm(cal: Calibration, groups: int, workers: int = 1) -> pd.DataFrame:
    """Re-measure the accepted draws of the strictest rule that accepted any (at most
    CONFIRM_MAX, the nearest) with ``groups`` groups each (seed lab.LAB_SEED, groups 0..N-1),
    and flag which bands each still meets."""
    from lspsim.runner import map_runs

    rule, acc = cal.accepted()
    acc = acc.sort_values(["distance", "point"]).head(CONFIRM_MAX)
    rows = []
    for _, d in acc.iterrows():
        upd = json.dumps({p: float(d[p]) for p in cal.params}, sort_keys=True)
        res = map_runs(lab._play_task, [(lab.GAME, upd, lab.LAB_SEED, k) for k in range(groups)],
                       workers)
        stats = lab.summarise(res)
        row = {"point": int(d["point"]), "rule": rule, "groups": groups, **stats}
        for p in lab.CALIBRATED:
            row[f"ok_{p.id}"] = p.holds(stats[p.key])
        need = [p for p in lab.CALIBRATED if rule != "relaxed" or p.id != cal.relaxed[0]]
        row["confirmed"] = all(row[f"ok_{p.id}"] for p in need)
        rows.append(row)
    cal.confirm, cal.confirm_groups = pd.DataFrame(rows), groups
    return cal.confirm


# ------------------------------------------------------------------------------------------
# Outputs
# ------------------------------------------------------------------------------------------
def write_outputs(cal: Calibration, target: Path, name: str) -> None:
    from lspsim.io import atomic_output_dir, write_json

    with atomic_output_dir(target, "analysis") as tmp:
        cal.draws.to_csv(tmp / "draws.csv", index=False)
        rule, acc = cal.accepted()
        acc.to_csv(tmp / "accepted.csv", index=False)
        if cal.confirm is not None:
            cal.confirm.to_csv(tmp / "confirm.csv", index=False)
        acc.to_parquet(tmp / "accepted.parquet", index=False)
        write_json(tmp / "posterior.json", _finite({**cal.posterior(), "accepted_file": rule}))
        cal.shrinkage().to_csv(tmp / "shrinkage.csv", index=False)
        (tmp / "img").mkdir()
        posterior_figure(cal, tmp / "img" / "calibration-posterior.png")
        (tmp / "calibration.md").write_text("\n".join(markdown(cal, name)) + "\n")


def _finite(o: Any) -> Any:
    if isinstance(o, dict):
        return {k: _finite(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_finite(v) for v in o]
    if isinstance(o, float) and not np.isfinite(o):
        return None
    return o


def posterior_figure(cal: Calibration, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k = len(cal.params)
    cols = min(3, k)
    rows = int(np.ceil(k / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.8 * rows), squeeze=False)
    for ax, p in zip(axes.ravel(), cal.params, strict=False):
        lo, hi = cal.prior[p]
        bins = np.linspace(lo, hi, 21)
        ax.hist(cal.draws[p], bins=bins, density=True, color="#cccccc", label="prior draws")
        if len(cal.nearest):
            ax.hist(cal.nearest[p], bins=bins, density=True, histtype="step", lw=1.5,
                    color="#1f77b4", label=f"nearest {cal.quantile:.0%}")
        dropped, relaxed = cal.relaxed
        if len(relaxed):
            ax.hist(relaxed[p], bins=bins, density=True, histtype="step", lw=1.5,
                    color="#2ca02c", label=f"all bands but {dropped} ({len(relaxed)})")
        if len(cal.exact):
            ax.hist(cal.exact[p], bins=bins, density=True, histtype="step", lw=1.5,
                    color="#d62728", label=f"all bands ({len(cal.exact)})")
        ax.set_title(p, fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[k:]:
        ax.axis("off")
    axes.ravel()[0].legend(fontsize=7)
    fig.suptitle(f"Rejection ABC against the laboratory patterns: {len(cal.draws)} draws x "
                 f"{cal.groups} groups", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _range(d: Mapping[str, Any] | None) -> str:
    if not d:
        return "—"
    return f"{d['median']:.3g} [{d['q05']:.3g}, {d['q95']:.3g}]"


def markdown(cal: Calibration, name: str = EXPERIMENT, img: str = "img") -> list[str]:
    """The calibration's section for docs/validation.md."""
    post = cal.posterior()
    ex, ne, rx = post["exact"], post["epsilon"], post["relaxed"]
    lines = [
        "## Calibration: rejection ABC against the laboratory patterns",
        "",
        f"Experiment `experiments/{name}.toml`: {len(cal.draws)} Latin-hypercube draws from "
        f"uniform priors (the schema's bounds), each played by {cal.groups} four-player groups "
        f"without and with punishment ({cal.runs} runs, {cal.failed} failed) through the sweep "
        "machinery (`lspsim calibrate`; resumable, on a process pool or Dask). Summary "
        "statistics: the group-level and individual-level lab patterns above ("
        + ", ".join(p.id for p in lab.CALIBRATED) + "). Acceptance rules: **all bands** "
        f"met ({ex['accepted']} draws accepted) and the **nearest {cal.quantile:.0%}** by "
        f"normalised distance to the bands (distance <= {cal.epsilon:.3f}; {ne['accepted']} "
        "draws); when no draw meets every band, a third: **all bands but the binding one**, "
        "the pattern whose exclusion admits the most draws ("
        + (f"{rx['dropped']}: {rx['accepted']} draws" if rx["dropped"] else "not needed")
        + "). Which patterns a draw meets, alone and with the others:",
        "",
        "| pattern | band | draws meeting it | draws meeting every other band |",
        "|---|---|---|---|",
    ]
    but = cal.all_but()
    for p in lab.CALIBRATED:
        lines.append(f"| {p.id} {p.name} | [{p.band[0]:g}, {p.band[1]:g}] | "
                     f"{int(cal.draws[f'ok_{p.id}'].sum())} of {len(cal.draws)} | "
                     f"{but[p.id]} |")
    lines += [
        "",
        "Posterior medians and 90% ranges (5%-95%), and the shrinkage of the accepted draws "
        f"(below {MIN_SHRINKAGE}: not constrained, so `lspsim calibrate --apply` leaves the "
        "constant as it is):",
        "",
        f"| constant | prior | all bands | all but {rx['dropped'] or '—'} | nearest | "
        "shrinkage (all but / nearest) |",
        "|---|---|---|---|---|---|",
    ]

    def shown(part: Mapping[str, Any], p: str) -> str:
        s = (part.get(p) or {}).get("shrinkage")
        if s is None or not np.isfinite(s):
            return "—"
        return f"{s:.3f}" + ("" if s >= MIN_SHRINKAGE else " (unconstrained)")

    for p in cal.params:
        lo, hi = cal.prior[p]
        lines.append(f"| `{p}` | U({lo:g}, {hi:g}) | {_range(ex.get(p))} | {_range(rx.get(p))} "
                     f"| {_range(ne.get(p))} | {shown(rx, p)} / {shown(ne, p)} |")
    if cal.confirm is not None and len(cal.confirm):
        c = cal.confirm
        fails = {p.id: int((~c[f"ok_{p.id}"]).sum()) for p in lab.CALIBRATED}
        ok = int(c["confirmed"].sum())
        lines += ["", f"Confirmation: the {len(c)} accepted draws ({c['rule'].iloc[0]} rule) "
                  f"re-measured with {cal.confirm_groups} groups each: **{ok} of {len(c)} "
                  "still meet their bands**; draws now missing each band: "
                  + ", ".join(f"{k} {v}" for k, v in fails.items() if v) + "."]
    shr = cal.shrinkage()
    lines += [
        "",
        "![Posterior](img/calibration-posterior.png)" if img else "",
        "",
        "Which patterns constrain which constants: shrinkage 1 - sd(accepted) / sd(prior) when "
        "accepting on one pattern alone (0 = the pattern says nothing about the constant; "
        f"blank = fewer than {MIN_ACCEPTED} draws accepted).",
        "",
        "| accepted on | draws | " + " | ".join(f"`{p.split('.')[-1]}`" for p in cal.params)
        + " |",
        "|---|---|" + "---|" * len(cal.params),
    ]
    for _, r in shr.iterrows():
        cells = " | ".join("" if not np.isfinite(r[p]) else f"{r[p]:.2f}" for p in cal.params)
        lines.append(f"| {r['accepted on']} | {r['accepted']} | {cells} |")
    lines += [
        "",
        "Constants the public-goods game cannot constrain: in the game every contribution is "
        "seen exactly (mature, open monitoring), so trust and the distrust discount do not "
        "enter a player's belief; their shrinkage is noise around 0. They are calibrated "
        "elsewhere or stay assumptions. `commitment.adjustment_rate` is not calibrated: the "
        "mapping fixes it at 1 (a round is a fresh decision).",
        "",
    ]
    return lines


RULES = ("exact", "relaxed", "epsilon")  # all bands; all but the binding one; nearest
SHIP_FILES = ("posterior.json", "accepted.csv", "shrinkage.csv", "calibration.md")


def ship(abc: str | Path, docs: str | Path = "docs") -> list[Path]:
    """Copy a calibration's results (``OUT/abc``) to the committed place: DOCS/calibration/
    (posterior, accepted draws, shrinkage, its Markdown section) and DOCS/img/ (the figure),
    which docs/validation.md includes. Asked for explicitly (``--ship``): it replaces the
    committed calibration."""
    src, docs = Path(abc), Path(docs)
    missing = [f for f in (*SHIP_FILES, "img/calibration-posterior.png")
               if not (src / f).is_file()]
    if missing:
        raise InputError(str(src), "(calibration)", None, "the abc folder of a finished "
                         f"`lspsim calibrate` (missing: {', '.join(missing)})")
    (docs / "calibration").mkdir(parents=True, exist_ok=True)
    (docs / "img").mkdir(parents=True, exist_ok=True)
    written = []
    for f in SHIP_FILES:
        written.append(Path(shutil.copyfile(src / f, docs / "calibration" / f)))
    written.append(Path(shutil.copyfile(src / "img" / "calibration-posterior.png",
                                        docs / "img" / "calibration-posterior.png")))
    return written


# ------------------------------------------------------------------------------------------
# Applying a posterior
# ------------------------------------------------------------------------------------------
def read_posterior(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if p.is_dir():
        p = p / "posterior.json"
    try:
        data = json.loads(p.read_text())
    except OSError:
        raise InputError(str(p), "(file)", None, "a posterior.json written by `lspsim "
                         "calibrate`") from None
    except ValueError as exc:
        raise InputError(str(p), "(json)", None, f"valid JSON ({exc})") from None
    if not isinstance(data, dict) or "exact" not in data or "prior" not in data:
        raise InputError(str(p), "(posterior)", None, "a posterior.json written by `lspsim "
                         "calibrate` (keys prior, exact, epsilon)")
    return data


def posterior_updates(posterior: Mapping[str, Any], rule: str = "exact") -> dict[str, float]:
    """Scenario updates (dotted path -> posterior median) from a posterior, by acceptance rule
    ("exact": all bands; "relaxed": all but the binding one; "epsilon": the nearest draws),
    for the constants the patterns
    constrain (shrinkage >= MIN_SHRINKAGE; see :func:`unconstrained`). Empty when the rule
    accepted nothing."""
    if rule not in RULES:
        raise InputError("--rule", "rule", rule, " or ".join(f'"{r}"' for r in RULES))
    part = posterior.get(rule) or {}
    skip = set(unconstrained(posterior, rule))
    return {p: round(float(part[p]["median"]), 4) for p in posterior["prior"]
            if isinstance(part.get(p), dict) and p not in skip}


def unconstrained(posterior: Mapping[str, Any], rule: str = "exact") -> list[str]:
    """Constants whose accepted draws are spread almost as widely as the prior (shrinkage below
    MIN_SHRINKAGE, or not measured): the patterns say little about them."""
    part = posterior.get(rule) or {}
    out = []
    for p in posterior["prior"]:
        d = part.get(p)
        if isinstance(d, dict):
            s = d.get("shrinkage")
            if s is None or not np.isfinite(s) or s < MIN_SHRINKAGE:
                out.append(p)
    return out


def apply_text(updates: Mapping[str, float]) -> str:
    """The updates as --set flags and as a TOML fragment (nothing is written)."""
    from lspsim.scenario import dumps_toml

    nested: dict[str, Any] = {}
    for path, v in updates.items():
        node = nested
        *head, last = path.split(".")
        for k in head:
            node = node.setdefault(k, {})
        node[last] = v
    flags = " ".join(f"--set {p}={v:g}" for p, v in updates.items())
    return f"# as flags:\n{flags}\n\n# as TOML (merge into a scenario file):\n" + dumps_toml(
        nested)


def write_applied(base: str, updates: Mapping[str, float], out: str | Path, *,
                  force: bool = False) -> Path:
    """Write a new scenario file: ``base`` with the posterior medians applied. An existing file
    is replaced only with ``force``; a folder or a preset's own file never."""
    from lspsim.scenario import load_scenario, presets_dir

    target = Path(out)
    if target.is_dir():
        raise InputError("--write", "write", str(target), "a file path, not a folder")
    if target.resolve().parent == presets_dir().resolve() and not force:
        raise InputError("--write", "write", str(target), "a path outside the presets folder "
                         "(or --force: the lead applies calibrated values to presets)")
    if target.exists() and not force:
        raise InputError("--write", "write", str(target), "a new file (it exists: add --force "
                         "to replace it)")
    sc = load_scenario(base, dict(updates) or None)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(sc.to_toml(changed_only=True))
    shutil.move(tmp, target)
    return target


# ------------------------------------------------------------------------------------------
# ``lspsim calibrate`` (registered by lspsim.cli)
# ------------------------------------------------------------------------------------------
def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "calibrate", help="calibrate the decision core against the laboratory patterns (ABC)",
        description="Rejection ABC: draw the uncertain constants of experiments/calibration.toml "
        "from their uniform priors, play the public-goods game with each through the sweep "
        "machinery, accept the draws that meet the laboratory patterns' bands (and the nearest "
        "by distance), and write the posterior to OUT/abc. With --apply, print (or --write) "
        "the scenario updates of a posterior instead.")
    p.add_argument("experiment", nargs="?", default=EXPERIMENT,
                   help="calibration experiment: a preset name or TOML file (default: "
                   f"{EXPERIMENT})")
    p.add_argument("--out", default=None, help="sweep folder (default out/calibration); the "
                   "results go to OUT/abc")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes (0: in this process); results do not depend on it")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address")
    p.add_argument("--resume", action="store_true", help="complete an interrupted calibration")
    p.add_argument("--force", action="store_true", help="replace OUT/abc (or --write's file)")
    p.add_argument("--quantile", type=float, default=EPSILON_QUANTILE,
                   help=f"share of nearest draws the epsilon rule accepts (default "
                   f"{EPSILON_QUANTILE})")
    p.add_argument("--apply", nargs="?", const=str(SHIPPED), default=None, metavar="POSTERIOR",
                   help=f"print the updates of a posterior (posterior.json or its folder; "
                   f"default {SHIPPED}) instead of calibrating")
    p.add_argument("--rule", default="exact", help='with --apply: "exact" (all bands), '
                   '"relaxed" (all bands but the binding one) or "epsilon" (nearest draws)')
    p.add_argument("--base", default="default", help="with --write: the scenario the updates "
                   "apply to (default: default)")
    p.add_argument("--write", default=None, metavar="FILE", help="with --apply: write BASE "
                   "with the updates to a new scenario file")
    p.add_argument("--confirm-groups", type=int, default=CONFIRM_GROUPS,
                   help=f"re-measure the accepted draws (at most {CONFIRM_MAX}) with this many "
                   f"groups each (default {CONFIRM_GROUPS}; 0: no confirmation)")
    p.add_argument("--ship", action="store_true", help="then copy OUT/abc to docs/calibration "
                   "and docs/img (the committed calibration docs/validation.md includes)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd)


def _cmd(args: Any) -> int:
    if args.apply is not None:
        post = read_posterior(args.apply)
        ups = posterior_updates(post, args.rule)
        skipped = unconstrained(post, args.rule)
        if skipped:
            print(f"# not applied (the patterns barely constrain them: shrinkage < "
                  f"{MIN_SHRINKAGE}): {', '.join(skipped)}")
        if not ups:
            print(f"the {args.rule} rule accepted no draw: nothing to apply (try --rule epsilon)")
            return 0
        if args.write:
            path = write_applied(args.base, ups, args.write, force=args.force)
            print(f"wrote {path}: {args.base} with {len(ups)} calibrated values")
        else:
            print(apply_text(ups), end="")
        return 0
    if args.write:
        raise InputError("--write", "write", args.write, "--write only with --apply")
    if args.workers is not None and args.workers < 0:
        raise InputError("--workers", "workers", args.workers, "an integer >= 0")
    out = Path(args.out or "out/calibration")
    cal = run_calibration(out, args.experiment, workers=args.workers, scheduler=args.scheduler,
                          resume=args.resume, force=args.force, quantile=args.quantile,
                          confirm_groups=args.confirm_groups,
                          progress=not args.quiet, log=None if args.quiet else print)
    post = cal.posterior()
    rx = post["relaxed"]
    print(f"{len(cal.draws)} draws: {post['exact']['accepted']} meet every band"
          + (f"; {rx['accepted']} every band but {rx['dropped']}" if rx["dropped"] else "")
          + f"; nearest {cal.quantile:.0%}: {post['epsilon']['accepted']} (distance <= "
          f"{cal.epsilon:.3f})")
    for p in cal.params:
        print(f"  {p:36s} all bands {_range(post['exact'].get(p)):28s} nearest "
              f"{_range(post['epsilon'].get(p))}")
    print(f"wrote {out / 'abc'}")
    if args.ship:
        print("shipped: " + ", ".join(str(p) for p in ship(out / "abc")))
    return 0
