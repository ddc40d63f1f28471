"""Resources: a pooled pot that is a small fraction of mainstream spend (under 2% in one county,
Audit Commission 2009) and the alignment of mainstream budgets, realised only in proportion to
each partner's commitment and steered by the executive layer.

Set by ``resources.*`` in the Scenario; the steering efficiency by ``layers``."""

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


def need_per_target(budgets: np.ndarray, need_share: float, n_targets: int) -> float:
    """Money each target needs: ``resources.need_share`` of all mainstream budgets, split."""
    return need_share * float(budgets.sum()) / n_targets


def resource_factor(adequacy_: np.ndarray, max_factor: float) -> np.ndarray:
    """Diminishing returns: m A / (m - 1 + A), 1 at adequate resources, at most m
    (``resources.max_resource_factor``)."""
    return max_factor * adequacy_ / ((max_factor - 1.0) + adequacy_)
