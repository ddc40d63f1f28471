"""Leadership: the chair's and board's style and the council's dominance act through the pull
on the board, the inclusion (voice) of partners, trust repair, decision speed, networking and
performance challenge. An LSP reflects the leadership style of its chair, board and council
(Audit Commission 2009); facilitative leadership (Ansell & Gash 2008); a stubborn, central
chair pulls the board (Friedkin-Johnsen).
"""

from __future__ import annotations

import numpy as np

# Each style's effect on the six channels. Values are ordinal judgements from the report's
# positive/negative signs and the full-range leadership model, documented in docs/ODD.md.
STYLE_EFFECTS: dict[str, dict[str, float]] = {
    #                pull  inclusion repair speed networking challenge
    "facilitative":  dict(pull=0.30, inclusion=0.95, repair=0.5, speed=0.8, networking=1.4,
                          challenge=1.0),
    "directive":     dict(pull=0.45, inclusion=0.30, repair=0.0, speed=1.0, networking=0.8,
                          challenge=0.6),
    "transactional": dict(pull=0.25, inclusion=0.60, repair=0.1, speed=0.9, networking=1.0,
                          challenge=1.2),
    "laissez_faire": dict(pull=0.00, inclusion=0.50, repair=0.0, speed=0.5, networking=0.7,
                          challenge=0.3),
}


def effective_style(chair_style: str, board_style: str, chair_weight: float) -> dict[str, float]:
    """The partnership's style: the chair's and the board's effects, blended."""
    a, b = STYLE_EFFECTS[chair_style], STYLE_EFFECTS[board_style]
    return {k: chair_weight * a[k] + (1 - chair_weight) * b[k] for k in a}


def voice(is_council: np.ndarray, statutory: np.ndarray, is_chair_org: np.ndarray,
          inclusion: float, dominance: float) -> np.ndarray:
    """How far each partner's priorities shape the board's (0-1). A dominant council and a
    non-inclusive style push non-statutory partners off the 'top table' first."""
    exclusion = (1.0 - inclusion)
    exposure = np.where(is_council, 0.0, np.where(statutory, 0.5, 1.0))
    outsider = 1.0 - statutory
    v = 1.0 - exposure * (dominance * exclusion + 0.3 * exclusion + 0.4 * dominance * outsider)
    v = np.where(is_chair_org, 1.0, v)
    return np.clip(v, 0.05, 1.0)


def pulled_expectation(expected: np.ndarray, aspiration: float, pull: float,
                       voice_: np.ndarray) -> np.ndarray:
    """Friedkin-Johnsen step with the chair as a stubborn node at ``aspiration``: a partner
    follows the chair in proportion to the pull and to its own voice (excluded partners don't)."""
    p = pull * voice_
    return (1.0 - p) * expected + p * aspiration
