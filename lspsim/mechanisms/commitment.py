"""Commitment: partners are imperfect conditional co-operators (Fischbacher, Gaechter & Fehr
2001; Fischbacher & Gaechter 2010). Each decides how much of its capacity and budget to align to
joint priorities from what it expects of partners (weighted by trust), the chair's pull, its own
stakes against the cost to its capacity, and the pressure of scrutiny."""

from __future__ import annotations

import numpy as np

from lspsim.mechanisms import clip01

# With no trust and nothing verifiable, a partner discounts what a partner reports by this share.
DISTRUST_DISCOUNT = 0.6


def expected_of_others(trust: np.ndarray, observed: np.ndarray,
                       visibility: np.ndarray) -> np.ndarray:
    """Mean over other partners of what i expects of j: the observed commitment, discounted
    where i does not trust j and cannot verify it. Trust stands in for information: what
    mature, open monitoring shows is believed whatever the trust (``visibility`` = maturity x
    openness of j).

    belief_ij = 1 - D (1 - T_ij) (1 - visibility_j); expected_i = sum_{j != i} belief_ij obs_j
    / (n - 1). With u = (1 - visibility) obs the sum is sum(obs) - obs_i - D (sum(u) - (T u)_i)
    + D (1 - T_ii) u_i: one matrix-vector product, not an (n, n) belief matrix."""
    n = observed.size
    if n < 2:
        return observed.copy()
    u = (1.0 - visibility) * observed
    tu = trust @ u
    total = (observed.sum() - DISTRUST_DISCOUNT * u.sum()) - observed
    total += DISTRUST_DISCOUNT * (tu + (1.0 - trust.diagonal()) * u)
    total /= n - 1
    return total


def expected_of_others_unit(trust: np.ndarray, observed: np.ndarray, hidden: np.ndarray,
                            scale: np.ndarray | float | None = None) -> np.ndarray:
    """``expected_of_others`` for trust matrices with 1 on the diagonal (as the model keeps
    them), given ``hidden`` = 1 - visibility: (sum(obs) - obs_i - D (sum(u) - (T u)_i)) / (n - 1)
    with u = hidden x obs. With ``scale`` the sum is multiplied by ``scale`` instead of
    1 / (n - 1) (the model folds constant factors of the decision into it)."""
    n = observed.size
    if n < 2:  # no others: expect what is observed (as expected_of_others does)
        return observed.copy() if scale is None else observed * scale
    u = hidden * observed
    out = np.dot(trust, u)
    out *= DISTRUST_DISCOUNT
    out -= observed
    out += float(np.add.reduce(observed)) - DISTRUST_DISCOUNT * float(np.dot(hidden, observed))
    out *= 1.0 / (n - 1) if scale is None else scale
    return out


def own_incentive(stake_in_success: np.ndarray, voice_: np.ndarray, return_rate: float,
                  cost: float, burden: np.ndarray) -> np.ndarray:
    """Material incentive per unit committed: the return to its own stake (counted only as far as
    the joint priorities reflect its voice) less the cost to capacity, dearer when meetings and
    coordination already eat into it."""
    return stake_in_success * voice_ * return_rate - cost * (1.0 + burden)


def own_preference(incentive: np.ndarray, sensitivity: float) -> np.ndarray:
    """The commitment a partner would choose on its own interest alone: a logistic choice on the
    net incentive (0.5 when return and cost balance; near 0 when, as in a public-goods game,
    each unit costs more than it returns)."""
    return 1.0 / (1.0 + np.exp(-sensitivity * incentive))


def desired(slope: np.ndarray, expected: np.ndarray, own: np.ndarray, pressure: np.ndarray,
            noise: np.ndarray) -> np.ndarray:
    """Reciprocity and self-interest mixed by the partner's conditional slope, plus the pressure
    scrutiny puts on it and decision noise."""
    out = slope * expected
    out += (1.0 - slope) * own
    out += pressure
    out += noise
    return clip01(out)


def adjust(commitment: np.ndarray, target: np.ndarray, rate: float) -> np.ndarray:
    """Move a share ``rate`` of the way to the target."""
    return commitment + rate * (target - commitment)
