"""The outcome registry is the one source of outputs: the tables, summary.json, sweeps, figures
and docs/outputs.md all follow it."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from lspsim import outcomes
from lspsim.cli import main
from lspsim.model import PARTNER_SERIES, SERIES, PartnershipModel
from lspsim.results import SUMMARY_METRICS, run
from lspsim.scenario import list_presets, load_scenario

ROOT = Path(__file__).resolve().parent.parent


def test_outputs_reference_is_generated_from_the_registry():
    assert (ROOT / "docs" / "outputs.md").read_text() == outcomes.reference_markdown(), (
        "regenerate with: lspsim outputs --reference > docs/outputs.md")


def test_registry_is_consistent():
    assert SERIES == outcomes.names("model") and PARTNER_SERIES == outcomes.names("partner")
    assert list(SUMMARY_METRICS) == list(outcomes.summary_names())
    for m in outcomes.SUMMARY:
        assert m.series in SERIES, m.name
    for level in ("model", "partner", "target"):
        names = outcomes.names(level)
        assert len(set(names)) == len(names)
    drawn = [o for group in outcomes.panels().values() for o in group]
    assert all(outcomes.panels().values()) and all(o.legend and o.colour for o in drawn)
    assert outcomes.get("mean_trust").label == "trust between partners"
    assert outcomes.get("target_achievement").unit == outcomes.get("targets_met").unit


def test_every_written_column_is_declared(tmp_path):
    out = tmp_path / "r"
    assert main(["run", "default", "--months", "6", "--replications", "2", "--quiet",
                 "--out", str(out)]) == 0
    files = outcomes.file_columns()
    import pandas as pd

    for name in ("timeseries.parquet", "partners.parquet", "targets.parquet"):
        cols = list(pd.read_parquet(out / name).columns)
        assert cols == [c.name for c in files[name][1]], name
    summary = json.loads((out / "summary.json").read_text())
    declared = [c.name for c in files["summary.json"][1]]
    top = [c for c in declared if "[]" not in c]
    assert [k for k in summary if k not in ("partners", "weakest_links")] == top
    assert [c.split(".", 1)[1] for c in declared if c.startswith("partners[]")] == list(
        summary["partners"][0])
    assert [c.split(".", 1)[1] for c in declared if c.startswith("weakest_links[]")] == list(
        summary["weakest_links"][0])


@pytest.mark.parametrize("preset", sorted(list_presets()))
def test_recorded_values_lie_in_their_declared_ranges(preset):
    sc = load_scenario(preset).with_updates({"months": 30})
    model = PartnershipModel(sc, rng=3).run_months()
    checks = [(o, model.series()[o.name]) for o in outcomes.SERIES]
    p = model.partner_series()
    checks += [(o, p[:, j, :]) for j, o in enumerate(outcomes.PARTNER_SERIES)]
    checks += [(outcomes.TARGET_SERIES[0], model.progress_series())]
    for o, values in checks:
        v = np.asarray(values, dtype=float)
        v = v[np.isfinite(v)]
        low = -math.inf if o.low is None else o.low
        high = math.inf if o.high is None else o.high
        assert ((v >= low) & (v <= high)).all(), (o.level, o.name, v.min(), v.max())


def test_partner_tie_strength_is_a_sum_as_declared():
    model = PartnershipModel("default", rng=1).run_months(3)
    j = PARTNER_SERIES.index("tie_strength")
    assert model.partner_series()[-1, j] == pytest.approx(model.ties.sum(axis=1))


def test_sweep_metrics_and_series_are_the_registrys(tmp_path):
    from lspsim.errors import InputError
    from lspsim.sweep.experiment import Experiment

    base = {"name": "x", "description": "d", "parameters": {"trust.gain": {"range": [0.02,
                                                                             0.05]}},
            "design": {"kind": "lhs", "n": 2}}
    exp = Experiment(**base).resolve()
    assert exp.metric_names == list(outcomes.summary_names())
    with pytest.raises(InputError, match="target_achievement"):
        Experiment(**base, metrics=["targets_met"]).resolve()
    with pytest.raises(InputError, match="turnover_events"):
        Experiment(**base, series=["target_achievement"]).resolve()
    run_ = run("default", seed=1, months=3)
    assert list(run_.timeseries.columns[2:]) == list(outcomes.names("model"))


def test_outputs_command(capsys):
    assert main(["outputs", "--reference"]) == 0
    assert capsys.readouterr().out == (ROOT / "docs" / "outputs.md").read_text()
    assert main(["outputs"]) == 0
    listed = capsys.readouterr().out
    for name in (*outcomes.names("model"), *outcomes.names("partner"),
                 *outcomes.summary_names()):
        assert f"  {name} " in listed
