"""Evaluating a design on any ``concurrent.futures.Executor``: a local process pool by default,
a Dask cluster (``Client.get_executor()``) when given a scheduler address, or in-process.

Runs travel in batches (several runs per task keeps pickling and scheduling overhead small).
Run (point p, replication r) of an experiment with seed s uses the integer seed
``run_seed(s, p, r)`` drawn from ``SeedSequence(s, spawn_key=(p, r))``, and the model's stream is
``lspsim.results.replication_rng(run_seed, 0)``: the same run, bit for bit, as
``lspsim run SCENARIO --seed RUN_SEED --set ...`` (replication 0), on any worker.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lspsim.errors import InputError
from lspsim.scenario import Scenario

# An evaluator maps (scenario, run seed) to summary metrics, or to (metrics, monthly series).
Evaluation = Mapping[str, float] | tuple[Mapping[str, float], Mapping[str, np.ndarray]]
Evaluator = Callable[[Scenario, int], Evaluation]


def run_seed(seed: int, point: int, replication: int) -> int:
    """The integer seed of run (point, replication): 63 bits from SeedSequence(seed, (p, r))."""
    state = np.random.SeedSequence(seed, spawn_key=(point, replication)).generate_state(
        1, np.uint64)
    return int(state[0] >> np.uint64(1))


def simulate(scenario: Scenario, seed: int) -> Evaluation:
    """The default evaluator: one PartnershipModel run, as ``run_replication(sc, seed, 0)``."""
    from lspsim.model import PartnershipModel
    from lspsim.results import SUMMARY_METRICS, replication_rng

    model = PartnershipModel(scenario, rng=replication_rng(seed, 0))
    model.run_months(scenario.months)
    series = model.series()
    return {m: float(series[s][-1]) for m, s in SUMMARY_METRICS.items()}, series


@dataclass
class BatchTask:
    """What a worker needs for one batch: small and picklable."""

    batch: int
    base: Scenario
    seed: int
    runs: list[tuple[int, int, dict[str, Any], dict[str, Any]]]  # point, rep, values, updates
    schema: Any                                                  # pyarrow schema of runs
    metrics: list[str] = field(default_factory=list)
    series: list[str] = field(default_factory=list)
    series_schema: Any = None
    evaluator: Evaluator | None = None


def _one(task: BatchTask, sc_cache: dict[int, Scenario], point: int, updates: dict[str, Any],
         seed: int) -> tuple[dict[str, float], Mapping[str, np.ndarray]]:
    if point not in sc_cache:
        sc_cache.clear()
        sc_cache[point] = task.base.with_updates(updates, source=f"design point {point}")
    out = (task.evaluator or simulate)(sc_cache[point], seed)
    metrics, series = out if isinstance(out, tuple) else (out, {})
    missing = [m for m in task.metrics if m not in metrics]
    if missing:
        raise ValueError(f"the evaluator returned no {', '.join(missing)}")
    return {m: float(metrics[m]) for m in task.metrics}, series


def run_batch(task: BatchTask) -> tuple[int, Any, Any, int]:
    """Run a batch; a run that raises is retried once, then recorded with its error.
    Returns (batch, runs table, series table or None, failed runs)."""
    from lspsim.sweep.store import runs_table, series_table

    rows: list[dict[str, Any]] = []
    chunks: list[tuple[int, int, Mapping[str, np.ndarray]]] = []
    cache: dict[int, Scenario] = {}
    failed = 0
    for point, rep, values, updates in task.runs:
        seed = run_seed(task.seed, point, rep)
        row: dict[str, Any] = {"point": point, "replication": rep, "seed": seed, **values}
        for attempt in (1, 2):
            try:
                metrics, series = _one(task, cache, point, updates, seed)
            except Exception as exc:  # noqa: BLE001 - any failure is recorded, not fatal
                tb = traceback.extract_tb(exc.__traceback__)
                where = f" ({Path(tb[-1].filename).name}:{tb[-1].lineno})" if tb else ""
                row.update(status="error", attempts=attempt,
                           error=f"{type(exc).__name__}: {exc}{where}")
                series = {}
                continue
            row.update(metrics, status="ok", attempts=attempt, error=None)
            break
        failed += row["status"] != "ok"
        rows.append(row)
        if task.series:
            chunks.append((point, rep, series))
    table = runs_table(rows, task.schema)
    stable = series_table(chunks, task.series, task.series_schema) if task.series else None
    return task.batch, table, stable, failed


def _init_worker() -> None:
    # import the model once per worker process (spawned workers start from nothing)
    import lspsim.model  # noqa: F401
    import lspsim.results  # noqa: F401
    import lspsim.sweep.store  # noqa: F401


class SerialExecutor(Executor):
    """Runs each task at submit time in this process (``--workers 0``: debugging, tests)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001
            fut.set_exception(exc)
        return fut


def local_executor(workers: int) -> Executor:
    if workers == 0:
        return SerialExecutor()
    # spawn, as Mesa 3.3 sets on import anyway: safe with threads, same on every platform
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker)


def dask_client(address: str, source: str = "--scheduler") -> Any:
    """A dask.distributed Client for ``address`` (InputError if dask is missing or unreachable)."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise InputError(source, "scheduler", address, "dask.distributed installed: "
                         "pip install 'lspsim[dask]'") from None
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(source, "scheduler", address, "a reachable Dask scheduler address "
                         f"such as tcp://host:8786 ({type(exc).__name__}: {exc})") from None


def executor_slots(executor: Executor) -> int:
    if isinstance(executor, ProcessPoolExecutor):
        return executor._max_workers  # type: ignore[attr-defined]
    client = getattr(executor, "_client", None)
    if client is not None:
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # noqa: BLE001
            return 4
    return 1


@dataclass
class SweepResult:
    """What a sweep left behind: where, how many runs, how many failed."""

    out: Path
    runs: int
    failed: int
    ran_now: int
    batches: int
    manifest: dict[str, Any]

    def runs_frame(self) -> Any:
        import pandas as pd

        return pd.read_parquet(self.out / "runs.parquet")


def default_batch_size(n_runs: int) -> int:
    # ~100 tasks: enough to balance two to a few dozen workers, few enough that scheduling
    # and part files stay cheap for the parent (which shares the CPUs with the workers); at
    # most 100 runs a task keeps each result small.
    return max(1, min(100, -(-n_runs // 100)))


def run_sweep(experiment: Any, out: str | Path, *, workers: int | None = None,
              executor: Executor | None = None, scheduler: str | None = None,
              resume: bool = False, batch_size: int | None = None, progress: bool = False,
              evaluator: Evaluator | None = None) -> SweepResult:
    """Evaluate every (design point, replication) of ``experiment`` and store the results.

    Args:
        experiment: an Experiment, an experiment TOML path or a preset name.
        out: the sweep directory (runs.parquet, series.parquet, manifest.json, ...).
        workers: local worker processes (default: CPU count; 0 = run in this process).
        executor: any concurrent.futures.Executor to use instead (not shut down here).
        scheduler: a Dask scheduler address (default: $DASK_SCHEDULER_ADDRESS if set and no
            workers or executor are given).
        resume: complete an interrupted sweep in ``out`` (same experiment hash required).
        batch_size: runs per task (default: about 200 tasks; fixed for the sweep's lifetime).
        progress: show a tqdm bar with runs/s and ETA on stderr.
        evaluator: ``f(scenario, seed) -> metrics`` or ``(metrics, series)`` replacing the
            model run (a module-level function, so worker processes can import it).
    """
    from lspsim.sweep.experiment import Experiment, load_experiment
    from lspsim.sweep.store import SweepStore, now, versions

    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    design = exp.sample()
    metrics = exp.metric_names
    n_runs = design.n_points * exp.replications
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
        # nothing was recorded (killed before the first write, or a new folder): start afresh
        print(f"lspsim: {store.path} holds no sweep yet: starting it", file=sys.stderr)
        resume = False
    if resume:
        manifest = store.read_manifest()
        if manifest.get("experiment_hash") != digest:
            raise InputError(str(store.manifest_path), "experiment_hash",
                             manifest.get("experiment_hash"), f"{digest} (this experiment): the "
                             "experiment, its scenario or the evaluator changed since the sweep "
                             "started; run it into a new --out directory")
        if batch_size is not None and batch_size != manifest["batch_size"]:
            print(f"lspsim: resuming with the sweep's batch size {manifest['batch_size']}",
                  file=sys.stderr)
        batch_size = int(manifest["batch_size"])
        if manifest.get("versions", {}).get("lspsim") != versions()["lspsim"]:
            print("lspsim: warning: this sweep was started with lspsim "
                  f"{manifest.get('versions', {}).get('lspsim')}", file=sys.stderr)
    else:
        if store.exists():
            raise InputError(str(store.path), "--out", str(store.path), "a new directory, or "
                             "--resume to complete the sweep already there")
        if batch_size is not None and batch_size < 1:
            raise InputError("--batch-size", "batch_size", batch_size, "an integer >= 1")
        batch_size = batch_size or default_batch_size(n_runs)
        ours = {"design.parquet", "scenario.toml", "runs", "series", "runs.parquet",
                "series.parquet", ".manifest.json.tmp", ".runs.parquet.tmp",
                ".series.parquet.tmp"}
        if store.path.is_dir() and any(p.name not in ours for p in store.path.iterdir()):
            raise InputError("--out", "out", str(store.path), "a new or empty directory (this "
                             "one holds other files)")
        store.path.mkdir(parents=True, exist_ok=True)
        store.remove_parts()
        for stale in ("runs.parquet", "series.parquet"):
            (store.path / stale).unlink(missing_ok=True)
        design.table().to_parquet(store.path / "design.parquet", index=False)
        (store.path / "scenario.toml").write_text(exp.base.to_toml())
        manifest = {
            "name": exp.name, "description": exp.description, "source": exp.source,
            "experiment_hash": digest, "evaluator": ev_name, "versions": versions(),
            "seed": exp.seed, "seeding": "run (point p, replication r): model rng = "
            "lspsim.results.replication_rng(run_seed, 0) with run_seed from "
            "SeedSequence(seed, spawn_key=(p, r)).generate_state(1, uint64) >> 1 (column 'seed')",
            "design_seed": exp.seed if exp.design.seed is None else exp.design.seed,
            "replications": exp.replications, "months": exp.base.months,
            "metrics": metrics, "series": exp.series, "design": design.summary(),
            "experiment": exp.model_dump(mode="json"),
            "points": design.n_points, "runs": n_runs, "batch_size": batch_size,
            "status": "running", "started": now(), "finished": None, "failed_runs": None,
        }
        store.write_manifest(manifest)
    n_batches = -(-n_runs // batch_size)
    manifest["batches"] = n_batches

    if manifest.get("status") == "complete" and (store.path / "runs.parquet").is_file():
        store.remove_parts()
        return SweepResult(store.path, n_runs, int(manifest.get("failed_runs") or 0), 0,
                           n_batches, manifest)

    store.prepare()
    done = store.done_batches()
    todo = [b for b in range(n_batches) if b not in done]
    R = exp.replications
    values = design.values

    def task(b: int) -> BatchTask:
        runs = []
        for i in range(b * batch_size, min(n_runs, (b + 1) * batch_size)):
            p, r = divmod(i, R)
            runs.append((p, r, values[p], design.updates(p)))
        return BatchTask(b, exp.base, exp.seed, runs, runs_schema, metrics, list(exp.series),
                         series_schema, evaluator)

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
        executor = local_executor(min(n, max(1, len(todo))) if n else 0)
    assert executor is not None
    slots = executor_slots(executor)

    from tqdm.auto import tqdm

    ran = 0
    left = sum(min(n_runs, (b + 1) * batch_size) - b * batch_size for b in todo)
    bar = tqdm(total=n_runs, initial=n_runs - left,
               unit="run", desc=exp.name, disable=not progress, smoothing=0.1,
               dynamic_ncols=True)
    # A batch whose task fails (its worker died, or the executor lost it) becomes a suspect and
    # is retried alone, so an innocent batch sharing a broken pool is never blamed; a suspect
    # that fails again alone has every run recorded with the error.
    queue = list(reversed(todo))
    suspects: list[int] = []
    pending: dict[Future, int] = {}
    alone: int | None = None

    def put(b: int) -> bool:
        """Submit batch b; False if the pool broke meanwhile (a worker can die between
        ``wait()`` returning and this submit)."""
        try:
            pending[executor.submit(run_batch, task(b))] = b
        except BrokenProcessPool:
            return False
        return True

    def submit() -> bool:
        """Keep the executor busy; False if the pool is broken."""
        nonlocal alone
        if alone is not None:
            return True
        if suspects:
            if not pending:
                if not put(suspects[0]):
                    return False
                alone = suspects.pop(0)
            return True
        while queue and len(pending) < 2 * slots + 1:
            if not put(queue[-1]):
                return False
            queue.pop()
        return True

    def record(fut: Future, b: int) -> bool:
        """Store a finished batch; True if its pool broke."""
        nonlocal alone, ran
        was_alone, alone = alone == b, (None if alone == b else alone)
        try:
            _, table, stable, _failed = fut.result()
        except Exception as exc:  # noqa: BLE001 - the worker itself failed
            if not was_alone:
                suspects.append(b)
                return isinstance(exc, BrokenProcessPool)
            _, table, stable, _failed = _failed_batch(task(b), exc)
            broke = isinstance(exc, BrokenProcessPool)
        else:
            broke = False
        store.write_batch(b, table, stable)
        ran += table.num_rows
        bar.update(table.num_rows)
        return broke

    try:
        healthy = submit()
        while pending or not healthy:
            broken = not healthy
            if pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    broken |= record(fut, pending.pop(fut))
            if broken:
                if not (own and isinstance(executor, ProcessPoolExecutor)):
                    raise BrokenProcessPool("the executor given to run_sweep broke")
                # A broken pool fails every task it holds: wait for them all (they fail at
                # once), keep those that finished before the break, and make the rest
                # suspects, each run again alone in a fresh pool; nothing finished is rerun.
                if pending:
                    wait(pending)
                    for fut in list(pending):
                        record(fut, pending.pop(fut))
                executor.shutdown(wait=False, cancel_futures=True)
                executor = local_executor(slots)
            healthy = submit()
    except BaseException:
        for fut in pending:
            fut.cancel()
        raise
    finally:
        bar.close()
        if own:
            try:
                executor.shutdown(wait=True, cancel_futures=True)
            except TypeError:  # dask's ClientExecutor predates cancel_futures
                executor.shutdown(wait=True)
        if client is not None:
            client.close()

    store.consolidate(n_batches, runs_schema, series_schema)
    import pyarrow.parquet as pq

    status = pq.read_table(store.path / "runs.parquet", columns=["status"]).column(0)
    failed = int(sum(1 for s in status.to_pylist() if s != "ok"))
    manifest.update(status="complete", finished=now(), failed_runs=failed)
    store.write_manifest(manifest)
    store.remove_parts()
    return SweepResult(store.path, n_runs, failed, ran, n_batches, manifest)


def _failed_batch(t: BatchTask, exc: BaseException) -> tuple[int, Any, Any, int]:
    """A batch whose worker failed twice: every run recorded with that error."""
    from lspsim.sweep.store import runs_table, series_table

    msg = f"worker failed: {type(exc).__name__}: {exc}"
    rows = [{"point": p, "replication": r, "seed": run_seed(t.seed, p, r), **v,
             "status": "error", "attempts": 2, "error": msg} for p, r, v, _ in t.runs]
    table = runs_table(rows, t.schema)
    stable = (series_table([(p, r, {}) for p, r, _, _ in t.runs], t.series, t.series_schema)
              if t.series else None)
    return t.batch, table, stable, len(rows)
