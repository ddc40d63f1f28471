"""LAA rounds and the small-wins loop.

Local Area Agreements set improvement targets for three years and were then renegotiated
(EVIDENCE.md: "LAA ran three years"; `delivery.round_months`). A round starts with new targets:
progress restarts at 0 and each target's difficulty is drawn afresh; the delivery chains stay
(the same organisations hold the same outcome themes from one agreement to the next). A target
met within its round stops absorbing money and progress (``active``).

Within a round partners watch how their targets are going against the pace the round needs:
the *pace gap* of target k after m months of an R-month round is min(progress_k, 1) - m / R
(positive: ahead, negative: behind). Ansell & Gash (2008) put "small wins" at the heart of
collaborative governance: intermediate outcomes that are seen build trust and commitment, and
visible failure erodes them; Emerson, Nabatchi & Balogh (2012) loop shared motivation (trust,
internal legitimacy, commitment) back from the results of joint action; Huxham & Vangen (2005)
advise "aim for small wins" to build trust incrementally. What a partner can see of progress
depends on the outcome data it reads (Audit Commission 2005/2009: most partnerships could not
show what they achieved): each agency's own returns and the national indicators' data show part
of it whatever the partnership does, and shared monitoring the rest as it matures, so the
signal is scaled by ``monitoring.outcome_visibility``: wins no one can see build nothing.
Set by ``trust.wins_rate``, ``commitment.efficacy_*``; forms in ``mechanisms.small_wins``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lspsim.mechanisms import ZERO


def spinup_months(years: float, cap: int) -> int:
    """Months of history the model runs before month 0: whole years of joint working, at most
    ``cap`` months (``structure.spinup_months``), rounded down to whole years (draws are taken a
    year at a time)."""
    return int(min(12 * int(years), cap) // 12 * 12)


def round_difficulty(seed: int, index: int, spread: float, k: int) -> np.ndarray:
    """(K,) difficulty multipliers of round ``index``: lognormal(0, ``spread``), from a stream
    of their own (seeded from the run's generator once, at construction), so that a new round's
    draws do not shift the monthly draws and both engines take the same ones."""
    return np.random.default_rng([seed, index]).lognormal(0.0, spread, k)


def pace_gap(progress: np.ndarray, month_in_round: int, round_months: int) -> np.ndarray:
    """(K,) progress (capped at 1) less the share of the round gone: > 0 ahead of the pace that
    meets the target by the round's end, < 0 behind."""
    return np.minimum(progress, 1.0) - month_in_round / round_months


def seen_gap(gap: np.ndarray, membership: np.ndarray, outcomes_seen: float) -> np.ndarray:
    """(n,) the pace gap partner i sees: the mean gap of the targets whose chains it is in
    (``membership`` (K, n)), scaled by how much of the outcome data it reads
    (``monitoring.outcome_visibility``: its own agency's and national data, and what shared
    monitoring adds); 0 for a partner in no chain."""
    count = membership.sum(axis=0)
    return outcomes_seen * (gap @ membership) / np.where(count > 0, count, 1.0)


def shared_gap(gap: np.ndarray, membership: np.ndarray, outcomes_seen: float) -> np.ndarray:
    """(n, n) the pace gap i and j see of the targets they deliver together: mean gap over
    the chains both are in, scaled by ``outcomes_seen`` (``seen_gap``); 0 for pairs with no
    chain in common."""
    together = membership.T @ membership
    return outcomes_seen * ((membership.T * gap) @ membership) / np.where(together > 0,
                                                                          together, 1.0)


def wins_trust(trust: np.ndarray, shared: np.ndarray, rate: float) -> np.ndarray:
    """Trust moved by visible wins and failures: toward 1 in proportion to a shared lead,
    toward 0 in proportion to a shared shortfall (each as a share of the distance):
    T + rate (max(S, 0) (1 - T) + min(S, 0) T); trust in oneself stays 1."""
    out = trust + rate * (np.maximum(shared, 0.0) * (1.0 - trust)
                          + np.minimum(shared, 0.0) * trust)
    np.fill_diagonal(out, 1.0)
    return np.clip(out, 0.0, 1.0)


class WinsPlan(NamedTuple):
    """What the fast small-wins step needs that depends on the chains alone: the pairs of
    distinct partners who share a chain (few: at most K L (L - 1) whatever the partnership's
    size), each with the weights that average the gaps of their common chains, and each
    partner's weights over its own chains."""

    flat: np.ndarray    # (P,) flat (n, n) index of each pair (i, j), i != j
    pair: np.ndarray    # (P, K) M_ki M_kj / (number of chains i and j share)
    own: np.ndarray     # (n, K) M_ki / (number of chains i is in), 0 for none


def plan_wins(membership: np.ndarray) -> WinsPlan:
    """``WinsPlan`` for ``membership`` (K, n)."""
    n = membership.shape[1]
    together = membership.T @ membership
    np.fill_diagonal(together, 0.0)
    i, j = np.nonzero(together)
    pair = (membership[:, i] * membership[:, j]).T / together[i, j][:, None]
    count = membership.sum(axis=0)
    own = membership.T / np.where(count > 0, count, 1.0)[:, None]
    return WinsPlan(i * n + j, np.ascontiguousarray(pair), np.ascontiguousarray(own))


def wins_trust_planned(trust: np.ndarray, plan: WinsPlan, gap_seen: np.ndarray,
                       rate: float) -> np.ndarray:
    """``wins_trust(trust, shared_gap(gap, membership, seen), rate)`` in place, given
    ``gap_seen`` = seen x gap (seen: ``monitoring.outcome_visibility``): only pairs that
    share a chain have a non-zero shared gap, so only they are updated
    (``wins_pairs_in_place``)."""
    return wins_pairs_in_place(trust, plan.flat, rate * (plan.pair @ gap_seen))


def wins_pairs_in_place(trust: np.ndarray, flat_index: np.ndarray,
                        scaled: np.ndarray, flat: np.ndarray | None = None) -> np.ndarray:
    """T + r (S+ - |S| T) on the pairs at ``flat_index`` (the ``wins_trust`` update
    rearranged: S+ (1 - T) + S- T = S+ - |S| T), given ``scaled`` = r S for those pairs.
    ``flat`` may give ``trust.reshape(-1)`` (kept by the model)."""
    if flat is None:
        flat = trust.reshape(-1)
    t = flat.take(flat_index)
    loss = np.abs(scaled)
    loss *= t
    np.maximum(scaled, ZERO, out=scaled)
    scaled -= loss
    t += scaled  # stays in [0, 1]: |S| <= 1 and rate <= 1
    flat.put(flat_index, t)
    return trust


def update_efficacy(efficacy: np.ndarray, seen: np.ndarray, rate: float) -> np.ndarray:
    """A partner's sense of efficacy (-1 to 1): an exponential memory, at ``rate`` a month
    (``commitment.efficacy_rate``), of the pace gap it sees (``seen_gap``, itself in [-1, 1]:
    a mean of gaps in [-1, 1) times an outcome visibility in [0, 1])."""
    out = seen - efficacy
    out *= rate
    out += efficacy
    return out


def opens_round(month: int, round_start: int, round_months: int, renewed: bool) -> bool:
    """True when ``month`` opens a new round: ``round_months`` after the current round opened
    (with ``renewed``; otherwise a round lasts until the spin-up ends, and the run's round all
    run). The run's first round opens at month 1 whatever the spin-up (the partnership's
    first agreement)."""
    return renewed and month - round_start >= round_months


def horizon(round_start: int, first_month: int, round_months: int, renewed: bool,
            run_months: int) -> int:
    """Months the current round gives its targets: ``round_months`` when rounds are renewed;
    otherwise the spin-up's length for the spin-up's round and the run's months for the run's."""
    if renewed:
        return round_months
    return max(1 - first_month, 1) if round_start <= 0 else run_months
