"""Discounting and the Green Book summary measures, as pure functions over arrays.

HM Treasury's Green Book (February 2026 edition) discounts with a declining schedule: the social
time preference rate is 3.5% a year for years 0-30, 3.0% for 31-75, 2.5% for 76-125, 2.0% for
126-200, 1.5% for 201-300 and 1.0% after (``BAND_ENDS``, ``BANDS``). A flow ``t`` years from the
start is discounted by ``prod_i (1 + r_i)^-(years of [0, t) spent in band i)``: for t <= 30 that is
``(1.035)^-t``, and at t = 31 it is ``1.035^-30 x 1.03^-1``. With the default "annual" timing the
model's monthly flows are summed by year and year ``t`` (months ``12t + 1 .. 12t + 12``) is
discounted at ``t``: year 0 is undiscounted, as the Green Book asks.
"start" discounts each month by its exact time in years, ``t = (m - 1)/12`` for month ``m``
(1-based); "mid" uses ``(m - 1/2)/12`` and "end" ``m/12``.

Every function broadcasts: a rate of shape (S, 1) against months of shape (H,) gives (S, H).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ArrayLike = float | np.ndarray

# HM Treasury, The Green Book (February 2026): the discount rate steps down after years 30, 75,
# 125, 200 and 300; the bands below name the rates of each schedule in the assumptions.
BAND_ENDS = (30.0, 75.0, 125.0, 200.0, 300.0)
BANDS = ("years_0_30", "years_31_75", "years_76_125", "years_126_200", "years_201_300",
         "years_301_on")


def month_times(n_months: int, timing: str = "start") -> np.ndarray:
    """(n_months,) time in years of each month's flows since the start of the appraisal."""
    m = np.arange(1, n_months + 1, dtype=float)
    if timing == "annual":
        return np.floor((m - 1.0) / 12.0)
    offset = {"start": 1.0, "mid": 0.5, "end": 0.0}[timing]
    return (m - offset) / 12.0


def discount_factor(t_years: ArrayLike, rates: ArrayLike | Sequence[ArrayLike]) -> np.ndarray:
    """Green Book discount factor at ``t_years`` for a declining schedule.

    ``rates`` is one rate (a flat schedule) or a sequence of rates for the bands of ``BANDS``
    in order (years 0-30, 31-75, ...); a shorter sequence holds its last rate for the later
    bands. Each rate may be an array (e.g. (S, 1) for S assumption sets).
    """
    t = np.asarray(t_years, dtype=float)
    seq = list(rates) if isinstance(rates, (list, tuple)) else [rates]
    seq = seq + [seq[-1]] * (len(BANDS) - len(seq))
    starts = (0.0,) + BAND_ENDS
    ends = BAND_ENDS + (np.inf,)
    out = np.ones(np.broadcast_shapes(t.shape, *(np.shape(r) for r in seq)))
    for r, lo, hi in zip(seq, starts, ends, strict=True):
        years_in_band = np.clip(t - lo, 0.0, hi - lo)
        out = out * np.power(1.0 + np.asarray(r, dtype=float), -years_in_band)
    return out


def monthly_discount_factors(n_months: int, rates: ArrayLike | Sequence[ArrayLike],
                             timing: str = "start") -> np.ndarray:
    """Discount factors for months 1..n_months; rates of shape (S, 1) give (S, n_months)."""
    return discount_factor(month_times(n_months, timing), rates)


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
