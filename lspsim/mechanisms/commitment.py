"""Commitment: partners are imperfect conditional co-operators (Fischbacher, Gaechter & Fehr
2001; Fischbacher & Gaechter 2010). Each decides how much of its capacity and budget to align to
joint priorities from what it expects of partners (weighted by trust), the chair's pull, its own
stakes against the cost to its capacity, and the pressure of scrutiny."""

from __future__ import annotations

import numpy as np

# With no trust and nothing verifiable, a partner discounts what a partner reports by this share.
DISTRUST_DISCOUNT = 0.6


def expected_of_others(trust: np.ndarray, observed: np.ndarray,
                       visibility: np.ndarray) -> np.ndarray:
    """Mean over other partners of what i expects of j: the observed commitment, discounted
    where i does not trust j and cannot verify it. Trust stands in for information: what
    mature, open monitoring shows is believed whatever the trust (``visibility`` = maturity x
    openness of j)."""
    n = observed.size
    if n < 2:
        return observed.copy()
    belief = 1.0 - DISTRUST_DISCOUNT * (1.0 - trust) * (1.0 - visibility)[None, :]
    total = belief @ observed - np.diag(belief) * observed
    return total / (n - 1)


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
    return np.clip(slope * expected + (1.0 - slope) * own + pressure + noise, 0.0, 1.0)


def adjust(commitment: np.ndarray, target: np.ndarray, rate: float) -> np.ndarray:
    return commitment + rate * (target - commitment)
