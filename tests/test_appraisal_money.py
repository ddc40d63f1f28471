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
    g = money.monthly_discount_factors(12 * 32, 0.035, 0.03, 30.0, timing="annual")
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
    f = money.discount_factor(31.0, 0.035, 0.03, 30.0)
    assert f == pytest.approx(1.035 ** -30 / 1.03, rel=1e-12)
    # Before the step the long-term rate plays no part.
    assert money.discount_factor(10.0, 0.035, 0.0, 30.0) == pytest.approx(1.035 ** -10)


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
