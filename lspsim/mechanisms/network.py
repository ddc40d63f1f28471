"""Social network of representatives: ties start from the scenario and the area's history, grow
with joint work, decay without it, and break when a representative is replaced (Audit Commission
2009: strong social networks among representatives are crucial; Vangen & Huxham 2003: changing
membership threatens collaboration).

Set by ``network.*`` in the Scenario; the style's ``networking`` scales tie growth."""

from __future__ import annotations

import numpy as np


def initial_ties(rng: np.random.Generator, n: int, density: float, strength: float,
                 history: float, cross_tier: np.ndarray, inter_tier_factor: float, *,
                 history_density_pull: float, history_strength_gain: float,
                 concentration: float,
                 pairs: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Symmetric (n, n) tie strengths in [0, 1]. History adds ties and strengthens them: each
    pair is tied with p = density + (1 - density) history_density_pull h, with strength ~
    Beta(c m, c (1 - m)), m = strength (1 + history_strength_gain h) (kept in 0.02-0.95 so the
    Beta is proper), c = ``concentration``; county-district ties x ``inter_tier_factor``.
    ``pairs`` may give ``upper_pairs(n)``, which the model keeps per scenario."""
    p = density + (1.0 - density) * history_density_pull * history
    mean = min(max(strength * (1.0 + history_strength_gain * history), 0.02), 0.95)
    rows, cols = upper_pairs(n) if pairs is None else pairs
    present = rng.random(rows.size) < p  # each pair once
    w = np.zeros((n, n))
    w[rows[present], cols[present]] = rng.beta(concentration * mean, concentration * (1 - mean),
                                               size=int(present.sum()))
    w += w.T
    if cross_tier.any():
        w[cross_tier] *= inter_tier_factor
    return w


def with_outside(contact: np.ndarray, outside_ties: np.ndarray, rate: float) -> np.ndarray:
    """Contact per pair this month, the partnership's meetings (``layers.contact``) plus the
    contact the area's relationships keep up outside it: ``rate`` (``network.outside_contact``)
    x the pair's starting tie (``outside_ties``, the ties ``initial_ties`` drew). Ties are
    organised by the foci of activity people share (Feld 1981): representatives who know each
    other from other forums, joint services and the locality keep meeting there whatever the
    partnership does, so an area's networks persist instead of converging on what the
    partnership's meetings alone sustain. The relationships belong to the seats: a new
    representative takes over the organisation's other forums."""
    if not rate:
        return contact
    return contact + rate * outside_ties


def upper_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the pairs i < j, row by row."""
    idx = np.arange(n)
    return np.nonzero(idx[:, None] < idx[None, :])


def update_ties(ties: np.ndarray, contact: np.ndarray, growth: float, decay: float,
                networking: float) -> np.ndarray:
    """Ties grow with meetings together (saturating) and need upkeep: every month a share decays,
    so a pair's tie settles where growth from its meetings balances decay:
    ties <- (ties + g (1 - ties)) (1 - decay), g = ``growth_share``. The fast schedule uses
    ``growth_factors`` and ``grow_ties_in_place``."""
    return grow_ties(ties, growth_share(contact, growth, networking), decay)


def growth_share(contact: np.ndarray, growth: float, networking: float) -> np.ndarray:
    """Share of the distance to a full tie that this month's meetings close, per pair. It depends
    on the meetings only, so the model computes it once per meeting pattern."""
    return 1.0 - (1.0 - min(growth * networking, 1.0)) ** contact


def grow_ties(ties: np.ndarray, share: np.ndarray, decay: float) -> np.ndarray:
    """``update_ties`` given ``growth_share``."""
    out = (ties + share * (1.0 - ties)) * (1.0 - decay)
    np.fill_diagonal(out, 0.0)
    return out


def growth_factors(share: np.ndarray, decay: float) -> tuple[np.ndarray, np.ndarray]:
    """(P, Q) with ``grow_ties(ties, share, decay) == ties * P + Q``: P = (1 - share)(1 - decay),
    Q = share (1 - decay), both 0 on the diagonal. They depend on the meetings only, so the
    model computes them once per meeting pattern and grows the ties in place with two passes."""
    p = (1.0 - share) * (1.0 - decay)
    q = share * (1.0 - decay)
    np.fill_diagonal(p, 0.0)
    np.fill_diagonal(q, 0.0)
    return p, q


def grow_ties_in_place(ties: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``ties <- ties x P + Q`` with the ``growth_factors`` of this month's meetings."""
    ties *= p
    ties += q
    return ties


def leavers(uniform: np.ndarray, annual_rate: float) -> np.ndarray:
    """Indices of partners whose representative is replaced this month, given one uniform draw
    per partner."""
    return np.flatnonzero(uniform < monthly_rate(annual_rate))


def monthly_rate(annual_rate: float) -> float:
    """The monthly chance that gives ``annual_rate`` over a year."""
    return 1.0 - (1.0 - annual_rate) ** (1.0 / 12.0)


def break_ties(ties: np.ndarray, leavers: np.ndarray, loss: float,
               out: np.ndarray | None = None) -> np.ndarray:
    """A replaced representative loses a share ``loss`` of its ties. ``out`` may be ``ties``."""
    if out is None:
        out = ties.copy()
    elif out is not ties:
        np.copyto(out, ties)
    for i in leavers.tolist():  # usually one or two: row and column views
        out[i] *= 1.0 - loss
        out[:, i] *= 1.0 - loss
    return out
