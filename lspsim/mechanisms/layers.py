"""Layers: strategic, executive and operational groups, each meeting at its own rhythm and
each needing its own information (report Table 8: the board reviews outcome indicators, the
executive allocates resources and sets targets on process and output data, the operational
groups manage delivery on input and process data). Some areas have confused the layers (Audit
Commission 2009).

Two rival forms (``mechanisms.layers``). "information": confusion routes the wrong information
to the executive, which then steers money across targets on operational activity instead of
outcomes, so money reaches the wrong targets (``executive_signal``, ``steered_money``).
"multipliers" (the earlier form): confusion makes meetings dearer, observation noisier and a
fixed share of aligned money lost. "off": neither.

Set by ``layers.*`` in the Scenario (meeting rhythms, contact weights, the confusion factors and
the burden cap among them)."""

from __future__ import annotations

import numpy as np

STRATEGIC, EXECUTIVE, OPERATIONAL = 0, 1, 2
LAYER_NAMES = ("strategic", "executive", "operational")


def meetings_in_month(month: int, per_year: np.ndarray) -> np.ndarray:
    """Meetings of each layer held in month ``month`` (1-based), spread evenly over the year."""
    return np.floor(month * per_year / 12.0) - np.floor((month - 1) * per_year / 12.0)


def seats(statutory: np.ndarray, voice_: np.ndarray, chains: np.ndarray,
          executive_voice: float) -> np.ndarray:
    """(n, 3) seats: every partner on the strategic board; statutory partners, and others with
    voice at least ``executive_voice``, on the executive; chain members in the operational
    groups."""
    n = statutory.size
    s = np.zeros((n, 3), dtype=bool)
    s[:, STRATEGIC] = True
    s[:, EXECUTIVE] = statutory | (voice_ >= executive_voice)
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


def contact_weights(strategic: float, executive: float, operational: float) -> np.ndarray:
    """How much one meeting of each layer builds a tie between two attendees, relative to a
    small working group (a board of 30-100 builds fewer ties per meeting than a thematic group;
    ``layers.contact_*``)."""
    return np.array([strategic, executive, operational])


def contact(meetings: np.ndarray, co: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Effective meetings together this month for every pair: sum over layers of meetings x
    co-membership x ``contact_weights``."""
    return np.tensordot(meetings * weights, co, axes=1)


def meeting_burden(meetings: np.ndarray, seat_matrix: np.ndarray, meeting_cost: float,
                   clarity: float, extra_meetings: np.ndarray,
                   confusion_cost: float) -> np.ndarray:
    """Share of each partner's capacity spent in meetings; confusion makes each meeting cost more
    (strategic boards dragged into operational detail, reports that fit no layer):
    meetings attended x meeting_cost x (1 + confusion_cost (1 - clarity))."""
    attended = seat_matrix.astype(float) @ meetings + extra_meetings
    return attended * meeting_cost * (1.0 + confusion_cost * (1.0 - clarity))


def burden(meeting_burden_: np.ndarray, coordination: float, cap: float) -> np.ndarray:
    """Share of capacity taken by meetings and coordination, at most ``layers.burden_cap``."""
    return np.clip(meeting_burden_ + coordination, 0.0, cap)


def effective_capacity(capacity: np.ndarray, burden_: np.ndarray) -> np.ndarray:
    """Capacity left for joint work after meetings and coordination."""
    return capacity * (1.0 - burden_)


def information_noise_factor(clarity: float, confusion_noise: float) -> float:
    """Confused layers send each layer information it cannot use: observation error grows by
    1 + confusion_noise (1 - clarity)."""
    return 1.0 + confusion_noise * (1.0 - clarity)


def allocation_efficiency(clarity: float, confused: float) -> float:
    """Share of aligned resources the executive layer steers to the right chains: ``confused``
    with fully confused layers, 1 with clear ones."""
    return confused + (1.0 - confused) * clarity


def multiplier_clarity(form: str, clarity: float) -> float:
    """The clarity the fixed multipliers (``meeting_burden``, ``information_noise_factor``,
    ``allocation_efficiency``) see: the scenario's in the "multipliers" form, 1 (no effect)
    otherwise."""
    return clarity if form == "multipliers" else 1.0


def outcome_need(progress: np.ndarray) -> np.ndarray:
    """(K,) what outcome data show the executive as worth funding: targets in play, with
    evidence that their chain delivers (progress made) and work left (the gap):
    progress x (1 - progress), 0 for a met target. An executive that sees outcomes stops
    funding met targets and backs those money can still move (LAA targets earned the
    Performance Reward Grant when met [AC09]). Rival objectives were measured (docs/ODD.md):
    the gap alone spreads money over targets that cannot be met in time; progress alone starves
    the laggards."""
    return np.where(progress < 1.0, progress * (1.0 - progress), 0.0)


def executive_signal(gap: np.ndarray, activity: np.ndarray, clarity: float) -> np.ndarray:
    """(K,) what the executive reads as each target's need, summing to 1: outcome data
    (``gap``, ``outcome_need``) reach it in proportion to the layers' clarity; the rest of what it
    reads is the operational layer's detail (the effort going into each chain, ``activity``),
    which shows where work is busy, not where outcomes lag (report Table 8):
    clarity x gap / sum(gap) + (1 - clarity) x activity / sum(activity); an even split where
    a signal is empty."""
    k = gap.size

    def share(x: np.ndarray) -> np.ndarray:
        total = float(x.sum())
        return x / total if total > 0 else np.full(k, 1.0 / k)

    return clarity * share(gap) + (1.0 - clarity) * share(activity)


def outcome_share(clarity: float, outcomes_seen: float) -> float:
    """Share of what the executive reads that is outcome data: what the layers route to it
    (``clarity``) of the outcome data there are (``monitoring.outcome_visibility``; report
    Table 8: the executive reviews outcome data, which shared monitoring supplies):
    clarity x outcomes_seen."""
    return clarity * outcomes_seen


def steered_money(pot: float, aligned_: np.ndarray, membership_: np.ndarray,
                  chain_share_: np.ndarray, signal: np.ndarray, steered: float,
                  open_: np.ndarray | None = None) -> np.ndarray:
    """(K,) money reaching each target, GBP m/year: a share ``steered``
    (``layers.steered_share``) of the pooled pot and of each partner's aligned money is
    allocated by the executive in proportion to its ``executive_signal`` (a partner's money
    only to the targets whose chains it is in); the rest is split evenly over the targets
    still open (``open_``, a (K,) bool, default all: the pot over them, a partner's money over
    its open chains, ``chain_share_`` = ``delivery.chain_share`` of the open targets' rows).
    What the executive reads of a target met since its outcome data showed it open, or from
    operational activity (which goes on in a met target's chain), still reaches that target
    and is lost to the others: on wrong information money reaches the wrong targets."""
    k = signal.size
    if open_ is None:
        open_ = np.ones(k, dtype=bool)
    n_open = int(open_.sum())
    weights = membership_ * signal[:, None]           # (K, n)
    total = weights.sum(axis=0)
    by_signal = np.where(total > 0, weights / np.where(total > 0, total, 1.0), chain_share_)
    share = steered * by_signal + (1.0 - steered) * chain_share_
    even_pot = open_ / n_open if n_open else np.zeros(k)
    return pot * (steered * signal + (1.0 - steered) * even_pot) + share @ aligned_
