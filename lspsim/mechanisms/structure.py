"""Structure: who the partners are, in which tier, and what coordination costs them.

Two-tier areas do worse only through what two tiers do: more councils, duplicated district
boards that county-wide partners also attend, weaker ties across tiers and delivery chains that
cross tiers (Audit Commission 2009: multi-tier partnership working is more complex).
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import numpy as np

COUNTY_WIDE = ("county_council", "police", "health", "fire_rescue", "jobcentre_plus", "probation")


def tiers(kinds: list[str]) -> np.ndarray:
    """0 = area-wide or unitary, 1 = county council, 2 = district council."""
    return np.array([1 if k == "county_council" else 2 if k == "district_council" else 0
                     for k in kinds], dtype=np.int8)


def cross_tier(tier: np.ndarray) -> np.ndarray:
    """(n, n) True for county-district pairs (``tiers`` 1 and 2)."""
    return (tier[:, None] * tier[None, :]) == 2


def n_tiers(kinds: list[str]) -> int:
    return 2 if "district_council" in kinds else 1


def coordination_burden(n_partners: int, tier_count: int, cost_per_partner: float) -> float:
    """Share of capacity spent coordinating with the other partners: it rises with partners and
    tiers and saturates below 1 (1 - exp(-cost x tiers x (n - 1)))."""
    return float(1.0 - np.exp(-cost_per_partner * tier_count * max(n_partners - 1, 0)))


def duplicated_meetings(kinds: list[str], n_districts: int, duplication_share: float,
                        meetings_per_month: float) -> np.ndarray:
    """Extra meetings per month that county-wide partners attend at the district LSPs' own
    boards and groups (each district duplicates the county's structure)."""
    county_wide = np.array([k in COUNTY_WIDE for k in kinds], dtype=float)
    return county_wide * duplication_share * n_districts * meetings_per_month


def history_factor(years: float, timescale: float) -> float:
    """How much of a mature partnership's starting conditions a history has built:
    1 - e^(-years / timescale) (``structure.history_timescale``). With 10 years, three decades
    give 0.95; a new partnership 0."""
    return float(1.0 - np.exp(-years / timescale))


def budget_draws(rng: np.random.Generator, n: int, spread: float) -> np.ndarray:
    """Organisations of one kind differ in size: a lognormal factor per partner with sigma
    ``structure.budget_spread`` and mean 1 (log-mean -sigma^2 / 2, taken from the decimal value
    of sigma so that 0.2 gives exactly -0.02)."""
    return rng.lognormal(_log_mean(spread), spread, n)


@cache  # exact rational arithmetic is slow, and a run's sigma is one of a few values
def _log_mean(sigma: float) -> float:
    return float(-Fraction(repr(sigma)) ** 2 / 2)
