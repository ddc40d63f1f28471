"""Robustness: the seeded Latin hypercube over uncertain parameters at whose points each
finding's paired effect is measured again."""

from __future__ import annotations

import numpy as np
from scipy.stats import qmc

from lspsim.scenario import numeric_parameters
from lspsim.validation.patterns import LHS_RANGES, LHS_SEED


def lhs_points(n: int) -> list[dict[str, float]]:
    """``n`` seeded Latin-hypercube points over ``LHS_RANGES``."""
    names = list(LHS_RANGES)
    bounds = numeric_parameters()
    for p in names:  # the sub-ranges must sit inside the schema's bounds
        lo, hi = LHS_RANGES[p][:2]
        assert bounds[p][0] <= lo < hi <= bounds[p][1], p
    gen = np.random.default_rng(LHS_SEED)
    try:
        sampler = qmc.LatinHypercube(d=len(names), rng=gen)
    except TypeError:  # scipy < 1.15
        sampler = qmc.LatinHypercube(d=len(names), seed=gen)
    u = sampler.random(n)
    lo = np.array([LHS_RANGES[p][0] for p in names])
    hi = np.array([LHS_RANGES[p][1] for p in names])
    x = qmc.scale(u, lo, hi)
    return [{p: float(v) for p, v in zip(names, row, strict=True)} for row in x]
