"""Resources: a pooled pot that is a small fraction of mainstream spend (under 2% in one county,
Audit Commission 2009) and the alignment of mainstream budgets, realised only in proportion to
each partner's commitment and steered by the executive layer."""

from __future__ import annotations

import numpy as np


def pooled_pot(budgets: np.ndarray, pooled_share: float) -> float:
    return float(budgets.sum() * pooled_share)


def aligned(budgets: np.ndarray, commitment: np.ndarray, alignment: float) -> np.ndarray:
    """Mainstream money each partner actually bends to joint priorities this year."""
    return budgets * alignment * commitment


def adequacy(pot: float, aligned_: np.ndarray, chain_share: np.ndarray, efficiency: float,
             need_per_target: float) -> np.ndarray:
    """(K,) resources reaching each target relative to what it needs. ``chain_share[k, i]`` is
    the share of partner i's aligned money that goes to target k."""
    k = chain_share.shape[0]
    money = pot / k + efficiency * (chain_share @ aligned_)
    return money / need_per_target


def resource_factor(adequacy_: np.ndarray) -> np.ndarray:
    """Diminishing returns: 1 at adequate resources, at most 2."""
    return 2.0 * adequacy_ / (1.0 + adequacy_)
