"""Adaptive replication: rounds until each point's CI is narrow; the same data for any worker
count, and after an interruption."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import sweep_evaluators as ev

from lspsim.errors import InputError
from lspsim.sweep import experiment_from_dict, run_sweep
from lspsim.sweep.adaptive import half_widths

EXP = {
    "name": "adapt", "description": "adaptive", "seed": 8, "months": 1, "replications": 3,
    "metrics": ["target_achievement", "mean_trust"], "design": {"kind": "grid"},
    "parameters": {"trust.gain": {"values": [0.0, 0.05, 0.2, 0.6]}},
    "adaptive": {"metrics": ["target_achievement"], "half_width": 0.05, "round_size": 4,
                 "max_replications": 40},
}


def _frame(path):
    return pd.read_parquet(path / "runs.parquet")


def test_adaptive_replicates_until_precise_or_capped(tmp_path):
    res = run_sweep(experiment_from_dict(EXP), tmp_path / "a", workers=0,
                    evaluator=ev.noisy_by_point, batch_size=3)
    runs = _frame(tmp_path / "a")
    n = runs.groupby("point").size()
    hw = half_widths(runs, ["target_achievement"])["target_achievement"]
    for p in range(4):
        # a point stops as soon as it is precise, or at the cap
        assert hw[p] <= 0.05 or n[p] == 40
        if n[p] > 3:  # it was not precise one round earlier
            before = runs[(runs["point"] == p) & (runs["replication"] < n[p] - 4)]
            assert half_widths(before, ["target_achievement"])["target_achievement"][p] > 0.05
    assert n[0] == 3  # no noise: precise after the first round
    assert n[3] > n[2] > n[1] >= 3  # noisier points need more
    # sorted, unique (point, replication), replications 0..n-1
    assert runs[["point", "replication"]].equals(
        runs[["point", "replication"]].sort_values(["point", "replication"]).reset_index(
            drop=True))
    assert all(sorted(g["replication"]) == list(range(len(g))) for _, g in runs.groupby("point"))
    man = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert man["status"] == "complete" and man["runs"] == len(runs) == res.runs
    assert sum(r["runs"] for r in man["adaptive"]["rounds"]) == len(runs)


def test_adaptive_data_identical_for_any_worker_count(tmp_path):
    exp = experiment_from_dict(EXP)
    run_sweep(exp, tmp_path / "w0", workers=0, evaluator=ev.noisy_by_point, batch_size=3)
    run_sweep(exp, tmp_path / "w2", workers=2, evaluator=ev.noisy_by_point, batch_size=3)
    a, b = _frame(tmp_path / "w0"), _frame(tmp_path / "w2")
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("how", ["raised", "ctrl_c_in_a_finaliser"])
def test_resume_after_an_interrupted_round(tmp_path, monkeypatch, how):
    """Stop the sweep in its second round, by a KeyboardInterrupt raised there or by a Ctrl-C
    that lands while an object is finalised (Python's own handler swallowed that one, and the
    sweep ran to its end); resuming gives the uninterrupted result."""
    import lspsim.sweep.adaptive as ad

    exp = experiment_from_dict(EXP)
    run_sweep(exp, tmp_path / "ref", workers=0, evaluator=ev.noisy_by_point, batch_size=3)
    calls = {"n": 0}
    real = ad.next_round

    def interrupted_in_round_two(*args, **kwargs):
        calls["n"] += 1
        if how == "raised" and calls["n"] == 2:
            raise KeyboardInterrupt
        if how == "ctrl_c_in_a_finaliser" and calls["n"] == 1:
            ev.CtrlCWhenFinalised()  # finalised at once; the sweep sees it in round two
        return real(*args, **kwargs)

    monkeypatch.setattr(ad, "next_round", interrupted_in_round_two)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(exp, tmp_path / "cut", workers=0, evaluator=ev.noisy_by_point, batch_size=3)
    assert calls["n"] == (2 if how == "raised" else 1)  # stopped in round two, not at the end
    assert json.loads((tmp_path / "cut" / "manifest.json").read_text())["status"] == "running"
    monkeypatch.setattr(ad, "next_round", real)
    with pytest.raises(InputError, match="--resume"):
        run_sweep(exp, tmp_path / "cut", workers=0, evaluator=ev.noisy_by_point)
    run_sweep(exp, tmp_path / "cut", workers=0, evaluator=ev.noisy_by_point, resume=True)
    pd.testing.assert_frame_equal(_frame(tmp_path / "ref"), _frame(tmp_path / "cut"))


@pytest.mark.parametrize(("change", "field"), [
    ({"metrics": ["monitoring_maturity"]}, "adaptive.metrics[0]"),
    ({"half_width": {"mean_trust": 0.1}}, "adaptive.half_width"),
    ({"half_width": -1.0}, "adaptive.half_width.target_achievement"),
    ({"max_replications": 2}, "adaptive.max_replications"),
])
def test_bad_adaptive_section_is_a_located_input_error(change, field):
    data = json.loads(json.dumps(EXP))
    data["adaptive"].update(change)
    with pytest.raises(InputError) as e:
        experiment_from_dict(data, source="x.toml")
    assert e.value.field == field
    one = json.loads(json.dumps(EXP))
    one["replications"] = 1
    with pytest.raises(InputError, match="at least 2"):
        experiment_from_dict(one, source="x.toml")



def test_adaptive_on_dask_gives_the_same_data(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    exp = experiment_from_dict(EXP)
    run_sweep(exp, tmp_path / "serial", workers=0, evaluator=ev.noisy_by_point, batch_size=3)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        run_sweep(exp, tmp_path / "dask", scheduler=cluster.scheduler_address,
                  evaluator=ev.noisy_by_point, batch_size=3)
    pd.testing.assert_frame_equal(_frame(tmp_path / "serial"), _frame(tmp_path / "dask"))
