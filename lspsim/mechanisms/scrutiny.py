"""Scrutiny: elected members' engagement and training drive periodic reviews that raise the cost
of low commitment, like peer punishment in public-goods games (Fehr & Gaechter 2000; Audit
Commission 2009: engage elected members through training and stronger scrutiny).

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
