"""Structure: who the partners are, in which tier, and what coordination costs them.

Two-tier areas do worse only through what two tiers are (Audit Commission 2009: multi-tier
partnership working is more complex and experience of it less developed): more partners and
seats; district and county partnerships competing for the same representatives' time (county-wide
partners also sit on the district LSPs' boards, and districts run their own LSPs); county and
district priorities that differ (the LAA is agreed with the upper tier, so its targets weigh the
county's priorities: ``tier_agenda_weight``, read by ``leadership.agenda``); thinner ties and
less shared history across the tiers; delivery chains that cross tiers. There is no tier
multiplier on any cost or outcome.
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


def coordination_burden(n_partners: int, cost_per_partner: float) -> float:
    """Share of capacity spent coordinating with the other partners: it rises with partners and
    saturates below 1 (1 - exp(-cost x (n - 1))). A two-tier area pays more only because it has
    more partners, not through a tier factor."""
    return float(1.0 - np.exp(-cost_per_partner * max(n_partners - 1, 0)))


def duplicated_meetings(kinds: list[str], n_districts: int, duplication_share: float,
                        district_lsp_share: float, meetings_per_month: float) -> np.ndarray:
    """Extra meetings per month at the district LSPs, which compete with the county partnership
    for the same representatives' time: county-wide partners attend a share
    ``duplication_share`` of each district LSP's meetings, and each district council a share
    ``district_lsp_share`` of its own district LSP's (each district duplicates the county's
    structure, at the same rhythm)."""
    county_wide = np.array([k in COUNTY_WIDE for k in kinds], dtype=float)
    district = np.array([k == "district_council" for k in kinds], dtype=float)
    return (county_wide * duplication_share * n_districts
            + district * district_lsp_share) * meetings_per_month


def partnership_share(extra_meetings: np.ndarray, meetings_per_month: float,
                      overlap: float) -> np.ndarray:
    """(n,) share of a partner's partnership capacity that works for this partnership's targets
    when district LSPs compete for it: its work follows the partnerships in proportion to the
    meetings it holds with each, and a share ``overlap`` (``structure.district_overlap``) of
    the district LSPs' work serves this partnership's targets too:
    (M + overlap x extra) / (M + extra), M this partnership's meetings a month and ``extra``
    the district LSPs' (``duplicated_meetings``); 1 with no other partnership."""
    total = meetings_per_month + extra_meetings
    served = meetings_per_month + overlap * extra_meetings
    return np.where(total > 0, served / np.where(total > 0, total, 1.0), 1.0)


def tier_agenda_weight(tier: np.ndarray, district_weight: float) -> np.ndarray:
    """Weight of each partner's priorities in the partnership's agenda and targets beside its
    voice: 1, and ``structure.district_agenda_weight`` for district councils (the LAA is agreed
    with the upper-tier authority, so county-level targets reflect county priorities)."""
    return np.where(tier == 2, district_weight, 1.0)


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
