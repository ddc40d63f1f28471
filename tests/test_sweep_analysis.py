"""Analysis through the sweep code path: Ishigami Sobol' indices, Morris on a known function,
per-point means and CIs, figures, atomic output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sweep_evaluators as ev

from lspsim.cli import main
from lspsim.stats import mean_ci
from lspsim.sweep import analyse, experiment_from_dict, run_sweep

UNIT = {p: {"range": [0.0, 1.0]} for p in ev.ISHIGAMI_PATHS}


def test_ishigami_sobol_indices_within_tolerance(tmp_path):
    exp = experiment_from_dict({
        "name": "ishigami", "description": "known function", "seed": 3, "months": 1,
        "metrics": ["target_achievement"], "design": {"kind": "sobol", "n": 1024},
        "parameters": UNIT}, source="ishigami.toml")
    run_sweep(exp, tmp_path / "sw", workers=0, evaluator=ev.ishigami)
    a = analyse(tmp_path / "sw")
    s = a.sensitivity.set_index("parameter").loc[list(ev.ISHIGAMI_PATHS)]
    assert np.allclose(s["S1"], ev.ISHIGAMI_S1, atol=0.05), s
    assert np.allclose(s["ST"], ev.ISHIGAMI_ST, atol=0.05), s
    assert (s["S1_ci_low"] <= s["S1"]).all() and (s["ST_ci_high"] >= s["ST"]).all()
    csv = pd.read_csv(a.out / "sensitivity.csv")
    assert set(csv.columns) >= {"metric", "parameter", "S1", "S1_ci_low", "ST", "ST_ci_high"}
    for f in ("sensitivity_target_achievement.png", "interaction.png", "summary.md",
              "points.csv", "main_effects_target_achievement.png"):
        assert (a.out / f).stat().st_size > 0
    md = (a.out / "summary.md").read_text()
    assert "## Sensitivity" in md and "trust.loss" in md


def test_morris_ranks_a_known_linear_function(tmp_path):
    exp = experiment_from_dict({
        "name": "lin", "description": "known function", "seed": 4, "months": 1,
        "metrics": ["target_achievement"], "design": {"kind": "morris", "n": 8},
        "parameters": UNIT}, source="lin.toml")
    run_sweep(exp, tmp_path / "sw", workers=0, evaluator=ev.linear)
    s = analyse(tmp_path / "sw").sensitivity.set_index("parameter")
    # elementary effects per full unit range: 2.0, 0.2 and 0
    assert s.loc["trust.gain", "mu_star"] == pytest.approx(2.0)
    assert s.loc["trust.loss", "mu_star"] == pytest.approx(0.2)
    assert s.loc["trust.spread", "mu_star"] == pytest.approx(0.0)
    assert s["sigma"].max() == pytest.approx(0.0, abs=1e-9)


def test_grid_point_means_and_cis_match_mean_ci(tmp_path):
    exp = experiment_from_dict({
        "name": "g", "description": "grid", "seed": 2, "months": 6, "replications": 4,
        "metrics": ["mean_trust", "target_achievement"], "design": {"kind": "grid"},
        "parameters": {"leadership.chair_style": {"values": ["facilitative", "directive"]},
                       "trust.initial": {"values": [0.3, 0.6]}}}, source="g.toml")
    run_sweep(exp, tmp_path / "sw", workers=0)
    assert main(["analyse", str(tmp_path / "sw"), "-q"]) == 0
    points = pd.read_csv(tmp_path / "sw" / "analysis" / "points.csv")
    runs = pd.read_parquet(tmp_path / "sw" / "runs.parquet")
    assert len(points) == 4 and (points["runs_ok"] == 4).all()
    for p in range(4):
        ref = mean_ci(runs.loc[runs["point"] == p, "mean_trust"].to_numpy())
        row = points.iloc[p]
        assert row["mean_trust_mean"] == pytest.approx(ref["mean"])
        assert [row["mean_trust_ci_low"], row["mean_trust_ci_high"]] == pytest.approx(ref["ci95"])
    assert points["leadership.chair_style"].tolist() == ["facilitative"] * 2 + ["directive"] * 2
    assert not (tmp_path / "sw" / "analysis" / "sensitivity.csv").exists()
    assert (tmp_path / "sw" / "analysis" / "interaction.png").is_file()


def test_analysing_an_unfinished_sweep_is_an_input_error(tmp_path, capsys):
    assert main(["analyse", str(tmp_path)]) == 2
    assert "manifest.json" in capsys.readouterr().err
    (tmp_path / "manifest.json").write_text('{"status": "running"}')
    assert main(["analyse", str(tmp_path)]) == 2
    assert "--resume" in capsys.readouterr().err
    assert not (tmp_path / "analysis").exists()
