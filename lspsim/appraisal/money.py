"""Discounting and the Green Book summary measures, as pure functions over arrays.

HM Treasury's Green Book discounts a flow ``t`` years from the start by ``(1 + r)^-t`` with the
social time preference rate ``r`` = 3.5% a year for years 0-30 and 3.0% after. With the default
"annual" timing the model's monthly flows are summed by year and year ``t`` (months
``12t + 1 .. 12t + 12``) is discounted by ``(1 + r)^-t``: year 0 is undiscounted, as the Green Book
asks. "start" discounts each month by its exact time in years, ``t = (m - 1)/12`` for month ``m``
(1-based); "mid" uses ``(m - 1/2)/12`` and "end" ``m/12``.

Every function broadcasts: a rate of shape (S, 1) against months of shape (H,) gives (S, H).
"""

from __future__ import annotations

import numpy as np

ArrayLike = float | np.ndarray


def month_times(n_months: int, timing: str = "start") -> np.ndarray:
    """(n_months,) time in years of each month's flows since the start of the appraisal."""
    m = np.arange(1, n_months + 1, dtype=float)
    if timing == "annual":
        return np.floor((m - 1.0) / 12.0)
    offset = {"start": 1.0, "mid": 0.5, "end": 0.0}[timing]
    return (m - offset) / 12.0


def discount_factor(t_years: ArrayLike, rate: ArrayLike, long_term_rate: ArrayLike | None = None,
                    long_term_after: ArrayLike = 30.0) -> np.ndarray:
    """Green Book discount factor ``(1 + r)^-min(t, T) (1 + r_long)^-max(t - T, 0)``."""
    t = np.asarray(t_years, dtype=float)
    r = np.asarray(rate, dtype=float)
    r_long = r if long_term_rate is None else np.asarray(long_term_rate, dtype=float)
    after = np.asarray(long_term_after, dtype=float)
    early = np.minimum(t, after)
    late = np.maximum(t - after, 0.0)
    return np.power(1.0 + r, -early) * np.power(1.0 + r_long, -late)


def monthly_discount_factors(n_months: int, rate: ArrayLike,
                             long_term_rate: ArrayLike | None = None,
                             long_term_after: ArrayLike = 30.0,
                             timing: str = "start") -> np.ndarray:
    """Discount factors for months 1..n_months; ``rate`` of shape (S, 1) gives (S, n_months)."""
    return discount_factor(month_times(n_months, timing), rate, long_term_rate, long_term_after)


def present_value(flows: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Sum of flows times their discount factors over the last (month) axis."""
    return np.sum(np.asarray(flows) * factors, axis=-1)


def npsv(pv_benefits: ArrayLike, pv_costs: ArrayLike) -> np.ndarray:
    """Net present social value: PV of benefits minus PV of costs."""
    return np.asarray(pv_benefits, dtype=float) - np.asarray(pv_costs, dtype=float)


def bcr(pv_benefits: ArrayLike, pv_costs: ArrayLike) -> np.ndarray:
    """Benefit-cost ratio PV(benefits)/PV(costs); inf when there are benefits and no costs, NaN
    when there are neither."""
    b = np.asarray(pv_benefits, dtype=float)
    c = np.asarray(pv_costs, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(c != 0, b / np.where(c != 0, c, 1.0), np.where(b > 0, np.inf, np.nan))
    return out


def discounted_payback(discounted_net: np.ndarray) -> np.ndarray:
    """Months until cumulative discounted net benefit turns non-negative for good.

    ``discounted_net`` is (..., H): each month's discounted benefits minus costs. The result is
    the 1-based month at whose end the running total becomes >= 0 and stays so to the horizon;
    NaN when it is still negative at the horizon (no payback within the appraisal period).
    """
    cum = np.cumsum(discounted_net, axis=-1)
    negative = cum < -1e-9 * np.maximum(np.abs(cum).max(axis=-1, keepdims=True), 1.0)
    h = cum.shape[-1]
    # Index of the last negative month (-1 if none); payback is the month after it.
    last_neg = np.where(negative.any(axis=-1),
                        h - 1 - np.argmax(negative[..., ::-1], axis=-1), -1)
    months = (last_neg + 2).astype(float)  # 1-based month after the last negative one
    return np.where(last_neg == h - 1, np.nan, months)
