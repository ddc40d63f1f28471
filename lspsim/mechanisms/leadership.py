"""Leadership: the chair's and board's style and the council's dominance act through the pull
on the board, the inclusion (voice) of partners, trust repair, decision speed, networking and
performance challenge. An LSP reflects the leadership style of its chair, board and council
(Audit Commission 2009); facilitative leadership (Ansell & Gash 2008); a stubborn, central
chair pulls the board (Friedkin-Johnsen).

Set by ``leadership.*`` in the Scenario; each style's six effects are the table
``leadership.styles`` (one entry per ``scenario.ChairStyle``).
"""

from __future__ import annotations

import numpy as np

from lspsim.scenario import StyleEffects, Styles

CHANNELS: tuple[str, ...] = tuple(StyleEffects.model_fields)


def effective_style(styles: Styles, chair_style: str, board_style: str,
                    chair_weight: float) -> dict[str, float]:
    """The partnership's style: the chair's and the board's effects (``leadership.styles``),
    blended by ``chair_weight``."""
    a, b = getattr(styles, chair_style), getattr(styles, board_style)
    return {k: chair_weight * getattr(a, k) + (1 - chair_weight) * getattr(b, k)
            for k in CHANNELS}


def voice(is_council: np.ndarray, statutory: np.ndarray, is_chair_org: np.ndarray,
          inclusion: float, dominance: float, *, statutory_exposure: float,
          exclusion_weight: float, outsider_weight: float, floor: float) -> np.ndarray:
    """How far each partner's priorities shape the board's (0-1). A dominant council and a
    non-inclusive style push non-statutory partners off the 'top table' first:
    v = 1 - exposure (dominance (1 - inclusion) + exclusion_weight (1 - inclusion)
    + outsider_weight dominance [non-statutory]), exposure 0 for councils,
    ``statutory_exposure`` for statutory partners, 1 otherwise; 1 for the chair's organisation;
    at least ``floor``."""
    exclusion = (1.0 - inclusion)
    exposure = np.where(is_council, 0.0, np.where(statutory, statutory_exposure, 1.0))
    outsider = 1.0 - statutory
    v = 1.0 - exposure * (dominance * exclusion + exclusion_weight * exclusion
                          + outsider_weight * dominance * outsider)
    v = np.where(is_chair_org, 1.0, v)
    return np.clip(v, floor, 1.0)


def pulled_expectation(expected: np.ndarray, aspiration: float, pull: float,
                       voice_: np.ndarray) -> np.ndarray:
    """Friedkin-Johnsen step with the chair as a stubborn node at ``aspiration``: a partner
    follows the chair in proportion to the pull and to its own voice (excluded partners don't).
    The fast schedule folds it into the decision (``commitment.folded_decision``)."""
    p = pull * voice_
    return (1.0 - p) * expected + p * aspiration
