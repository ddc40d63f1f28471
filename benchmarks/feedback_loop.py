"""Figures for the feedback loop (issue 12): trust drift with nothing changing, the worth of a
long history at months 12 and 120, and the share of targets met per preset.

    PYTHONPATH=. python benchmarks/feedback_loop.py [--reps 30]

Paired seeds (replication k uses seed k in every arm); 95% t intervals (lspsim.stats). Runs on
any version of the model that has ``series()["mean_trust"]`` and ``["targets_met"]``, so the
same script measures main and a branch.
"""

from __future__ import annotations

import argparse

import numpy as np

import lspsim
from lspsim.scenario import list_presets
from lspsim.stats import mean_ci, paired_effect


def run(sc, seed: int) -> dict[str, np.ndarray]:
    m = lspsim.PartnershipModel(sc, rng=seed)
    m.run_months(sc.months)
    return m.series()


def fmt(t: tuple[float, float, float]) -> str:
    return f"{t[0]:+.3f} [{t[1]:+.3f}, {t[2]:+.3f}]"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=30)
    reps = ap.parse_args().reps
    seeds = range(reps)
    for preset in ("default", "mature_unitary"):
        sc = lspsim.load_scenario(preset, {"months": 120})
        s = [run(sc, k) for k in seeds]
        t0 = [x["mean_trust"][0] for x in s]
        t120 = [x["mean_trust"][120] for x in s]
        print(f"{preset}: trust month 0 {np.mean(t0):.3f} -> month 120 {np.mean(t120):.3f};"
              f" drift {fmt(paired_effect(t120, t0))}")
    base = lspsim.load_scenario("default", {"months": 120})
    old = [run(base.with_updates({"structure.years_of_joint_working": 30}), k) for k in seeds]
    new = [run(base.with_updates({"structure.years_of_joint_working": 0}), k) for k in seeds]
    for t in (0, 12, 36, 120):
        a = [x["mean_trust"][t] for x in old]
        b = [x["mean_trust"][t] for x in new]
        ma = [x["targets_met"][t] for x in old]
        mb = [x["targets_met"][t] for x in new]
        print(f"history 30 - 0 years, month {t}: trust {fmt(paired_effect(a, b))}; "
              f"targets met {fmt(paired_effect(ma, mb))}")
    for preset in sorted(list_presets()):
        sc = lspsim.load_scenario(preset, {"months": 120})
        s = [run(sc, k) for k in seeds]
        cells = []
        for t in (36, 72, 108, 120):
            ci = mean_ci([x["targets_met"][t] for x in s])
            cells.append(f"m{t} {ci['mean']:.3f}")
        prog = mean_ci([x["mean_target_progress"][120] for x in s])
        print(f"{preset}: targets met {'; '.join(cells)}; mean progress m120 {prog['mean']:.3f}")


if __name__ == "__main__":
    main()
