"""The validation's runs: each a pure function of its task (scenario, updates, seed,
replication), made by the shared run engine (lspsim.runner), so any worker count gives the same
numbers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from lspsim.runner import map_runs, run_replication
from lspsim.scenario import Scenario, load_scenario
from lspsim.validation.measures import aligned_share, trust_asymmetry
from lspsim.validation.patterns import KEEP_SERIES

Task = tuple[str, str, int, int, int, bool]  # base, updates (JSON), seed, replication, months, keep


@lru_cache(maxsize=256)
def _scenario(base: str, updates_json: str) -> Scenario:
    return load_scenario(base, json.loads(updates_json) or None)


def _key(updates: dict[str, Any]) -> str:
    return json.dumps(updates, sort_keys=True)


def _run_task(task: Task) -> dict[str, Any]:
    base, updates, seed, k, months, keep = task
    sc = _scenario(base, updates)
    rep = run_replication(sc, seed, k, months or None)
    kinds = list(rep.partners["kind"])
    budgets = float(rep.partners["budget_gbp_m"].sum())
    out: dict[str, Any] = {
        "metrics": rep.metrics, "asym": trust_asymmetry(rep.partner_series),
        "aligned_share": aligned_share(rep.series["aligned_spend"], rep.series["pooled_pot"]),
        # money put to joint priorities (pot + aligned spend) as a share of mainstream budgets
        "money_share": float((rep.series["aligned_spend"][-1] + rep.series["pooled_pot"][-1])
                             / budgets) if budgets > 0 else float("nan"),
        # trust the others place in each kind of partner, by month (h1 reads one kind's)
        "trust_in_kind": {k: rep.partner_series[:, 1, [i for i, x in enumerate(kinds) if x == k]]
                          .mean(axis=1) for k in dict.fromkeys(kinds)},
    }
    if keep:
        out["series"] = {s: rep.series[s] for s in KEEP_SERIES}
    return out


class Runner:
    """Runs tasks once each (duplicates share a result), in order, serially or in a pool."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = max(1, int(workers))
        self._results: dict[Task, dict[str, Any]] = {}

    def run(self, tasks: Sequence[Task]) -> None:
        todo = list(dict.fromkeys(t for t in tasks if t not in self._results))
        if todo:
            results = map_runs(_run_task, todo, self.workers)
            self._results.update(zip(todo, results, strict=True))

    def __getitem__(self, task: Task) -> dict[str, Any]:
        return self._results[task]
