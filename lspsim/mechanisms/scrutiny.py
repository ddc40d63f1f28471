"""Scrutiny and peer challenge: elected members' engagement and training drive periodic reviews
that raise the cost of low commitment, like peer punishment in public-goods games (Fehr &
Gaechter 2000; Audit Commission 2009: engage elected members through training and stronger
scrutiny; partners review, decide and challenge one another on performance).

Rival forms (``mechanisms.punishment``). "payoff_cost": punishment is costly on both sides, as
in the laboratory (Fehr & Gaechter 2000: a punisher paid one token per three it took): the
punished expect a fine per unit of shortfall, which raises the return to committing and so
their own preferred commitment (``fined_incentive``), and those who challenge give up capacity
in proportion to the sanctions they impose (``challenge_load``). "push" (the earlier form): the
pressure is added to the desired commitment directly, at no cost to anyone. "off": reviews
find shortfalls but nothing follows.

Set by ``scrutiny.*`` in the Scenario; the style's ``challenge`` scales the bite."""

from __future__ import annotations

import numpy as np


def is_review_month(month: int, interval: int) -> bool:
    return month % interval == 0


def intensity(engagement: float, training: float, challenge: float,
              untrained_bite: float) -> float:
    """How hard a review bites: engaged, trained members, and a board that welcomes challenge:
    engagement x (untrained_bite + (1 - untrained_bite) training) x challenge."""
    return engagement * (untrained_bite + (1.0 - untrained_bite) * training) * challenge


def review(pressure: np.ndarray, observed: np.ndarray, aspiration: float,
           stake_in_failure: np.ndarray, intensity_: float) -> np.ndarray:
    """A review finds each partner's visible shortfall against what was asked and adds it, in
    proportion to what the partner stands to lose, to the pressure it feels."""
    shortfall = np.maximum(aspiration - observed, 0.0)
    return pressure + intensity_ * stake_in_failure * shortfall


def fade(pressure: np.ndarray, memory: float) -> np.ndarray:
    return pressure * memory


def review_fines(rate: np.ndarray, observed: np.ndarray, aspiration: float,
                 stake_in_failure: np.ndarray, intensity_: float,
                 sanction: float) -> np.ndarray:
    """A review under costly punishment ("payoff_cost"): each partner found short of what was
    asked learns that every unit it withholds is fined at the review's sanction (intensity x
    stake in failure x ``scrutiny.sanction_strength``), added to the rate it already expects
    (which fades like the pressure, ``fade``). What a partner weighs is the marginal fine, as
    in the laboratory: withholding pays only while it costs less than the fine it draws."""
    found = (observed < aspiration).astype(float)
    return rate + sanction * intensity_ * stake_in_failure * found


def fines_imposed(rate: np.ndarray, observed: np.ndarray, aspiration: float) -> np.ndarray:
    """(n,) the sanctions this month: each partner's fine rate on its visible shortfall."""
    return rate * np.maximum(aspiration - observed, 0.0)


def challenge_load(fines: np.ndarray, voice_: np.ndarray, cost: float) -> np.ndarray:
    """(n,) capacity each partner gives up to challenge others: the sanctions imposed, at
    ``scrutiny.challenge_cost`` per unit, shared among the partners in proportion to their
    voice (those heard at the table do the challenging): cost x sum(fines) x v_i / sum(v)."""
    total = float(voice_.sum())
    return cost * float(fines.sum()) * voice_ / (total if total > 0 else 1.0)


def fined_incentive(incentive: np.ndarray, rate: np.ndarray, load: np.ndarray,
                    unit_cost: float) -> np.ndarray:
    """Net incentive per unit committed under costly punishment: the incentive without it,
    plus the fine each unit committed avoids (``rate``), less the dearer capacity of a
    challenger (the cost per unit, ``commitment.cost``, rises by the share of capacity
    challenge takes, as it does with meetings: ``commitment.own_incentive``)."""
    return incentive + rate - unit_cost * load
