"""What the checks measure from runs (and the one deterministic mechanism check)."""

from __future__ import annotations

import numpy as np

from lspsim.mechanisms.trust import update_trust
from lspsim.validation.patterns import KERNEL_MONTHS, KERNEL_START


def months_to_half(maturity: np.ndarray, ceiling: float = 1.0) -> float:
    """First month at which maturity has covered half the way from its start to ``ceiling``
    (1 with common data standards); ``inf`` if the run never gets there."""
    reached = maturity >= maturity[0] + 0.5 * (ceiling - maturity[0])
    return float(np.argmax(reached)) if reached.any() else float("inf")


def trust_kernel(gain: float, loss: float, start: float = KERNEL_START,
                 months: int = KERNEL_MONTHS) -> tuple[np.ndarray, np.ndarray]:
    """Trust of one partner in another over ``months`` months of fully kept and of fully broken
    evidence, driven through the model's own ``update_trust`` (full weight, no repair)."""
    up, down = [start], [start]
    t_up = np.array([[1.0, start], [start, 1.0]])
    t_down = t_up.copy()
    w = np.ones((2, 2))
    for _ in range(months):
        t_up = update_trust(t_up, np.ones((2, 2)), w, gain, loss, 0.0)
        t_down = update_trust(t_down, np.zeros((2, 2)), w, gain, loss, 0.0)
        up.append(float(t_up[0, 1]))
        down.append(float(t_down[0, 1]))
    return np.array(up), np.array(down)


def trust_asymmetry(partner_series: np.ndarray) -> float:
    """Mean size of month-to-month falls minus mean size of rises of each partner's trust from
    the others (partner series ``trust_in``); NaN when a run has no falls or no rises."""
    d = np.diff(partner_series[:, 1, :], axis=0).ravel()
    falls, rises = -d[d < -1e-12], d[d > 1e-12]
    if falls.size == 0 or rises.size == 0:
        return float("nan")
    return float(falls.mean() - rises.mean())
