"""Interoperation with Mesa's own tools: its DataCollector (read by ``mesa.batch_run``) and, on
Mesa 3.5+, its experimental scenarios (``mesa.experimental.scenarios``).

lspsim records every month in arrays (``PartnershipModel.series()``, ``partner_series()``);
these adapters present those records the way Mesa's tools expect, without a second recording.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa

if TYPE_CHECKING:
    from lspsim.model import PartnershipModel


class RecordsCollector(mesa.DataCollector):
    """A DataCollector whose model variables are the model's series (index k = month k, 0 the
    initial state, as a DataCollector that collects in ``__init__`` and after every step) and
    whose agent records are the partner-level series of every partner."""

    def __init__(self, model: PartnershipModel) -> None:
        from lspsim.model import PARTNER_SERIES

        super().__init__()
        series = model.series()
        self.model_reporters = {name: name for name in series}
        self.model_vars = {name: [float(v) for v in values] for name, values in series.items()}
        self.agent_reporters = {name: name for name in PARTNER_SERIES}
        p = model.partner_series()  # (months + 1, series, partners)
        ids = [a.unique_id for a in model.partners]
        # Mesa 3.5's batch_run reads the steps collected (3.3 infers them from model.steps)
        self._collection_steps = list(range(p.shape[0]))
        self._agent_records = {
            step: [(step, uid, *(float(v) for v in p[step, :, i])) for i, uid in enumerate(ids)]
            for step in range(p.shape[0])}

    def collect(self, model: Any) -> None:
        """Nothing to do: the model records every month itself."""


def has_mesa_scenarios() -> bool:
    """True where ``mesa.experimental.scenarios`` exists (Mesa 3.5+)."""
    try:
        import mesa.experimental.scenarios  # noqa: F401
    except ImportError:
        return False
    return True


def release(model: Any) -> None:
    """Let a finished model be freed. Mesa 3.3 keeps every model alive in the class-level
    ``Agent._ids`` (a counter per model); a sweep worker building tens of thousands of models
    then grows by ~140 KB a model. Mesa 3.4+ has no such dictionary: nothing to do."""
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)


def to_mesa_scenario(scenario: Any, run_seed: int) -> Any:
    """A Mesa 3.5+ experimental Scenario carrying an lspsim Scenario (attribute ``lspsim``)
    and the run's integer seed as its ``rng``."""
    from mesa.experimental.scenarios import Scenario as MesaScenario

    # the seed also as a plain parameter: Mesa 4 turns rng into a Generator at creation
    return MesaScenario(rng=int(run_seed), run_seed=int(run_seed), lspsim=scenario)


def model_from_mesa_scenario(ms: Any) -> PartnershipModel:
    """The model of a Mesa scenario: the same run, bit for bit, as a sweep's run with that
    seed (``lspsim.sweep.executors.simulate``)."""
    from lspsim.model import PartnershipModel
    from lspsim.runner import replication_rng

    return PartnershipModel(ms.lspsim, rng=replication_rng(int(ms.run_seed), 0))


def _run_one(ms: Any) -> dict[str, Any]:
    from lspsim.runner import summary_metrics

    row: dict[str, Any] = {"seed": int(ms.run_seed)}
    try:
        model = model_from_mesa_scenario(ms)
        model.run_model()
        series = model.series()
        row.update(summary_metrics(series), status="ok", error=None)
    except Exception as exc:  # noqa: BLE001 - failures are data, as in Mesa's plans
        row.update(status="error", error=f"{type(exc).__name__}: {exc}")
    return row


def run_mesa_scenarios(scenarios: list[Any], replications: int = 1, seed: int = 0,
                       executor: Any = None) -> list[dict[str, Any]]:
    """Run lspsim scenarios the way Mesa's experimental scenarios are headed: each (scenario i,
    replication r) a frozen Mesa Scenario whose seed is spawned from ``SeedSequence(seed)``
    (``run_seed(seed, i, r)``, the seed a sweep gives design point i), run on any
    ``concurrent.futures`` executor (default: in this process), failures recorded as rows.
    Returns one dict per run, in (scenario, replication) order."""
    from lspsim.sweep.executors import run_seed

    keys = [(i, r) for i in range(len(scenarios)) for r in range(replications)]
    # Mesa 4 freezes a Scenario once made: everything goes in at creation
    jobs = [to_mesa_scenario(scenarios[i], run_seed(seed, i, r)) for i, r in keys]
    rows = list(executor.map(_run_one, jobs)) if executor is not None else [
        _run_one(j) for j in jobs]
    for (i, r), row in zip(keys, rows, strict=True):
        row.update(scenario=i, replication=r)
    return rows
