"""Bad experiment files: exit 2 with one message naming the file and the field; nothing run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lspsim.cli import main

GOOD = '''
name = "bad"
description = "a test experiment"
months = 12
replications = 2
{top}
[design]
kind = "{kind}"
{design}
[parameters]
{params}
'''


def write(tmp_path: Path, params: str = '"trust.initial" = { values = [0.3, 0.5] }',
          kind: str = "grid", design: str = "", top: str = "") -> Path:
    p = tmp_path / "exp.toml"
    p.write_text(GOOD.format(params=params, kind=kind, design=design, top=top))
    return p


CASES = [
    # (what, file kwargs, expected field in the message, expected words)
    ("unknown path lists valid ones", {"params": '"trust.intial" = { range = [0.1, 0.5] }'},
     'parameters["trust.intial"]', ["trust.initial", "valid paths in trust"]),
    ("unknown section", {"params": '"trusty.initial" = { range = [0.1, 0.5] }'},
     'parameters["trusty.initial"]', ["valid sections", "network"]),
    ("range outside the schema", {"params": '"trust.initial" = { range = [0.2, 1.5] }',
                                  "kind": "lhs", "design": "n = 8"},
     'parameters["trust.initial"].range', ["[0, 1]"]),
    ("low >= high", {"params": '"trust.initial" = { range = [0.6, 0.2] }', "kind": "lhs",
                     "design": "n = 8"}, 'parameters["trust.initial"].range', ["low < high"]),
    ("empty values", {"params": '"trust.initial" = { values = [] }'},
     'parameters["trust.initial"].values', ["non-empty"]),
    ("no parameters", {"params": ""}, "parameters", ["empty design"]),
    ("unknown metric", {"top": 'metrics = ["happiness"]'}, "metrics[0]",
     ["target_achievement"]),
    ("unknown series", {"top": 'series = ["mood"]'}, "series[0]", ["mean_trust"]),
    ("grid range without steps", {"params": '"trust.initial" = { range = [0.2, 0.6] }'},
     'parameters["trust.initial"].steps', ["steps"]),
    ("sobol n not a power of 2", {"params": '"trust.initial" = { range = [0.2, 0.6] }\n'
                                  '"trust.gain" = { range = [0.01, 0.1] }', "kind": "sobol",
                                  "design": "n = 100"}, "design.n", ["power of 2", "128"]),
    ("sampling design without n", {"params": '"trust.initial" = { range = [0.2, 0.6] }',
                                   "kind": "lhs"}, "design.n", ["samples"]),
    ("unknown design kind", {"kind": "factorial"}, "design.kind", ["grid"]),
    ("unknown top-level field", {"top": "replicates = 3"}, "replicates", ["no such field"]),
    ("bad categorical value", {"params": '"leadership.chair_style" = { values = ["tyrant"] }'},
     'parameters["leadership.chair_style"].values[0]', ["facilitative"]),
    ("range on a non-numeric lever", {"params": '"leadership.chair_style" = { range = [0, 1] }',
                                      "kind": "lhs", "design": "n = 4"},
     'parameters["leadership.chair_style"]', ["values"]),
    ("negative seed", {"top": "seed = -1"}, "seed", ["greater than"]),
    ("invalid combination", {"params": '"structure.n_districts" = { values = [2] }'},
     'parameters["structure.n_districts"].values[0]', ["unitary", "bundle"]),
    ("unknown scenario", {"top": 'scenario = "atlantis"'}, "scenario", ["default"]),
]


@pytest.mark.parametrize(("what", "kw", "field", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_experiment_exits_2_naming_file_and_field(tmp_path, capsys, what, kw, field, words):
    path = write(tmp_path, **kw).replace(tmp_path / "exp.toml")
    out = tmp_path / "out"
    code = main(["sweep", str(path), "--out", str(out), "--workers", "0", "-q"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert str(path) in err and field in err, err
    for w in words:
        assert w in err, err
    assert len(err.strip().splitlines()) <= 2
    assert not out.exists()  # nothing half-written


def test_bad_toml_and_missing_file(tmp_path, capsys):
    p = tmp_path / "broken.toml"
    p.write_text("name = \n")
    assert main(["sweep", str(p), "--workers", "0"]) == 2
    assert "broken.toml" in capsys.readouterr().err
    assert main(["sweep", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml" in capsys.readouterr().err


def test_cli_error_has_no_traceback(tmp_path):
    path = write(tmp_path, params='"trust.intial" = { range = [0.1, 0.5] }')
    r = subprocess.run([sys.executable, "-m", "lspsim", "sweep", str(path), "--dry-run"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "trust.intial" in r.stderr
