"""Layers: strategic, executive and operational groups, each meeting at its own rhythm
(report Table 8). Layer confusion wastes capacity in meetings and sends the wrong information
to each layer (Audit Commission 2009: some areas have confused the layers)."""

from __future__ import annotations

import numpy as np

STRATEGIC, EXECUTIVE, OPERATIONAL = 0, 1, 2
LAYER_NAMES = ("strategic", "executive", "operational")
# How much one meeting of each layer builds a tie between two attendees, relative to a small
# working group (a board of 30-100 builds fewer ties per meeting than a thematic group).
CONTACT_WEIGHT = np.array([0.3, 0.6, 1.0])


def meetings_in_month(month: int, per_year: np.ndarray) -> np.ndarray:
    """Meetings of each layer held in month ``month`` (1-based), spread evenly over the year."""
    return np.floor(month * per_year / 12.0) - np.floor((month - 1) * per_year / 12.0)


def seats(statutory: np.ndarray, voice_: np.ndarray, chains: np.ndarray) -> np.ndarray:
    """(n, 3) seats: every partner on the strategic board; statutory partners, and others with
    a real voice, on the executive; chain members in the operational groups."""
    n = statutory.size
    s = np.zeros((n, 3), dtype=bool)
    s[:, STRATEGIC] = True
    s[:, EXECUTIVE] = statutory | (voice_ >= 0.6)
    s[chains[chains >= 0], OPERATIONAL] = True
    return s


def co_membership(seat_matrix: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """(3, n, n) who sits with whom on each layer; operational groups are the delivery chains
    (``membership``: (K, n), 1 where partner i is in chain k, as ``delivery.membership``)."""
    n = seat_matrix.shape[0]
    out = np.empty((3, n, n))
    cols = seat_matrix.T[:OPERATIONAL].astype(float)  # strategic and executive seats
    np.multiply(cols[:, :, None], cols[:, None, :], out=out[:OPERATIONAL])
    np.greater(np.dot(membership.T, membership), 0.0, out=out[OPERATIONAL])
    out.reshape(3, n * n)[:, :: n + 1] = 0.0  # nobody meets themselves
    return out


def contact(meetings: np.ndarray, co: np.ndarray) -> np.ndarray:
    """Effective meetings together this month for every pair."""
    return np.tensordot(meetings * CONTACT_WEIGHT, co, axes=1)


def meeting_burden(meetings: np.ndarray, seat_matrix: np.ndarray, meeting_cost: float,
                   clarity: float, extra_meetings: np.ndarray) -> np.ndarray:
    """Share of each partner's capacity spent in meetings; confusion makes each meeting cost more
    (strategic boards dragged into operational detail, reports that fit no layer)."""
    attended = seat_matrix.astype(float) @ meetings + extra_meetings
    return attended * meeting_cost * (1.0 + 1.5 * (1.0 - clarity))


def information_noise_factor(clarity: float) -> float:
    """Confused layers send each layer information it cannot use: observation error grows."""
    return 1.0 + 2.0 * (1.0 - clarity)


def allocation_efficiency(clarity: float) -> float:
    """Share of aligned resources the executive layer steers to the right chains."""
    return 0.4 + 0.6 * clarity
