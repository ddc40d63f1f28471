"""How long will a sweep take? Times a small sample of its runs, without running it.

Runs ``--sample`` of the experiment's runs (spread evenly over its design points, each with its
own scenario and seed, as the sweep would) one after another in this process, after one
untimed warm-up, and extrapolates: serial time = runs x median time a run; on W local workers
divided by the measured parallel speed-up (benchmarks/README.md: 1.48x on two spawned workers,
the default start method), plus the workers' start-up. For a Morris design it also says how
many trajectories fit a time budget at the same replications. Nothing is asserted or written.

    PYTHONPATH=. python benchmarks/estimate_sweep.py morris_all_levers --workers 2
    PYTHONPATH=. python benchmarks/estimate_sweep.py experiments/x.toml --sample 200 --budget 10

A loaded machine times runs slower: compare ``uptime``'s load with the cores, and read the
estimate as for the load it was measured under.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Parallel speed-up of local spawned workers over one, measured on quiet cores
# (benchmarks/README.md, bench_sweep.py, 2026-11-30: 228 runs/s on one worker, 338 on two).
SPEEDUP = {1: 1.0, 2: 338 / 228}
START_UP_S = 1.4  # each spawned pool pays 1.3-1.4 s of imports (benchmarks/README.md)


def main(argv: list[str] | None = None) -> int:
    import numpy as np

    from lspsim.sweep import load_experiment
    from lspsim.sweep.executors import run_seed, simulate

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("experiment", help="a preset name or an experiment TOML file")
    ap.add_argument("--sample", type=int, default=100, help="runs to time (default 100)")
    ap.add_argument("--workers", type=int, default=2, help="local workers to estimate for")
    ap.add_argument("--budget", type=float, default=10.0,
                    help="minutes: for a Morris design, the trajectories that fit (default 10)")
    args = ap.parse_args(argv)

    exp = load_experiment(args.experiment)
    t0 = time.perf_counter()
    design = exp.sample()
    t_design = time.perf_counter() - t0
    points = np.linspace(0, design.n_points - 1, min(args.sample, exp.n_runs)).astype(int)
    simulate(exp.base, 1)  # warm-up: imports and caches
    times = []
    for k, p in enumerate(points):
        rep = k % exp.replications
        t = time.perf_counter()
        sc = exp.base.with_updates(design.updates(int(p)), source=f"design point {p}")
        simulate(sc, run_seed(exp.seed, int(p), rep))
        times.append(time.perf_counter() - t)
    per_run = statistics.median(times)
    speedup = SPEEDUP.get(args.workers, 0.74 * args.workers)  # 2 workers: 74% efficiency
    serial = exp.n_runs * per_run
    parallel = serial / speedup + START_UP_S + t_design
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{exp.name}: {exp.design.kind}, {design.n_points} points x {exp.replications} "
          f"replications = {exp.n_runs} runs of {exp.base.months} months")
    print(f"  timed {len(times)} runs: median {per_run * 1000:.1f} ms a run "
          f"(range {min(times) * 1000:.1f}-{max(times) * 1000:.1f}; load {load:.1f} on "
          f"{os.cpu_count()} CPUs); design {t_design:.1f} s")
    print(f"  estimate: {serial / 60:.1f} min on one core, {parallel / 60:.1f} min on "
          f"{args.workers} workers (x{speedup:.2f}), plus `lspsim analyse`")
    if exp.design.kind == "morris":
        d = len(design.factors)
        per_traj = (d + 1) * exp.replications * per_run / speedup
        fit = int((args.budget * 60 - START_UP_S - t_design) // per_traj)
        print(f"  Morris: {d} levers, {per_traj:.1f} s a trajectory on {args.workers} workers; "
              f"{fit} trajectories at {exp.replications} replications fit {args.budget:g} min "
              f"(the experiment has {exp.design.n})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
