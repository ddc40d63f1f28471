"""Design points: full grids, Latin hypercubes and Sobol' sequences (scipy.stats.qmc), and
Saltelli and Morris samples (SALib) whose structure SALib's analysers then rely on.

Sampling designs draw in the unit hypercube; each factor maps its coordinate to a value by its
inverse CDF (categories and bundles split the interval evenly). The unit coordinates are kept
with the design: SALib analyses them, so indices compare levers on their whole ranges.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lspsim.errors import InputError

if TYPE_CHECKING:
    from lspsim.sweep.experiment import Experiment, Factor


@dataclass
class Design:
    """The points of an experiment: ``values[p][factor name]`` and, for sampling designs, the
    unit-hypercube coordinates ``unit[p]`` that produced them."""

    kind: str
    factors: list[Factor]
    values: list[dict[str, Any]]
    unit: np.ndarray | None
    levels: int = 4
    second_order: bool = False

    @property
    def n_points(self) -> int:
        return len(self.values)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.factors]

    def updates(self, point: int) -> dict[str, Any]:
        """The Scenario edits (dotted path -> value) of one design point."""
        out: dict[str, Any] = {}
        for f in self.factors:
            out.update(f.updates(self.values[point][f.name]))
        return out

    def problem(self) -> dict[str, Any]:
        """A SALib problem over the unit coordinates."""
        return {"num_vars": len(self.factors), "names": self.names,
                "bounds": [[0.0, 1.0]] * len(self.factors)}

    def table(self) -> pd.DataFrame:
        """One row per point: its id, each factor's value and (sampling designs) unit coords."""
        df = pd.DataFrame(self.values, columns=self.names)
        df.insert(0, "point", np.arange(self.n_points, dtype=np.int64))
        if self.unit is not None:
            unit = pd.DataFrame(self.unit, columns=[f"unit:{n}" for n in self.names])
            df = pd.concat([df, unit], axis=1)
        return df

    def summary(self) -> dict[str, Any]:
        return {"kind": self.kind, "points": self.n_points, "levels": self.levels,
                "second_order": self.second_order,
                "factors": [{"name": f.name, "kind": f.kind, "paths": list(f.paths),
                             "low": f.low if f.kind == "numeric" else None,
                             "high": f.high if f.kind == "numeric" else None,
                             "integer": f.integer, "distribution": f.distribution,
                             "dist_args": f.dist_args,
                             "values": f.values if f.kind != "numeric" or f.values else None}
                            for f in self.factors]}


def _rng(seed: int) -> np.random.Generator:
    # a stream of its own: design draws never share a stream with any run's
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2**32 - 1,)))


def unit_sample(kind: str, d: int, n: int, seed: int, levels: int = 4,
                second_order: bool = False, scramble: bool = True) -> np.ndarray:
    """Points in [0, 1]^d for a sampling design (reproducible from ``seed``)."""
    from scipy.stats import qmc

    if kind == "lhs":
        return qmc.LatinHypercube(d, rng=_rng(seed)).random(n)
    if kind == "sobol_sequence":
        return qmc.Sobol(d, scramble=scramble, rng=_rng(seed)).random_base2(int(np.log2(n)))
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}
    if kind == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, n, calc_second_order=second_order, scramble=scramble,
                            seed=_rng(seed))
    if kind == "morris":
        from SALib.sample import morris

        return morris.sample(problem, n, num_levels=levels, seed=_rng(seed))
    raise ValueError(f"not a sampling design: {kind}")


def generate_design(exp: Experiment) -> Design:
    """Build and validate every point of ``exp`` (InputError naming the first bad point)."""
    spec, factors = exp.design, exp.factors
    seed = exp.seed if spec.seed is None else spec.seed
    if spec.kind == "grid":
        combos = itertools.product(*[f.values for f in factors])
        values = [dict(zip([f.name for f in factors], c, strict=True)) for c in combos]
        unit = None
    else:
        assert spec.n is not None
        unit = unit_sample(spec.kind, len(factors), spec.n, seed, spec.levels,
                           spec.second_order, spec.scramble)
        cols = [f.from_unit(unit[:, j]) for j, f in enumerate(factors)]
        values = [dict(zip([f.name for f in factors], row, strict=True)) for row in zip(*cols,
                                                                                    strict=True)]
    design = Design(spec.kind, factors, values, unit, spec.levels, spec.second_order)
    if not values:
        raise InputError(exp.source, "design", 0, "at least one design point (an empty design)")
    base = exp.base
    for p in range(design.n_points):
        try:
            base.with_updates(design.updates(p), source=exp.source)
        except InputError as exc:
            raise InputError(exp.source, f"design point {p} ({exc.field})", exc.value,
                             f"{exc.allowed}; the point sets {design.values[p]}") from None
    return design
