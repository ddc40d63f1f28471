"""Commitment: partners are imperfect conditional co-operators (Fischbacher, Gaechter & Fehr
2001; Fischbacher & Gaechter 2010). Each decides how much of its capacity and budget to align to
joint priorities from what it expects of partners (weighted by trust), the chair's pull, its own
stakes against the cost to its capacity, and the pressure of scrutiny.

Set by ``commitment.*`` (``distrust_discount`` among them) in the Scenario. The canonical
decision is ``desired(slope, leadership.pulled_expectation(expected_of_others(...)), own, ...)``;
the fast schedule (``PartnershipModel._decide_commitment``) computes ``expected_of_others_unit``'s
form in place and uses ``folded_decision`` (tested equal in tests/test_schedule_reference.py)."""

from __future__ import annotations

import numpy as np

from lspsim.mechanisms import clip01


def expected_of_others(trust: np.ndarray, observed: np.ndarray, visibility: np.ndarray,
                       discount: float) -> np.ndarray:
    """Mean over other partners of what i expects of j: the observed commitment, discounted
    where i does not trust j and cannot verify it. Trust stands in for information: what
    mature, open monitoring shows is believed whatever the trust (``visibility`` = maturity x
    openness of j):

    belief_ij = 1 - D (1 - T_ij) (1 - visibility_j); expected_i = sum_{j != i} belief_ij obs_j
    / (n - 1), D = ``commitment.distrust_discount``."""
    n = observed.size
    if n < 2:  # no others: expect what is observed
        return observed.copy()
    belief = 1.0 - discount * (1.0 - trust) * (1.0 - visibility)[None, :]
    np.fill_diagonal(belief, 0.0)
    return belief @ observed / (n - 1)


def expected_of_others_unit(trust: np.ndarray, observed: np.ndarray, hidden: np.ndarray,
                            discount: float,
                            scale: np.ndarray | float | None = None) -> np.ndarray:
    """``expected_of_others`` for trust matrices with 1 on the diagonal (as the model keeps
    them), given ``hidden`` = 1 - visibility, by one matrix-vector product instead of an (n, n)
    belief matrix: (sum(obs) - obs_i - D (sum(u) - (T u)_i)) / (n - 1) with u = hidden x obs.
    With ``scale`` the sum is multiplied by ``scale`` instead of 1 / (n - 1) (the model folds
    constant factors of the decision into it, ``folded_decision``)."""
    n = observed.size
    if n < 2:  # no others: expect what is observed (as expected_of_others does)
        return observed.copy() if scale is None else observed * scale
    u = hidden * observed
    out = trust.dot(u)  # np.dot's product, without its dispatch (dearer than 25 x 25)
    out *= discount
    out -= observed
    # the scalar part in Python floats (the same double products; float() takes a 0-d discount)
    out += float(np.add.reduce(observed)) - float(discount) * float(hidden.dot(observed))
    out *= 1.0 / (n - 1) if scale is None else scale
    return out


def own_incentive(stake_in_success: np.ndarray, voice_: np.ndarray, return_rate: float,
                  cost: float, burden: np.ndarray, efficacy: np.ndarray | float = 0.0,
                  efficacy_weight: float = 0.0) -> np.ndarray:
    """Material incentive per unit committed: the return to its own stake (counted only as far as
    the joint priorities reflect its voice) less the cost to capacity, dearer when meetings and
    coordination already eat into it. The return a partner expects rises with its sense of
    efficacy (``cycles.update_efficacy``: targets seen ahead of pace) and falls with it:
    stake x voice x return x (1 + efficacy_weight x efficacy) - cost (1 + burden)."""
    expected = stake_in_success * voice_ * return_rate
    return expected + expected * efficacy_weight * efficacy - cost * (1.0 + burden)


def own_preference(incentive: np.ndarray, sensitivity: float) -> np.ndarray:
    """The commitment a partner would choose on its own interest alone: a logistic choice on the
    net incentive (0.5 when return and cost balance; near 0 when, as in a public-goods game,
    each unit costs more than it returns)."""
    return 1.0 / (1.0 + np.exp(-sensitivity * incentive))


def desired(slope: np.ndarray, expected: np.ndarray, own: np.ndarray, pressure: np.ndarray,
            noise: np.ndarray, ceiling: np.ndarray | None = None) -> np.ndarray:
    """Reciprocity and self-interest mixed by the partner's conditional slope, plus the pressure
    scrutiny puts on it and decision noise, clipped to [0, 1] and, with ``ceiling``, to what the
    partner can commit (``spare_capacity``): slope x expected + (1 - slope) x own + pressure +
    noise."""
    out = slope * expected
    out += (1.0 - slope) * own
    out += pressure
    out += noise
    clip01(out)
    if ceiling is not None:
        np.minimum(out, ceiling, out=out)
    return out


def spare_capacity(burden: np.ndarray) -> np.ndarray:
    """The most a partner can commit, as a share of its capacity: what meetings and coordination
    leave of it, 1 - burden. Commitment is a share of capacity and budget aligned to joint
    priorities; capacity already taken by partnership meetings cannot also deliver (Audit
    Commission 2005: the cost of partnership working falls on the same few officers), so an
    overloaded partner cannot commit fully whatever it wants. Budget needs no bound of its own:
    aligned money is a share of the budget, so it never exceeds it."""
    return 1.0 - burden


def update_belief(previous: np.ndarray, seen: np.ndarray, rate: float) -> np.ndarray:
    """What a partner expects of the others at this decision: its previous expectation moved a
    share ``rate`` (``commitment.belief_rate``) of the way to what it now sees of them
    (``expected_of_others``). Beliefs are sticky: in the laboratory a player's belief about the
    others' contribution is a weighted mix of its previous belief and what the others gave
    last round (Fischbacher & Gaechter 2010), so contributions decay over rounds rather than
    collapse. A partner with no expectation yet (NaN: the first decision, or a new
    representative) takes what it sees."""
    if rate >= 1.0:
        return seen.copy()
    out = previous + rate * (seen - previous)
    return np.where(np.isnan(previous), seen, out)


def folded_decision(slope: np.ndarray, pull: float, voice_: np.ndarray, aspiration: float,
                    n_partners: int) -> tuple[np.ndarray, np.ndarray]:
    """The constant factors of ``desired(slope, pulled_expectation(expected, ...), own, ...)``
    folded for the fast schedule: (expectation scale, pull term), where

    desired = scale x sum_j belief_ij obs_j + slope x pull term + (1 - slope) x own + pressure
    + noise, scale = slope (1 - pull voice) / (n - 1), pull term = pull voice aspiration."""
    keep = 1.0 - pull * voice_
    add = pull * voice_ * aspiration
    return slope * keep / max(n_partners - 1, 1), add


def folded_base(slope: np.ndarray, pull_term: np.ndarray, own: np.ndarray) -> np.ndarray:
    """The part of the folded decision fixed per meeting pattern: slope x pull term +
    (1 - slope) x own (``folded_decision``)."""
    return slope * pull_term + (1.0 - slope) * own


def adjust(commitment: np.ndarray, target: np.ndarray, rate: float) -> np.ndarray:
    """Move a share ``rate`` (``commitment.adjustment_rate`` x the style's speed) of the way to
    the target."""
    return commitment + rate * (target - commitment)
