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


def priorities(partner_themes: list[list[str]], themes: tuple[str, ...]) -> np.ndarray:
    """(n, T) each partner's priorities over the outcome themes: its themes, equally weighted
    (each row sums to 1; a partner with no themes has none)."""
    holds = np.array([[th in mine for th in themes] for mine in partner_themes], dtype=float)
    count = holds.sum(axis=1, keepdims=True)
    return holds / np.where(count > 0, count, 1.0)


def agenda(priorities_: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """(T,) the partnership's agenda: the themes its targets and money weigh, as the priorities
    of those at the table weighted by how much they are heard (voice x tier weight,
    ``structure.tier_agenda_weight``): a_theme = sum_i w_i p_i,theme / sum_i w_i."""
    total = float(weight.sum())
    return weight @ priorities_ / (total if total > 0 else 1.0)


def agenda_stake(priorities_: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """(n,) how far the agenda serves each partner's priorities, relative to the agenda every
    partner would set with an equal say: s_i = sum_theme a_theme h_i,theme / the same with
    equal weights, h_i the themes i holds. 1 for everyone when all are heard alike; below 1
    for a partner whose themes the heard partners do not share (its stake in the agreed
    targets is lower), above 1 for those whose priorities make the agenda."""
    holds = (priorities_ > 0).astype(float)
    own = holds @ agenda(priorities_, weight)
    fair = holds @ agenda(priorities_, np.ones(weight.size))
    return np.where(fair > 0, own / np.where(fair > 0, fair, 1.0), 1.0)


def payoff_share(form: str, voice_: np.ndarray, stake: np.ndarray) -> np.ndarray:
    """The share of a partner's stake in success that the joint targets realise for it, by
    ``mechanisms.exclusion``: its agenda stake, at most all of it ("agenda": an agenda tilted
    toward its priorities cannot give it more than its whole stake), its voice
    ("evidence_multiplier", the earlier form) or all of it ("off")."""
    if form == "agenda":
        return np.minimum(stake, 1.0)
    if form == "evidence_multiplier":
        return voice_
    return np.ones(voice_.size)


def delivered_for(observed: np.ndarray, stake: np.ndarray) -> np.ndarray:
    """(n, m) what each partner sees the agenda-setters (``observed``: their m observed
    commitments) do for it: a council's commitment serves the agenda, and the part of it that
    serves partner i's priorities is its agenda stake, at most a fair share:
    observed_j x min(s_i, 1) ("agenda" form of ``mechanisms.exclusion``)."""
    return np.minimum(stake, 1.0)[:, None] * observed[None, :]


def exclusion_factor(voice_: np.ndarray, exponent: float, statutory: np.ndarray) -> np.ndarray:
    """The rival form ("evidence_multiplier" of ``mechanisms.exclusion``): non-statutory
    partners kept off the top table read exclusion by the council as a breach, the evidence
    they see in a council's conduct multiplied by voice^exponent (``trust.exclusion_exponent``);
    statutory partners, whose seat is secured by the duty to cooperate, are not affected."""
    return np.where(statutory, 1.0, voice_ ** exponent)


def kept_evidence_seen(seen: np.ndarray, own: np.ndarray, tolerance: float,
                       sharpness: float) -> np.ndarray:
    """``trust.kept_evidence`` for an (n, m) block of what each partner sees others do for it:
    e_ij = 1 / (1 + exp(-(seen_ij - own_i + tolerance) / sharpness))."""
    return 1.0 / (1.0 + np.exp(-(seen - own[:, None] + tolerance) / sharpness))
