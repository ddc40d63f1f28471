"""Shared performance monitoring: maturity grows slowly with investment, toward a ceiling that
is low without common data standards (Audit Commission 2009: shared monitoring takes years and
needs common data quality standards; obstacles are incompatible systems and formats and
unwillingness to share). Maturity and openness set how well partners see each other.

Set by ``monitoring.*`` in the Scenario; the observation error's base is
``trust.observation_noise``."""

from __future__ import annotations

import numpy as np

from lspsim.mechanisms import clip01


def ceiling(common_standards: bool, ceiling_without: float) -> float:
    return 1.0 if common_standards else ceiling_without


def initial_maturity(initial: float, history: float, ceiling_: float,
                     history_share: float) -> float:
    """Maturity at the start: a history h has closed ``history_share`` x h of the gap from
    ``initial`` to the ceiling."""
    return initial + history_share * history * max(ceiling_ - initial, 0.0)


def growth(investment: float, growth_rate: float, mean_openness: float,
           mean_data_quality: float, data_quality_floor: float) -> float:
    """Share of the distance to the ceiling that maturity closes in a month; partners
    unwilling to share or with poor data slow it down: growth_rate x investment x mean openness
    x (floor + (1 - floor) mean data quality)."""
    return (growth_rate * investment * mean_openness
            * (data_quality_floor + (1.0 - data_quality_floor) * mean_data_quality))


def grow(maturity: float, rate: float, ceiling_: float) -> float:
    """One month of growth toward the ceiling at ``rate`` (``growth``)."""
    return float(maturity + rate * max(ceiling_ - maturity, 0.0))


def visibility(maturity: float, openness: np.ndarray) -> np.ndarray:
    """How much of each partner's conduct shared monitoring shows: maturity x openness."""
    return maturity * openness


def observation_sd(maturity: float, openness: np.ndarray, base_sd: float,
                   noise_factor: float) -> np.ndarray:
    """How wrong the shared picture of each partner's commitment is: base sd x (1 - visibility)
    x the layer-confusion factor (``layers.information_noise_factor``)."""
    return base_sd * (1.0 - maturity * openness) * noise_factor


def outcome_visibility(maturity: float, own_share: float) -> float:
    """How much of the outcome data on shared targets partners and the executive read: a share
    ``own_share`` (``monitoring.own_data_share``) comes from each agency's own returns and the
    national indicator set's data whatever the partnership does (LAA targets were drawn from
    the 198 national indicators [AC09]); shared monitoring supplies the rest as it matures
    (joined-up, comparable, timely data): own_share + (1 - own_share) maturity."""
    return float(own_share + (1.0 - own_share) * maturity)


def information_scale(maturity: float, floor: float) -> float:
    """Value of a partner's data to the partners it hands over to, per unit of data quality:
    floor + (1 - floor) maturity (``delivery.info_floor``)."""
    return floor + (1.0 - floor) * maturity


def observe_draw(commitment: np.ndarray, z: np.ndarray, sd: np.ndarray,
                 out: np.ndarray | None = None) -> np.ndarray:
    """What the partnership's reports show of each partner's commitment this month, given
    standard-normal draws ``z`` (or draws already scaled, with ``sd`` the remaining factor):
    commitment + z sd, clipped to [0, 1] (into ``out`` if given; it must not be
    ``commitment``)."""
    out = np.multiply(z, sd, out=out)
    out += commitment
    return clip01(out)
