"""The ABC calibration end to end at tiny size: deterministic across worker counts, resumable
after an interruption, its outputs and its apply step; bad input exits 2 with one message."""

from __future__ import annotations

import functools
import json

import pandas as pd
import pytest

from lspsim.cli import main
from lspsim.scenario import load_scenario
from lspsim.sweep.experiment import load_experiment
from lspsim.validation import calibrate, lab

TINY = '''
name = "tiny-calibration"
description = "tiny: 6 draws x 2 groups = 12 runs"
scenario = "public_goods"
seed = 11
replications = 2
[design]
kind = "lhs"
n = 6
[parameters]
"commitment.conditional_share" = { range = [0.0, 1.0] }
"commitment.incentive_weight" = { range = [0.0, 50.0] }
"commitment.noise" = { range = [0.0, 0.5] }
'''


@pytest.fixture
def tiny(tmp_path):
    p = tmp_path / "tiny.toml"
    p.write_text(TINY)
    return p


def _draws(out):
    return pd.read_csv(out / "abc" / "draws.csv")


def test_tiny_calibration_is_the_same_on_any_worker_count(tiny, tmp_path):
    a = calibrate.run_calibration(tmp_path / "w0", tiny, workers=0, confirm_groups=8)
    calibrate.run_calibration(tmp_path / "w2", tiny, workers=2, confirm_groups=8)
    pd.testing.assert_frame_equal(_draws(tmp_path / "w0"), _draws(tmp_path / "w2"))
    c0 = pd.read_csv(tmp_path / "w0" / "abc" / "confirm.csv")
    pd.testing.assert_frame_equal(c0, pd.read_csv(tmp_path / "w2" / "abc" / "confirm.csv"))
    assert len(c0) == len(a.accepted()[1]) and (c0["groups"] == 8).all()
    # a confirmation is the lab statistics of that draw with more groups, recomputed here
    first = c0.iloc[0]
    upd = {p: float(a.draws.loc[a.draws["point"] == first["point"], p].iloc[0])
           for p in a.params}
    again = lab.summarise([lab.play(load_scenario(lab.GAME, upd), lab.LAB_SEED, k)
                           for k in range(8)])
    assert first["round1"] == pytest.approx(again["round1"])
    d = _draws(tmp_path / "w0")
    assert len(d) == 6 and (d["groups"] == 2).all()
    # each draw's statistics are the lab statistics of its own groups, recomputed here
    runs = pd.read_parquet(tmp_path / "w0" / "runs.parquet")
    g = runs[runs["point"] == 3]
    again = lab.summarise({k: g[k].to_numpy() for k in lab.GROUP_STATS})
    row = d[d["point"] == 3].iloc[0]
    for k in ("round1", "decay_ratio", "cc_slope", "free_rider_share"):
        assert row[k] == pytest.approx(again[k], nan_ok=True)
    # the flags follow the bands
    for p in lab.CALIBRATED:
        assert (d[f"ok_{p.id}"] == d[p.key].map(p.holds)).all()
    assert (d["all_bands"] == d[[f"ok_{p.id}" for p in lab.CALIBRATED]].all(axis=1)).all()
    post = json.loads((tmp_path / "w0" / "abc" / "posterior.json").read_text())
    assert post["draws"] == 6 and set(post["prior"]) == set(a.params)
    assert post["epsilon"]["accepted"] == len(a.nearest) >= 1
    for f in ("accepted.csv", "accepted.parquet", "shrinkage.csv", "calibration.md",
              "img/calibration-posterior.png"):
        assert (tmp_path / "w0" / "abc" / f).is_file(), f
    md = (tmp_path / "w0" / "abc" / "calibration.md").read_text()
    assert "## Calibration" in md and "`commitment.noise`" in md


def test_an_interrupted_calibration_resumes_to_the_same_result(tiny, tmp_path, monkeypatch):
    calibrate.run_calibration(tmp_path / "whole", tiny, workers=0, confirm_groups=0)
    calls = {"n": 0}
    real = lab.lab_game

    @functools.wraps(real)  # the same evaluator name: the sweep's hash matches on resume
    def interrupted(scenario, seed):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real(scenario, seed)

    monkeypatch.setattr(lab, "lab_game", interrupted)
    with pytest.raises(KeyboardInterrupt):
        calibrate.run_calibration(tmp_path / "cut", tiny, workers=0, confirm_groups=0)
    assert not (tmp_path / "cut" / "abc").exists()
    monkeypatch.setattr(lab, "lab_game", real)
    calibrate.run_calibration(tmp_path / "cut", tiny, workers=0, resume=True,
                              confirm_groups=0)
    pd.testing.assert_frame_equal(_draws(tmp_path / "whole"), _draws(tmp_path / "cut"))


def test_apply_prints_updates_and_writes_only_new_files(tmp_path, capsys):
    post = {"prior": {"commitment.noise": [0, 0.5], "commitment.conditional_share": [0, 1],
                      "trust.gain": [0, 1]},
            "exact": {"accepted": 0},
            "epsilon": {"accepted": 3, "commitment.noise": {"median": 0.12345, "q05": 0.1,
                                                             "q95": 0.2, "shrinkage": 0.5},
                        "commitment.conditional_share": {"median": 0.6, "q05": 0.5,
                                                         "q95": 0.7, "shrinkage": 0.3},
                        "trust.gain": {"median": 0.5, "q05": 0.05, "q95": 0.95,
                                       "shrinkage": 0.02}}}
    f = tmp_path / "posterior.json"
    f.write_text(json.dumps(post))
    assert calibrate.posterior_updates(post, "exact") == {}
    ups = calibrate.posterior_updates(post, "epsilon")
    # trust.gain is not constrained (shrinkage 0.02): its median is only the prior's middle
    assert ups == {"commitment.noise": 0.1235, "commitment.conditional_share": 0.6}
    assert calibrate.unconstrained(post, "epsilon") == ["trust.gain"]
    assert main(["calibrate", "--apply", str(f), "--rule", "epsilon"]) == 0
    out = capsys.readouterr().out
    assert "--set commitment.noise=0.1235" in out and "[commitment]" in out
    assert "not applied" in out and "trust.gain" in out and "[trust]" not in out
    target = tmp_path / "calibrated.toml"
    assert main(["calibrate", "--apply", str(f), "--rule", "epsilon", "--write",
                 str(target)]) == 0
    from lspsim.scenario import load_scenario

    assert load_scenario(target).commitment.noise == pytest.approx(0.1235)
    target.write_text("# mine\n")
    assert main(["calibrate", "--apply", str(f), "--rule", "epsilon", "--write",
                 str(target)]) == 2
    assert target.read_text() == "# mine\n"  # never overwritten without --force
    assert "exists" in capsys.readouterr().err


def test_the_shipped_experiment_is_a_valid_calibration():
    exp = calibrate.load()
    assert exp.metrics == list(lab.GROUP_STATS) and exp.design.kind == "lhs"
    assert "commitment.adjustment_rate" not in [f.name for f in exp.factors]
    assert load_experiment("calibration").metrics is None  # a plain experiment file


@pytest.mark.parametrize("body, field", [
    (TINY.replace('"public_goods"', '"default"'), "scenario"),
    (TINY.replace('kind = "lhs"', 'kind = "grid"').replace("n = 6\n", "").replace(
        "range = [0.0, 1.0] }", "range = [0.0, 1.0], steps = 2 }").replace(
        "range = [0.0, 50.0] }", "range = [0.0, 50.0], steps = 2 }").replace(
        "range = [0.0, 0.5] }", "range = [0.0, 0.5], steps = 2 }"), "design.kind"),
    (TINY.replace("replications = 2\n", 'replications = 2\nmetrics = ["mean_trust"]\n'),
     "metrics"),
    (TINY.replace("[0.0, 50.0]", "[0.0, 80.0]"), "commitment.incentive_weight"),
])
def test_bad_calibration_input_exits_2_with_one_message(tmp_path, capsys, body, field):
    f = tmp_path / "bad.toml"
    f.write_text(body)
    assert main(["calibrate", str(f), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lspsim: error:") and field in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_bad_flags_exit_2(tmp_path, capsys):
    assert main(["calibrate", "--quantile", "1.5", "--out", str(tmp_path / "o")]) == 2
    assert main(["calibrate", "--confirm-groups", "-1", "--out", str(tmp_path / "o")]) == 2
    assert main(["calibrate", "--apply", str(tmp_path / "none.json")]) == 2
    assert main(["calibrate", "--apply", str(tmp_path), "--rule", "median"]) == 2
    assert main(["calibrate", "--write", str(tmp_path / "x.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("lspsim: error:") == 5 and "Traceback" not in err


def test_all_but_and_ship(tiny, tmp_path):
    cal = calibrate.run_calibration(tmp_path / "o", tiny, workers=0, confirm_groups=2)
    d = cal.draws
    for p in lab.CALIBRATED:
        others = [f"ok_{q.id}" for q in lab.CALIBRATED if q.id != p.id]
        assert cal.all_but()[p.id] == int(d[others].all(axis=1).sum())
    written = calibrate.ship(tmp_path / "o" / "abc", tmp_path / "docs")
    assert (tmp_path / "docs" / "calibration" / "posterior.json").is_file()
    assert (tmp_path / "docs" / "img" / "calibration-posterior.png") in written
    with pytest.raises(calibrate.InputError, match="missing"):
        calibrate.ship(tmp_path / "nothing", tmp_path / "docs")


def test_relaxed_rule_drops_the_binding_pattern(tiny, tmp_path):
    cal = calibrate.run_calibration(tmp_path / "o", tiny, workers=0, confirm_groups=0)
    dropped, df = cal.relaxed
    but = cal.all_but()
    if len(cal.exact) or max(but.values()) == 0:
        assert dropped is None and len(df) == 0
    else:
        assert but[dropped] == max(but.values()) == len(df)
    post = json.loads((tmp_path / "o" / "abc" / "posterior.json").read_text())
    assert post["relaxed"]["accepted"] == len(df)
    assert post["accepted_file"] in calibrate.RULES
    # a constructed case: no draw meets everything, two meet all but L8
    d = cal.draws.copy()
    for p in lab.CALIBRATED:
        d[f"ok_{p.id}"] = True
    d["ok_L8"] = False
    d.loc[d.index[2:], "ok_L1"] = False
    d["all_bands"] = False
    cal.draws = d
    dropped, df = cal.relaxed
    assert dropped == "L8" and len(df) == 2
