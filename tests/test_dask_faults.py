"""Faults on a real Dask cluster: a `dask scheduler` and a `dask worker` (with its nanny) started
as processes on the loopback interface only. The faults are injected by the evaluator itself, at
a fixed design point and exactly once (a marker file), so the tests are deterministic; every
wait is bounded (cluster start-up 60 s, a sweep 120 s), so a regression fails instead of hanging.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
import sweep_evaluators as ev

from lspsim.errors import EnvironmentFailure
from lspsim.sweep import experiment_from_dict, run_sweep

pytest.importorskip("dask.distributed")
DASK = shutil.which("dask", path=str(Path(sys.executable).parent)) or shutil.which("dask")
pytestmark = pytest.mark.skipif(DASK is None, reason="the dask command is not installed")

EXP = {
    "name": "dask-faults", "description": "cheap evaluator", "seed": 3, "months": 6,
    "replications": 2, "series": [], "metrics": ["target_achievement"],
    "design": {"kind": "grid"},
    "parameters": {"trust.gain": {"range": [0.1, 0.5], "steps": 5},
                   "trust.loss": {"range": [0.1, 0.3], "steps": 2}},
}
FAULTS = ["Dask scheduler killed mid-sweep", "Dask worker process killed mid-task"]


def experiment():
    return experiment_from_dict(EXP, source="dask-faults.toml")


@pytest.fixture(scope="module")
def undisturbed(tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("dask") / "serial"
    run_sweep(experiment(), out, workers=0, batch_size=2, evaluator=ev.linear)
    return pd.read_parquet(out / "runs.parquet")


@contextmanager
def cluster(faults: Path) -> Iterator[str]:
    """A scheduler and one single-threaded worker on 127.0.0.1; yields the address."""
    env = {**os.environ, "LSPSIM_TEST_FAULT_DIR": str(faults), "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).parent), str(Path(__file__).parent.parent),
         os.environ.get("PYTHONPATH", "")])}
    info = faults / f"scheduler-{time.monotonic_ns()}.json"
    procs = [subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(info)], env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not info.exists():
            assert time.monotonic() < deadline, "the scheduler did not start in 60 s"
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        (faults / "scheduler.pid").write_text(str(procs[0].pid))
        procs.append(subprocess.Popen(
            [DASK, "worker", address, "--host", "127.0.0.1", "--nworkers", "1", "--nthreads",
             "1", "--no-dashboard"], env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from dask.distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(1, timeout=60)
        yield address
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=30)


@contextmanager
def bounded(seconds: int) -> Iterator[None]:
    """Fail (TimeoutError in this thread) rather than hang if a sweep does not end."""
    def expire(*_):
        raise TimeoutError(f"the sweep did not end within {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_a_lost_scheduler_stops_the_sweep_keeping_finished_runs_and_resume_completes_it(
        tmp_path, undisturbed):
    out = tmp_path / "out"
    with cluster(tmp_path) as address, bounded(120):
        with pytest.raises(EnvironmentFailure, match="lost the Dask scheduler") as info:
            run_sweep(experiment(), out, scheduler=address, batch_size=2,
                      evaluator=ev.kills_scheduler, lost_after=5)
    assert (tmp_path / "scheduler-killed").exists()
    assert "--resume" in str(info.value) and not (out / "runs.parquet").exists()
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"
    parts = [pd.read_parquet(p) for p in sorted((out / "runs").glob("part-*.parquet"))]
    assert parts and len(parts) < 10  # the batches that finished, none of the lost ones
    assert all((p["status"] == "ok").all() for p in parts)  # nothing lost is stored as a result
    with cluster(tmp_path) as address, bounded(120):  # a new cluster: the fault is not repeated
        res = run_sweep(experiment(), out, scheduler=address, resume=True,
                        evaluator=ev.kills_scheduler, lost_after=5)
    assert res.failed == 0 and res.ran_now == 20 - sum(len(p) for p in parts)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), undisturbed)


def test_a_lost_worker_is_replaced_and_the_dataset_is_the_undisturbed_one(
        tmp_path, undisturbed):
    with cluster(tmp_path) as address, bounded(120):
        res = run_sweep(experiment(), tmp_path / "out", scheduler=address, batch_size=2,
                        evaluator=ev.kills_worker)
    assert (tmp_path / "worker-killed").exists()  # the worker did die once
    assert res.failed == 0
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out" / "runs.parquet"),
                                  undisturbed)
