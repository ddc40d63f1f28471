"""PartnershipModel as Mesa users expect it: run_model(), a seed from the scenario,
mesa.batch_run through a DataCollector built from the model's records, and (Mesa 3.5+) a bridge
to mesa.experimental.scenarios."""

from __future__ import annotations

import inspect

import mesa
import numpy as np
import pandas as pd
import pytest

from lspsim.mesa_bridge import has_mesa_scenarios
from lspsim.model import PARTNER_SERIES, PartnershipModel
from lspsim.results import replication_rng
from lspsim.scenario import load_scenario


def test_run_model_stops_at_the_scenarios_months():
    sc = load_scenario("default", {"months": 7})
    m = PartnershipModel(sc, rng=3)
    assert m.running
    m.run_model()
    assert m.steps == 7 and not m.running
    ref = PartnershipModel(sc, rng=3).run_months(7).series()
    for k, v in m.series().items():
        np.testing.assert_array_equal(v, ref[k])
    m.step()  # stepping on past the end still works (the app does)
    assert m.steps == 8 and not m.running


def test_the_seed_comes_from_the_scenario_when_rng_is_not_given():
    sc = load_scenario("default", {"months": 12, "seed": 41})
    a = PartnershipModel(sc).run_months().series()["mean_trust"]
    b = PartnershipModel(sc).run_months().series()["mean_trust"]
    ref = PartnershipModel(sc, rng=replication_rng(41, 0)).run_months().series()["mean_trust"]
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, ref)
    other = PartnershipModel(sc.with_updates({"seed": 42})).run_months().series()["mean_trust"]
    assert not np.array_equal(a, other)


def test_batch_run_reads_the_models_records():
    sc = load_scenario("default", {"months": 12})
    two = load_scenario("two_tier_county", {"months": 12})
    if "rng" in inspect.signature(mesa.batch_run).parameters:
        # Mesa 3.5 seeds each run itself (and overwrites an rng among the parameters)
        rows = mesa.batch_run(PartnershipModel, {"scenario": [sc, two]}, rng=[5, 6],
                              max_steps=100, data_collection_period=4, display_progress=False)
    else:
        rows = mesa.batch_run(PartnershipModel, {"scenario": [sc, two], "rng": [5, 6]},
                              iterations=1, max_steps=100, data_collection_period=4,
                              display_progress=False)
    df = pd.DataFrame(rows)
    assert set(PARTNER_SERIES) <= set(df.columns) and "mean_trust" in df.columns
    runs = df.groupby(["RunId"])
    assert runs.ngroups == 4
    # run_model stopped at 12 months: steps 0, 4, 8 and the last (Mesa 3.3 takes steps - 1
    # for the last, 3.5 the collected steps)
    steps = sorted(df["Step"].unique())
    assert steps[:3] == [0, 4, 8] and steps[3] in (11, 12) and len(steps) == 4
    # the figures are the model's own records
    run = df[(df["rng"] == 6) & (df["scenario"].map(lambda s: s.name) == "two_tier_county")]
    ref = PartnershipModel(two, rng=6).run_months()
    series, partners = ref.series(), ref.partner_series()
    for step in steps:
        at = run[run["Step"] == step]
        assert len(at) == ref.n_partners  # one row per partner organisation
        assert at["mean_trust"].iloc[0] == pytest.approx(series["mean_trust"][step])
        assert sorted(at["commitment"]) == pytest.approx(sorted(partners[step, 0]))
    dc = ref.datacollector
    assert len(dc.get_model_vars_dataframe()) == 13
    assert len(dc.get_agent_vars_dataframe()) == 13 * ref.n_partners


@pytest.mark.skipif(not has_mesa_scenarios(), reason="mesa.experimental.scenarios needs Mesa 3.5+")
def test_bridge_to_mesa_experimental_scenarios():
    from lspsim.mesa_bridge import run_mesa_scenarios

    sc = load_scenario("default", {"months": 6})
    out = run_mesa_scenarios([sc, sc.with_updates({"trust.initial": 0.6})], replications=2,
                             seed=9)
    assert len(out) == 4
    again = run_mesa_scenarios([sc, sc.with_updates({"trust.initial": 0.6})], replications=2,
                               seed=9)
    for a, b in zip(out, again, strict=True):
        assert a["mean_trust"] == b["mean_trust"]
    assert out[0]["mean_trust"] != out[2]["mean_trust"]


def test_finished_runs_leave_no_model_alive() -> None:
    """Mesa 3.3 keeps every model alive through ``Agent._ids`` unless it is released: the run
    engine (lspsim run, sweeps, validation) frees each model it finishes, on 3.3 and 3.5."""
    import gc

    from lspsim.runner import evaluate, run_replication

    def alive() -> int:
        gc.collect()
        return sum(isinstance(o, PartnershipModel) for o in gc.get_objects())

    sc = load_scenario("default").with_updates({"months": 3})
    before = alive()
    for seed in range(4):
        run_replication(sc, seed, 0)
        evaluate(sc, seed)
    assert alive() == before
