"""Scenario discovery (`lspsim discover`) on a sweep with a known failure region."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import sweep_evaluators as ev

from lspsim.cli import main
from lspsim.errors import InputError
from lspsim.sweep import experiment_from_dict, run_sweep
from lspsim.sweep.discover import discover, parse_where, pick_box


@pytest.fixture(scope="module")
def stall_sweep(tmp_path_factory):
    exp = experiment_from_dict({
        "name": "stall", "description": "known failure region", "seed": 5, "replications": 1,
        "metrics": ["target_achievement", "mean_trust"],
        "design": {"kind": "lhs", "n": 600},
        "parameters": {
            "leadership.council_dominance": {"range": [0.0, 1.0]},
            "monitoring.common_data_standards": {"values": [True, False]},
            "trust.initial": {"range": [0.2, 0.7]},
            "layers.clarity": {"range": [0.3, 1.0]},
            "leadership.chair_style": {"values": ["facilitative", "directive"]},
        }})
    out = tmp_path_factory.mktemp("disc") / "sw"
    run_sweep(exp, out, workers=0, evaluator=ev.stall_rule)
    return out


def test_prim_finds_the_planted_failure_region(stall_sweep, tmp_path):
    d = discover(stall_sweep, "target_achievement < 0.1", label="the partnership stalls",
                 out=tmp_path / "d")
    runs = pd.read_parquet(stall_sweep / "runs.parquet")
    truth = ((runs["leadership.council_dominance"] > 0.6)
             & ~runs["monitoring.common_data_standards"])
    assert d.n_cases == int(truth.sum())
    b = d.boxes[0]
    levers = {r.lever: r for r in b.restrictions}
    assert set(levers) == {"leadership.council_dominance", "monitoring.common_data_standards"}
    dom = levers["leadership.council_dominance"]
    assert 0.55 <= dom.low <= 0.65 and dom.high == pytest.approx(dom.sampled_high)
    assert levers["monitoring.common_data_standards"].levels == [False]
    assert b.coverage >= 0.9 and b.density >= 0.9
    # the box's figures are those of the runs inside it
    inside = runs["leadership.council_dominance"].between(dom.low, dom.high) & \
        ~runs["monitoring.common_data_standards"]
    assert b.n_in == int(inside.sum())
    assert b.n_cases_in == int((inside & truth).sum())
    # plain English in the schema's words, with the figures
    s = d.statements[0]
    assert "how far the council dominates the board" in s
    assert "partners share common data quality standards" in s and "is false" in s
    assert f"{b.density:.0%} of such runs" in s and f"{b.coverage:.0%} of all" in s
    # CART's richest leaf and the feature scores point at the same two levers
    top = d.cart_rules.iloc[0]
    assert "leadership.council_dominance >" in top["rule"]
    assert "monitoring.common_data_standards is false" in top["rule"]
    assert top["density"] >= 0.9
    assert set(d.scores["lever"][:2]) == set(levers)
    for f in ("summary.md", "boxes.csv", "trajectory_box1.csv", "tradeoff_box1.png",
              "box_box1.png", "cart_rules.csv", "cart_tree.png", "feature_scores.csv",
              "feature_scores.png", "discovery.json"):
        assert (tmp_path / "d" / f).is_file(), f
    js = json.loads((tmp_path / "d" / "discovery.json").read_text())
    assert js["boxes"][0]["coverage"] == pytest.approx(b.coverage)


def test_picking_a_box_from_the_trajectory(stall_sweep):
    d0 = discover(stall_sweep, "target_achievement < 0.1", write=False, qp_max=None)
    tr = d0.boxes[0].trajectory
    assert tr["coverage"].is_monotonic_decreasing or tr["coverage"].iloc[0] == 1.0
    assert tr["density"].iloc[0] == pytest.approx(d0.n_cases / d0.n)
    d1 = discover(stall_sweep, "target_achievement < 0.1", write=False, box=1, qp_max=None)
    b = d1.boxes[0]
    assert b.index == 1
    assert b.coverage == pytest.approx(tr["coverage"][1])
    assert b.density == pytest.approx(tr["density"][1])
    with pytest.raises(InputError, match="step of the peeling trajectory"):
        discover(stall_sweep, "target_achievement < 0.1", write=False, box=len(tr))


def test_pick_box_rule():
    tr = pd.DataFrame({"coverage": [1.0, 0.9, 0.7, 0.45], "density": [0.2, 0.5, 0.8, 0.95]})
    assert pick_box(tr, 0.5) == 2
    assert pick_box(tr, 0.4) == 3
    assert pick_box(tr, 1.0) == 0


def test_where_parsing():
    m = ["target_achievement", "mean_trust"]
    assert parse_where("target_achievement < 0.3 and mean_trust >= .5 or mean_trust > 1e-1",
                       m) == [[("target_achievement", "<", 0.3), ("mean_trust", ">=", 0.5)],
                              [("mean_trust", ">", 0.1)]]
    for bad in ("", "target_achievement = 0.3", "trust < 0.3", "target_achievement < x"):
        with pytest.raises(InputError):
            parse_where(bad, m)


def test_cli_discover_and_bad_input(stall_sweep, tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["discover", str(stall_sweep), "--where", "target_achievement < 0.1",
                 "--label", "stalls", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Box 1: stalls (target_achievement < 0.1) when" in text
    assert (out / "summary.md").is_file()
    for args in (["--where", "target_achievment < 0.1"], ["--where", "target_achievement < 5"],
                 ["--where", "target_achievement < 0.1", "--min-coverage", "0"]):
        assert main(["discover", str(stall_sweep), "--out", str(tmp_path / "bad"), *args]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and "expected" in err
        assert not (tmp_path / "bad").exists()


def test_cases_per_design_point(stall_sweep):
    d = discover(stall_sweep, "target_achievement < 0.1", per="point", write=False)
    assert d.unit.startswith("design points") and d.n == 600
    with pytest.raises(InputError, match="run or point"):
        discover(stall_sweep, "target_achievement < 0.1", per="replication", write=False)
