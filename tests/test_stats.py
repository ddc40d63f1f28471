"""lspsim.stats: the one implementation of replication means and t intervals."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from lspsim import stats


def test_mean_ci_is_scipys_t_interval():
    v = np.array([0.2, 0.5, 0.4, 0.9, 0.1])
    out = stats.mean_ci(v)
    lo, hi = st.t.interval(0.95, v.size - 1, loc=v.mean(), scale=st.sem(v))
    assert out["n"] == 5 and out["sd"] == pytest.approx(v.std(ddof=1))
    assert out["ci95"] == pytest.approx([lo, hi], rel=1e-12)
    assert stats.interval(v) == (out["mean"], *out["ci95"])


def test_degenerate_and_non_finite_inputs():
    assert stats.mean_ci([np.nan, 0.3]) == {"mean": 0.3, "n": 1, "sd": None, "ci95": None}
    assert stats.mean_ci([]) == {"mean": None, "n": 0, "sd": None, "ci95": None}
    assert stats.interval([0.3, np.inf]) == (0.3, 0.3, 0.3)


def test_paired_effect_is_the_interval_of_the_differences():
    rng = np.random.default_rng(1)
    a, b = rng.normal(1, 1, 30), rng.normal(0, 1, 30)
    assert stats.paired_effect(a, b) == stats.interval(a - b)
    mean, low = stats.lower_bound(a - b)
    # one-sided 95% sits between the two-sided 90% and 95% lower ends
    assert stats.interval(a - b, 0.90)[1] == pytest.approx(low)
    assert mean == pytest.approx((a - b).mean())


def test_half_width_vectorised_equals_scalar():
    sd = pd.Series([0.1, 0.2, 0.3])
    n = pd.Series([2, 5, 40])
    vec = stats.half_width(sd, n)
    assert list(vec) == [stats.half_width(s, k) for s, k in zip(sd, n, strict=True)]
