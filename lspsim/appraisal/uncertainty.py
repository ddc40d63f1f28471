"""Uncertainty: Monte Carlo over assumption distributions crossed with model replications,
its standard error, switching values and a tornado.

Sampling is seeded and reproducible: assumption draws come from their own stream,
``SeedSequence(seed, spawn_key=(SAMPLING_KEY,))``, apart from the replication streams
``SeedSequence(seed, spawn_key=(k,))`` that ``lspsim.results`` uses, and draw ``i`` is the same
whatever the number of samples (the first 100 of 1000 draws are the 100 draws of a 100-sample run).
Every assumption set is priced on every replication (S x R), so the spread of NPSV carries both
what we do not know about values (the assumptions) and how differently the same partnership
can turn out (the replications).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import optimize, stats

from lspsim.appraisal.assumptions import AppraisalAssumptions, Quantity, quantity_specs
from lspsim.appraisal.evaluate import Params, central_params, n_draws, npsv_over_reps
from lspsim.appraisal.flows import Flows

# Spawn key of the assumption-sampling stream: far above any replication index.
SAMPLING_KEY = 2**32 - 1
TORNADO_PERCENTILES = (0.05, 0.95)
# Assumption draws over which a switching value's expected NPSV is taken: the first draws of
# the run's sample (draw i is the same whatever the sample size). Fifty keep the Monte Carlo
# error of a switching value modest (it is an estimate: rerun with other seeds to see it) and
# a root search over ~100 trial values quick (200 draws made the README example 8x slower).
SWITCHING_DRAWS = 50

Objective = Callable[[Params], np.ndarray]


def ppf(q: Quantity, u: np.ndarray) -> np.ndarray:
    """Quantiles of a quantity's distribution at probabilities ``u``."""
    u = np.asarray(u, dtype=float)
    if q.dist == "uniform":
        return q.low + u * (q.high - q.low)
    if q.dist == "triangular":
        c = (q.value - q.low) / (q.high - q.low)
        return stats.triang.ppf(u, c, loc=q.low, scale=q.high - q.low)
    if q.dist == "lognormal":
        return stats.lognorm.ppf(u, q.sigma, scale=q.value)
    return np.full(u.shape, q.value)


def sampling_rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(SAMPLING_KEY,)))


def sample(a: AppraisalAssumptions, n: int, seed: int) -> Params:
    """``n`` assumption sets: fixed quantities at their value, uncertain ones drawn
    independently from their distributions."""
    qs = a.quantities()
    names = a.uncertain()
    u = sampling_rng(seed).random((n, len(names)))
    out = {p: np.full(n, q.value * a.price_factor(q)) for p, q in qs.items()}
    for j, p in enumerate(names):
        out[p] = ppf(qs[p], u[:, j]) * a.price_factor(qs[p])
    return out


def crossed_standard_error(x: np.ndarray) -> float:
    """Monte Carlo standard error of the grand mean of an (S, R) table in which every
    assumption draw s is priced on the same R replications: the draws and the replications are
    two crossed random samples, so Var(mean) = var_draws/S + var_reps/R + var_residual/(SR),
    estimated by the two-way analysis of variance (row means, column means, residuals). Treating
    the S x R cells as independent understates it when the rows or columns differ."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    s, r = x.shape
    if s * r < 2:
        return float("nan")
    row, col, grand = x.mean(axis=1), x.mean(axis=0), x.mean()
    resid = x - row[:, None] - col[None, :] + grand
    ms_row = r * ((row - grand) ** 2).sum() / (s - 1) if s > 1 else 0.0
    ms_col = s * ((col - grand) ** 2).sum() / (r - 1) if r > 1 else 0.0
    ms_res = (resid ** 2).sum() / ((s - 1) * (r - 1)) if s > 1 and r > 1 else 0.0
    # Var(grand mean) = (MS_row + MS_col - MS_res) / (S R); with one replication the column
    # term cannot be estimated and the rows carry every source.
    var = (ms_row + ms_col - ms_res) / (s * r) if s > 1 and r > 1 else (
        ms_row / (s * r) if s > 1 else ms_col / (s * r))
    return float(np.sqrt(max(var, 0.0)))


def describe(x: np.ndarray) -> dict[str, Any]:
    """Mean, spread and the chance of a positive value of a Monte Carlo output: an (S, R)
    table of draws x replications (its standard error from ``crossed_standard_error``) or a
    1-D sample of independent values."""
    arr = np.asarray(x, dtype=float)
    v = arr.ravel()
    fin = v[np.isfinite(v)]
    if fin.size == 0:
        return {"n": int(v.size), "mean": None, "sd": None, "p5": None, "p50": None,
                "p95": None, "prob_positive": None, "mc_se": None}
    return {
        "n": int(v.size),
        "mean": float(fin.mean()),
        "sd": float(fin.std(ddof=1)) if fin.size > 1 else 0.0,
        "p5": float(np.percentile(fin, 5)),
        "p50": float(np.percentile(fin, 50)),
        "p95": float(np.percentile(fin, 95)),
        "prob_positive": float((fin > 0).mean()),
        "mc_se": (crossed_standard_error(arr) if arr.ndim == 2 and fin.size == v.size
                  else float(fin.std(ddof=1) / np.sqrt(fin.size)) if fin.size > 1 else None),
    }


def expected_npsv(flows: list[Flows], choices: dict[str, str],
                  counterfactual: str = "assumed") -> Objective:
    """NPSV averaged over the replications, for each assumption set (an arrangement against
    no partnership: the counterfactual assumed)."""
    def f(params: Params) -> np.ndarray:
        return npsv_over_reps(flows, params, choices,
                              counterfactual=counterfactual)["npsv"].mean(axis=1)
    return f


def incremental_npsv(base: list[Flows], option: list[Flows], choices: dict[str, str]) -> Objective:
    """NPSV of ``option`` (with its transition costs) minus NPSV of the do-minimum ``base``,
    averaged over paired replications; the counterfactual is simulated, so no deadweight."""
    def f(params: Params) -> np.ndarray:
        b = npsv_over_reps(base, params, choices, counterfactual="simulated")["npsv"]
        o = npsv_over_reps(option, params, choices, counterfactual="simulated",
                           baselines=base)["npsv"]
        return (o - b).mean(axis=1)
    return f


def _with(central: Params, path: str, values: np.ndarray) -> Params:
    values = np.asarray(values, dtype=float)
    out = {p: np.repeat(v, values.size) for p, v in central.items()}
    out[path] = values
    return out


def switching_value(objective: Objective, central: Params, path: str,
                    ge: float | None, le: float | None) -> dict[str, Any]:
    """The value of ``path`` at which the objective (e.g. expected NPSV) is zero, all else at
    central values. Exact when the objective is linear in it (checked numerically), otherwise
    found with scipy's brentq inside the quantity's allowed range."""
    x0 = float(central[path][0])
    step = max(abs(x0), 1.0) * 0.5
    if le is not None and x0 + 2 * step > le:
        step = -step
    xs = np.array([x0, x0 + step, x0 + 2 * step])
    f0, f1, f2 = objective(_with(central, path, xs))
    scale = max(abs(f0), abs(f1), abs(f2), 1.0)
    out: dict[str, Any] = {"path": path, "base": x0, "npsv_at_base": float(f0)}
    slope = (f1 - f0) / step
    if abs(f1 - f0) <= 1e-12 * scale and abs(f2 - f0) <= 1e-12 * scale:
        return out | {"switching_value": None, "method": "no effect",
                      "within_range": False, "change_pct": None}
    if abs(f2 - 2 * f1 + f0) <= 1e-9 * scale:
        x = x0 - f0 / slope
        method = "exact (linear)"
    else:
        x = _brentq(objective, central, path, x0, ge, le)
        method = "brentq"
    if x is None:
        return out | {"switching_value": None, "method": method + ": no root in range",
                      "within_range": False, "change_pct": None}
    within = (ge is None or x >= ge - 1e-12) and (le is None or x <= le + 1e-12)
    change = (x - x0) / abs(x0) * 100.0 if x0 != 0 else None
    return out | {"switching_value": float(x), "method": method, "within_range": bool(within),
                  "change_pct": change}


def _brentq(objective: Objective, central: Params, path: str, x0: float,
            ge: float | None, le: float | None) -> float | None:
    lo = ge if ge is not None else x0 - 100 * max(abs(x0), 1.0)
    hi = le if le is not None else x0 + 100 * max(abs(x0), 1.0)
    grid = np.unique(np.concatenate([np.linspace(lo, hi, 81), [x0]]))
    fx = objective(_with(central, path, grid))
    sign = np.sign(fx)
    idx = np.nonzero(sign[:-1] * sign[1:] <= 0)[0]
    if idx.size == 0:
        return None
    # The crossing nearest the central value.
    i = int(idx[np.argmin(np.abs(grid[idx] - x0))])
    a, b = grid[i], grid[i + 1]
    if fx[i] == 0:
        return float(a)
    if fx[i + 1] == 0:
        return float(b)

    def g(x: float) -> float:
        return float(objective(_with(central, path, np.array([x])))[0])

    return float(optimize.brentq(g, a, b, xtol=1e-10 * max(abs(x0), 1.0), rtol=1e-12))


def expected_over_draws(objective: Objective, draws: Params, path: str) -> Objective:
    """An objective of one input: for each trial value of ``path`` (the others in the
    argument are ignored), the mean of ``objective`` over the assumption ``draws`` with
    ``path`` fixed at that value and every other input as drawn. Its root is the switching
    value on the expected NPSV (the central case), not on the modal case."""
    n = n_draws(draws)

    def f(params: Params) -> np.ndarray:
        xs = np.asarray(params[path], dtype=float)
        rows = {p: np.tile(np.asarray(v, dtype=float), xs.size) for p, v in draws.items()}
        rows[path] = np.repeat(xs, n)
        return objective(rows).reshape(xs.size, n).mean(axis=1)
    return f


def switching_values(objective: Objective, a: AppraisalAssumptions,
                     paths: list[str] | None = None,
                     draws: Params | None = None) -> list[dict[str, Any]]:
    """Switching values of every uncertain quantity (or of ``paths``), with descriptions.

    With ``draws`` (the Monte Carlo's assumption sets; the first ``SWITCHING_DRAWS`` are used)
    each is the input's value at which the *expected* NPSV over the other inputs' draws is
    zero; without, the value at which the NPSV with every other input at its central value
    (the modal case) is zero."""
    specs = quantity_specs()
    central = central_params(a)
    sub = None if draws is None else {p: np.asarray(v)[:SWITCHING_DRAWS]
                                      for p, v in draws.items()}
    out = []
    for p in paths if paths is not None else a.uncertain():
        obj = objective if sub is None else expected_over_draws(objective, sub, p)
        sv = switching_value(obj, central, p, specs[p]["ge"], specs[p]["le"])
        sv["unit"] = specs[p]["unit"]
        sv["description"] = specs[p]["description"]
        sv["basis"] = ("modal case" if sub is None else
                       f"expected value over {n_draws(sub)} assumption draws")
        out.append(sv)
    return out


def tornado(objective: Objective, a: AppraisalAssumptions,
            percentiles: tuple[float, float] = TORNADO_PERCENTILES) -> list[dict[str, Any]]:
    """Expected NPSV with each uncertain quantity at its 5th and 95th percentiles, the others
    at their central values; sorted by the width of the swing, widest first."""
    central = central_params(a)
    qs = a.quantities()
    names = a.uncertain()
    if not names:
        return []
    base = float(objective(central)[0])
    rows = {p: np.repeat(v, 2 * len(names)) for p, v in central.items()}
    for j, p in enumerate(names):
        lo, hi = ppf(qs[p], np.array(percentiles)) * a.price_factor(qs[p])
        rows[p] = rows[p].copy()
        rows[p][2 * j], rows[p][2 * j + 1] = lo, hi
    f = objective(rows)
    specs = quantity_specs()
    out = []
    for j, p in enumerate(names):
        out.append({
            "path": p, "unit": specs[p]["unit"], "description": specs[p]["description"],
            "base_value": qs[p].value * a.price_factor(qs[p]), "low_value": float(rows[p][2 * j]),
            "high_value": float(rows[p][2 * j + 1]), "npsv_low": float(f[2 * j]),
            "npsv_high": float(f[2 * j + 1]), "npsv_base": base,
            "swing": float(abs(f[2 * j + 1] - f[2 * j])),
        })
    return sorted(out, key=lambda r: -r["swing"])
