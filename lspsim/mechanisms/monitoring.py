"""Shared performance monitoring: maturity grows slowly with investment, toward a ceiling that
is low without common data standards (Audit Commission 2009: shared monitoring takes years and
needs common data quality standards; obstacles are incompatible systems and formats and
unwillingness to share). Maturity and openness set how well partners see each other."""

from __future__ import annotations

import numpy as np

from lspsim.mechanisms import clip01


def ceiling(common_standards: bool, ceiling_without: float) -> float:
    return 1.0 if common_standards else ceiling_without


def grow(maturity: float, investment: float, growth_rate: float, ceiling_: float,
         mean_openness: float, mean_data_quality: float) -> float:
    """One month of growth toward the ceiling; partners unwilling to share or with poor data
    slow it down."""
    rate = growth_rate * investment * mean_openness * (0.5 + 0.5 * mean_data_quality)
    return float(maturity + rate * max(ceiling_ - maturity, 0.0))


def observation_sd(maturity: float, openness: np.ndarray, base_sd: float,
                   noise_factor: float) -> np.ndarray:
    """How wrong the shared picture of each partner's commitment is."""
    return base_sd * (1.0 - maturity * openness) * noise_factor


def observe(rng: np.random.Generator, commitment: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """What the partnership's reports show of each partner's commitment this month."""
    return observe_draw(commitment, rng.standard_normal(commitment.size), sd)


def observe_draw(commitment: np.ndarray, z: np.ndarray, sd: np.ndarray,
                 out: np.ndarray | None = None) -> np.ndarray:
    """``observe`` given standard-normal draws ``z`` (or draws already scaled, with ``sd`` the
    remaining factor): commitment + z sd, clipped to [0, 1] (into ``out`` if given; it must not
    be ``commitment``)."""
    out = np.multiply(z, sd, out=out)
    out += commitment
    return clip01(out)
