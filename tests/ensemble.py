"""Paired ensemble comparisons shared by the ensemble tests and the validation report.

Replication k of A and of B use the same seed stream (common random numbers), so each pair
differs only by the lever; the claim "A beats B" is a one-sided 95% t interval on the paired
differences that excludes zero.
"""

from __future__ import annotations

import numpy as np

from lspsim.results import run_replication
from lspsim.scenario import load_scenario
from lspsim.stats import lower_bound


def paired(base: str, a: dict, b: dict, metric: str, reps: int = 40, seed: int = 2009,
           months: int | None = None) -> tuple[float, float]:
    """Mean of A - B over replications and the lower end of its one-sided 95% interval."""
    sa, sb = load_scenario(base, a), load_scenario(base, b)
    d = np.array([run_replication(sa, seed, k, months).metrics[metric]
                  - run_replication(sb, seed, k, months).metrics[metric] for k in range(reps)])
    return lower_bound(d)
