"""Delivery chains: each target is delivered through a chain of partners (NAO & Audit Commission
2006). A link's strength comes from the upstream partner's effort (commitment x capacity), the
trust between neighbours and the quality of the information they share; the weakest link
limits progress.

Set by ``delivery.*`` in the Scenario (the link formula's half-effort point, exponents and tie
floor among them); resources by ``resources.*``."""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from typing import NamedTuple

import numpy as np

from lspsim.scenario import THEMES


def build_chains(rng: np.random.Generator, kinds: list[str], partner_themes: list[list[str]],
                 budgets: np.ndarray, n_targets: int, length: int) -> tuple[np.ndarray, list[str]]:
    """(K, L) partner indices (padded with -1) and each target's theme. The lead is the council
    that holds the theme; in two-tier areas themes both tiers hold get both councils (a
    district drawn at random among those holding it), so the chain crosses tiers; then other
    responsible partners in a random order weighted toward larger budgets (weight
    sqrt(budget + 1), without replacement), ending with a front-line deliverer."""
    n = len(kinds)
    themes = [THEMES[k % len(THEMES)] for k in range(n_targets)]
    two_tier = "county_council" in kinds
    max_len = length + (1 if two_tier else 0)
    chains = -np.ones((n_targets, max_len), dtype=np.int64)
    is_council = [k.endswith("_council") for k in kinds]
    # Who holds each theme, and in which role (computed once per theme, not per target).
    by_theme: dict[str, tuple[list[int], list[int], list[int], np.ndarray]] = {}
    for theme in set(themes):
        holders = [i for i in range(n) if theme in partner_themes[i]]
        lead = [i for i in holders if is_council[i] and kinds[i] != "district_council"]
        districts = [i for i in holders if kinds[i] == "district_council"] if two_tier else []
        others = [i for i in holders if not is_council[i]]
        by_theme[theme] = (lead, districts, others, 1.0 / np.sqrt(budgets[others] + 1.0))
    # All the draws at once: a district pick and one key per candidate for every target.
    pick = rng.random(n_targets)
    keys = rng.random((n_targets, n))
    # Weighted order without replacement: sort by u^(1/w), largest first (Efraimidis & Spirakis
    # 2006); one sort for all targets, padding (-1) last.
    weighted = np.full((n_targets, n), -1.0)
    for t, theme in enumerate(themes):
        inv_w = by_theme[theme][3]
        weighted[t, : inv_w.size] = keys[t, : inv_w.size] ** inv_w
    orders = np.argsort(-weighted, axis=1, kind="stable").tolist()
    for t, theme in enumerate(themes):
        lead, districts, others, _ = by_theme[theme]
        members = lead[:]
        if districts:
            members.append(districts[int(pick[t] * len(districts))])
        if others:
            others = [others[j] for j in orders[t][: len(others)]]
        size = max(length + (1 if two_tier and len(members) > 1 else 0), len(members))
        members += others[: max(size - len(members), 0)]
        if len(members) < min(size, n):
            rest = [i for i in rng.permutation(n).tolist() if i not in members]
            members += rest[: min(size, n) - len(members)]
        chains[t, : len(members)] = members
    return chains, themes


def membership(chains: np.ndarray, n: int) -> np.ndarray:
    """(K, n) 1 where partner i is in target k's chain, else 0."""
    out = np.zeros((chains.shape[0], n))
    rows, cols = np.nonzero(chains >= 0)
    out[rows, chains[rows, cols]] = 1.0
    return out


def chain_share(membership_: np.ndarray) -> np.ndarray:
    """(K, n) share of partner i's aligned money that goes to target k: split equally over the
    chains it is in (``membership_`` as ``membership``)."""
    in_chains = membership_.sum(axis=0)
    return membership_ / np.where(in_chains > 0, in_chains, 1.0)


def link_strength(chains: np.ndarray, effort: np.ndarray, trust: np.ndarray,
                  ties: np.ndarray, info: np.ndarray, *, effort_half: float,
                  handover_exponent: float, tie_floor: float,
                  info_exponent: float, tie_exponent: float | None = None) -> np.ndarray:
    """(K, L) link strengths; padded positions are +inf so they never bind.
    link(a -> b) = E_a / (E_a + effort_half) x (T_ab T_ba)^x (f + (1 - f) tie_ab)^z
                   x (info_a info_b)^y,
    with E = effort, f = ``tie_floor``, x = ``handover_exponent`` (trust both ways),
    z = ``tie_exponent`` (the relation between the two representatives; x when None),
    y = ``info_exponent``; the last member's link is its own delivery: the same effort term
    x info_a^(2 y). ``planned_link_strength`` is the fast form."""
    valid = chains >= 0
    a = np.where(valid, chains, 0)
    nxt = np.zeros_like(a)
    nxt[:, :-1] = a[:, 1:]
    has_next = np.zeros_like(valid)
    has_next[:, :-1] = valid[:, 1:]
    ea = effort[a]
    e = ea / (ea + effort_half)
    relation = tie_floor + (1.0 - tie_floor) * ties[a, nxt]
    z = handover_exponent if tie_exponent is None else tie_exponent
    handover = np.where(has_next, (trust[a, nxt] * trust[nxt, a]) ** handover_exponent
                        * relation ** z * (info[a] * info[nxt]) ** info_exponent,
                        info[a] ** (2.0 * info_exponent))
    return np.where(valid, e * handover, np.inf)


class LinkPlan(NamedTuple):
    """What ``planned_link_strength`` needs that depends on the chains and data quality only.
    Valid chain positions are ordered handovers first, then each chain's own delivery."""

    shape: tuple[int, int]     # (K, L) of the chains
    flat: np.ndarray           # flat (K, L) index of each valid position
    member: np.ndarray         # partner at each valid position
    n_pairs: int               # the first n_pairs positions hand over to a next member
    ab: np.ndarray             # flat (n, n) index of (member, next) for those
    both: np.ndarray           # ab followed by the flat index of (next, member)
    stacked: np.ndarray        # both, then ab + n^2: flat indices into trust and ties stacked
                               # as one (2, n, n) array
    info: np.ndarray           # constant part of the information and relation terms
    tie_offset: np.ndarray     # f / (1 - f), f the tie floor (0-d: numpy takes it faster)
    exponent: float            # the handover exponent x (trust)
    info_power: float          # 2 y, y the information exponent
    tie_exponent: float        # z, the relation's exponent


def plan_links(chains: np.ndarray, data_quality: np.ndarray, *, tie_floor: float,
               handover_exponent: float, info_exponent: float,
               tie_exponent: float | None = None) -> LinkPlan:
    """Precompute the positions and constant factors of ``link_strength`` for fixed chains.
    The information term (info_a info_b)^y with info = data_quality x s (s the same for
    every partner in a month) is (dq_a dq_b)^y s^(2y); a last member's info_a^(2y) is
    dq_a^(2y) s^(2y). The relation term (f + (1 - f) tie)^z is (1 - f)^z (tie + f / (1 - f))^z;
    f / (1 - f) is taken from the decimal value of f (0.3 gives exactly 3 / 7)."""
    n = data_quality.size
    length = chains.shape[1]
    dq = data_quality.tolist()
    x, y = handover_exponent, info_exponent
    z = x if tie_exponent is None else tie_exponent
    relation = (1.0 - tie_floor) ** z
    tie_offset = _odds(tie_floor)
    pair_pos, last_pos, a, b, last, info_pair, info_last = [], [], [], [], [], [], []
    for k, chain in enumerate(chains.tolist()):  # a handful of short chains: plain Python
        members = [i for i in chain if i >= 0]
        for j, i in enumerate(members[:-1]):
            nxt = members[j + 1]
            pair_pos.append(k * length + j)
            a.append(i)
            b.append(nxt)
            # the relation's constant factor (1 - f)^x joins this term
            info_pair.append((dq[i] * dq[nxt]) ** y * relation)
        if members:
            last_pos.append(k * length + len(members) - 1)
            last.append(members[-1])
            info_last.append(dq[members[-1]] ** (2.0 * y))
    ab = [i * n + j for i, j in zip(a, b, strict=True)]
    ba = [j * n + i for i, j in zip(a, b, strict=True)]
    return LinkPlan(chains.shape, np.array(pair_pos + last_pos, dtype=np.int64),
                    np.array(a + last, dtype=np.int64), len(a), np.array(ab, dtype=np.int64),
                    np.array(ab + ba, dtype=np.int64),
                    np.array(ab + ba + [n * n + i for i in ab], dtype=np.int64),
                    np.array(info_pair + info_last),
                    np.array(tie_offset), x, 2.0 * y, z)


@cache  # exact rational arithmetic is slow, and a run's floor is one of a few values
def _odds(floor: float) -> float:
    """f / (1 - f) from the decimal value of f."""
    f = Fraction(repr(floor))
    return float(f / (1 - f))


def planned_link_strength(plan: LinkPlan, effort: np.ndarray, trust: np.ndarray,
                          ties: np.ndarray, info_scale: float, effort_half: float,
                          out: np.ndarray, stacked: np.ndarray | None = None) -> np.ndarray:
    """``link_strength`` for chains planned by ``plan_links``, where info = data_quality x
    ``info_scale``. Writes the valid positions of ``out`` (K, L), whose padded positions the
    caller keeps at +inf, and returns it. ``stacked`` may give trust and ties as the two
    matrices of one (2, n, n) array, so one call takes from both."""
    e = effort / (effort + effort_half)
    h = plan.info * info_scale ** plan.info_power
    k = plan.n_pairs
    if k:
        if stacked is None:
            pair_trust = trust.take(plan.both)
            relation = ties.take(plan.ab)
        else:
            pair_trust = stacked.take(plan.stacked)  # T_ab, T_ba, ties_ab
            relation = pair_trust[2 * k:]
        relation += plan.tie_offset
        if plan.tie_exponent == plan.exponent:  # one power of the product
            relation *= pair_trust[:k]
            relation *= pair_trust[k:2 * k]
            h[:k] *= relation ** plan.exponent
        else:
            both = np.multiply(pair_trust[:k], pair_trust[k:2 * k])
            h[:k] *= both ** plan.exponent
            h[:k] *= relation ** plan.tie_exponent
    h *= e.take(plan.member)
    out.put(plan.flat, h)
    return out


def progress_step(strength: np.ndarray, resource_factor: np.ndarray,
                  months_to_deliver: np.ndarray) -> np.ndarray:
    """Progress this month: each chain's weakest link times its resource factor, over the
    months a target takes with a perfect chain."""
    return strength.min(axis=1) * resource_factor / months_to_deliver


def freed_share(membership_: np.ndarray, open_: np.ndarray) -> np.ndarray:
    """(K, n) factor turning ``chain_share(membership_)`` into the share of each partner's
    aligned money that goes to each target still open (``open_``, a (K,) bool): a met target
    stops absorbing money and its partners' money goes to their other open targets
    (``chain_share(membership_ x open_)``); 0 on met targets' rows."""
    open_rows = membership_ * open_[:, None]
    in_all, in_open = membership_.sum(axis=0), open_rows.sum(axis=0)
    ratio = np.where(in_open > 0, in_all / np.where(in_open > 0, in_open, 1.0), 0.0)
    return open_[:, None] * ratio[None, :]
