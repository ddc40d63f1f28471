"""Experiment files: what to vary, how to sample it, what to keep. Validated before any run.

An :class:`Experiment` reads like SALib's ``ProblemSpec``: one object describes the problem and
flows through ``sample() -> run() -> analyse()``. The Scenario schema stays the single source of
parameters: every varied path is a dotted Scenario path (``lspsim validate --list``), and ranges
are checked against the schema's own bounds (:func:`lspsim.scenario.numeric_parameters`).

A file looks like this (see experiments/ for presets)::

    name = "leadership-network"
    description = "Chair style x initial tie strength"
    scenario = "default"            # a preset name or a TOML file (relative to this file)
    seed = 2009
    replications = 20
    months = 36                     # default: the scenario's own
    metrics = ["target_achievement", "mean_trust"]     # default: every summary metric
    series = ["mean_trust"]         # monthly series to keep (default: none)

    [design]
    kind = "grid"                   # grid | lhs | sobol_sequence | sobol | morris

    [parameters]
    "leadership.chair_style" = { values = ["facilitative", "directive"] }
    "network.initial_strength" = { range = [0.1, 0.7], steps = 4 }
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from lspsim._data import data_dir
from lspsim.errors import InputError, from_validation_error
from lspsim.scenario import (
    Scenario,
    load_scenario,
    numeric_parameters,
    parameter_paths,
    read_toml,
)

if TYPE_CHECKING:
    from lspsim.sweep.designs import Design

# Paths an experiment may not vary: they are the experiment's own fields or carry no meaning.
RESERVED_PATHS = ("name", "description", "months", "seed")
DESIGN_KINDS = ("grid", "lhs", "sobol_sequence", "sobol", "morris")
GLOB_CHARS = "*?["


def experiments_dir() -> Path:
    """Preset experiment files: the repository's experiments/ in a checkout (the canonical
    copy), else the copy an installed wheel carries as lspsim/experiments."""
    return data_dir("experiments")


def list_experiments() -> dict[str, Path]:
    d = experiments_dir()
    return {p.stem: p for p in sorted(d.glob("*.toml"))} if d.is_dir() else {}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class ParameterSpec(_Strict):
    """How one lever (or a glob of levers, or a bundle of paths) varies."""

    values: list[Any] | None = Field(None, description="Explicit values (grid levels, or "
                                     "categories drawn evenly by sampling designs); tables of "
                                     "path = value make a bundle of several paths at once")
    labels: list[str] | None = Field(None, description="Names for bundle values")
    range: tuple[float, float] | None = Field(None, description="[low, high] within the "
                                              "schema's bounds")
    relative: float | None = Field(None, gt=0, le=10, description="Range as +/- this share "
                                   "of the base scenario's value, clipped to the schema's bounds")
    steps: int | None = Field(None, ge=2, le=1000, description="Grid levels across a range")
    distribution: Literal["uniform", "triangular", "normal", "loguniform"] = Field(
        "uniform", description="How sampling designs spread values over the range")
    mode: float | None = Field(None, description="Peak of a triangular distribution")
    mean: float | None = Field(None, description="Mean of a normal distribution")
    sd: float | None = Field(None, gt=0, description="Standard deviation of a normal "
                             "distribution (truncated to the range or the schema's bounds)")
    exclude: list[str] = Field(default_factory=list, description="Paths (globs allowed) a glob "
                               "key leaves out")


class DesignSpec(_Strict):
    kind: Literal["grid", "lhs", "sobol_sequence", "sobol", "morris"] = Field(
        "grid", description="grid: every combination; lhs: Latin hypercube; sobol_sequence: "
        "scrambled Sobol' points (space filling); sobol: Saltelli sampling for Sobol' indices; "
        "morris: elementary-effects screening")
    n: int | None = Field(None, ge=1, le=10_000_000, description="Samples (lhs, "
                          "sobol_sequence), base sample N (sobol) or trajectories (morris)")
    levels: int = Field(4, ge=2, le=100, description="Morris grid levels")
    second_order: bool = Field(False, description="sobol: also second-order indices")
    scramble: bool = Field(True, description="Scramble Sobol' sequences")
    seed: int | None = Field(None, ge=0, description="Design seed (default: the experiment's)")


class AdaptiveSpec(_Strict):
    """Replicate until precise: rounds of replications until each design point's 95% CI
    half-width on every chosen metric is at most its tolerance, or the cap is reached."""

    metrics: list[str] = Field(..., min_length=1, description="Metrics whose CI must be narrow")
    half_width: float | dict[str, float] = Field(..., description="Largest 95% CI half-width "
                                                 "allowed (metric units): one for all metrics, "
                                                 "or a table metric = width")
    round_size: int = Field(5, ge=1, le=10_000, description="Replications added per round to "
                            "each point not yet precise")
    max_replications: int = Field(..., ge=2, le=100_000, description="Cap per design point")


class Experiment(_Strict):
    """A sweep: a base scenario, levers and a design, replications, and what to keep."""

    # an identifier, never a path: it names the default output folder out/sweeps/NAME
    name: str = Field(..., min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = Field(..., min_length=1, description="One line: what it is for")
    scenario: str = Field("default", description="Base scenario: a preset name or a TOML file")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Experiment seed: run (point p, "
                      "replication r) uses SeedSequence(seed, spawn_key=(p, r))")
    replications: int = Field(1, ge=1, le=100_000)
    months: int | None = Field(None, ge=1, le=600)
    metrics: list[str] | None = Field(None, description="Summary metrics to keep (default all)")
    series: list[str] = Field(default_factory=list, description="Monthly series to keep")
    design: DesignSpec = Field(default_factory=DesignSpec)
    parameters: dict[str, ParameterSpec] = Field(default_factory=dict)
    adaptive: AdaptiveSpec | None = Field(None, description="Replicate each point in rounds "
                                          "until its CIs are narrow (replications is the "
                                          "first round)")

    _source: str = PrivateAttr("experiment")
    _base: Scenario | None = PrivateAttr(None)
    _factors: list[Factor] = PrivateAttr(default_factory=list)

    # -- the resolved view (filled by resolve(); load_experiment calls it) -----------------
    @property
    def source(self) -> str:
        return self._source

    @property
    def base(self) -> Scenario:
        """The base scenario with the experiment's months applied."""
        assert self._base is not None, "call resolve() first"
        return self._base

    @property
    def factors(self) -> list[Factor]:
        return self._factors

    @property
    def metric_names(self) -> list[str]:
        from lspsim.outcomes import summary_names

        return list(self.metrics) if self.metrics is not None else list(summary_names())

    @property
    def n_points(self) -> int:
        """Design points, computed from the design's size (without building it)."""
        return planned_points(self)

    @property
    def n_runs(self) -> int:
        return self.n_points * self.replications

    def resolve(self, base_dir: Path | None = None) -> Experiment:
        """Check everything against the Scenario schema and build the factors (InputError)."""
        _resolve(self, base_dir or Path.cwd())
        return self

    def hash(self) -> str:
        """Identifies what the results depend on (not the description)."""
        data = self.model_dump(mode="json", exclude={"description"})
        data["base_scenario"] = self.base.model_dump(mode="json")
        if not data["base_scenario"]["events"]:  # as before events existed: old sweeps resume
            del data["base_scenario"]["events"]
        blob = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()

    # -- ProblemSpec-style flow ------------------------------------------------------------
    def sample(self) -> Design:
        """The design points (cached): every point's scenario is validated here."""
        return self._design

    @cached_property
    def _design(self) -> Design:
        from lspsim.sweep.designs import generate_design

        return generate_design(self)

    def run(self, out: str | Path, **kwargs: Any) -> Any:
        """Evaluate the design: see :func:`lspsim.sweep.run_sweep`."""
        from lspsim.sweep.executors import run_sweep

        return run_sweep(self, out, **kwargs)

    def analyse(self, out: str | Path, **kwargs: Any) -> Any:
        from lspsim.sweep.analysis import analyse

        return analyse(out, **kwargs)


@dataclass
class Factor:
    """One varied input after resolution: a numeric lever, a categorical one, or a bundle."""

    name: str                       # column name: the dotted path, or the bundle's key
    kind: Literal["numeric", "categorical", "bundle"]
    paths: tuple[str, ...]          # the Scenario paths it sets
    low: float = 0.0
    high: float = 1.0
    integer: bool = False
    distribution: str = "uniform"
    dist_args: dict[str, float] = field(default_factory=dict)
    values: list[Any] = field(default_factory=list)     # grid levels or categories
    bundles: list[dict[str, Any]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map unit-interval coordinates to values (inverse CDF; categories evenly)."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.kind != "numeric":
            k = len(self.labels if self.kind == "bundle" else self.values)
            idx = np.minimum((u * k).astype(int), k - 1)
            pool = self.labels if self.kind == "bundle" else self.values
            return [pool[i] for i in idx]
        if self.integer:
            x = np.floor(self.low + u * (self.high - self.low + 1))
            return [int(v) for v in np.clip(x, self.low, self.high)]
        return [float(v) for v in self._ppf(u)]

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import stats

        lo, hi, a = self.low, self.high, self.dist_args
        if self.distribution == "uniform":
            return lo + u * (hi - lo)
        if self.distribution == "triangular":
            c = (a["mode"] - lo) / (hi - lo)
            return stats.triang.ppf(u, c, loc=lo, scale=hi - lo)
        if self.distribution == "loguniform":
            return stats.loguniform.ppf(u, lo, hi)
        mu, sd = a["mean"], a["sd"]
        return stats.truncnorm.ppf(u, (lo - mu) / sd, (hi - mu) / sd, loc=mu, scale=sd)

    def updates(self, value: Any) -> dict[str, Any]:
        if self.kind == "bundle":
            return dict(self.bundles[self.labels.index(value)])
        return {self.paths[0]: value}


# ---------------------------------------------------------------------------------------
# Loading and resolution
# ---------------------------------------------------------------------------------------

def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "." in str(part) or any(c in str(part) for c in GLOB_CHARS):
            out += f'["{part}"]'
        else:
            out += f".{part}" if out else str(part)
    return out or "(experiment)"


def load_experiment(path_or_name: str | Path) -> Experiment:
    """Load and fully validate an experiment file (or a preset name from experiments/)."""
    p = Path(path_or_name)
    if not p.is_file():
        presets = list_experiments()
        if str(path_or_name) in presets:
            p = presets[str(path_or_name)]
        else:
            raise InputError(str(path_or_name), "(file)", None, "an experiment TOML file or a "
                             f"preset name: {', '.join(presets) or '(none found)'}")
    data = read_toml(p)
    return experiment_from_dict(data, source=str(p), base_dir=p.parent)


def experiment_from_dict(data: dict[str, Any], source: str = "experiment",
                         base_dir: Path | None = None) -> Experiment:
    try:
        exp = Experiment.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, source, empty="(experiment)", loc=_loc, extra_hint=(
            "see docs/sweeps.md for the experiment file format")) from None
    exp._source = source
    return exp.resolve(base_dir)


def _unknown_path(source: str, fld: str, path: str) -> InputError:
    paths = [p for p in parameter_paths() if p not in RESERVED_PATHS]
    close = difflib.get_close_matches(path, paths, n=3, cutoff=0.6)
    section = path.rsplit(".", 1)[0] if "." in path else ""
    same = [p for p in paths if section and p.startswith(section + ".")]
    sections = sorted({p.split(".")[0] for p in paths if "." in p})
    hint = (f"did you mean {' or '.join(close)}? " if close else "")
    listing = (f"valid paths in {section}: {', '.join(same)}" if same else
               f"valid sections: {', '.join(sections)}; top level: "
               f"{', '.join(p for p in paths if '.' not in p)}")
    return InputError(source, fld, path, f"a Scenario parameter path; {hint}{listing} "
                      "(`lspsim validate --list` shows all)")


def _get(sc: Scenario, path: str) -> Any:
    return sc.get(path)


def _resolve(exp: Experiment, base_dir: Path) -> None:
    from lspsim.outcomes import names, summary_names

    series_names, metric_names = names("model"), summary_names()

    src = exp.source
    # base scenario: a file beside the experiment, a path, or a preset name
    cand = base_dir / exp.scenario
    try:
        base = load_scenario(cand if cand.is_file() else exp.scenario)
    except InputError as exc:
        if exc.field in ("(scenario)", "(file)"):
            raise InputError(src, "scenario", exp.scenario, exc.allowed) from None
        raise
    months = exp.months if exp.months is not None else base.months
    exp._base = base.with_updates({"months": months}, source=src)

    if exp.metrics is not None:
        if not exp.metrics:
            raise InputError(src, "metrics", [], "at least one of " + ", ".join(metric_names))
        for i, m in enumerate(exp.metrics):
            if m not in metric_names:
                raise InputError(src, f"metrics[{i}]", m, "one of " + ", ".join(metric_names))
        if len(set(exp.metrics)) != len(exp.metrics):
            raise InputError(src, "metrics", exp.metrics, "each metric once")
    for i, s in enumerate(exp.series):
        if s not in series_names:
            raise InputError(src, f"series[{i}]", s, "one of " + ", ".join(series_names))

    if exp.adaptive is not None:
        _check_adaptive(exp, src)

    if not exp.parameters:
        raise InputError(src, "parameters", None, "at least one parameter to vary, e.g. "
                         '"trust.initial" = { range = [0.2, 0.7] } (an empty design)')
    numeric = numeric_parameters()
    paths = parameter_paths()
    factors: list[Factor] = []
    for key, spec in exp.parameters.items():
        fld = _loc(("parameters", key))
        if any(c in key for c in GLOB_CHARS):
            matched = [p for p in numeric if p not in RESERVED_PATHS and fnmatch.fnmatchcase(p, key)
                       and not any(fnmatch.fnmatchcase(p, x) for x in spec.exclude)]
            if not matched:
                raise InputError(src, fld, key, "a glob matching at least one numeric parameter "
                                 "(`lspsim validate --list`)")
            for p in matched:
                factors.append(_factor(exp, p, spec, f'{fld} -> "{p}"', numeric, paths))
        else:
            if spec.exclude:
                raise InputError(src, f"{fld}.exclude", spec.exclude,
                                 "exclude only with a glob key")
            factors.append(_factor(exp, key, spec, fld, numeric, paths))
    names = [f.name for f in factors]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise InputError(src, "parameters", sorted(dup), "each parameter once (globs overlap?)")
    set_paths = [p for f in factors for p in f.paths]
    dup = {p for p in set_paths if set_paths.count(p) > 1}
    if dup:
        raise InputError(src, "parameters", sorted(dup), "each path set by one parameter only")
    exp._factors = factors
    _check_design(exp)


def _factor(exp: Experiment, key: str, spec: ParameterSpec, fld: str,
            numeric: dict[str, tuple[float, float, str, str]], paths: dict[str, Any]) -> Factor:
    src, base = exp.source, exp.base
    kind = exp.design.kind
    given = [n for n in ("values", "range", "relative") if getattr(spec, n) is not None]
    if spec.distribution == "normal" and spec.mean is not None:
        given.append("mean")
    if len(given) != 1:
        raise InputError(src, fld, None, "exactly one of values = [...], range = [low, high], "
                         "relative = share, or (normal) mean/sd"
                         + (f"; got {' and '.join(given)}" if given else ""))

    if spec.values is not None:
        if not spec.values:
            raise InputError(src, f"{fld}.values", [], "a non-empty list (an empty design)")
        if spec.steps is not None or spec.distribution != "uniform":
            raise InputError(src, fld, None, "steps and distribution go with a range, not values")
        if all(isinstance(v, dict) for v in spec.values):
            return _bundle(exp, key, spec, fld, paths)
        if key not in paths or key in RESERVED_PATHS:
            raise _unknown_path(src, fld, key)
        for i, v in enumerate(spec.values):
            try:
                base.with_updates({key: v}, source=src)
            except InputError as exc:
                hint = ("" if exc.field == key else "; paths that must change together go in "
                        "a bundle: values = [{ path = value, ... }, ...] (docs/sweeps.md)")
                raise InputError(src, f"{fld}.values[{i}]", v, exc.allowed + hint) from None
        if len({json.dumps(v, sort_keys=True) for v in spec.values}) != len(spec.values):
            raise InputError(src, f"{fld}.values", spec.values, "distinct values")
        if spec.labels is not None:
            raise InputError(src, f"{fld}.labels", spec.labels, "labels only for bundles")
        # in sampling designs, explicit values are categories drawn evenly (numbers too)
        return Factor(key, "categorical", (key,), values=list(spec.values),
                      integer=paths[key].annotation is int)

    if key not in paths or key in RESERVED_PATHS:
        raise _unknown_path(src, fld, key)
    if key not in numeric:
        raise InputError(src, fld, key, "values = [...] for a non-numeric parameter "
                         f"(ranges need one of: {', '.join(list(numeric)[:6])}, ...)")
    lo_b, hi_b, unit, _ = numeric[key]
    integer = paths[key].annotation is int
    if spec.range is not None:
        low, high = spec.range
        where = f"{fld}.range"
    elif spec.relative is not None:
        b = float(_get(base, key))
        low, high = max(lo_b, b - abs(b) * spec.relative), min(hi_b, b + abs(b) * spec.relative)
        if integer:  # whole numbers, rounded outwards
            low, high = float(math.floor(low)), float(math.ceil(high))
        where = f"{fld}.relative"
    else:  # normal with mean/sd: truncate at the schema's bounds
        low, high, where = lo_b, hi_b, fld
    if not low < high:
        raise InputError(src, where, [low, high], "low < high" + (
            " (the base value is 0, so a relative range is empty: give a range)"
            if spec.relative is not None else ""))
    if low < lo_b or high > hi_b:
        raise InputError(src, where, [low, high],
                         f"a range within the schema's bounds [{lo_b:g}, {hi_b:g}] {unit}".rstrip())
    if integer and (low != int(low) or high != int(high)):
        raise InputError(src, where, [low, high], "whole numbers (an integer parameter)")
    dist_args: dict[str, float] = {}
    d = spec.distribution
    if d == "triangular":
        if spec.mode is None or not low <= spec.mode <= high:
            raise InputError(src, f"{fld}.mode", spec.mode, f"a mode within [{low:g}, {high:g}]")
        dist_args["mode"] = spec.mode
    elif d == "normal":
        if spec.mean is None or spec.sd is None:
            raise InputError(src, fld, None, "mean and sd for a normal distribution")
        if not low <= spec.mean <= high:
            raise InputError(src, f"{fld}.mean", spec.mean, f"a mean within [{low:g}, {high:g}]")
        dist_args.update(mean=spec.mean, sd=spec.sd)
    elif d == "loguniform" and low <= 0:
        raise InputError(src, where, [low, high], "low > 0 for a loguniform distribution")
    if d != "uniform" and integer:
        raise InputError(src, f"{fld}.distribution", d, "uniform for an integer parameter")
    if d != "normal" and (spec.mean is not None or spec.sd is not None):
        raise InputError(src, fld, None, "mean and sd only with distribution = \"normal\"")
    if kind == "grid":
        if d != "uniform":
            raise InputError(src, f"{fld}.distribution", d, "no distribution in a grid design "
                             "(give values, or range and steps)")
        if spec.steps is None:
            raise InputError(src, f"{fld}.steps", None, "steps (an integer >= 2) to make grid "
                             "levels from a range, or values = [...]")
        levels = np.linspace(low, high, spec.steps)
        vals: list[Any] = (sorted({int(round(v)) for v in levels}) if integer
                           else [float(v) for v in levels])
        return Factor(key, "numeric", (key,), low, high, integer, values=vals)
    if spec.steps is not None:
        raise InputError(src, f"{fld}.steps", spec.steps, f"no steps in a {kind} design "
                         "(it samples the range)")
    return Factor(key, "numeric", (key,), float(low), float(high), integer, d, dist_args)


def _bundle(exp: Experiment, key: str, spec: ParameterSpec, fld: str,
            paths: dict[str, Any]) -> Factor:
    src, base = exp.source, exp.base
    if key in paths:
        raise InputError(src, fld, key, "a bundle name that is not itself a parameter path")
    assert spec.values is not None
    bundles: list[dict[str, Any]] = []
    for i, b in enumerate(spec.values):
        if not b:
            raise InputError(src, f"{fld}.values[{i}]", b, "a table of path = value")
        for p in b:
            if p not in paths or p in RESERVED_PATHS:
                raise _unknown_path(src, f"{fld}.values[{i}]", p)
        try:
            base.with_updates(b, source=src)
        except InputError as exc:
            raise InputError(src, f"{fld}.values[{i}].{exc.field}", exc.value,
                             exc.allowed) from None
        bundles.append(dict(b))
    labels = spec.labels or [f"{key}_{i}" for i in range(len(bundles))]
    if len(labels) != len(bundles) or len(set(labels)) != len(labels):
        raise InputError(src, f"{fld}.labels", spec.labels, f"{len(bundles)} distinct names, "
                         "one per bundle")
    all_paths = tuple(dict.fromkeys(p for b in bundles for p in b))
    return Factor(key, "bundle", all_paths, bundles=bundles, labels=list(labels),
                  values=list(labels))


def _check_design(exp: Experiment) -> None:
    src, d, D = exp.source, exp.design, len(exp.factors)
    if d.kind == "grid":
        if d.n is not None:
            raise InputError(src, "design.n", d.n, "no n for a grid (its size is the product "
                             "of the levels)")
        _check_size(exp)
        return
    if d.n is None:
        what = {"lhs": "samples", "sobol_sequence": "samples (a power of 2)",
                "sobol": "the base sample N (a power of 2)", "morris": "trajectories"}[d.kind]
        raise InputError(src, "design.n", None, f"n: {what}")
    if d.kind in ("sobol", "sobol_sequence") and d.n & (d.n - 1):
        raise InputError(src, "design.n", d.n, "a power of 2 (Sobol' sequences lose their "
                         "balance otherwise), e.g. " + ", ".join(
                             str(2 ** k) for k in range(max(0, int(math.log2(d.n)) - 1),
                                                        int(math.log2(d.n)) + 2)))
    if d.kind == "morris" and d.n < 2:
        raise InputError(src, "design.n", d.n, "at least 2 Morris trajectories")
    if d.kind == "sobol" and D < 2:
        raise InputError(src, "parameters", D, "at least 2 parameters for Sobol' indices")
    _check_size(exp)


# Sizes a sweep may ask for, from what a 2-core, 24 GiB machine can do (measured on Python
# 3.11): a default run takes about 15 ms of one core, and building a design validates a
# scenario per point (about 0.1 ms each, with its values held in memory until the sweep ends).
MAX_POINTS = 200_000
MAX_RUNS = 20_000_000
SIZE_WHY = ("a design point is validated and held in memory before any run (about 0.1 ms and "
            "1 kB each), and 20 million runs of the default scenario take about two days on "
            "2 cores")


def planned_points(exp: Experiment) -> int:
    """The number of design points, from the design's parameters alone: a dry run and the
    size checks never build (or hang on) a huge design."""
    d, D = exp.design, len(exp.factors)
    if d.kind == "grid":
        return math.prod(len(f.values) for f in exp.factors)
    n = d.n or 0
    if d.kind == "sobol":
        return n * (2 * D + 2 if d.second_order else D + 2)
    if d.kind == "morris":
        return n * (D + 1)
    return n


def _check_size(exp: Experiment) -> None:
    points = planned_points(exp)
    if points > MAX_POINTS:
        raise InputError(exp.source, "design", points, f"at most {MAX_POINTS:,} design points "
                         f"({SIZE_WHY})")
    if points * exp.replications > MAX_RUNS:
        raise InputError(exp.source, "replications", exp.replications, f"at most {MAX_RUNS:,} "
                         f"runs in all; {points:,} points x {exp.replications:,} replications "
                         f"= {points * exp.replications:,} ({SIZE_WHY})")


def _check_adaptive(exp: Experiment, src: str) -> None:
    a = exp.adaptive
    assert a is not None
    names = exp.metric_names
    for i, m in enumerate(a.metrics):
        if m not in names:
            raise InputError(src, f"adaptive.metrics[{i}]", m, "a metric the experiment keeps: "
                             + ", ".join(names))
    widths = a.half_width if isinstance(a.half_width, dict) else {m: a.half_width
                                                                  for m in a.metrics}
    for m in a.metrics:
        if m not in widths:
            raise InputError(src, "adaptive.half_width", sorted(widths), f"a width for {m}")
    for m, w in widths.items():
        if m not in a.metrics:
            raise InputError(src, f"adaptive.half_width.{m}", w, "widths only for "
                             "adaptive.metrics")
        if not (isinstance(w, int | float) and w > 0):
            raise InputError(src, f"adaptive.half_width.{m}", w, "a number > 0")
    if exp.replications < 2:
        raise InputError(src, "replications", exp.replications, "at least 2 in an adaptive "
                         "experiment (the first round needs a confidence interval)")
    if a.max_replications < exp.replications:
        raise InputError(src, "adaptive.max_replications", a.max_replications,
                         f"at least replications ({exp.replications})")
