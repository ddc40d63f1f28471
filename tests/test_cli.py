"""The lspsim command: outputs, messages and exit codes."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from lspsim import __version__
from lspsim.cli import main


def test_run_writes_the_report(tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["run", "default", "--replications", "3", "--months", "12", "--seed", "4",
                 "--out", str(out)]) == 0
    for f in ("timeseries.parquet", "partners.parquet", "summary.json", "scenario.toml",
              "dynamics.png", "targets.png", "network.png", "stakes.png"):
        assert (out / f).stat().st_size > 0, f
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert len(ts) == 3 * 13 and set(ts["replication"]) == {0, 1, 2}
    parts = pd.read_parquet(out / "partners.parquet")
    assert len(parts) == 3 * 13 * 10
    s = json.loads((out / "summary.json").read_text())
    assert s["replications"] == 3 and len(s["target_achievement"]["ci95"]) == 2
    assert "targets met" in capsys.readouterr().out


def test_scenario_toml_reruns_exactly(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", "two_tier_county", "--seed", "9", "--months", "12", "-q",
                 "--set", "leadership.chair_style=directive", "--out", str(a)]) == 0
    assert main(["run", str(a / "scenario.toml"), "-q", "--out", str(b)]) == 0
    ts_a, ts_b = (pd.read_parquet(d / "timeseries.parquet") for d in (a, b))
    assert ts_a.equals(ts_b)
    assert json.loads((a / "summary.json").read_text()) == json.loads(
        (b / "summary.json").read_text())


@pytest.mark.parametrize("args, needle", [
    (["run", "default", "--set", "trust.gain=nan"], "trust.gain"),
    (["run", "default", "--set", "trust.gian=0.1"], "trust.gian"),
    (["run", "default", "--set", "layers.clarity=3"], "layers.clarity"),
    (["run", "no_such_preset"], "preset name"),
    (["run", "missing/file.toml"], "missing/file.toml"),
    (["run", "default", "--replications", "0"], "replications"),
    (["validate", "default", "--set", "leadership.chair_style=bossy"], "chair_style"),
])
def test_bad_input_exits_2_with_one_message_and_writes_nothing(tmp_path, capsys, args, needle):
    out = tmp_path / "never"
    full = args + (["--out", str(out)] if args[0] == "run" else [])
    assert main(full) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err and len(err.strip().splitlines()) <= 2
    assert not out.exists()
    assert not any(tmp_path.iterdir())


def test_bad_file_names_file_and_field(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[network]\nturnover = 1.5\n")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "network.turnover" in err and "1.5" in err


def test_failed_rerun_leaves_previous_output_intact(tmp_path):
    out = tmp_path / "rep"
    assert main(["run", "default", "--months", "6", "-q", "--out", str(out)]) == 0
    before = (out / "summary.json").read_text()
    assert main(["run", "default", "--set", "months=0", "--out", str(out)]) == 2
    assert (out / "summary.json").read_text() == before


def test_version_scenarios_and_list(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and __version__ in capsys.readouterr().out
    assert main(["scenarios"]) == 0
    assert "two_tier_county" in capsys.readouterr().out
    assert main(["validate", "--list"]) == 0
    assert "leadership.council_dominance" in capsys.readouterr().out


def test_console_entry_point_runs_as_a_module(tmp_path):
    p = subprocess.run([sys.executable, "-m", "lspsim", "run", "default", "--set",
                        "resources.pooled_share=-1", "--out", str(tmp_path / "x")],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "resources.pooled_share" in p.stderr
    assert "Traceback" not in p.stderr


def test_output_piped_into_a_reader_that_closes_early_stops_quietly():
    """`lspsim scenarios | head` must not print a BrokenPipeError traceback: here stdout is a
    pipe whose reading end is already closed, so the first write fails."""
    import os
    import subprocess
    import sys

    r, w = os.pipe()
    os.close(r)
    try:
        out = subprocess.run([sys.executable, "-m", "lspsim", "scenarios"], stdout=w,
                             stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(w)
    assert "Traceback" not in out.stderr and "BrokenPipe" not in out.stderr, out.stderr
    assert out.returncode == 1
