"""The Morris ranking report (lspsim.sweep.ranking) on a constructed design with a known answer:
order, ratios, noise floor, evidence status, the dominance flag, and its place in `analyse`."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import sweep_evaluators as ev

from lspsim.cli import main
from lspsim.sweep import experiment_from_dict, run_sweep
from lspsim.sweep.analysis import morris_noise_floor
from lspsim.sweep.ranking import COLUMNS, dominance, dominance_lines, morris_ranking

UNIT = {p: {"range": [0.0, 1.0]} for p in ev.ISHIGAMI_PATHS}


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    """A 16-trajectory Morris design over three levers, 4 replications with noise sd 0.05:
    target_achievement = 2.0 gain + 0.2 loss (+ noise), mean_trust = gain + spread (+ noise)."""
    tmp = tmp_path_factory.mktemp("morris")
    exp = experiment_from_dict({
        "name": "noisy", "description": "known ranking", "seed": 5, "months": 1,
        "replications": 4, "metrics": ["target_achievement", "mean_trust"],
        "design": {"kind": "morris", "n": 16}, "parameters": UNIT}, source="noisy.toml")
    run_sweep(exp, tmp / "sw", workers=0, evaluator=ev.noisy_linear)
    return tmp / "sw"


def test_analyse_prints_the_dominance_check(analysed, capsys):
    assert main(["analyse", str(analysed), "--out", str(analysed.parent / "printed")]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "morris_ranking.csv" in out
    assert "FLAG target_achievement: `trust.gain` (sourced) has mu* 2.0" in out
    assert "mean_trust: no lever dominates" in out


def test_ranking_orders_levers_and_flags_the_dominant_one(analysed):
    assert main(["analyse", str(analysed), "-q"]) == 0
    analysed = analysed / "analysis"
    r = pd.read_csv(analysed / "morris_ranking.csv")
    assert list(r.columns) == COLUMNS
    ta = r[r["metric"] == "target_achievement"].set_index("parameter")
    assert list(ta.sort_values("rank").index) == ["trust.gain", "trust.loss", "trust.spread"]
    # elementary effects per full range: 2.0 and 0.2, blurred by the noise only
    assert ta.loc["trust.gain", "mu_star"] == pytest.approx(2.0, abs=0.05)
    assert ta.loc["trust.loss", "mu_star"] == pytest.approx(0.2, abs=0.05)
    assert ta.loc["trust.gain", "ratio_to_next"] == pytest.approx(
        ta.loc["trust.gain", "mu_star"] / ta.loc["trust.loss", "mu_star"])
    assert math.isnan(ta.loc["trust.spread", "ratio_to_next"])  # the last has no next
    # the floor is what noise sd 0.05 over 4 replications gives at 4 levels (delta 2/3)
    floor = morris_noise_floor(0.05**2 / 4, 4)
    assert ta["noise_floor"].iloc[0] == pytest.approx(floor, rel=0.35)
    assert ta.loc["trust.gain", "clear_of_noise"] and ta.loc["trust.loss", "clear_of_noise"]
    assert not ta.loc["trust.spread", "clear_of_noise"]  # no effect: inside the noise
    # the schema's evidence status of each lever
    assert ta.loc["trust.gain", "evidence"] == "sourced" and "[S93]" in ta.loc["trust.gain",
                                                                             "source"]
    assert ta.loc["trust.spread", "evidence"] == "assumed"

    mt = r[r["metric"] == "mean_trust"].sort_values("rank")
    assert set(mt["parameter"].iloc[:2]) == {"trust.gain", "trust.spread"}
    assert mt["ratio_to_next"].iloc[0] < 2  # two equal levers: nothing dominates

    summary = json.loads((analysed / "analysis.json").read_text())["morris_dominance"]
    assert [(d["metric"], d["top"], d["next"], d["by_ci"]) for d in summary] == [
        ("target_achievement", "trust.gain", "trust.loss", True)]
    md = (analysed / "summary.md").read_text()
    assert "## Morris ranking" in md
    assert "- FLAG target_achievement: `trust.gain` (sourced)" in md
    assert "- mean_trust: no lever dominates" in md


def _sens(mu: list[float], half: float = 0.02) -> pd.DataFrame:
    return pd.DataFrame({"metric": "m", "parameter": [f"trust.{p}" for p in
                                                      ("gain", "loss", "spread")][:len(mu)],
                         "mu_star": mu, "mu_star_ci_low": np.subtract(mu, half),
                         "mu_star_ci_high": np.add(mu, half), "sigma": 0.0})


@pytest.mark.parametrize(("mu", "flagged", "by_ci"), [
    ([0.5, 0.3, 0.1], False, False),     # 1.67 times the next: no flag
    ([0.6, 0.3, 0.1], False, False),     # exactly twice: not more than twice
    ([0.63, 0.30, 0.1], True, False),    # 2.1 times, but 0.61 < 2 x 0.32: the CIs overlap
    ([0.9, 0.3, 0.1], True, True),       # 3 times; 0.88 > 2 x 0.32
    ([0.2, 0.0, 0.0], True, True),       # the only lever with any effect
])
def test_dominance_is_more_than_twice_the_next(mu, flagged, by_ci):
    ranking = morris_ranking(_sens(mu), {"m": 0.05})
    found = dominance(ranking)
    assert bool(found) == flagged
    if flagged:
        assert found[0]["by_ci"] == by_ci and found[0]["top"] == "trust.gain"
    line = dominance_lines(ranking)[0]
    assert line.startswith("FLAG m:" if flagged else "m: no lever dominates")
    json.dumps(found, allow_nan=False)  # goes into analysis.json as it is


def test_bundles_and_choices_get_the_evidence_of_what_they_set():
    sens = _sens([0.4, 0.1]).assign(parameter=["pair", "leadership.chair_style"])
    r = morris_ranking(sens, None, {"pair": ["trust.gain", "trust.spread"]}).set_index(
        "parameter")
    assert r.loc["pair", "evidence"] == "mixed"
    assert r.loc["leadership.chair_style", "evidence"] == ""
    assert np.isnan(r["noise_floor"]).all() and not r["clear_of_noise"].any()
