"""Scenario discovery on a finished sweep: under which conditions does an outcome happen?

For a condition on the outcomes (``target_achievement < 0.1``: "the partnership stalls"), three
views of which levers produce it, as in the EMA Workbench (Kwakkel 2017):

* **PRIM boxes** (Friedman & Fisher 1999; the ``prim`` package): a box of lever ranges that holds
  many of the runs of interest (coverage) and few others (density). Peeling trades coverage for
  density step by step; the whole trajectory is kept, and a box is picked from it (by default the
  densest box that still covers ``min_coverage`` of the cases; ``box=`` picks another).
* **CART** (scikit-learn's decision tree): a second view, leaves as rules.
* **Feature scores** (scikit-learn's extra-trees, as EMA's ``feature_scoring``): how much each
  varied lever separates the cases, whatever its shape.

Each box is also said in plain English in the schema's own words: each lever's description is the
one the Scenario schema gives it (one source), so no lever is restated here.

Everything here is glue: the algorithms are the libraries'.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lspsim.errors import InputError
from lspsim.io import atomic_output_dir, write_json

_CMP = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*([-+]?(\d+\.?\d*|\.\d+)"
                  r"([eE][-+]?\d+)?)\s*$")


# ---------------------------------------------------------------------------------------
# The condition
# ---------------------------------------------------------------------------------------

def parse_where(where: str, metrics: list[str], source: str = "--where") -> list[list[tuple]]:
    """``"a < 0.3 and b > 0.5 or c <= 1"`` -> [[(a, <, 0.3), (b, >, 0.5)], [(c, <=, 1)]]
    ("and" binds tighter than "or"); InputError naming the bad part."""
    allowed = ("a condition on the sweep's metrics such as \"target_achievement < 0.3\" "
               "(operators < <= > >=, joined by 'and' / 'or'); metrics: " + ", ".join(metrics))
    if not where or not where.strip():
        raise InputError(source, "where", where, allowed)
    out: list[list[tuple]] = []
    for alt in re.split(r"\s+or\s+", where.strip()):
        terms = []
        for part in re.split(r"\s+and\s+", alt):
            m = _CMP.match(part)
            if not m:
                raise InputError(source, "where", part, allowed)
            name, op, num = m.group(1), m.group(2), float(m.group(3))
            if name not in metrics:
                raise InputError(source, "where", name, "a metric of this sweep: "
                                 + ", ".join(metrics))
            terms.append((name, op, num))
        out.append(terms)
    return out


def evaluate_where(frame: pd.DataFrame, clauses: list[list[tuple]]) -> np.ndarray:
    ops = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
    hit = np.zeros(len(frame), dtype=bool)
    for alt in clauses:
        ok = np.ones(len(frame), dtype=bool)
        for name, op, num in alt:
            ok &= ops[op](frame[name].to_numpy(dtype=float), num)
        hit |= ok
    return hit


# ---------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------

@dataclass
class Restriction:
    """One lever's limits in a box: a numeric [low, high] within the sampled [lo, hi], or a
    subset of categories."""

    lever: str
    kind: str                      # numeric | categorical | boolean
    low: float | None = None
    high: float | None = None
    sampled_low: float | None = None
    sampled_high: float | None = None
    levels: list[Any] = field(default_factory=list)
    sampled_levels: list[Any] = field(default_factory=list)
    quasi_p: float | None = None   # one-sided binomial (Bryant & Lempert 2010): is it needed?

    def phrase(self) -> str:
        """'is 0.62 or more', 'is between 0.2 and 0.4', 'is directive or laissez_faire'."""
        if self.kind == "boolean":
            return "is false" if self.levels == [False] else "is true"
        if self.kind == "categorical":
            lv = [str(v) for v in self.levels]
            out = [str(v) for v in self.sampled_levels if v not in self.levels]
            if len(out) < len(lv):  # say the shorter: "is not facilitative"
                lv, verb = out, "is not "
            else:
                verb = "is "
            return verb + (lv[0] if len(lv) == 1 else ", ".join(lv[:-1])
                           + (" nor " if verb == "is not " else " or ") + lv[-1])
        assert self.low is not None and self.high is not None
        lo_cut = self.low > self.sampled_low  # type: ignore[operator]
        hi_cut = self.high < self.sampled_high  # type: ignore[operator]
        if lo_cut and hi_cut:
            return f"is between {_num(self.low)} and {_num(self.high)}"
        if lo_cut:
            return f"is {_num(self.low)} or more"
        return f"is {_num(self.high)} or less"


@dataclass
class Box:
    """A PRIM box picked from its peeling trajectory, with its statistics on the runs."""

    number: int
    index: int                     # position on the peeling trajectory
    coverage: float                # share of all cases of interest inside the box
    density: float                 # share of the box's runs that are cases of interest
    mass: float                    # share of all runs inside the box
    n_in: int
    n_cases_in: int
    restrictions: list[Restriction]
    trajectory: pd.DataFrame       # coverage, density, mean, res dim, mass per peeling step


@dataclass
class Discovery:
    """What ``discover`` found; ``out`` holds the tables, figures and summary.md."""

    out: Path | None
    where: str
    label: str
    unit: str
    n: int
    n_cases: int
    boxes: list[Box]
    cart_rules: pd.DataFrame
    scores: pd.DataFrame
    statements: list[str]
    notes: list[str]


# ---------------------------------------------------------------------------------------
# Glue around the libraries
# ---------------------------------------------------------------------------------------

def _num(v: float) -> str:
    if v == 0 or not math.isfinite(v):
        return f"{v:g}"
    digits = max(2, 1 - int(math.floor(math.log10(abs(v)))))
    return f"{round(v, digits):g}"


def lever_description(name: str, factors: dict[str, dict[str, Any]]) -> str:
    """The schema's one-line description of a lever (a bundle: its paths), lower-cased."""
    from lspsim.scenario import parameter_paths

    info = parameter_paths().get(name)
    if info is not None and info.description:
        d = info.description
        return d[0].lower() + d[1:] if not d[:2].isupper() else d
    f = factors.get(name, {})
    if f.get("kind") == "bundle":
        return f"the {name} setting (a bundle of {', '.join(f.get('paths', []))})"
    return name.replace("_", " ")


def _kinds(x: pd.DataFrame, factors: dict[str, dict[str, Any]]) -> dict[str, str]:
    out = {}
    for c in x.columns:
        if pd.api.types.is_bool_dtype(x[c]):
            out[c] = "boolean"
        elif pd.api.types.is_numeric_dtype(x[c]) and factors.get(c, {}).get("kind") == "numeric":
            out[c] = "numeric"
        else:
            out[c] = "categorical"
    return out


def _prim_frame(x: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """The prim package peels float and object columns; categories become plain objects."""
    out = pd.DataFrame(index=x.index)
    for c in x.columns:
        out[c] = (x[c].astype(float) if kinds[c] == "numeric"
                  else pd.Series(x[c].astype(object).to_numpy(), index=x.index, dtype=object))
    return out


def _restrictions(box: Any, i: int, kinds: dict[str, str]) -> list[Restriction]:
    """The restricted levers of trajectory step ``i``. The prim package's ``PrimBox.limits``
    fails on pandas 3 for categorical levers, so the limits are read from its box record
    (``_box_lims``: row 0 the lower limits or the category sets, row 1 the upper limits)."""
    lims, init = box._box_lims[i], box._box_lims[0]
    try:
        qp = box._calculate_quasi_p(i)
    except Exception:  # noqa: BLE001 - a p-value is a courtesy; the box stands without it
        qp = {}
    out = []
    for name in lims.dtype.names:
        kind = kinds[name]
        if kind == "numeric":
            lo, hi = float(lims[name][0]), float(lims[name][1])
            slo, shi = float(init[name][0]), float(init[name][1])
            if lo > slo or hi < shi:
                out.append(Restriction(name, kind, lo, hi, slo, shi,
                                       quasi_p=_f(qp.get(name))))
        else:
            now, all_ = set(lims[name][0]), set(init[name][0])
            if now != all_:
                order = sorted(all_, key=str)
                out.append(Restriction(name, kind,
                                       levels=[_plain(v) for v in order if v in now],
                                       sampled_levels=[_plain(v) for v in order],
                                       quasi_p=_f(qp.get(name))))
    out.sort(key=lambda r: (r.quasi_p if r.quasi_p is not None else 1.0, r.lever))
    return out


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _f(v: Any) -> float | None:
    return None if v is None else float(v)


def pick_box(trajectory: pd.DataFrame, min_coverage: float) -> int:
    """The densest step whose coverage is at least ``min_coverage`` (ties: the earlier, with
    fewer restrictions); the first step if none reaches it."""
    ok = trajectory[trajectory["coverage"] >= min_coverage - 1e-12]
    if ok.empty:
        return 0
    best = ok["density"].max()
    return int(ok.index[ok["density"] >= best - 1e-12][0])


def run_prim(x: pd.DataFrame, y: np.ndarray, kinds: dict[str, str], *, boxes: int = 1,
             box: int | None = None, min_coverage: float = 0.5, peel_alpha: float = 0.05,
             paste_alpha: float = 0.05, mass_min: float = 0.05,
             qp_max: float | None = 0.05) -> list[Box]:
    """Find up to ``boxes`` PRIM boxes in turn (each on the cases the earlier ones left).
    Restrictions whose quasi-p exceeds ``qp_max`` are dropped from the picked box (the prim
    package's ``drop_restriction``, which adds the wider box to the trajectory), as EMA's
    guidance does: such a limit does not add density beyond chance."""
    import logging

    import prim

    logging.getLogger("prim").setLevel(logging.WARNING)
    p = prim.Prim(_prim_frame(x, kinds), y.astype(bool), threshold=0.5, threshold_type=">",
                  peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min)
    out: list[Box] = []
    n, total = len(y), int(y.sum())
    for k in range(boxes):
        b = p.find_box()
        if b is None:
            break
        traj = b.peeling_trajectory.astype(float).reset_index(drop=True)
        if k == 0 and box is not None:
            if not 0 <= box < len(traj):
                raise InputError("--box", "box", box, f"a step of the peeling trajectory, "
                                 f"0 to {len(traj) - 1}")
            i = box
        else:
            i = pick_box(traj, min_coverage)
        b.select(i)
        restr = _restrictions(b, i, kinds)
        weak = [r.lever for r in restr if qp_max is not None and r.quasi_p is not None
                and r.quasi_p > qp_max]
        if weak and len(weak) < len(restr):
            for name in weak:
                b.drop_restriction(name)
            i = len(b.peeling_trajectory) - 1
            traj = b.peeling_trajectory.astype(float).reset_index(drop=True)
            restr = _restrictions(b, i, kinds)
        if not restr:  # the whole space: nothing more to say
            if k == 0:
                out.append(Box(1, i, 1.0, total / n, 1.0, n, total, [], traj))
            break
        inside = np.asarray(b.yi)
        n_in, hits = len(inside), int(y[inside].sum())
        out.append(Box(k + 1, i, hits / total, hits / max(n_in, 1), n_in / n, n_in, hits,
                       restr, traj))
        if p.determine_coi(p.yi_remaining) - hits <= 0:
            break
    return out


def _encode(x: pd.DataFrame, kinds: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Numbers for scikit-learn: numeric as is, booleans 0/1, categories one-hot."""
    cols: dict[str, Any] = {}
    owner: dict[str, str] = {}
    for c in x.columns:
        if kinds[c] == "numeric":
            cols[c] = x[c].astype(float).to_numpy()
            owner[c] = c
        elif kinds[c] == "boolean":
            cols[c] = x[c].astype(bool).astype(float).to_numpy()
            owner[c] = c
        else:
            for lv in sorted(pd.unique(x[c].astype(object)), key=str):
                k = f"{c}={lv}"
                cols[k] = (x[c].astype(object) == lv).astype(float).to_numpy()
                owner[k] = c
    return pd.DataFrame(cols, index=x.index), owner


def feature_scores(x: pd.DataFrame, y: np.ndarray, kinds: dict[str, str], outcome: np.ndarray
                   | None, seed: int, n_estimators: int = 250) -> pd.DataFrame:
    """Extra-trees importances (mean decrease in impurity, summed over a lever's one-hot
    columns) for the case indicator and, when given, the raw outcome."""
    from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor

    enc, owner = _encode(x, kinds)
    clf = ExtraTreesClassifier(n_estimators=n_estimators, random_state=seed, n_jobs=1,
                               min_samples_leaf=2).fit(enc.to_numpy(), y.astype(int))
    rows = pd.DataFrame({"column": enc.columns, "lever": [owner[c] for c in enc.columns],
                         "score_cases": clf.feature_importances_})
    if outcome is not None:
        reg = ExtraTreesRegressor(n_estimators=n_estimators, random_state=seed, n_jobs=1,
                                  min_samples_leaf=2).fit(enc.to_numpy(), outcome)
        rows["score_outcome"] = reg.feature_importances_
    out = rows.drop(columns="column").groupby("lever", sort=False).sum()
    out = out.sort_values("score_cases", ascending=False).reset_index()
    out.insert(1, "rank", np.arange(1, len(out) + 1))
    return out


def cart_rules(x: pd.DataFrame, y: np.ndarray, kinds: dict[str, str], seed: int,
               max_depth: int = 3, min_leaf: float = 0.025) -> tuple[pd.DataFrame, Any, list]:
    """A depth-limited CART tree on the case indicator; one row per leaf with its rule,
    runs, cases, density and coverage (leaves richest in cases first)."""
    from sklearn.tree import DecisionTreeClassifier

    enc, owner = _encode(x, kinds)
    leaf_min = max(5, int(math.ceil(min_leaf * len(y))))
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=leaf_min,
                                  random_state=seed).fit(enc.to_numpy(), y.astype(int))
    t = tree.tree_
    names = list(enc.columns)
    rules: dict[int, list[str]] = {}

    def walk(node: int, path: list[str]) -> None:
        if t.children_left[node] == -1:
            rules[node] = path
            return
        col, thr = names[t.feature[node]], float(t.threshold[node])
        lever = owner[col]
        if "=" in col and kinds[lever] == "categorical":
            lv = col.split("=", 1)[1]
            left, right = f"{lever} is not {lv}", f"{lever} is {lv}"
        elif kinds[lever] == "boolean":
            left, right = f"{lever} is false", f"{lever} is true"
        else:
            left, right = f"{lever} <= {_num(thr)}", f"{lever} > {_num(thr)}"
        walk(t.children_left[node], [*path, left])
        walk(t.children_right[node], [*path, right])

    walk(0, [])
    leaf = tree.apply(enc.to_numpy())
    total = max(int(y.sum()), 1)
    rows = []
    for node, conds in rules.items():
        sel = leaf == node
        n_in, hits = int(sel.sum()), int(y[sel].sum())
        rows.append({"leaf": int(node), "rule": " and ".join(conds) or "(all runs)",
                     "runs": n_in, "cases": hits, "density": hits / max(n_in, 1),
                     "coverage": hits / total, "mass": n_in / len(y)})
    df = pd.DataFrame(rows).sort_values(["density", "coverage"], ascending=False)
    return df.reset_index(drop=True), tree, names


def statement(b: Box, where: str, label: str, factors: dict[str, dict[str, Any]],
              n_cases: int) -> str:
    """One box in plain English, in the schema's own words."""
    if not b.restrictions:
        return (f"No box: {label} ({where}) happens in {b.density:.0%} of all runs and no "
                "combination of lever ranges concentrates it.")
    conds = [f"{lever_description(r.lever, factors)} [{r.lever}] {r.phrase()}"
             for r in b.restrictions]
    joined = conds[0] if len(conds) == 1 else "; ".join(conds[:-1]) + "; and " + conds[-1]
    extra = "" if b.number == 1 else " (among the runs the earlier boxes left)"
    return (f"Box {b.number}: {label} ({where}) when {joined}. "
            f"{b.density:.0%} of such runs do ({b.n_cases_in} of {b.n_in}), covering "
            f"{b.coverage:.0%} of all {n_cases} such runs{extra}; these conditions hold for "
            f"{b.mass:.0%} of the runs swept.")


# ---------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------

def tradeoff_figure(b: Box) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tr = b.trajectory
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    sc = ax.scatter(tr["coverage"], tr["density"], c=tr["res dim"], cmap="viridis", s=22)
    ax.plot(tr["coverage"], tr["density"], color="grey", lw=0.6, zorder=0)
    ax.scatter([tr["coverage"][b.index]],
               [tr["density"][b.index]], s=140, facecolors="none", edgecolors="red",
               label=f"picked: step {b.index}")
    for i in range(0, len(tr), max(1, len(tr) // 12)):
        ax.annotate(str(i), (tr["coverage"][i], tr["density"][i]), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    fig.colorbar(sc, ax=ax, label="restricted levers")
    ax.set_xlabel("coverage (share of all cases inside the box)")
    ax.set_ylabel("density (share of the box's runs that are cases)")
    ax.set_title(f"PRIM peeling trajectory, box {b.number}")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left")
    fig.tight_layout()
    return fig


def box_figure(b: Box, factors: dict[str, dict[str, Any]]) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rs = b.restrictions
    fig, ax = plt.subplots(figsize=(8, 1.3 + 0.55 * max(1, len(rs))))
    for k, r in enumerate(rs):
        yk = len(rs) - 1 - k
        ax.barh(yk, 1.0, left=0.0, color="#dddddd", height=0.5)
        if r.kind == "numeric":
            span = (r.sampled_high - r.sampled_low) or 1.0  # type: ignore[operator]
            a = (r.low - r.sampled_low) / span  # type: ignore[operator]
            w = (r.high - r.low) / span  # type: ignore[operator]
            ax.barh(yk, w, left=a, color="#d62728", height=0.5)
            ax.text(0, yk + 0.3, _num(r.sampled_low), fontsize=7, va="bottom")  # type: ignore
            ax.text(1, yk + 0.3, _num(r.sampled_high), fontsize=7, va="bottom", ha="right")  # type: ignore[arg-type]
            ax.text(a + w / 2, yk, f"{_num(r.low)} to {_num(r.high)}", fontsize=8,
                    ha="center", va="center", color="w")
        else:
            n = len(r.sampled_levels)
            for j, lv in enumerate(r.sampled_levels):
                on = lv in r.levels
                ax.barh(yk, 1 / n * 0.95, left=j / n, height=0.5,
                        color="#d62728" if on else "#dddddd")
                ax.text(j / n + 0.475 / n, yk, str(lv), fontsize=8, ha="center", va="center",
                        color="w" if on else "k")
    ax.set_yticks(range(len(rs)), [f"{r.lever}\n(qp {r.quasi_p:.2g})" if r.quasi_p is not None
                                   else r.lever for r in reversed(rs)], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xticks([])
    ax.set_title(f"Box {b.number}: coverage {b.coverage:.0%}, density {b.density:.0%}, "
                 f"mass {b.mass:.0%} (red: inside the box; grey: the range swept)", fontsize=9)
    fig.tight_layout()
    return fig


def scores_figure(scores: pd.DataFrame) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = scores.iloc[::-1]
    y = np.arange(len(s))
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.35 * len(s)))
    h = 0.4 if "score_outcome" in s else 0.8
    ax.barh(y + (h / 2 if h < 0.8 else 0), s["score_cases"], h, label="separates the cases")
    if "score_outcome" in s:
        ax.barh(y - h / 2, s["score_outcome"], h, label="explains the outcome")
    ax.set_yticks(y, list(s["lever"]), fontsize=8)
    ax.set_xlabel("extra-trees feature score (share of impurity reduction)")
    ax.legend(loc="lower right")
    ax.set_title("Which levers matter")
    fig.tight_layout()
    return fig


def scatter_figure(x: pd.DataFrame, y: np.ndarray, b: Box, kinds: dict[str, str]) -> Any | None:
    """The two most telling numeric levers of a box, cases in red, the box drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    num = [r for r in b.restrictions if r.kind == "numeric"]
    if len(num) < 2:
        return None
    r1, r2 = num[0], num[1]
    fig, ax = plt.subplots(figsize=(6.2, 5))
    xs, ys = x[r1.lever].astype(float), x[r2.lever].astype(float)
    ax.scatter(xs[~y], ys[~y], s=6, color="#9ecae1", label="other runs")
    ax.scatter(xs[y], ys[y], s=6, color="#d62728", label="cases")
    ax.add_patch(Rectangle((r1.low, r2.low), r1.high - r1.low, r2.high - r2.low,  # type: ignore
                           fill=False, lw=2, ec="k", label=f"box {b.number}"))
    ax.set_xlabel(r1.lever)
    ax.set_ylabel(r2.lever)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title("Cases over the two most significant levers of the box", fontsize=10)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------

def load_sweep(sweep_dir: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """runs.parquet and the manifest of a complete sweep (InputError otherwise)."""
    from lspsim.sweep.store import SweepStore

    store = SweepStore(sweep_dir)
    manifest = store.read_manifest()
    runs_path = store.path / "runs.parquet"
    if manifest.get("status") != "complete" or not runs_path.is_file():
        raise InputError(str(store.path), "status", manifest.get("status"), "a complete sweep "
                         "(finish it with `lspsim sweep EXPERIMENT --resume --out DIR`)")
    return pd.read_parquet(runs_path), manifest


def discover(sweep_dir: str | Path, where: str, *, label: str | None = None,
             out: str | Path | None = None, per: str = "run", boxes: int = 1,
             box: int | None = None, min_coverage: float = 0.5, peel_alpha: float = 0.05,
             mass_min: float = 0.05, qp_max: float | None = 0.05, cart_depth: int = 3,
             write: bool = True) -> Discovery:
    """Scenario discovery on the sweep in ``sweep_dir`` for the condition ``where``.

    Args:
        where: e.g. ``"target_achievement < 0.3"`` (metrics of the sweep; and / or).
        label: what to call the cases in the text (default: "the condition").
        per: "run" (every replication is a case or not) or "point" (the condition on each
            design point's mean over its replications).
        boxes: PRIM boxes to find in turn; box: the trajectory step of the first box
            (default: the densest with coverage >= min_coverage); qp_max: drop restrictions
            whose quasi-p is above it (None keeps every restriction).
        write: write tables and figures to ``out`` (default ``DIR/discovery``), atomically.
    """
    if per not in ("run", "point"):
        raise InputError("--per", "per", per, "run or point")
    if not 0 < min_coverage <= 1:
        raise InputError("--min-coverage", "min_coverage", min_coverage, "a share in (0, 1]")
    if boxes < 1:
        raise InputError("--boxes", "boxes", boxes, "an integer >= 1")
    if not 0 < peel_alpha < 0.5:
        raise InputError("--peel-alpha", "peel_alpha", peel_alpha, "a share in (0, 0.5)")
    if not 0 < mass_min < 1:
        raise InputError("--mass-min", "mass_min", mass_min, "a share in (0, 1)")
    if qp_max is not None and not 0 < qp_max <= 1:
        raise InputError("--qp-max", "qp_max", qp_max, "a probability in (0, 1]")
    if not 1 <= cart_depth <= 8:
        raise InputError("--cart-depth", "cart_depth", cart_depth, "an integer from 1 to 8")
    runs, manifest = load_sweep(sweep_dir)
    metrics = list(manifest["metrics"])
    clauses = parse_where(where, metrics)
    factors = {f["name"]: f for f in manifest["design"]["factors"]}
    notes: list[str] = []
    ok = runs[runs["status"] == "ok"]
    if len(ok) < len(runs):
        notes.append(f"{len(runs) - len(ok)} failed runs left out")
    varied = [f for f in factors if ok[f].nunique(dropna=False) > 1]
    if len(varied) < len(factors):
        notes.append("levers with one value only left out: "
                     + ", ".join(f for f in factors if f not in varied))
    if not varied:
        raise InputError(str(sweep_dir), "design.factors", list(factors), "a sweep that varies "
                         "at least one lever")
    if per == "point":
        frame = ok.groupby("point", sort=True).agg({**{f: "first" for f in varied},
                                                    **{m: "mean" for m in metrics}})
    else:
        frame = ok
    frame = frame.reset_index(drop=True)
    x = frame[varied].copy()
    y = evaluate_where(frame, clauses)
    n, n_cases = len(y), int(y.sum())
    label = label or "the condition"
    if n_cases == 0 or n_cases == n:
        raise InputError("--where", "where", where, "a condition that holds for some runs and "
                         f"not others (it holds for {n_cases} of {n})")
    kinds = _kinds(x, factors)
    seed = int(manifest.get("seed", 0))
    found = run_prim(x, y, kinds, boxes=boxes, box=box, min_coverage=min_coverage,
                     peel_alpha=peel_alpha, mass_min=mass_min, qp_max=qp_max)
    rules, tree, names = cart_rules(x, y, kinds, seed, cart_depth)
    first_metric = clauses[0][0][0]
    scores = feature_scores(x, y, kinds, frame[first_metric].to_numpy(dtype=float), seed)
    statements = [statement(b, where, label, factors, n_cases) for b in found]
    unit = "runs" if per == "run" else "design points (means over replications)"
    disc = Discovery(None, where, label, unit, n, n_cases, found, rules, scores, statements,
                     notes)
    if write:
        target = Path(out) if out is not None else Path(sweep_dir) / "discovery"
        _write(disc, target, x, y, kinds, factors, manifest, tree, names)
        disc.out = target
    return disc


def _limits_table(found: list[Box]) -> pd.DataFrame:
    rows = []
    for b in found:
        for r in b.restrictions:
            rows.append({"box": b.number, "lever": r.lever, "kind": r.kind,
                         "low": r.low, "high": r.high, "sampled_low": r.sampled_low,
                         "sampled_high": r.sampled_high,
                         "levels": "|".join(map(str, r.levels)) or None,
                         "sampled_levels": "|".join(map(str, r.sampled_levels)) or None,
                         "quasi_p": r.quasi_p, "coverage": b.coverage, "density": b.density,
                         "mass": b.mass, "trajectory_step": b.index})
    return pd.DataFrame(rows)


def _write(d: Discovery, target: Path, x: pd.DataFrame, y: np.ndarray, kinds: dict[str, str],
           factors: dict[str, dict[str, Any]], manifest: dict[str, Any], tree: Any,
           names: list[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.tree import export_text, plot_tree

    from lspsim.sweep.analysis import markdown_table

    with atomic_output_dir(target) as tmp:
        _limits_table(d.boxes).to_csv(tmp / "boxes.csv", index=False)
        for b in d.boxes:
            tr = b.trajectory.copy()
            tr.insert(0, "step", np.arange(len(tr)))
            tr.to_csv(tmp / f"trajectory_box{b.number}.csv", index=False)
            for name, fig in (("tradeoff", tradeoff_figure(b)), ("box", box_figure(b, factors)),
                              ("scatter", scatter_figure(x, y, b, kinds))):
                if fig is not None:
                    fig.savefig(tmp / f"{name}_box{b.number}.png", dpi=110)
                    plt.close(fig)
        d.cart_rules.to_csv(tmp / "cart_rules.csv", index=False)
        (tmp / "cart_tree.txt").write_text(export_text(tree, feature_names=names,
                                                       show_weights=True))
        fig, ax = plt.subplots(figsize=(14, 7))
        plot_tree(tree, feature_names=names, class_names=["other", "case"], filled=True,
                  impurity=False, proportion=True, fontsize=7, ax=ax)
        ax.set_title(f"CART: {d.where}")
        fig.savefig(tmp / "cart_tree.png", dpi=100)
        plt.close(fig)
        d.scores.to_csv(tmp / "feature_scores.csv", index=False)
        fig = scores_figure(d.scores)
        fig.savefig(tmp / "feature_scores.png", dpi=110)
        plt.close(fig)
        (tmp / "summary.md").write_text(_markdown(d, manifest, factors, markdown_table))
        write_json(tmp / "discovery.json", {
            "sweep": manifest.get("name"), "experiment_hash": manifest.get("experiment_hash"),
            "where": d.where, "label": d.label, "unit": d.unit, "n": d.n, "cases": d.n_cases,
            "statements": d.statements, "notes": d.notes,
            "boxes": [{"box": b.number, "trajectory_step": b.index, "coverage": b.coverage,
                       "density": b.density, "mass": b.mass, "runs": b.n_in,
                       "cases": b.n_cases_in,
                       "restrictions": [r.__dict__ for r in b.restrictions]}
                      for b in d.boxes]})


def _markdown(d: Discovery, manifest: dict[str, Any], factors: dict[str, dict[str, Any]],
              table: Any) -> str:
    lines = [f"# Scenario discovery: {d.label} ({d.where})", "",
             f"Sweep `{manifest.get('name')}`: {d.n} {d.unit}, of which {d.n_cases} "
             f"({d.n_cases / d.n:.0%}) meet the condition.", ""]
    lines += [f"- note: {n}" for n in d.notes]
    lines += ["", "## PRIM boxes", ""]
    for s, b in zip(d.statements, d.boxes, strict=True):
        lines += [s, ""]
        if b.restrictions:
            lines += [f"Picked from step {b.index} of {len(b.trajectory) - 1} on the peeling "
                      f"trajectory (trajectory_box{b.number}.csv, tradeoff_box{b.number}.png; "
                      "`--box STEP` picks another). Quasi-p of each restriction (one-sided "
                      "binomial; small = the restriction matters):", ""]
            lines += [f"- `{r.lever}` {r.phrase()}"
                      + (f" (quasi-p {r.quasi_p:.2g})" if r.quasi_p is not None else "")
                      for r in b.restrictions]
            lines.append("")
    lines += ["## CART (a second view)", "",
              "Leaves of a depth-limited decision tree, richest in cases first "
              "(cart_tree.png, cart_tree.txt):", ""]
    show = d.cart_rules.head(8).copy()
    for c in ("density", "coverage", "mass"):
        show[c] = [f"{v:.0%}" for v in show[c]]
    lines += [table(show.drop(columns="leaf")), ""]
    lines += ["## Feature scores", "",
              "Extra-trees importance of each varied lever for separating the cases "
              "(and for the outcome itself):", "", table(d.scores), ""]
    lines += ["## The levers, in the schema's words", ""]
    lines += [f"- `{f}`: {lever_description(f, factors)}" for f in d.scores["lever"]]
    return "\n".join(lines) + "\n"
