"""Cost-benefit appraisal of joint working (HM Treasury Green Book), with uncertainty.

Costs and benefits are derived from a model run (seats filled at meetings, coordination time,
the pooled pot, aligned spend, progress on targets) priced with assumptions kept apart from the
Scenario::

    from lspsim.appraisal import appraise, load_assumptions
    a = load_assumptions("scenarios/appraisal/local-example.toml")
    res = appraise("default", a, seed=1, replications=10, samples=1000,
                   compare="scenarios/appraisal/clearer-layers.toml")
    res.to_dict()["result"]["monte_carlo"]["npsv"]      # mean, p5, p95, prob_positive, ...

The command line is ``lspsim appraise`` (see docs/appraisal.md).
"""

from lspsim.appraisal.assumptions import (
    AppraisalAssumptions,
    Quantity,
    default_assumptions,
    load_assumptions,
)
from lspsim.appraisal.evaluate import monetise
from lspsim.appraisal.flows import Flows, flows_from_model, flows_from_replication, simulate
from lspsim.appraisal.money import bcr, discount_factor, discounted_payback, npsv, present_value
from lspsim.appraisal.pipeline import (
    AppraisalResult,
    appraise,
    appraise_flows,
    appraise_model,
    appraise_run,
)

__all__ = [
    "AppraisalAssumptions",
    "AppraisalResult",
    "Flows",
    "Quantity",
    "appraise",
    "appraise_flows",
    "appraise_model",
    "appraise_run",
    "bcr",
    "default_assumptions",
    "discount_factor",
    "discounted_payback",
    "flows_from_model",
    "flows_from_replication",
    "load_assumptions",
    "monetise",
    "npsv",
    "present_value",
    "simulate",
]
