"""Running sweeps: worker-count and executor invariance, reproducible seeds, failure isolation,
resume after SIGKILL, a Dask LocalCluster."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sweep_evaluators as ev

from lspsim.cli import main
from lspsim.results import run_replication
from lspsim.sweep import experiment_from_dict, load_experiment, run_sweep

SMALL = {
    "name": "small", "description": "two levers, 12 months", "seed": 11, "months": 12,
    "replications": 3, "series": ["mean_trust", "targets_met"],
    "design": {"kind": "grid"},
    "parameters": {"leadership.chair_style": {"values": ["facilitative", "directive"]},
                   "network.initial_strength": {"range": [0.1, 0.5], "steps": 3}},
}


def small(**kw):
    return experiment_from_dict({**SMALL, **kw}, source="small.toml")


def frames(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_parquet(out / "runs.parquet"), pd.read_parquet(out / "series.parquet")


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "serial"
    res = run_sweep(small(), out, workers=0, batch_size=4)
    assert res.runs == 18 and res.failed == 0 and res.ran_now == 18
    return out


def test_dataset_shape_order_and_manifest(serial):
    runs, series = frames(serial)
    assert len(runs) == 18
    assert list(zip(runs["point"], runs["replication"], strict=True)) == [
        (p, r) for p in range(6) for r in range(3)]
    assert (runs["status"] == "ok").all() and runs["error"].isna().all()
    assert runs["leadership.chair_style"].tolist()[:3] == ["facilitative"] * 3
    assert len(series) == 18 * 13 and list(series.columns[:3]) == ["point", "replication", "month"]
    assert runs["seed"].nunique() == 18
    m = json.loads((serial / "manifest.json").read_text())
    assert m["status"] == "complete" and m["runs"] == 18 and m["failed_runs"] == 0
    assert m["versions"]["mesa"] and m["versions"]["python"] and len(m["experiment_hash"]) == 64
    assert m["versions"]["blas"]  # the kernel decides the last bits across machines
    assert not (serial / "runs").exists()  # parts consolidated and removed


def test_each_run_is_reproducible_with_run_replication(serial):
    runs, series = frames(serial)
    exp = small()
    row = runs.iloc[10]
    sc = exp.base.with_updates(exp.sample().updates(int(row["point"])))
    rep = run_replication(sc, int(row["seed"]), 0, 12)
    for m, v in rep.metrics.items():
        assert row[m] == v
    mine = series[(series["point"] == row["point"]) & (series["replication"] ==
                                                       row["replication"])]
    assert np.array_equal(mine["mean_trust"].to_numpy(), rep.series["mean_trust"])


def test_results_identical_whatever_the_worker_count(serial, tmp_path):
    base_runs, base_series = frames(serial)
    for workers, batch in ((1, 5), (2, 2)):
        out = tmp_path / f"w{workers}"
        run_sweep(small(), out, workers=workers, batch_size=batch)
        runs, series = frames(out)
        pd.testing.assert_frame_equal(runs, base_runs)
        pd.testing.assert_frame_equal(series, base_series)


def test_failed_runs_are_recorded_retried_and_do_not_stop_the_sweep(tmp_path, monkeypatch):
    flaky = tmp_path / "flaky"
    flaky.mkdir()
    monkeypatch.setenv("LSPSIM_TEST_FLAKY_DIR", str(flaky))
    exp = small(parameters={"leadership.chair_style": {
        "values": ["facilitative", "directive", "transactional"]},
        "network.initial_strength": {"range": [0.1, 0.5], "steps": 2}}, series=[],
        metrics=["target_achievement", "mean_trust"])
    res = run_sweep(exp, tmp_path / "out", workers=2, batch_size=2, evaluator=ev.fragile)
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    bad = (runs["leadership.chair_style"] == "directive") & (runs["network.initial_strength"] < 0.2)
    assert res.failed == int(bad.sum()) == 3
    assert (runs.loc[bad, "status"] == "error").all()
    assert runs.loc[bad, "error"].str.contains("ValueError: directive chair").all()
    assert (runs.loc[bad, "attempts"] == 2).all()
    assert runs.loc[bad, "target_achievement"].isna().all()
    ok = runs[~bad]
    assert (ok["status"] == "ok").all() and ok["target_achievement"].notna().all()
    trans = ok["leadership.chair_style"] == "transactional"
    assert (ok.loc[trans, "attempts"] == 2).all() and (ok.loc[~trans, "attempts"] == 1).all()
    assert len(list(flaky.iterdir())) == int(trans.sum())
    # the analysis still works and says what failed
    from lspsim.sweep import analyse

    a = analyse(tmp_path / "out")
    assert any("3 of 18 runs failed" in n for n in a.notes)
    assert a.points.loc[a.points["runs_failed"] > 0, "runs_ok"].eq(0).all()


def test_a_run_that_kills_its_worker_is_recorded_and_the_rest_complete(tmp_path):
    exp = small(parameters={"leadership.chair_style": {
        "values": ["facilitative", "laissez_faire", "directive"]},
        "network.initial_strength": {"range": [0.1, 0.5], "steps": 2}}, series=[],
        metrics=["target_achievement"], replications=2)
    res = run_sweep(exp, tmp_path / "out", workers=2, batch_size=2, evaluator=ev.crash)
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    bad = ((runs["leadership.chair_style"] == "laissez_faire")
           & (runs["network.initial_strength"] < 0.2))
    assert res.failed == int(bad.sum()) == 2  # one batch: both replications of one point
    assert runs.loc[bad, "error"].str.contains("worker failed").all()
    assert (runs.loc[~bad, "status"] == "ok").all()
    good = runs[~bad]
    assert (good["target_achievement"] == good["network.initial_strength"]).all()


def test_resume_after_sigkill_gives_the_uninterrupted_dataset(tmp_path):
    exp_file = tmp_path / "resume.toml"
    exp_file.write_text('''
name = "resume"
description = "resume test"
seed = 5
months = 6
replications = 6
series = ["mean_commitment"]
[design]
kind = "lhs"
n = 20
[parameters]
"trust.initial" = { range = [0.2, 0.7] }
"leadership.chair_style" = { values = ["facilitative", "directive"] }
''')
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "lspsim", "sweep", str(exp_file), "--out",
                             str(out), "--workers", "1", "--batch-size", "1", "-q"],
                            env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            parts = list((out / "runs").glob("part-*.parquet")) if (out / "runs").is_dir() else []
            if len(parts) >= 5 or proc.poll() is not None:
                break
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its worker process
    finally:
        proc.wait(timeout=30)
    assert not (out / "runs.parquet").exists(), "the sweep finished before it was killed"
    done = len(list((out / "runs").glob("part-*.parquet")))
    assert 5 <= done < 120
    # a different experiment may not resume it
    changed = tmp_path / "changed.toml"
    changed.write_text(exp_file.read_text().replace("seed = 5", "seed = 6"))
    assert main(["sweep", str(changed), "--out", str(out), "--resume", "-q"]) == 2
    # nor may a fresh start overwrite it
    assert main(["sweep", str(exp_file), "--out", str(out), "-q"]) == 2
    assert main(["sweep", str(exp_file), "--out", str(out), "--resume", "--workers", "2",
                 "-q"]) == 0
    whole = tmp_path / "whole"
    run_sweep(load_experiment(exp_file), whole, workers=0)
    runs, series = frames(out)
    pd.testing.assert_frame_equal(runs, frames(whole)[0])
    pd.testing.assert_frame_equal(series, frames(whole)[1])
    assert len(runs) == 120 and not runs.duplicated(["point", "replication"]).any()
    # resuming a complete sweep does nothing
    assert main(["sweep", str(exp_file), "--out", str(out), "--resume", "-q"]) == 0


def test_out_must_be_new_or_a_sweep_and_resume_of_nothing_starts(tmp_path, capsys):
    p = _write_small(tmp_path)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    assert main(["sweep", str(p), "--out", str(busy), "--workers", "0", "-q"]) == 2
    assert "new or empty folder" in capsys.readouterr().err
    assert (busy / "notes.txt").read_text() == "mine"
    assert main(["sweep", str(p), "--out", str(tmp_path / "new"), "--resume", "--workers", "0",
                 "-q"]) == 0
    assert len(pd.read_parquet(tmp_path / "new" / "runs.parquet")) == 18


def test_dask_local_cluster_gives_the_same_dataset(serial, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            run_sweep(small(), tmp_path / "api", executor=client.get_executor(pure=False),
                      batch_size=4)
        # the CLI's --scheduler path
        code = main(["sweep", str(_write_small(tmp_path)), "--out", str(tmp_path / "cli"),
                     "--scheduler", cluster.scheduler_address, "--batch-size", "3", "-q"])
        assert code == 0
    for out in ("api", "cli"):
        runs, series = frames(tmp_path / out)
        pd.testing.assert_frame_equal(runs, frames(serial)[0])
        pd.testing.assert_frame_equal(series, frames(serial)[1])


def _write_small(tmp_path: Path) -> Path:
    p = tmp_path / "small.toml"
    p.write_text('''
name = "small"
description = "two levers, 12 months"
seed = 11
months = 12
replications = 3
series = ["mean_trust", "targets_met"]
[design]
kind = "grid"
[parameters]
"leadership.chair_style" = { values = ["facilitative", "directive"] }
"network.initial_strength" = { range = [0.1, 0.5], steps = 3 }
''')
    return p


def test_missing_dask_or_unreachable_scheduler_is_an_input_error(tmp_path, capsys,
                                                                  monkeypatch):
    p = _write_small(tmp_path)
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    assert main(["sweep", str(p), "--out", str(tmp_path / "o"), "--scheduler",
                 "tcp://127.0.0.1:1", "-q"]) == 2
    assert "lspsim[dask]" in capsys.readouterr().err
