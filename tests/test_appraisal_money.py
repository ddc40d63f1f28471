"""Discounting, NPSV, BCR and payback against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from lspsim.appraisal import money

# 1/1.035 and 1/1.035^2 to ten places, by hand (long division).
D1 = 0.9661835749
D2 = 0.9335107004


def test_annual_green_book_factors() -> None:
    f = money.discount_factor(np.array([0.0, 1.0, 2.0]), 0.035)
    assert f == pytest.approx([1.0, D1, D2], abs=1e-10)


def test_annual_timing_discounts_whole_green_book_years() -> None:
    # Year 0 (months 1-12) undiscounted, year 1 (months 13-24) at 1/1.035, year 2 at 1/1.035^2.
    f = money.monthly_discount_factors(30, 0.035, timing="annual")
    assert np.all(f[:12] == 1.0)
    assert f[12:24] == pytest.approx([D1] * 12, abs=1e-10)
    assert f[24:] == pytest.approx([D2] * 6, abs=1e-10)
    # Years 31 and beyond at the long-term rate: year 31 = 1.035^-30 x 1.03^-1.
    g = money.monthly_discount_factors(12 * 32, [0.035, 0.03], timing="annual")
    assert g[12 * 31] == pytest.approx(1.035 ** -30 / 1.03, rel=1e-12)


def test_monthly_start_timing_matches_annual_factors_in_months_1_13_25() -> None:
    f = money.monthly_discount_factors(25, 0.035, timing="start")
    assert f[0] == 1.0
    assert f[12] == pytest.approx(D1, abs=1e-10)
    assert f[24] == pytest.approx(D2, abs=1e-10)
    # Month 7 is half a year in: 1.035^-0.5.
    assert f[6] == pytest.approx(1.035 ** -0.5, rel=1e-12)
    assert np.all(np.diff(f) < 0)


def test_end_and_mid_timing() -> None:
    end = money.monthly_discount_factors(12, 0.035, timing="end")
    mid = money.monthly_discount_factors(12, 0.035, timing="mid")
    assert end[11] == pytest.approx(D1, abs=1e-10)
    assert mid[0] == pytest.approx(1.035 ** (-1 / 24), rel=1e-12)
    assert np.all(end < mid)


def test_long_term_rate_after_thirty_years() -> None:
    f = money.discount_factor(31.0, [0.035, 0.03])
    assert f == pytest.approx(1.035 ** -30 / 1.03, rel=1e-12)
    # Before the step the later rate plays no part.
    assert money.discount_factor(10.0, [0.035, 0.0]) == pytest.approx(1.035 ** -10)


GREEN_BOOK_2026 = [0.035, 0.03, 0.025, 0.02, 0.015, 0.01]


def test_whole_declining_schedule_by_hand() -> None:
    # Green Book 2026: 3.5% for years 0-30, 3.0% 31-75, 2.5% 76-125, 2.0% 126-200, 1.5%
    # 201-300, 1.0% after. Year 100 = 30 years at 3.5%, 45 at 3.0%, 25 at 2.5%.
    f100 = money.discount_factor(100.0, GREEN_BOOK_2026)
    assert f100 == pytest.approx(1.035 ** -30 * 1.03 ** -45 * 1.025 ** -25, rel=1e-12)
    # Year 350: every band, the last for 50 years.
    f350 = money.discount_factor(350.0, GREEN_BOOK_2026)
    assert f350 == pytest.approx(1.035 ** -30 * 1.03 ** -45 * 1.025 ** -50 * 1.02 ** -75
                                 * 1.015 ** -100 * 1.01 ** -50, rel=1e-12)
    # At each step the factor is continuous and the one-year ratio takes the new rate.
    for end, r_next in zip(money.BAND_ENDS, GREEN_BOOK_2026[1:], strict=True):
        a, b = money.discount_factor(np.array([end, end + 1.0]), GREEN_BOOK_2026)
        assert a / b == pytest.approx(1.0 + r_next, rel=1e-12)
    # A shorter list holds its last rate: two rates = 3.5% then 3.0% for ever.
    assert money.discount_factor(350.0, [0.035, 0.03]) == pytest.approx(
        1.035 ** -30 * 1.03 ** -320, rel=1e-12)


def test_health_and_lower_rate_schedules_by_hand() -> None:
    from lspsim.appraisal import default_assumptions
    from lspsim.appraisal.evaluate import central_params, schedule_rates
    p = central_params(default_assumptions())
    health = [float(r[0, 0]) for r in schedule_rates(p, "health")]
    lower = [float(r[0, 0]) for r in schedule_rates(p, "lower_rate_test")]
    standard = [float(r[0, 0]) for r in schedule_rates(p, "standard")]
    # The Green Book 2026 values as EVIDENCE.md records them.
    assert standard == GREEN_BOOK_2026
    assert health == [0.015, 0.0129, 0.0107, 0.0086, 0.0064, 0.0043]
    assert lower[:3] == [0.03, 0.0257, 0.0214]
    # Year 40 on the health schedule: 30 years at 1.5%, 10 at 1.29%.
    assert money.discount_factor(40.0, health) == pytest.approx(
        1.015 ** -30 * 1.0129 ** -10, rel=1e-12)
    # Year 130 on the lower-rate test: 30 at 3.0%, 45 at 2.57%, 50 at 2.14%, 5 at the fourth.
    assert money.discount_factor(130.0, lower) == pytest.approx(
        1.03 ** -30 * 1.0257 ** -45 * 1.0214 ** -50 * (1 + lower[3]) ** -5, rel=1e-12)


def test_zero_rate_is_undiscounted() -> None:
    assert np.all(money.monthly_discount_factors(40, 0.0) == 1.0)


def test_npsv_and_bcr_hand_case() -> None:
    # Cost 100 now; benefits 60 in each of the next two years, at 3.5%.
    # PV(B) = 60 (0.9661835749 + 0.9335107004) = 113.98165652; NPSV = 13.98165652.
    years = np.array([0.0, 1.0, 2.0])
    f = money.discount_factor(years, 0.035)
    pv_b = money.present_value(np.array([0.0, 60.0, 60.0]), f)
    pv_c = money.present_value(np.array([100.0, 0.0, 0.0]), f)
    assert pv_b == pytest.approx(113.98165652, abs=1e-6)
    assert money.npsv(pv_b, pv_c) == pytest.approx(13.98165652, abs=1e-6)
    assert money.bcr(pv_b, pv_c) == pytest.approx(1.1398165652, abs=1e-8)


def test_twelve_monthly_payments_hand_case() -> None:
    # 1 a month for a year at the start of each month: sum of 1.035^(-m/12), m = 0..11.
    # Geometric series: (1 - v^12) / (1 - v) with v = 1.035^(-1/12).
    v = 1.035 ** (-1 / 12)
    expected = (1 - v ** 12) / (1 - v)
    f = money.monthly_discount_factors(12, 0.035)
    assert money.present_value(np.ones(12), f) == pytest.approx(expected, rel=1e-12)
    assert 11.8 < expected < 12.0


def test_bcr_edge_cases() -> None:
    assert np.isinf(money.bcr(5.0, 0.0))
    assert np.isnan(money.bcr(0.0, 0.0))
    assert money.bcr(0.0, 5.0) == 0.0


def test_discounted_payback() -> None:
    net = np.array([[-100.0, 30.0, 30.0, 30.0, 30.0],   # cum -100 -70 -40 -10 20 -> month 5
                    [-10.0, 20.0, -20.0, 20.0, 0.0],     # dips again: stays >= 0 from month 4
                    [-10.0, 1.0, 1.0, 1.0, 1.0],         # never
                    [5.0, 1.0, 1.0, 1.0, 1.0]])          # never negative: month 1
    out = money.discounted_payback(net)
    assert out[0] == 5 and out[1] == 4 and np.isnan(out[2]) and out[3] == 1
