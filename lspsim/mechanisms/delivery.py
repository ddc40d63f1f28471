"""Delivery chains: each target is delivered through a chain of partners (NAO & Audit Commission
2006). A link's strength comes from the upstream partner's effort (commitment x capacity), the
trust between neighbours and the quality of the information they share; the weakest link
limits progress."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lspsim.scenario import THEMES

# Effort (commitment x effective capacity) at which a link is half as strong as it can be.
EFFORT_HALF = 0.1


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


def chain_pairs(chains: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(valid, a, nxt, has_next) for ``link_strength``: each position's member, the next member
    and whether there is one. They depend on the chains only, so the model computes them once."""
    valid = chains >= 0
    a = np.where(valid, chains, 0)
    nxt = np.zeros_like(a)
    nxt[:, :-1] = a[:, 1:]
    has_next = np.zeros_like(valid)
    has_next[:, :-1] = valid[:, 1:]
    return valid, a, nxt, has_next


def link_strength(chains: np.ndarray, effort: np.ndarray, trust: np.ndarray,
                  ties: np.ndarray, info: np.ndarray,
                  pairs: tuple[np.ndarray, ...] | None = None) -> np.ndarray:
    """(K, L) link strengths; padded positions are +inf so they never bind.
    link(a -> b) = effort_a / (effort_a + EFFORT_HALF) x (T_ab T_ba)^0.15
                   x (0.3 + 0.7 tie_ab)^0.15 x (info_a info_b)^0.1;
    the last member's link is its own delivery: the same effort term x info^0.2."""
    valid, a, nxt, has_next = chain_pairs(chains) if pairs is None else pairs
    pair_trust = trust[a, nxt] * trust[nxt, a]
    ea = effort[a]
    e = ea / (ea + EFFORT_HALF)
    relation = 0.3 + 0.7 * ties[a, nxt]
    handover = np.where(has_next, pair_trust ** 0.15 * relation ** 0.15
                        * (info[a] * info[nxt]) ** 0.1,
                        info[a] ** 0.2)
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
    info: np.ndarray           # constant part of the information and relation terms


def plan_links(chains: np.ndarray, data_quality: np.ndarray) -> LinkPlan:
    """Precompute the positions and constant factors of ``link_strength`` for fixed chains.
    The information term (info_a info_b)^0.1 with info = data_quality x s (s the same for
    every partner in a month) is (dq_a dq_b)^0.1 s^0.2; a last member's info_a^0.2 is
    dq_a^0.2 s^0.2."""
    n = data_quality.size
    length = chains.shape[1]
    dq = data_quality.tolist()
    relation = 0.7 ** 0.15
    pair_pos, last_pos, a, b, last, info_pair, info_last = [], [], [], [], [], [], []
    for k, chain in enumerate(chains.tolist()):  # a handful of short chains: plain Python
        members = [i for i in chain if i >= 0]
        for j, i in enumerate(members[:-1]):
            nxt = members[j + 1]
            pair_pos.append(k * length + j)
            a.append(i)
            b.append(nxt)
            # (0.3 + 0.7 tie)^0.15 = 0.7^0.15 (tie + 3/7)^0.15: the constant joins this term
            info_pair.append((dq[i] * dq[nxt]) ** 0.1 * relation)
        if members:
            last_pos.append(k * length + len(members) - 1)
            last.append(members[-1])
            info_last.append(dq[members[-1]] ** 0.2)
    ab = [i * n + j for i, j in zip(a, b, strict=True)]
    ba = [j * n + i for i, j in zip(a, b, strict=True)]
    return LinkPlan(chains.shape, np.array(pair_pos + last_pos, dtype=np.int64),
                    np.array(a + last, dtype=np.int64), len(a), np.array(ab, dtype=np.int64),
                    np.array(ab + ba, dtype=np.int64), np.array(info_pair + info_last))


def planned_link_strength(plan: LinkPlan, effort: np.ndarray, trust: np.ndarray,
                          ties: np.ndarray, info_scale: float, out: np.ndarray) -> np.ndarray:
    """``link_strength`` for chains planned by ``plan_links``, where info = data_quality x
    ``info_scale``. Writes the valid positions of ``out`` (K, L), whose padded positions the
    caller keeps at +inf, and returns it."""
    e = effort / (effort + EFFORT_HALF)
    h = plan.info * info_scale ** 0.2
    k = plan.n_pairs
    if k:
        pair_trust = trust.take(plan.both)
        relation = ties.take(plan.ab)
        relation += 3.0 / 7.0
        relation *= pair_trust[:k]
        relation *= pair_trust[k:]
        h[:k] *= relation ** 0.15
    h *= e.take(plan.member)
    out.put(plan.flat, h)
    return out


def progress_step(strength: np.ndarray, resource_factor: np.ndarray,
                  months_to_deliver: np.ndarray) -> np.ndarray:
    """Progress this month: the weakest link times the resource factor, over the months a
    target takes with a perfect chain."""
    return progress_step_from_weakest(strength.min(axis=1), resource_factor, months_to_deliver)


def progress_step_from_weakest(weakest: np.ndarray, resource_factor: np.ndarray,
                               months_to_deliver: np.ndarray) -> np.ndarray:
    """``progress_step`` given each chain's weakest link."""
    return weakest * resource_factor / months_to_deliver
