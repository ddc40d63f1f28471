"""Robustness: a seeded Latin hypercube over uncertain parameters, the structural constants among
them, each sampled over its range in the schema; at each point a finding is measured again over
several paired replications, so replication noise can be told apart from parameter dependence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc, spearmanr

from lspsim.scenario import plausible_range
from lspsim.stats import interval
from lspsim.validation.patterns import LHS_PARAMETERS, LHS_SEED


def lhs_ranges(names: tuple[str, ...] = LHS_PARAMETERS) -> dict[str, tuple[float, float]]:
    """Each hypercube parameter's range, read from the schema (``plausible_range``): its
    ``plausible`` metadata where the hard bounds are too wide, otherwise its ge/le bounds."""
    return {p: plausible_range(p) for p in names}


def lhs_points(n: int, names: tuple[str, ...] = LHS_PARAMETERS) -> list[dict[str, float]]:
    """``n`` seeded Latin-hypercube points over ``lhs_ranges(names)``."""
    ranges = lhs_ranges(names)
    gen = np.random.default_rng(LHS_SEED)
    try:
        sampler = qmc.LatinHypercube(d=len(names), rng=gen)
    except TypeError:  # scipy < 1.15
        sampler = qmc.LatinHypercube(d=len(names), seed=gen)
    u = sampler.random(n)
    lo = np.array([ranges[p][0] for p in names])
    hi = np.array([ranges[p][1] for p in names])
    x = qmc.scale(u, lo, hi)
    return [{p: float(v) for p, v in zip(names, row, strict=True)} for row in x]


@dataclass(frozen=True)
class Robustness:
    """A finding over the hypercube. ``x[j, k]`` is replication k at point j of the statistic
    whose claimed side is > 0 (a paired difference A - B, or a value minus its threshold)."""

    points: int
    replications: int
    sign_share: float   # points whose mean over replications is > 0 (replication noise in it)
    true_sign_share: float  # points whose effect, replication noise removed, is > 0 (pass rule)
    ci_share: float     # points whose 95% t interval over replications lies above 0
    noise_share: float  # share of the variance of x that is replication noise (not parameters)
    # (parameter, Spearman rho) of the hypercube parameters the point means follow most,
    # strongest first, those with |rho| >= DRIVER_RHO (at most DRIVERS of them)
    drivers: tuple[tuple[str, float], ...] = ()

    @classmethod
    def of(cls, x: np.ndarray, points: list[dict[str, float]] | None = None) -> Robustness:
        """One-way random-effects split of var(x): within points (replication noise, MSW) and
        between points beyond what noise explains ((MSB - MSW) / r, parameter dependence).
        With the hypercube's ``points`` (one dict per row of x), also which parameters the
        effect follows: the rank correlation of each point's mean with each parameter.

        ``true_sign_share`` is the share of points whose effect has the claimed sign once
        replication noise is removed: each point's empirical-Bayes (random-effects) estimate,
        its mean shrunk toward the mean over points by the share of its variance that is noise,
        grand + B (mean_j - grand), B = tau^2 / (tau^2 + MSW / r_j), tau^2 = the parameter
        variance. A raw point mean of a small effect has the wrong sign at many points from
        noise alone (with 16 replications and noise sd 4 x the effect, at ~40% of points,
        however little the effect depends on the parameters); the shrunk estimate keeps a sign
        change that the parameters make and drops one that noise makes."""
        x = np.asarray(x, dtype=float)
        means, los = [], []
        for row in x:
            m, lo, _ = interval(row) if np.isfinite(row).any() else (np.nan, np.nan, np.nan)
            means.append(m)
            los.append(lo if np.isfinite(row).sum() > 1 else np.nan)
        means_a, los_a = np.array(means), np.array(los)
        counts = np.isfinite(x).sum(axis=1)
        ok = counts > 1
        if ok.sum() >= 2:
            msw = float(np.mean([np.nanvar(r, ddof=1) for r in x[ok]]))
            r = float(counts[ok].mean())
            msb = float(r * np.var(means_a[ok], ddof=1))
            param = max(0.0, (msb - msw) / r)
            noise = msw / (msw + param) if msw + param > 0 else 0.0
            grand = float(np.mean(means_a[ok]))
            err = msw / np.where(counts > 0, counts, 1)  # variance of each point's mean
            with np.errstate(invalid="ignore", divide="ignore"):
                shrink = np.where(param + err > 0, param / (param + err), 0.0)
            shrunk = np.where(ok, grand + shrink * (means_a - grand), means_a)
            true_share = float(np.mean(np.nan_to_num(shrunk, nan=-np.inf) > 0))
        else:
            noise = float("nan")
            true_share = float(np.mean(means_a > 0))
        return cls(int(x.shape[0]), int(x.shape[1]), float(np.mean(means_a > 0)), true_share,
                   float(np.mean(np.nan_to_num(los_a, nan=-np.inf) > 0)), float(noise),
                   drivers(means_a, points) if points else ())


DRIVERS = 2  # parameters named per finding
DRIVER_RHO = 0.4  # |Spearman rho| from which a parameter is named (p < 0.03 with 32 points)


def drivers(means: np.ndarray, points: list[dict[str, float]]
            ) -> tuple[tuple[str, float], ...]:
    """The hypercube parameters an effect's point means follow most: Spearman's rho of the
    means with each parameter (scipy.stats.spearmanr), strongest first, |rho| >= DRIVER_RHO."""
    ok = np.isfinite(means)
    if ok.sum() < 5 or len(points) != len(means):
        return ()
    out = []
    for name in points[0]:
        v = np.array([p[name] for p in points], dtype=float)[ok]
        if np.ptp(v) == 0 or np.ptp(means[ok]) == 0:
            continue
        rho = float(spearmanr(v, means[ok]).statistic)
        if abs(rho) >= DRIVER_RHO:
            out.append((name, rho))
    out.sort(key=lambda t: -abs(t[1]))
    return tuple(out[:DRIVERS])
