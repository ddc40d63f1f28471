"""Trust between partners: built slowly from kept commitments, lost fast on breaches (Slovic
1993), judged from what monitoring lets partners see, repaired by facilitative leadership,
and spread along the representatives' network (gossip)."""

from __future__ import annotations

import numpy as np


def initial_trust(rng: np.random.Generator, base: float, history: float, ties: np.ndarray,
                  cross_tier: np.ndarray, inter_tier_factor: float) -> np.ndarray:
    """History and existing ties raise starting trust (Ansell & Gash 2008: prehistory); between
    county and district representatives the prehistory of the tiers pulls it down toward half
    the base level, by the same factor that weakens their ties."""
    n = ties.shape[0]
    t = base + (0.85 - base) * 0.6 * history + 0.2 * ties + rng.normal(0.0, 0.03, (n, n))
    t = np.clip(t, 0.0, 1.0)
    np.fill_diagonal(t, 1.0)
    f = inter_tier_factor
    return np.where(cross_tier, t * f + (1 - f) * base * 0.5, t)


def kept_evidence(observed: np.ndarray, own: np.ndarray, tolerance: float,
                  sharpness: float = 0.05) -> np.ndarray:
    """(n, n) evidence in (0, 1) that j kept faith in i's eyes: j did at least what i did, less a
    tolerance (reciprocity). A smooth step so small errors give small updates."""
    z = (observed[None, :] - (own[:, None] - tolerance)) / sharpness
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def update_trust(trust: np.ndarray, evidence: np.ndarray, weight: np.ndarray, gain: float,
                 loss: float, repair: float) -> np.ndarray:
    """Asymmetric update: T += w [gain e (1 - T) - loss (1 - repair) (1 - e) T]."""
    delta = gain * evidence * (1.0 - trust) - loss * (1.0 - repair) * (1.0 - evidence) * trust
    out = np.clip(trust + weight * delta, 0.0, 1.0)
    np.fill_diagonal(out, 1.0)
    return out


def spread(trust: np.ndarray, ties: np.ndarray, rate: float) -> np.ndarray:
    """Each partner moves a share ``rate`` of its trust toward what its contacts think
    (tie-weighted); partners with no ties keep their own view."""
    strength = ties.sum(axis=1, keepdims=True)
    heard = (ties @ trust) / np.where(strength > 0, strength, 1.0)
    r = np.where(strength > 0, rate, 0.0)
    out = (1.0 - r) * trust + r * heard
    np.fill_diagonal(out, 1.0)
    return out


def reset_for_newcomers(trust: np.ndarray, leavers: np.ndarray, base: float,
                        loss: float) -> np.ndarray:
    """A new representative is partly a stranger: trust to and from it moves toward the base
    level by half the tie loss (the organisation's reputation keeps the rest)."""
    if leavers.size == 0:
        return trust
    out = trust.copy()
    k = 0.5 * loss
    out[:, leavers] = (1 - k) * out[:, leavers] + k * base
    out[leavers, :] = (1 - k) * out[leavers, :] + k * base
    np.fill_diagonal(out, 1.0)
    return out


def mean_offdiag(m: np.ndarray) -> float:
    n = m.shape[0]
    if n < 2:
        return float("nan")
    return float((m.sum() - np.trace(m)) / (n * (n - 1)))
