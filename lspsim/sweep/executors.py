"""Evaluating a design on any ``concurrent.futures.Executor``: a local process pool by default,
a Dask cluster (``Client.get_executor()``) when given a scheduler address, or in-process.

Runs travel in batches (several runs per task keeps pickling and scheduling overhead small).
Run (point p, replication r) of an experiment with seed s uses the integer seed
``run_seed(s, p, r)`` drawn from ``SeedSequence(s, spawn_key=(p, r))``, and the model's stream is
``lspsim.results.replication_rng(run_seed, 0)``: the same run, bit for bit, as
``lspsim run SCENARIO --seed RUN_SEED --set ...`` (replication 0), on any worker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import (
    FIRST_COMPLETED,
    CancelledError,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from lspsim import interrupt
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
    """The default evaluator: replication 0 of ``seed`` by the run engine
    (``lspsim.runner.evaluate``, which frees each finished model: a worker builds thousands)."""
    from lspsim.runner import evaluate

    return evaluate(scenario, seed)


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


# What every worker imports. A forkserver imports them once; each worker forks from it ready
# (milliseconds) instead of importing Mesa, scipy, pandas and pyarrow itself (~1.2 s a worker).
WORKER_MODULES = ["lspsim.model", "lspsim.runner", "lspsim.results", "lspsim.sweep.store",
                  "lspsim.sweep.executors"]


def _init_worker(environ: dict[str, str] | None = None, cwd: str | None = None) -> None:
    # A forked worker has the forkserver's environment and directory, taken when it started:
    # take the parent's, as a spawned worker would.
    if environ is not None:
        os.environ.clear()
        os.environ.update(environ)
    if cwd is not None:
        os.chdir(cwd)
    import lspsim.model  # noqa: F401
    import lspsim.results  # noqa: F401
    import lspsim.sweep.store  # noqa: F401


# "spawn" (the default) or "forkserver". A forkserver with the worker modules preloaded starts
# later pools in milliseconds (benchmarks/README.md), but a Ctrl-C that reaches a worker while
# the server forks it prints a traceback from the server's child, which the one-line interrupt
# of tests/test_faults.py forbids: it stays opt-in until that is handled.
START_METHOD = "spawn"


def _mp_context() -> Any:
    """spawn, as Mesa 3.3 sets on import anyway; or, with START_METHOD = "forkserver" where the
    platform has it, a forkserver that has imported WORKER_MODULES once and lives as long as
    this process."""
    if START_METHOD == "forkserver" and "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(WORKER_MODULES)
        return ctx
    return multiprocessing.get_context("spawn")


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
    # workers take the parent's environment (a forkserver's would have its own)
    with interrupt.no_sigint_in_children():  # the pool's helper processes start here too
        return ProcessPoolExecutor(workers, mp_context=_mp_context(), initializer=_init_worker,
                                   initargs=(dict(os.environ), os.getcwd()))


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


def max_workers() -> int:
    """The most local worker processes a sweep may start: twice the CPUs (at least 4). More
    processes than cores only share the cores, and each holds its own interpreter and model
    (about 200 MB), so beyond that a sweep gets no faster, only bigger."""
    return max(4, 2 * (os.cpu_count() or 1))


# How a task can fail without the run itself raising (run_batch records those as data):
_DIED = ("BrokenProcessPool", "KilledWorker")  # the worker process died under the task
_LOST = ("CancelledError", "ClosedClientError", "CommClosedError", "FutureCancelledError",
         "TimeoutError", "StreamClosedError")  # the executor (scheduler, client) lost it


def _kind(exc: BaseException) -> str:
    names = {t.__name__ for t in type(exc).__mro__}
    if names & set(_DIED):
        return "died"
    if names & set(_LOST) or isinstance(exc, CancelledError | OSError):
        return "lost"
    return "failed"


def _stop(executor: Executor, own: bool, dask: bool, clean: bool) -> None:
    """Shut an executor we own down; after a failure, without waiting on lost work."""
    if not own:
        return
    if isinstance(executor, ProcessPoolExecutor):
        if clean:
            executor.shutdown(wait=True)
            return
        # what the workers had not written is rerun by --resume
        interrupt.end_workers(executor)
    elif dask:
        if clean:
            executor.shutdown(wait=True)
    else:
        executor.shutdown(wait=True)


def new_manifest(exp: Any, design: Any, metrics: list[str], digest: str, ev_name: str, *,
                 runs: int | None, batch_size: int) -> dict[str, Any]:
    """The manifest of a sweep as it starts (fixed and adaptive sweeps alike)."""
    from lspsim.sweep.store import now, versions

    return {
        "name": exp.name, "description": exp.description, "source": exp.source,
        "experiment_hash": digest, "evaluator": ev_name, "versions": versions(),
        "seed": exp.seed, "seeding": "run (point p, replication r): model rng = "
        "lspsim.results.replication_rng(run_seed, 0) with run_seed from "
        "SeedSequence(seed, spawn_key=(p, r)).generate_state(1, uint64) >> 1 (column 'seed')",
        "design_seed": exp.seed if exp.design.seed is None else exp.design.seed,
        "replications": exp.replications, "months": exp.base.months,
        "metrics": metrics, "series": exp.series, "design": design.summary(),
        "experiment": exp.model_dump(mode="json"),
        "points": design.n_points, "runs": runs, "batch_size": batch_size,
        "status": "running", "started": now(), "finished": None, "failed_runs": None,
    }


def run_sweep(experiment: Any, out: str | Path, *, workers: int | None = None,
              executor: Executor | None = None, scheduler: str | None = None,
              resume: bool = False, batch_size: int | None = None, progress: bool = False,
              evaluator: Evaluator | None = None, lost_after: float = 30.0) -> SweepResult:
    """Evaluate every (design point, replication) of ``experiment`` and store the results.

    Args:
        experiment: an Experiment, an experiment TOML path or a preset name.
        out: the sweep directory (runs.parquet, series.parquet, manifest.json, ...).
        workers: local worker processes (default: CPU count; 0 = run in this process; at most
            :func:`max_workers`).
        executor: any concurrent.futures.Executor to use instead (not shut down here).
        scheduler: a Dask scheduler address (default: $DASK_SCHEDULER_ADDRESS if set and no
            workers or executor are given).
        resume: complete an interrupted sweep in ``out`` (same experiment hash required).
        batch_size: runs per task (default: about 100 tasks; fixed for the sweep's lifetime).
        progress: show a tqdm bar with runs/s and ETA on stderr.
        evaluator: ``f(scenario, seed) -> metrics`` or ``(metrics, series)`` replacing the
            model run (a module-level function, so worker processes can import it).
        lost_after: seconds the Dask client may stay disconnected from its scheduler before
            the sweep stops (EnvironmentFailure, exit 3), keeping every finished run.

    Failures are told apart: a run that raises is recorded with its error (status "error");
    a batch whose worker process dies every time, even alone, is recorded as "crashed" and
    rerun by ``--resume``; work the executor lost (scheduler gone, client closed) is never
    recorded: the sweep stops, keeps what finished and ``--resume`` completes it.
    """
    from lspsim.sweep.experiment import Experiment, load_experiment
    from lspsim.sweep.store import SweepStore

    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    # Ctrl-C stops the sweep between batches (lspsim.interrupt): never lost in a finaliser
    with interrupt.deferred_ctrl_c():
        # Every flag is checked, and the scheduler reached, before anything is written.
        scheduler = _check_options(out, executor, workers, scheduler, batch_size)
        if exp.adaptive is not None:  # rounds of replications until precise (sweep/adaptive.py)
            from lspsim.sweep.adaptive import run_adaptive

            return run_adaptive(exp, out, workers=workers, executor=executor,
                                scheduler=scheduler, resume=resume, batch_size=batch_size,
                                progress=progress, evaluator=evaluator)
        store = SweepStore(out)
        plan = _plan(exp, store, evaluator, batch_size)
        plan = _open_store(plan, store, resume, batch_size)
        done = _already_complete(plan, store)
        if done is not None:
            return done
        return _dispatch(plan, store, executor, scheduler, workers, progress, lost_after)


@dataclass(frozen=True)
class SweepPlan:
    """What the stages of a sweep share: the experiment, its sampled design, how its runs are
    batched and stored, and (on ``--resume``) the manifest of the sweep being completed."""

    exp: Any
    design: Any
    metrics: list[str]
    n_runs: int
    batch_size: int
    n_batches: int
    runs_schema: Any
    series_schema: Any
    digest: str  # the experiment's hash (with the evaluator's name when one is given)
    ev_name: str
    evaluator: Evaluator | None
    crashed_before: list[int] = field(default_factory=list)  # batches to rerun on --resume
    manifest: dict[str, Any] = field(default_factory=dict)  # empty for a new sweep


def _check_options(out: str | Path, executor: Executor | None, workers: int | None,
                   scheduler: str | None, batch_size: int | None) -> str | None:
    """Check every flag, before anything is written; the scheduler address to use."""
    from lspsim.io import check_output_dir

    own = executor is None
    if own and scheduler is None and workers is None:
        scheduler = os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    if own and not scheduler and workers is not None and not 0 <= workers <= max_workers():
        raise InputError("--workers", "workers", workers, f"an integer from 0 (in this "
                         f"process) to {max_workers()} (twice this machine's CPUs: more "
                         "processes than cores only share them, each with its own memory)")
    if batch_size is not None and batch_size < 1:
        raise InputError("--batch-size", "batch_size", batch_size, "an integer >= 1")
    check_output_dir(out, "sweep", existing_ok=True)
    return scheduler


def _plan(exp: Any, store: Any, evaluator: Evaluator | None,
          batch_size: int | None) -> SweepPlan:
    """Sample the design and plan a new sweep of it: runs, batches, schemas and hash."""
    design = exp.sample()
    metrics = exp.metric_names
    n_runs = design.n_points * exp.replications
    ev_name = (f"{evaluator.__module__}:{evaluator.__qualname__}" if evaluator
               else "lspsim.sweep.executors:simulate")
    digest = exp.hash()
    if evaluator is not None:
        import hashlib

        digest = hashlib.sha256(f"{digest}|{ev_name}".encode()).hexdigest()
    batch_size = batch_size or default_batch_size(n_runs)
    return SweepPlan(
        exp=exp, design=design, metrics=metrics, n_runs=n_runs, batch_size=batch_size,
        n_batches=-(-n_runs // batch_size),
        runs_schema=store.runs_schema(design.values, design.names, metrics),
        series_schema=store.series_schema(exp.series) if exp.series else None,
        digest=digest, ev_name=ev_name, evaluator=evaluator)


def _open_store(plan: SweepPlan, store: Any, resume: bool,
                batch_size: int | None) -> SweepPlan:
    """Refuse a sweep already in ``store`` unless resuming; on ``--resume``, check that it is
    this experiment's and take its manifest, batch size and crashed batches into the plan."""
    from lspsim.sweep.store import versions

    if resume and not store.exists():
        # nothing was recorded (killed before the first write, or a new folder): start afresh
        print(f"lspsim: {store.path} holds no sweep yet: starting it", file=sys.stderr)
        resume = False
    if not resume:
        if store.exists():
            raise InputError(str(store.path), "--out", str(store.path), "a new directory, or "
                             "--resume to complete the sweep already there")
        return plan
    manifest = store.read_manifest()
    digest = plan.digest
    if manifest.get("experiment_hash") != digest:
        raise InputError(str(store.manifest_path), "experiment_hash",
                         manifest.get("experiment_hash"), f"{digest} (this experiment): the "
                         "experiment, its scenario or the evaluator changed since the sweep "
                         "started; run it into a new --out directory")
    if batch_size is not None and batch_size != manifest["batch_size"]:
        print(f"lspsim: resuming with the sweep's batch size {manifest['batch_size']}",
              file=sys.stderr)
    batch_size = int(manifest["batch_size"]) or default_batch_size(plan.n_runs)
    if manifest.get("versions", {}).get("lspsim") != versions()["lspsim"]:
        print("lspsim: warning: this sweep was started with lspsim "
              f"{manifest.get('versions', {}).get('lspsim')}", file=sys.stderr)
    return replace(plan, batch_size=batch_size, n_batches=-(-plan.n_runs // batch_size),
                   crashed_before=[int(b) for b in manifest.get("crashed_batches") or []],
                   manifest=manifest)


def _already_complete(plan: SweepPlan, store: Any) -> SweepResult | None:
    """The result of a resumed sweep that has nothing left to run, else None."""
    manifest = plan.manifest
    if (manifest.get("status") == "complete" and (store.path / "runs.parquet").is_file()
            and not (plan.crashed_before and store.runs_dir.is_dir())):
        store.remove_parts()
        manifest["batches"] = plan.n_batches
        return SweepResult(store.path, plan.n_runs, int(manifest.get("failed_runs") or 0), 0,
                           plan.n_batches, manifest)
    return None


def _dispatch(plan: SweepPlan, store: Any, executor: Executor | None, scheduler: str | None,
              workers: int | None, progress: bool, lost_after: float) -> SweepResult:
    """Reach the Dask scheduler if one is to be used (our own client), then run the sweep."""
    client = None
    if executor is None and scheduler:
        client = dask_client(scheduler)
    with _quiet_dask() if client is not None else contextlib.nullcontext():
        return _run_or_close(client, lambda: _sweep(
            plan, store, executor, client, workers, progress, lost_after))


def _run_or_close(client: Any, body: Callable[[], SweepResult]) -> SweepResult:
    try:
        return body()
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.close(timeout=5)


@contextmanager
def _quiet_dask() -> Iterator[None]:
    """While our own client runs a sweep, a lost scheduler is reported once, by us (exit 3),
    not also as tracebacks logged by distributed and tornado."""
    import logging

    names = ("distributed", "distributed.client", "distributed.core", "distributed.comm",
             "distributed.batched", "tornado.application")
    levels = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for n, level in levels.items():
            logging.getLogger(n).setLevel(level)


def _sweep(plan: SweepPlan, store: Any, executor: Executor | None, client: Any,
           workers: int | None, progress: bool, lost_after: float) -> SweepResult:
    """Run the batches not yet stored, keeping the executor busy, and consolidate the sweep."""
    from lspsim.io import mark_output_dir
    from lspsim.sweep.store import now

    exp, design, metrics, manifest = plan.exp, plan.design, plan.metrics, plan.manifest
    n_runs, batch_size, n_batches = plan.n_runs, plan.batch_size, plan.n_batches
    runs_schema, series_schema, evaluator = plan.runs_schema, plan.series_schema, plan.evaluator
    if not manifest:
        mark_output_dir(store.path, "sweep")
        store.remove_parts()
        store.remove_leftovers()
        for stale in ("runs.parquet", "series.parquet"):
            (store.path / stale).unlink(missing_ok=True)
        design.table().to_parquet(store.path / "design.parquet", index=False)
        (store.path / "scenario.toml").write_text(exp.base.to_toml())
        manifest.update(new_manifest(exp, design, metrics, plan.digest, plan.ev_name,
                                     runs=n_runs, batch_size=batch_size))
        store.write_manifest(manifest)
    else:
        store.remove_leftovers()
        if plan.crashed_before:
            # batches whose worker died are retried: their parts go, and the sweep reopens
            store.forget_batches(plan.crashed_before)
            (store.path / "runs.parquet").unlink(missing_ok=True)
            (store.path / "series.parquet").unlink(missing_ok=True)
            manifest.update(status="running", finished=None, failed_runs=None,
                            crashed_batches=None)
            store.write_manifest(manifest)
    manifest["batches"] = n_batches

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
    dask = client is not None
    if dask:
        executor = client.get_executor(pure=False)
    elif own:
        n = (os.cpu_count() or 1) if workers is None else workers
        executor = local_executor(min(n, max(1, len(todo))) if n else 0)
    assert executor is not None
    local = own and isinstance(executor, ProcessPoolExecutor)
    slots = executor_slots(executor)

    from tqdm.auto import tqdm

    ran = 0
    left = sum(min(n_runs, (b + 1) * batch_size) - b * batch_size for b in todo)
    bar = tqdm(total=n_runs, initial=n_runs - left,
               unit="run", desc=exp.name, disable=not progress, smoothing=0.1,
               dynamic_ncols=True)
    # A batch whose task fails (its worker died, or the executor lost it) becomes a suspect and
    # is retried alone, so an innocent batch sharing a broken pool is never blamed; a suspect
    # whose worker dies again alone is recorded as crashed (and rerun by --resume).
    queue = list(reversed(todo))
    suspects: list[int] = []
    pending: dict[Future, int] = {}
    alone: int | None = None
    lost: list[str] = []

    def put(b: int) -> bool:
        """Submit batch b; False if the pool broke meanwhile (a worker can die between
        ``wait()`` returning and this submit) or the executor is lost."""
        try:
            with interrupt.no_sigint_in_children() if local else contextlib.nullcontext():
                pending[executor.submit(run_batch, task(b))] = b
        except Exception as exc:  # noqa: BLE001 - told apart below
            if _kind(exc) == "lost" or not isinstance(exc, BrokenProcessPool):
                lost.append(f"{type(exc).__name__}: {exc}")
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
        except BaseException as exc:  # noqa: BLE001 - the worker or executor failed
            kind = _kind(exc)
            if kind == "lost":
                lost.append(f"{type(exc).__name__}: {exc}".rstrip(": "))
                queue.append(b)  # never recorded: --resume runs it
                return False
            if not isinstance(exc, Exception):
                raise
            if not was_alone:
                suspects.append(b)
                return isinstance(exc, BrokenProcessPool)
            _, table, stable, _failed = _failed_batch(task(b), exc, kind == "died")
            broke = isinstance(exc, BrokenProcessPool)
        else:
            broke = False
        store.write_batch(b, table, stable)
        ran += table.num_rows
        bar.update(table.num_rows)
        return broke

    def check_client() -> None:
        if dask and client.status != "running":
            since = watch.setdefault("since", time.monotonic())
            if client.status in ("closing", "closed") or time.monotonic() - since > lost_after:
                lost.append(f"the client is {client.status}")
        else:
            watch.pop("since", None)

    watch: dict[str, float] = {}
    clean = False
    try:
        healthy = submit()
        while (pending or not healthy) and not lost:
            broken = not healthy
            if pending:
                # a timeout, so a Ctrl-C is seen within POLL seconds even while no batch ends
                finished, _ = wait(pending, timeout=1.0 if dask else interrupt.POLL,
                                   return_when=FIRST_COMPLETED)
                for fut in finished:
                    broken |= record(fut, pending.pop(fut))
            # Ctrl-C: stop here, the batches that finished stored (finally ends the workers)
            interrupt.check()
            check_client()
            if lost:
                break
            if broken:
                if not local:
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
        clean = not lost
    finally:
        bar.close()
        if not local:  # our own pool's tasks end with its processes (see _stop)
            for fut in pending:
                fut.cancel()
        _stop(executor, own, dask, clean)

    if lost:
        from lspsim.errors import EnvironmentFailure

        kept = n_runs - left + ran
        where = f"the Dask scheduler at {client.scheduler.address}" if dask else "the executor"
        raise EnvironmentFailure(
            f"lost {where} ({lost[0]}): stopped after {kept} of {n_runs} runs, all kept in "
            f"{store.path}; nothing it lost was recorded. Complete the sweep with `lspsim sweep "
            f"EXPERIMENT --out {store.path} --resume` once the cluster is back (or with "
            "--workers N to run it here)")

    store.consolidate(n_batches, runs_schema, series_schema)
    import pyarrow.parquet as pq

    status = pq.read_table(store.path / "runs.parquet", columns=["status"]).column(0)
    failed = int(sum(1 for s in status.to_pylist() if s != "ok"))
    # from the dataset, not this session: a crash before an interruption counts too
    crashed = sorted({i // batch_size for i, s in enumerate(status.to_pylist())
                      if s == "crashed"})
    manifest.update(status="complete", finished=now(), failed_runs=failed,
                    crashed_batches=crashed or None)
    store.write_manifest(manifest)
    if not crashed:
        store.remove_parts()  # kept otherwise: --resume reruns the crashed batches alone
    return SweepResult(store.path, n_runs, failed, ran, n_batches, manifest)


def _failed_batch(t: BatchTask, exc: BaseException,
                  died: bool) -> tuple[int, Any, Any, int]:
    """A batch whose worker failed twice (the second time alone): every run recorded with
    that error, as "crashed" if the worker process died (``--resume`` retries those)."""
    from lspsim.sweep.store import runs_table, series_table

    msg = f"worker failed: {type(exc).__name__}: {exc}"
    rows = [{"point": p, "replication": r, "seed": run_seed(t.seed, p, r), **v,
             "status": "crashed" if died else "error", "attempts": 2, "error": msg}
            for p, r, v, _ in t.runs]
    table = runs_table(rows, t.schema)
    stable = (series_table([(p, r, {}) for p, r, _, _ in t.runs], t.series, t.series_schema)
              if t.series else None)
    return t.batch, table, stable, len(rows)
