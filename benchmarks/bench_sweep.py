"""Sweep throughput: runs/s with 1 and 2 local workers and a 2-worker Dask LocalCluster, and the
harness overhead per run against a bare run_replication loop. Run by hand (not a test):

    PYTHONPATH=. python benchmarks/bench_sweep.py [--runs 2000] [--repeats 3] [--months 36]

Targets (issue 3): 2 workers >= 1.8x one worker; Dask within 15% of the local pool; harness
overhead <= 10% per run. Every timing includes starting the workers and consolidating the
output, as a user's `lspsim sweep` would. Prints medians over repeats.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lspsim.results import run_replication  # noqa: E402
from lspsim.scenario import load_scenario  # noqa: E402
from lspsim.sweep import experiment_from_dict, run_sweep  # noqa: E402


def experiment(runs: int, months: int):
    # the default scenario, unchanged: one design point (a lever at its default) x `runs`
    base = load_scenario("default")
    return experiment_from_dict({
        "name": "bench", "description": "benchmark", "seed": 1, "months": months,
        "replications": runs, "design": {"kind": "grid"},
        "parameters": {"trust.initial": {"values": [base.trust.initial]}}}, source="bench")


CPU: dict[str, list[float]] = {}


def cpu_now() -> float:
    """CPU seconds of this process and its finished children (pool workers, once shut down):
    a load-robust measure of work, where wall time is not on a shared machine."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(key: str, fn, *args, **kw) -> float:
    c = cpu_now()
    dt = fn(*args, **kw)
    CPU.setdefault(key, []).append(cpu_now() - c)
    return dt


def bare_model(runs: int, months: int) -> float:
    """The model work alone: what the sweep's evaluator does per run (no tables)."""
    from lspsim.sweep.executors import run_seed, simulate

    sc = load_scenario("default").with_updates({"months": months})
    t = time.perf_counter()
    for k in range(runs):
        simulate(sc, run_seed(1, 0, k))
    return time.perf_counter() - t


def bare(runs: int, months: int) -> float:
    sc = load_scenario("default").with_updates({"months": months})
    t = time.perf_counter()
    for k in range(runs):
        run_replication(sc, 1, k, months)
    return time.perf_counter() - t


def _pid(_: int) -> int:
    return os.getpid()


def startup(workers: int) -> float:
    """Seconds until every worker of a fresh pool (spawned, lspsim imported) has answered."""
    from lspsim.sweep.executors import local_executor

    t = time.perf_counter()
    ex = local_executor(workers)
    pids: set[int] = set()
    while len(pids) < workers and time.perf_counter() - t < 60:
        pids |= set(ex.map(_pid, range(4 * workers)))
    dt = time.perf_counter() - t
    ex.shutdown()
    return dt


def sweep(runs: int, months: int, tmp: Path, **kw) -> float:
    out = tmp / f"s{time.monotonic_ns()}"
    t = time.perf_counter()
    run_sweep(experiment(runs, months), out, **kw)
    dt = time.perf_counter() - t
    shutil.rmtree(out)
    return dt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--parallel-only", action="store_true",
                    help="only 1 and 2 local workers and Dask (the speed-up figures)")
    ap.add_argument("--start-method", choices=["default", "spawn", "forkserver"],
                    default="default", help="worker start method (default: lspsim's, "
                    "spawn; forkserver preloads the worker modules)")
    a = ap.parse_args()

    import lspsim.sweep.executors as ex

    if a.start_method != "default":
        ex.START_METHOD = a.start_method
    method = ex._mp_context().get_start_method()
    # forkserver workers are the server's children, not ours: their CPU time is not counted
    count_cpu = method != "forkserver"
    first = startup(2)  # the first pool of this process (a forkserver starts and imports here)
    print(f"{a.runs} runs of the default scenario, {a.months} months; {os.cpu_count()} CPUs; "
          f"median of {a.repeats}; workers started by {method}")
    times: dict[str, list[float]] = {k: [] for k in ("bare", "model", "serial", "w1", "w2",
                                                      "dask")}
    cluster = client = None
    if not a.no_dask:
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
        client.run(lambda: __import__("lspsim.model"))  # workers warm, as a long-lived cluster
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for i in range(a.repeats):
            if not a.parallel_only:
                times["bare"].append(timed("bare", bare, a.runs, a.months))
                times["model"].append(timed("model", bare_model, a.runs, a.months))
                times["serial"].append(timed("serial", sweep, a.runs, a.months, tmp, workers=0))
            times["w1"].append(timed("w1", sweep, a.runs, a.months, tmp, workers=1))
            times["w2"].append(timed("w2", sweep, a.runs, a.months, tmp, workers=2))
            if client is not None:
                times["dask"].append(sweep(a.runs, a.months, tmp,
                                           executor=client.get_executor(pure=False)))
            print(f"  repeat {i + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in
                                                     times.items() if v), flush=True)
    if client is not None:
        client.close()
        cluster.close()
    med = {k: statistics.median(v) for k, v in times.items() if v}
    print()
    print(f"worker start-up ({method}): 2 workers, first pool of the process {first:.2f} s, "
          f"later pools {startup(2):.2f} s; 1 worker {startup(1):.2f} s (included in the "
          "sweep timings)")
    labels = {"bare": "bare run_replication loop", "model": "bare model loop (no tables)",
              "serial": "sweep, in process (--workers 0)",
              "w1": "sweep, 1 local worker", "w2": "sweep, 2 local workers",
              "dask": "sweep, Dask LocalCluster 2 workers"}
    cpu = {k: statistics.median(v) for k, v in CPU.items()}
    print(f"{'':38s} {'wall':>9s}  {'runs/s':>13s}  {'wall/run':>9s}  {'CPU/run':>9s}")
    for k, v in med.items():
        c = (f"{1000 * cpu[k] / a.runs:6.2f} ms" if k in cpu and (count_cpu or k not in
                                                                  ("w1", "w2")) else "    (n/a)")
        print(f"{labels[k]:38s} {v:7.2f} s  {a.runs / v:7.1f} runs/s  "
              f"{1000 * v / a.runs:6.2f} ms  {c}")
    print()
    print(f"speed-up 2 workers / 1 worker:        {med['w1'] / med['w2']:.2f}x  (target >= 1.8x)")
    if "dask" in med:
        print(f"Dask vs local pool (2 workers):       {med['dask'] / med['w2'] - 1:+.1%} time  "
              "(target within 15%)")
    if a.parallel_only:
        return
    print(f"harness overhead, in process:         {med['serial'] / med['bare'] - 1:+.1%} per run"
          "  (target <= 10%)")
    print(f"harness overhead, 1 worker process:   {med['w1'] / med['bare'] - 1:+.1%} per run "
          "(includes worker start-up)")
    if not count_cpu:
        return
    print(f"harness CPU overhead vs bare loop:    in process "
          f"{cpu['serial'] / cpu['bare'] - 1:+.1%}, 1 worker {cpu['w1'] / cpu['bare'] - 1:+.1%}, "
          f"2 workers {cpu['w2'] / cpu['bare'] - 1:+.1%} (CPU time: robust to other load)")
    print(f"  the same against the bare model loop: in process "
          f"{med['serial'] / med['model'] - 1:+.1%}, 1 worker {med['w1'] / med['model'] - 1:+.1%}")


if __name__ == "__main__":
    main()
