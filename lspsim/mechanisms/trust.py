"""Trust between partners: built slowly from kept commitments, lost fast on breaches (Slovic
1993), judged from what monitoring lets partners see, repaired by facilitative leadership,
and spread along the representatives' network (gossip).

Set by ``trust.*`` in the Scenario (the update weights, the evidence's sharpness, the initial
trust's form and the newcomer rule among them)."""

from __future__ import annotations

import math

import numpy as np

from lspsim.mechanisms import clip01


def initial_trust(rng: np.random.Generator, base: float, history: float, ties: np.ndarray,
                  cross_tier: np.ndarray, inter_tier_factor: float, *, mature_level: float,
                  history_pull: float, tie_bonus: float, spread: float,
                  cross_tier_share: float) -> np.ndarray:
    """History and existing ties raise starting trust (Ansell & Gash 2008: prehistory):
    T = base + (mature_level - base) history_pull h + tie_bonus tie + N(0, spread), clipped to
    [0, 1]. Between county and district representatives the prehistory of the tiers pulls it
    toward ``cross_tier_share`` x the base level, by the same factor that weakens their ties."""
    n = ties.shape[0]
    t = (base + (mature_level - base) * history_pull * history + tie_bonus * ties
         + rng.normal(0.0, spread, (n, n)))
    t = np.clip(t, 0.0, 1.0)
    np.fill_diagonal(t, 1.0)
    if cross_tier.any():
        f = inter_tier_factor
        t[cross_tier] = t[cross_tier] * f + (1 - f) * base * cross_tier_share
    return t


def evidence_constants(tolerance: float, sharpness: float) -> tuple[float, float, float]:
    """(1 / sharpness, -1 / sharpness, exp(tolerance / sharpness)): the constants of
    ``kept_evidence``'s factorised form (the model keeps them as 0-d arrays and computes the
    same form in place, ``PartnershipModel._update_trust``)."""
    inv = 1.0 / sharpness
    return inv, -inv, math.exp(tolerance * inv)


def kept_evidence(observed: np.ndarray, own: np.ndarray, tolerance: float, sharpness: float,
                  out: np.ndarray | None = None,
                  folded: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """(n, n) evidence in (0, 1) that j kept faith in i's eyes: j did at least what i did, less a
    tolerance (reciprocity). A smooth (logistic) step so small errors give small updates:
    e_ij = 1 / (1 + exp(-(observed_j - own_i + tolerance) / sharpness)).

    The exponential factorises, exp(-z_ij) = exp((own_i - tol) / s) exp(-observed_j / s), so it
    costs 2n exponentials and three passes over the matrix (into ``out`` if given). ``folded``
    may give ``evidence_constants(tolerance, sharpness)`` precomputed (as 0-d arrays, which
    numpy takes faster than floats)."""
    inv, neg_inv, k = folded or evidence_constants(tolerance, sharpness)
    # e = 1 / (1 + a_i b_j / k) = k / (k + a_i b_j); the outer product by broadcasting (the same
    # products, cheaper than ufunc.outer on small arrays)
    a = np.exp(own * inv)
    out = np.multiply(a[:, None], np.exp(observed * neg_inv), out=out)
    out += k
    return np.divide(k, out, out=out)


def exclusion_factor(voice: np.ndarray, exponent: float) -> np.ndarray:
    """Partners kept off the top table read exclusion by the council as a breach: the evidence
    they see in a council's conduct is multiplied by voice^exponent
    (``trust.exclusion_exponent``)."""
    return voice ** exponent


def update_weight(visibility: np.ndarray, contact: np.ndarray, base: float,
                  by_visibility: float, by_contact: float) -> np.ndarray:
    """(n, n) weight of this month's evidence: w_ij = clip(base + by_visibility visibility_j +
    by_contact min(contact_ij, 1), 0, 1): what monitoring shows and meeting in person both make
    evidence count (``trust.weight_*``)."""
    w = base + by_visibility * visibility[None, :] + by_contact * np.minimum(contact, 1.0)
    return np.clip(w, 0.0, 1.0)


def contact_weight(contact: np.ndarray, base: float, by_contact: float) -> np.ndarray:
    """The part of ``update_weight`` fixed per meeting pattern: base + by_contact
    min(contact, 1); the fast schedule adds by_visibility x visibility each month, and clips
    only when the three weights can sum past 1."""
    return base + by_contact * np.minimum(contact, 1.0)


def update_constants(gain: float, loss: float, repair: float) -> tuple[float, float, float]:
    """(g, l, g - l) with l = loss (1 - repair): the constants of ``update_trust``'s form (the
    model keeps them as 0-d arrays and computes the same form in place)."""
    lo = loss * (1.0 - repair)
    return gain, lo, gain - lo


def update_trust(trust: np.ndarray, evidence: np.ndarray, weight: np.ndarray, gain: float,
                 loss: float, repair: float, out: np.ndarray | None = None,
                 scratch: np.ndarray | None = None,
                 folded: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                 ties: np.ndarray | None = None, forgiveness: float = 0.0) -> np.ndarray:
    """Asymmetric update: T += w [gain e (1 - T) - loss (1 - repair) (1 - f tie) (1 - e) T],
    clipped to [0, 1], with trust in oneself kept at 1. A tie cushions a breach: the loss is
    cut by a share ``forgiveness`` x the pair's tie strength (``trust.tie_forgiveness``; Uzzi
    1997: embedded ties extend the benefit of the doubt; Ring & Van de Ven 1994: personal
    relationships absorb deviations from formal commitments). With ``ties`` None or
    ``forgiveness`` 0 the loss is the same for every pair.

    Computed as T + w (g e - T ((g - l) e + l)) with l = loss (1 - repair). With ``out`` (which may
    be ``trust`` itself) and ``scratch`` buffers it allocates nothing; ``evidence`` is then used
    as workspace and overwritten. ``folded`` may give ``update_constants(gain, loss, repair)``
    precomputed."""
    g, lo, g_less_lo = folded or update_constants(gain, loss, repair)
    if out is None:
        out = trust.copy()
    elif out is not trust:
        np.copyto(out, trust)
    if scratch is None:
        evidence = evidence.copy()
    if ties is not None and forgiveness:
        # the loss pair by pair, l_ij = l (1 - f tie_ij): (g - l_ij) e + l_ij
        s = np.multiply(ties, -float(lo) * forgiveness, out=scratch)
        s += lo
        s += np.subtract(g, s) * evidence
    else:
        s = np.multiply(evidence, g_less_lo, out=scratch)
        s += lo
    s *= out                       # T ((g - l) e + l)
    e = evidence
    e *= g
    e -= s                         # g e - T ((g - l) e + l)
    e *= weight
    out += e
    clip01(out)
    set_diagonal(out, 1.0)
    return out


def gossip(trust: np.ndarray, ties: np.ndarray, rate: float) -> np.ndarray:
    """Each partner moves a share ``rate`` (``trust.spread``) of its trust toward what its
    contacts think (tie-weighted); partners with no ties keep their own view:
    T_i <- (1 - r_i) T_i + r_i sum_k ties_ik T_k / sum_k ties_ik, r_i = rate if i has ties;
    trust in oneself stays 1. ``spread`` is the fast form (float32 sum, in place)."""
    strength = ties.sum(axis=1, keepdims=True)
    heard = (ties @ trust) / np.where(strength > 0, strength, 1.0)
    r = np.where(strength > 0, rate, 0.0)
    out = (1.0 - r) * trust + r * heard
    np.fill_diagonal(out, 1.0)
    return out


def spread(trust: np.ndarray, ties: np.ndarray, rate: float, out: np.ndarray | None = None,
           scratch: np.ndarray | None = None,
           single: tuple[np.ndarray, np.ndarray] | None = None,
           ones: np.ndarray | None = None, keep: np.ndarray | float | None = None) -> np.ndarray:
    """``gossip``, fast. The tie-weighted sum, the model's one O(n^3) step, is taken in single
    precision (float32): it moves trust by a share ``rate``, so its rounding (below 1e-8 a
    month) is far under anything the model resolves, and it halves the cost for large
    partnerships. What each
    partner keeps of its own view stays in double precision. ``out`` must not be ``trust``;
    ``scratch`` (float64) and ``single`` (two float32 arrays) are optional (n, n) workspaces,
    ``ones`` an optional (n,) array of ones, ``keep`` 1 - ``rate`` precomputed (the model passes
    it and ``rate`` as 0-d arrays)."""
    n = trust.shape[0]
    # row sums as a product with ones (cheaper than a reduction on small arrays)
    strength = ties.dot(np.ones(n) if ones is None else ones)
    if single is None:
        single = (np.empty((n, n), np.float32), np.empty((n, n), np.float32))
    t32, w32 = single
    t32[...] = trust
    w32[...] = ties
    heard = np.matmul(w32, t32, out=scratch)
    if min(strength.tolist()) > 0:  # the usual case: every representative has a tie
        heard *= (rate / strength)[:, None]
        out = np.multiply(trust, 1.0 - rate if keep is None else keep, out=out)
    else:
        has = strength > 0
        r = np.where(has, rate, 0.0)
        heard *= (r / np.where(has, strength, 1.0))[:, None]
        out = np.multiply(trust, (1.0 - r)[:, None], out=out)
    out += heard
    set_diagonal(out, 1.0)
    return out


def reset_for_newcomers(trust: np.ndarray, leavers: np.ndarray, base: float, share: float,
                        out: np.ndarray | None = None) -> np.ndarray:
    """A new representative is partly a stranger: trust to and from it moves toward the base
    level by ``share`` (``trust.newcomer_share``: the part of the trust placed in a
    representative that is personal; the organisation's reputation keeps the rest), whatever
    ties it inherits (``network.tie_loss_on_turnover`` acts on the ties alone: a successor who
    inherits a contact is still someone new to trust). ``out`` may be ``trust`` itself
    (updated in place)."""
    if out is None:
        out = trust.copy()
    elif out is not trust:
        np.copyto(out, trust)
    if leavers.size == 0:
        return out
    k = share
    for i in leavers.tolist():  # usually one or two: row and column views, no fancy indexing
        col, row = out[:, i], out[i]
        col *= 1 - k
        col += k * base
        row *= 1 - k
        row += k * base
        row[i] = 1.0
    return out


def set_diagonal(m: np.ndarray, value: float) -> None:
    """``np.fill_diagonal(m, value)`` for a C-contiguous square matrix, through a flat view."""
    m.reshape(-1)[:: m.shape[0] + 1].fill(value)
