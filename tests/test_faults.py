"""Faults injected into sweeps, deterministically: a local pool that breaks at a chosen submit,
a worker that dies under a chosen batch. Each sweep must end with the dataset an undisturbed
sweep gives (nothing lost, nothing run twice into the results)."""

from __future__ import annotations

from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pandas as pd
import pytest
import sweep_evaluators as ev

from lspsim.sweep import executors, experiment_from_dict, run_sweep

EXP = {
    "name": "faults", "description": "cheap evaluator", "seed": 3, "months": 6,
    "replications": 2, "series": [], "metrics": ["target_achievement"],
    "design": {"kind": "grid"},
    "parameters": {"trust.gain": {"range": [0.1, 0.5], "steps": 5},
                   "trust.loss": {"range": [0.1, 0.3], "steps": 2}},
}
FAULTS: list[str] = []  # every fault injected below (the tally the issue asks for)


def experiment():
    return experiment_from_dict(EXP, source="faults.toml")


class FaultyPool(ProcessPoolExecutor):
    """A 'process pool' that runs tasks in this process at submit time, and breaks as told:
    ``plan[k]`` is what the k-th submit overall (from 0, across rebuilt pools) does:
    "raise" (the pool broke before the submit: BrokenProcessPool) or "die" (the task's worker
    dies: its future fails with BrokenProcessPool, and the pool is broken from then on)."""

    submits = 0
    plan: dict[int, str] = {}
    pools = 0

    def __init__(self, workers: int) -> None:  # no processes: deliberately no super().__init__
        self._max_workers = max(1, workers)
        self._broken_now = False
        FaultyPool.pools += 1

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        k, FaultyPool.submits = FaultyPool.submits, FaultyPool.submits + 1
        action = FaultyPool.plan.get(k)
        if self._broken_now or action == "raise":
            self._broken_now = True
            raise BrokenProcessPool("A child process terminated abruptly (injected)")
        fut: Future = Future()
        if action == "die":
            self._broken_now = True
            fut.set_exception(BrokenProcessPool("A child process terminated abruptly (injected)"))
        else:
            fut.set_result(fn(*args, **kwargs))
        return fut

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        pass


@pytest.fixture()
def faulty(monkeypatch):
    FaultyPool.submits, FaultyPool.pools, FaultyPool.plan = 0, 0, {}
    monkeypatch.setattr(executors, "local_executor", lambda n: FaultyPool(n))
    return FaultyPool


@pytest.fixture(scope="module")
def undisturbed(tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("faults") / "serial"
    run_sweep(experiment(), out, workers=0, batch_size=2, evaluator=ev.linear)
    return pd.read_parquet(out / "runs.parquet")


# fault name: (what the k-th submit does, pools the sweep should have built)
POOL_FAULTS = {
    "submit to a pool that broke after wait() returned": ({3: "raise"}, 2),
    "the first submit raises": ({0: "raise"}, 2),
    "a worker dies under one batch": ({2: "die"}, 2),
    "a worker dies, then the next submit raises": ({1: "die", 2: "raise"}, 2),
    "a worker dies in the first pool and again in the rebuilt one": ({0: "die", 3: "die"}, 3),
}
FAULTS += list(POOL_FAULTS)
CALLS: list[tuple[float, float]] = []


def counted(scenario, seed):
    CALLS.append((scenario.trust.gain, scenario.trust.loss))
    return ev.linear(scenario, seed)


@pytest.mark.parametrize("plan,pools", POOL_FAULTS.values(), ids=POOL_FAULTS.keys())
def test_a_broken_pool_is_rebuilt_and_only_unfinished_work_resubmitted(
        tmp_path, faulty, undisturbed, plan, pools):
    faulty.plan = dict(plan)
    CALLS.clear()
    res = run_sweep(experiment(), tmp_path / "out", workers=2, batch_size=2, evaluator=counted)
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    pd.testing.assert_frame_equal(runs, undisturbed)
    assert res.failed == 0 and res.ran_now == len(undisturbed)
    assert faulty.pools == pools  # one fresh pool per break
    # every run evaluated exactly once: work that finished before a break is never rerun
    assert len(CALLS) == len(undisturbed) and len(set(CALLS)) == len(undisturbed) // 2
