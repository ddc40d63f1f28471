"""The run engine: the one place a run of the model is made, shared by ``lspsim run``
(:func:`lspsim.results.run`), sweeps (:func:`lspsim.sweep.executors.simulate`), the validation
report and the appraisal.

A run is a pure function of (scenario, seed, replication): replication k of base seed s always
draws from ``SeedSequence(s).spawn(R)[k]`` (equivalently ``SeedSequence(s, spawn_key=(k,))``),
so a replication's stream never depends on how many others run, in which order, or on which
worker. :func:`map_runs` spreads such runs over worker processes and returns their results in
order, so the numbers never depend on the worker count.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from lspsim import interrupt, outcomes
from lspsim.mesa_bridge import release
from lspsim.model import PartnershipModel
from lspsim.scenario import Scenario

T = TypeVar("T")
R = TypeVar("R")


def replication_rng(seed: int, replication: int) -> np.random.Generator:
    """The Generator for replication ``replication`` of base seed ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replication,)))


def run_model(scenario: Scenario, seed: int, replication: int = 0,
              months: int | None = None) -> PartnershipModel:
    """Build the model for replication ``replication`` of ``seed`` and run it ``months`` months
    (default: the scenario's)."""
    model = PartnershipModel(scenario, rng=replication_rng(seed, replication))
    return model.run_months(months)


def summary_metrics(series: dict[str, np.ndarray]) -> dict[str, float]:
    """The summary metrics of one run (the registry's): each its series' final month."""
    return {m.name: float(series[m.series][-1]) for m in outcomes.SUMMARY}


@dataclass
class Replication:
    """One finished run: its arrays and static partner facts."""

    replication: int
    series: dict[str, np.ndarray]
    partner_series: np.ndarray
    progress_series: np.ndarray
    partners: pd.DataFrame
    weakest_links: list[dict[str, Any]]

    @property
    def metrics(self) -> dict[str, float]:
        return summary_metrics(self.series)


def run_replication(scenario: Scenario, seed: int, replication: int = 0,
                    months: int | None = None) -> Replication:
    """Run one replication to the end and keep what the tables need."""
    model = run_model(scenario, seed, replication, months)
    partners = pd.DataFrame({
        "partner": np.arange(model.n_partners),
        "name": model.partner_names,
        "kind": model.kinds,
        "tier": [a.tier for a in model.partners],
        "statutory": model.statutory,
        "stake_in_success": model.stake_in_success,
        "stake_in_failure": model.stake_in_failure,
        "budget_gbp_m": model.budget,
        "contribution_gbp_m": model.contribution(),
        "mean_commitment": model.partner_series()[1:, 0, :].mean(axis=0)
        if model.steps else model.commitment,
        "gain": model.gains(),
    })
    out = Replication(replication, model.series(), model.partner_series(),
                      model.progress_series(), partners, model.weakest_links())
    release(model)  # Mesa 3.3 would keep every model of a long run or a sweep alive
    return out


def evaluate(scenario: Scenario, seed: int) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """(summary metrics, model-level series) of replication 0 of ``seed``: a sweep's run."""
    model = run_model(scenario, seed, 0, scenario.months)
    series = model.series()
    release(model)  # Mesa 3.3 would keep every model of a sweep worker alive
    return summary_metrics(series), series


def _chunk(fn: Callable[[T], R], items: list[T]) -> list[R]:
    return [fn(t) for t in items]


def map_runs(fn: Callable[[T], R], tasks: Iterable[T], workers: int = 1,
             min_parallel: int = 8) -> list[R]:
    """``[fn(t) for t in tasks]``, on ``workers`` spawned processes when there are at least
    ``min_parallel`` tasks (``fn`` must then be importable by name). Results come back in task
    order, so they never depend on the worker count. Ctrl-C stops it within
    ``interrupt.POLL`` seconds with one KeyboardInterrupt here: the workers start with SIGINT
    blocked (no traceback from each) and are ended (lspsim.interrupt)."""
    todo = list(tasks)
    workers = max(1, int(workers))
    if workers == 1 or len(todo) < min_parallel:
        return list(map(fn, todo))
    size = max(1, len(todo) // (workers * 16))
    chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
    with interrupt.deferred_ctrl_c():
        # "spawn", as the sweeps use: fork() in a process with threads is unsafe (3.12 warns).
        pool = ProcessPoolExecutor(max_workers=workers,
                                   mp_context=multiprocessing.get_context("spawn"))
        try:  # a failed submit ends the workers too
            with interrupt.no_sigint_in_children():  # the pool starts its workers at submit
                futures = [pool.submit(_chunk, fn, c) for c in chunks]
            pending = set(futures)
            while pending:
                _, pending = wait(pending, timeout=interrupt.POLL,
                                  return_when=FIRST_COMPLETED)
                interrupt.check()
            out = [r for f in futures for r in f.result()]
        except BaseException:  # interrupted or failed: do not wait for the workers' chunks
            interrupt.end_workers(pool)
            raise
        pool.shutdown(wait=True)
    return out
