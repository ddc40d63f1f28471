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
