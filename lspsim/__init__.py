"""lspsim: an agent-based simulation of joint working in English local strategic partnerships.

Public API::

    import lspsim
    sc = lspsim.load_scenario("default")          # a preset name or a TOML path
    model = lspsim.PartnershipModel(sc, rng=1)    # the Mesa model; model.step() is one month
    result = lspsim.run(sc, seed=1, replications=10)
    result.summary["target_achievement"]          # {"mean": ..., "ci95": [lo, hi], ...}
"""

from lspsim._version import __version__
from lspsim.agents import PartnerOrganisation
from lspsim.errors import InputError
from lspsim.model import PartnershipModel
from lspsim.results import RunResult, run, run_replication
from lspsim.scenario import Scenario, list_presets, load_scenario

__all__ = [
    "InputError",
    "PartnerOrganisation",
    "PartnershipModel",
    "RunResult",
    "Scenario",
    "__version__",
    "list_presets",
    "load_scenario",
    "run",
    "run_replication",
]
