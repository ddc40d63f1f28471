"""What the checks measure from runs: every measure reads a run's outputs, never a parameter."""

from __future__ import annotations

import numpy as np

from lspsim.validation.patterns import BREACH_MONTH, BREACH_MONTHS


def months_to_half(maturity: np.ndarray, ceiling: float = 1.0) -> float:
    """First month at which maturity has covered half the way from its start to ``ceiling``
    (1 with common data standards); ``inf`` if the run never gets there."""
    reached = maturity >= maturity[0] + 0.5 * (ceiling - maturity[0])
    return float(np.argmax(reached)) if reached.any() else float("inf")


def trust_asymmetry(partner_series: np.ndarray) -> float:
    """Mean size of month-to-month falls minus mean size of rises of each partner's trust from
    the others (partner series ``trust_in``); NaN when a run has no falls or no rises."""
    d = np.diff(partner_series[:, 1, :], axis=0).ravel()
    falls, rises = -d[d < -1e-12], d[d > 1e-12]
    if falls.size == 0 or rises.size == 0:
        return float("nan")
    return float(falls.mean() - rises.mean())


def breach_fall_and_recovery(trust_breach: np.ndarray, trust_base: np.ndarray,
                             start: int = BREACH_MONTH, months: int = BREACH_MONTHS
                             ) -> tuple[float, float]:
    """(fall, recovery) of trust in the partner that broke faith, measured as the gap to the
    same run without the breach (common random numbers: the two runs agree before ``start``).
    The gap peaks some months after the breach ends (commitment and trust both lag), so:
    fall = the gap at its peak (within ``2 x months`` of ``start``), reached in T months;
    recovery = how much of it the T months after the peak close. Series indexed by month."""
    gap = np.asarray(trust_base, float) - np.asarray(trust_breach, float)
    before = gap[start - 1]
    peak = start + int(np.argmax(gap[start:start + 2 * months]))
    span = peak - (start - 1)
    after = gap[min(peak + span, gap.size - 1)]
    return float(gap[peak] - before), float(gap[peak] - after)


def aligned_share(aligned_spend: np.ndarray, pooled_pot: np.ndarray) -> float:
    """Share of the money put to joint priorities in the last month that is mainstream spend
    aligned through commitment (the rest is the pooled pot)."""
    a, p = float(aligned_spend[-1]), float(pooled_pot[-1])
    return a / (a + p) if a + p > 0 else float("nan")
