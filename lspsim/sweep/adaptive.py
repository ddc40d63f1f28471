"""Adaptive replication: replicate each design point until its confidence intervals are narrow.

Round 0 runs ``replications`` replications of every point. After each round, a point whose 95%
CI half-width on any chosen metric is above its tolerance, and that has fewer than
``max_replications``, gets ``round_size`` more (capped) in the next round. The decision reads
only the finished rounds' data, and run (p, r) always has the seed ``run_seed(seed, p, r)``, so
the same experiment gives the same runs and the same data whatever the worker count or executor,
and an interrupted sweep resumes to the same result: each round's batches are numbered after
the previous round's, a batch is done when its part file exists (lspsim.sweep.store), and the
rounds already finished are re-derived from their parts.

runs.parquet is sorted by (point, replication) at the end, like a fixed sweep's; the manifest
records each round's size and each point's final replications.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

import numpy as np

from lspsim import interrupt
from lspsim.errors import InputError


def half_widths(runs: Any, metrics: list[str], level: float = 0.95) -> Any:
    """Per point: successful runs and each metric's t-based CI half-width (NaN below 2 runs)."""
    import pandas as pd
    from scipy import stats

    ok = runs[runs["status"] == "ok"]
    g = ok.groupby("point")
    n = g.size()
    out = pd.DataFrame({"runs_ok": n})
    for m in metrics:
        sd = g[m].std(ddof=1)
        cnt = g[m].count()
        t = stats.t.ppf(0.5 + level / 2, np.maximum(cnt - 1, 1))
        out[m] = (t * sd / np.sqrt(cnt)).where(cnt > 1)
    return out


def next_round(runs: Any, n_points: int, done: dict[int, int], metrics: list[str],
               widths: dict[str, float], round_size: int, cap: int) -> list[tuple[int, int]]:
    """The (point, replication) runs of the next round, from the finished rounds only."""
    hw = half_widths(runs, metrics)
    todo = []
    for p in range(n_points):
        have = done.get(p, 0)
        if have >= cap:
            continue
        row = hw.loc[p] if p in hw.index else None
        # a point with fewer than 2 successful runs has no CI yet: it is not precise
        precise = row is not None and all(
            np.isfinite(row[m]) and row[m] <= widths[m] for m in metrics)
        if not precise:
            todo += [(p, r) for r in range(have, min(cap, have + round_size))]
    return todo


def run_adaptive(exp: Any, out: str | Path, *, workers: int | None = None,
                 executor: Executor | None = None, scheduler: str | None = None,
                 resume: bool = False, batch_size: int | None = None, progress: bool = False,
                 evaluator: Any = None) -> Any:
    """Run an experiment with an ``adaptive`` section (the arguments of run_sweep)."""
    import pandas as pd
    import pyarrow.parquet as pq

    from lspsim.sweep.executors import (
        BatchTask,
        SweepResult,
        dask_client,
        default_batch_size,
        executor_slots,
        local_executor,
        new_manifest,
        run_batch,
    )
    from lspsim.sweep.store import SweepStore, now

    a = exp.adaptive
    design = exp.sample()
    metrics = exp.metric_names
    widths = (dict(a.half_width) if isinstance(a.half_width, dict)
              else {m: float(a.half_width) for m in a.metrics})
    store = SweepStore(out)
    ev_name = (f"{evaluator.__module__}:{evaluator.__qualname__}" if evaluator
               else "lspsim.sweep.executors:simulate")
    digest = exp.hash()
    if evaluator is not None:
        import hashlib

        digest = hashlib.sha256(f"{digest}|{ev_name}".encode()).hexdigest()
    runs_schema = store.runs_schema(design.values, design.names, metrics)
    series_schema = store.series_schema(exp.series) if exp.series else None
    if resume and not store.exists():
        print(f"lspsim: {store.path} holds no sweep yet: starting it", file=sys.stderr)
        resume = False
    if resume:
        manifest = store.read_manifest()
        if manifest.get("experiment_hash") != digest:
            raise InputError(str(store.manifest_path), "experiment_hash",
                             manifest.get("experiment_hash"), f"{digest} (this experiment): "
                             "the experiment, its scenario or the evaluator changed since the "
                             "sweep started; run it into a new --out directory")
        batch_size = int(manifest["batch_size"])
    else:
        if store.exists() or (store.path.is_dir() and any(store.path.iterdir())):
            raise InputError("--out", "out", str(store.path), "a new or empty directory, or "
                             "--resume to complete the sweep already there")
        if batch_size is not None and batch_size < 1:
            raise InputError("--batch-size", "batch_size", batch_size, "an integer >= 1")
        batch_size = batch_size or default_batch_size(design.n_points * exp.replications)
        store.path.mkdir(parents=True, exist_ok=True)
        design.table().to_parquet(store.path / "design.parquet", index=False)
        (store.path / "scenario.toml").write_text(exp.base.to_toml())
        manifest = new_manifest(exp, design, metrics, digest, ev_name, runs=None,
                                batch_size=batch_size)
        manifest["adaptive"] = {"metrics": a.metrics, "half_width": widths,
                                "round_size": a.round_size,
                                "max_replications": a.max_replications, "rounds": []}
        store.write_manifest(manifest)
    if manifest.get("status") == "complete" and (store.path / "runs.parquet").is_file():
        return SweepResult(store.path, int(manifest["runs"]), int(manifest["failed_runs"] or 0),
                           0, int(manifest["batches"]), manifest)

    own = executor is None
    if own and scheduler is None and workers is None:
        scheduler = os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    client = None
    if own and scheduler:
        client = dask_client(scheduler)
        executor = client.get_executor(pure=False)
    elif own:
        n = (os.cpu_count() or 1) if workers is None else workers
        if n < 0:
            raise InputError("--workers", "workers", n, "an integer >= 0 (0: in this process)")
        executor = local_executor(n)
    assert executor is not None
    slots = executor_slots(executor)
    store.prepare()

    from tqdm.auto import tqdm

    bar = tqdm(unit="run", desc=exp.name, disable=not progress, dynamic_ncols=True)
    rounds: list[dict[str, Any]] = []
    first_batch, ran, total = 0, 0, 0
    done_reps: dict[int, int] = {}
    frames: list[Any] = []
    clean = False
    try:
        todo = [(p, r) for p in range(design.n_points) for r in range(exp.replications)]
        while todo:
            batches = [todo[i:i + batch_size] for i in range(0, len(todo), batch_size)]
            ids = list(range(first_batch, first_batch + len(batches)))
            have = store.done_batches()
            queue = [(b, runs) for b, runs in zip(ids, batches, strict=True) if b not in have]
            pending: dict[Future, int] = {}

            def task(b: int, runs: list[tuple[int, int]]) -> Any:
                return BatchTask(b, exp.base, exp.seed,
                                 [(p, r, design.values[p], design.updates(p)) for p, r in runs],
                                 runs_schema, metrics, list(exp.series), series_schema,
                                 evaluator)

            bar.total = (bar.total or 0) + len(todo)
            bar.update(sum(len(r) for b, r in zip(ids, batches, strict=True) if b in have))
            while queue or pending:
                while queue and len(pending) < 2 * slots + 1:
                    b, runs = queue.pop(0)
                    # a local pool starts its workers here: with SIGINT blocked, as the fixed
                    # sweep's do, so a Ctrl-C reaches only this process
                    with interrupt.no_sigint_in_children():
                        pending[executor.submit(run_batch, task(b, runs))] = b
                # a timeout, so a Ctrl-C is seen within POLL seconds (lspsim.interrupt)
                finished, _ = wait(pending, timeout=interrupt.POLL,
                                   return_when=FIRST_COMPLETED)
                for fut in finished:
                    b = pending.pop(fut)
                    _, table, stable, _failed = fut.result()
                    store.write_batch(b, table, stable)
                    ran += table.num_rows
                    bar.update(table.num_rows)
                interrupt.check()  # Ctrl-C: stop here, the finished batches stored
            for b in ids:
                frames.append(pq.read_table(store.runs_dir / store.part_name(b),
                                            schema=runs_schema).to_pandas())
            for p, _ in todo:
                done_reps[p] = done_reps.get(p, 0) + 1
            total += len(todo)
            rounds.append({"round": len(rounds), "runs": len(todo),
                           "points": len({p for p, _ in todo}), "first_batch": first_batch,
                           "batches": len(batches)})
            first_batch += len(batches)
            todo = next_round(pd.concat(frames, ignore_index=True), design.n_points, done_reps,
                              a.metrics, widths, a.round_size, a.max_replications)
        clean = True
    finally:
        bar.close()
        if own and not clean and isinstance(executor, ProcessPoolExecutor):
            # interrupted or failed: --resume reruns what the workers had not written
            interrupt.end_workers(executor)
        elif own:
            try:
                executor.shutdown(wait=True, cancel_futures=True)
            except TypeError:  # dask's ClientExecutor predates cancel_futures
                executor.shutdown(wait=True)
        if client is not None:
            client.close()

    store.consolidate(first_batch, runs_schema, series_schema)
    # rounds interleave replications: sort to the (point, replication) order of a fixed sweep
    for name in ("runs", "series") if series_schema is not None else ("runs",):
        path = store.path / f"{name}.parquet"
        keys = [("point", "ascending"), ("replication", "ascending")]
        if name == "series":
            keys.append(("month", "ascending"))
        t = pq.read_table(path).sort_by(keys)
        tmp = store.path / f".{name}.parquet.tmp"
        pq.write_table(t, tmp, compression="zstd")
        os.replace(tmp, path)
    status = pq.read_table(store.path / "runs.parquet", columns=["status"]).column(0)
    failed = int(sum(1 for s in status.to_pylist() if s != "ok"))
    final = pd.concat(frames, ignore_index=True)
    hw = half_widths(final, a.metrics)
    precise = sum(all(np.isfinite(hw.loc[p, m]) and hw.loc[p, m] <= widths[m]
                      for m in a.metrics) for p in hw.index)
    manifest.update(status="complete", finished=now(), failed_runs=failed, runs=total,
                    batches=first_batch)
    manifest["adaptive"].update(
        rounds=rounds, points_precise=int(precise),
        points_at_cap=int(sum(v >= a.max_replications for v in done_reps.values())),
        replications_per_point={"min": int(min(done_reps.values())),
                                "max": int(max(done_reps.values())),
                                "mean": float(np.mean(list(done_reps.values())))})
    store.write_manifest(manifest)
    store.remove_parts()
    return SweepResult(store.path, total, failed, ran, first_batch, manifest)
