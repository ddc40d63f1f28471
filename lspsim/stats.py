"""Statistics over replications, in one place: means, t-based confidence intervals and paired
effects. The run summary (``lspsim run``), the sweep analysis and the validation report all use
these functions, so an interval means the same thing everywhere.

Replications of a stochastic model are independent draws of an outcome, so the interval for its
expected value is Student's t interval: mean +- t(1 - alpha/2, n - 1) x sd / sqrt(n), with the
sample standard deviation (ddof = 1). A paired effect (common random numbers: replication k of A
and of B share a seed stream) is the t interval of the per-replication differences A - B.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats as _st


def quantile(level: float = 0.95, two_sided: bool = True) -> float:
    """The t quantile's probability for a confidence ``level``: 0.975 for a two-sided 95%
    interval, 0.95 for a one-sided one."""
    return 0.5 + level / 2 if two_sided else level


def half_width(sd: Any, n: Any, level: float = 0.95, two_sided: bool = True) -> Any:
    """Half-width of the t interval: t(q, n - 1) x sd / sqrt(n). Scalars, arrays or pandas
    Series (elementwise; n < 2 gets 1 degree of freedom here: mask those yourself)."""
    return _st.t.ppf(quantile(level, two_sided), np.maximum(n - 1, 1)) * sd / np.sqrt(n)


def _finite(values: Any) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return v[np.isfinite(v)]


def mean_ci(values: Any, level: float = 0.95) -> dict[str, Any]:
    """Mean, sd and two-sided t interval over replications, as the run summary reports them:
    ``{"mean", "n", "sd", "ci95": [low, high]}``. Non-finite values are dropped; with one value
    ``sd`` and ``ci95`` are None, with none ``mean`` is None too."""
    v = _finite(values)
    out: dict[str, Any] = {"mean": float(v.mean()) if v.size else None, "n": int(v.size)}
    if v.size > 1:
        sd = float(v.std(ddof=1))
        half = float(half_width(sd, v.size, level))
        out.update(sd=sd, ci95=[out["mean"] - half, out["mean"] + half])
    else:
        out.update(sd=None, ci95=None)
    return out


def interval(values: Any, level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) of the two-sided t interval; non-finite values dropped. With fewer than
    two values the interval is degenerate (low = high = mean)."""
    v = _finite(values)
    mean = float(v.mean())
    if v.size < 2:
        return mean, mean, mean
    half = float(half_width(v.std(ddof=1), v.size, level))
    return mean, mean - half, mean + half


def paired_effect(a: Any, b: Any, level: float = 0.95) -> tuple[float, float, float]:
    """Mean paired difference A - B over replications with its two-sided t interval
    (replication k of A and of B drawn from the same seed stream)."""
    return interval(np.asarray(a, dtype=float) - np.asarray(b, dtype=float), level)


def lower_bound(values: Any, level: float = 0.95) -> tuple[float, float]:
    """(mean, lower end of the one-sided t interval): "the mean exceeds x" at ``level``."""
    v = _finite(values)
    mean = float(v.mean())
    return mean, mean - float(half_width(v.std(ddof=1), v.size, level, two_sided=False))
