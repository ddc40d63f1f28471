"""Running replications and turning their arrays into tidy tables and a summary.

The runs themselves are made by the run engine (:mod:`lspsim.runner`), which sweeps and the
validation report share: replication k of base seed s always draws from
``SeedSequence(s, spawn_key=(k,))``, whatever else runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lspsim import outcomes
from lspsim.model import PARTNER_SERIES
from lspsim.runner import Replication, replication_rng, run_replication
from lspsim.scenario import Scenario, load_scenario
from lspsim.stats import mean_ci

# Summary metrics: the last month's value of these series, per replication (the registry's).
SUMMARY_METRICS = {m.name: m.series for m in outcomes.SUMMARY}
# The run engine's, re-exported here where they have always been importable from.
__all__ = ["SUMMARY_METRICS", "Replication", "RunResult", "replication_rng", "run",
           "run_replication"]


@dataclass
class RunResult:
    """Replications of one scenario: tidy tables and a summary."""

    scenario: Scenario
    seed: int
    months: int
    reps: list[Replication] = field(repr=False)

    @property
    def replications(self) -> int:
        return len(self.reps)

    @property
    def timeseries(self) -> pd.DataFrame:
        """One row per replication and month, one column per model-level series."""
        frames = []
        for r in self.reps:
            df = pd.DataFrame(r.series)
            df.insert(0, "month", np.arange(len(df)))
            df.insert(0, "replication", r.replication)
            frames.append(df)
        return pd.concat(frames, ignore_index=True)

    @property
    def partners(self) -> pd.DataFrame:
        """One row per replication, month and partner."""
        frames = []
        for r in self.reps:
            t, _, n = r.partner_series.shape
            df = pd.DataFrame({name: r.partner_series[:, j, :].ravel()
                               for j, name in enumerate(PARTNER_SERIES)})
            df.insert(0, "partner", np.tile(np.arange(n), t))
            df.insert(0, "month", np.repeat(np.arange(t), n))
            df.insert(0, "replication", r.replication)
            static = r.partners[["partner", "name", "kind", "tier", "statutory"]]
            frames.append(df.merge(static, on="partner", how="left"))
        return pd.concat(frames, ignore_index=True)

    @property
    def targets(self) -> pd.DataFrame:
        """One row per replication, month and target: progress (1 = met)."""
        frames = []
        for r in self.reps:
            t, k = r.progress_series.shape
            frames.append(pd.DataFrame({
                "replication": r.replication, "month": np.repeat(np.arange(t), k),
                "target": np.tile(np.arange(k), t), "progress": r.progress_series.ravel()}))
        return pd.concat(frames, ignore_index=True)

    @property
    def summary(self) -> dict[str, Any]:
        metrics = {m: mean_ci(np.array([r.metrics[m] for r in self.reps]))
                   for m in SUMMARY_METRICS}
        parts = pd.concat([r.partners for r in self.reps])
        per_partner = (parts.groupby(["partner", "name", "kind", "statutory"], sort=True)
                       [[c.name for c in outcomes.PARTNER_FACTS if c.dtype == "float"]]
                       .mean().reset_index())
        weakest = pd.Series([w["weakest_from"] for r in self.reps for w in r.weakest_links])
        return {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "months": self.months,
            "replications": self.replications,
            **metrics,
            "partners": json.loads(per_partner.drop(columns="partner").to_json(orient="records")),
            "weakest_links": self.reps[0].weakest_links,
            "weakest_link_partners": {k: int(v) for k, v in weakest.value_counts().items()},
        }


def run(scenario: Scenario | str | Path = "default", seed: int | None = None,
        months: int | None = None, replications: int = 1, progress: bool = False,
        updates: dict[str, Any] | None = None) -> RunResult:
    """Run ``replications`` replications of a scenario (object, preset name or TOML path).

    ``seed`` and ``months`` default to the scenario's own; ``updates`` are dotted-path edits.
    """
    sc = load_scenario(scenario, updates)
    seed = sc.seed if seed is None else int(seed)
    months = sc.months if months is None else int(months)
    if months != sc.months or seed != sc.seed:
        sc = sc.with_updates({"months": months, "seed": seed})
    reps_iter = range(replications)
    if progress:
        from tqdm.auto import tqdm

        reps_iter = tqdm(reps_iter, desc="replications", unit="run")
    reps = [run_replication(sc, seed, k, months) for k in reps_iter]
    return RunResult(sc, seed, months, reps)
