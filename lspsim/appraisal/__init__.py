"""Options appraisal of joint working (HM Treasury Green Book and its local-partnership CBA
guidance), with uncertainty.

A do-minimum and options are run through the model with common random numbers; their costs
(meetings, coordination, support, monitoring, pooled-pot administration, transition) and the
value of their progress on targets (fiscal by agency, economic and wellbeing to residents) are
priced with assumptions kept apart from the Scenario::

    from lspsim.appraisal import appraise, load_assumptions
    a = load_assumptions("scenarios/appraisal/local-example.toml")
    res = appraise("scenarios/appraisal/today.toml", a, seed=1, replications=10, samples=1000,
                   options=["scenarios/appraisal/clearer-layers.toml"])
    res.summary_table()                                  # the one-page Green Book table
    res.to_dict()["comparisons"][0]["incremental_npsv"]  # mean, p5, p95, prob_positive, ...

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
