"""Nothing lost, ever: every way of naming an output, every bad input and every environment
failure gives one message and its exit code (2 bad input, 3 environment), no traceback, and
leaves the user's files as they were. The case lists are the tally the issue asks for."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from lspsim import io
from lspsim.cli import main

RUN = ["run", "default", "--months", "2", "-q"]


def user_files(root: Path) -> dict[str, bytes]:
    """Every file under root with its content (what must survive a refused command)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink()}


@pytest.fixture()
def home(tmp_path, monkeypatch):
    """A working folder with a user's thesis, a file and a link, and the cwd set to it."""
    work = tmp_path / "work"
    (work / "thesis").mkdir(parents=True)
    (work / "thesis" / "chapter1.md").write_text("years of work")
    (work / "afile").write_text("a file")
    (work / "victimdir").mkdir()
    (work / "victimdir" / "data.csv").write_text("1,2,3")
    (work / "link").symlink_to(work / "thesis")
    (work / "sub").mkdir()
    monkeypatch.chdir(work / "sub")
    return work


# --out values that must be refused with exit 2, changing nothing (relative to work/sub)
BAD_OUT = {
    "existing folder of user files": "../thesis",
    "existing folder of user files, with --force": "../thesis --force",
    "a regular file": "../afile",
    "the current folder": ".",
    "the parent folder": "..",
    "an empty path": "",
    "a symbolic link to a folder": "../link",
    "a path through a file": "../afile/report",
    "a control character": "rep\x1bort",
    "the filesystem root": "/",
    "an impossible place (/proc)": "/proc/lspsim-report",
}
COMMANDS = {
    "run": RUN,
    "appraise": ["appraise", "default", "--samples", "5", "--replications", "1", "--months",
                 "2", "-q"],
}
CASES: list[str] = []  # the tally: every bad input and fault this file covers
CASES += [f"{c}: --out {k}" for c in COMMANDS for k in BAD_OUT]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("out", BAD_OUT.values(), ids=BAD_OUT.keys())
def test_an_output_path_that_would_lose_something_is_refused(home, capsys, command, out):
    before = user_files(home)
    extra = out.split(" ")[1:]
    code = main(COMMANDS[command] + ["--out", out.split(" ")[0], *extra])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("lspsim: error: ") and "Traceback" not in err
    assert user_files(home) == before
    assert sorted(p.name for p in (home / "sub").iterdir()) == []  # nothing half-written
    assert not list(home.glob(".*lspsim-tmp*"))


def test_a_report_is_replaced_only_with_force_and_only_by_its_own_kind(home, capsys):
    assert main(RUN + ["--out", "r"]) == 0
    first = (home / "sub" / "r" / "summary.json").read_text()
    assert json.loads((home / "sub" / "r" / io.MARKER).read_text())["kind"] == "run"
    assert main(RUN + ["--out", "r"]) == 2  # a rerun does not silently replace it
    assert "--force" in capsys.readouterr().err
    assert main(RUN + ["--out", "r", "--seed", "5", "--force"]) == 0
    assert (home / "sub" / "r" / "summary.json").read_text() != first
    # an appraisal never replaces a run report, even with --force
    assert main(COMMANDS["appraise"] + ["--out", "r", "--force"]) == 2
    assert "lspsim run output" in capsys.readouterr().err
    assert sorted(p.name for p in (home / "sub").iterdir()) == ["r"]
    CASES.extend(["a run report rerun without --force", "an appraisal onto a run report"])


BAD_NAMES = ["../../victimdir", "x/../../../victim2", "a/b", "..", ".", "", " lead",
             "red\x1b[31m", "tab\there", "x" * 65, "/abs", "-dash-first"]
CASES += [f"scenario name {n!r}" for n in BAD_NAMES]


@pytest.mark.parametrize("name", BAD_NAMES)
@pytest.mark.parametrize("command", ["run", "appraise"])
def test_a_scenario_name_is_an_identifier_never_a_path(home, capsys, name, command):
    f = home / "sub" / "evil.toml"
    f.write_text(f"name = {json.dumps(name)}\n")
    before = user_files(home)
    argv = [command, str(f), "--months", "2", "-q"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "name" in err and "identifier" in err and "\x1b" not in err.split("expected")[1]
    assert user_files(home) == before and not (home / "out").exists()


BAD_FILES = {
    "binary data": b"\x00\xff\xfe\x80 not text",
    "nested 3,000 deep": b"x = " + b"[" * 3000 + b"]" * 3000 + b"\n",
    "true as a number": b"[trust]\ngain = true\n",
    "false as an integer": b"[structure]\nn_voluntary = false\n",
    "every budget 0": b"".join(f"[kinds.{k}]\nbudget = 0\n".encode() for k in (
        "unitary_council", "police", "health", "fire_rescue", "voluntary_community",
        "business", "jobcentre_plus", "probation", "housing", "county_council",
        "district_council")),
    "more partners than the bound": b"[structure]\nn_voluntary = 600\nn_business = 600\n",
    "a misspelt field": b"[trust]\ngian = 0.1\n",
}
CASES += [f"scenario file: {k}" for k in BAD_FILES]


@pytest.mark.parametrize("content", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_scenario_file_is_one_message_and_exit_2(home, capsys, content):
    f = home / "sub" / "bad.toml"
    f.write_bytes(content)
    for argv in (["validate", str(f)], ["run", str(f), "--months", "2", "-q"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("lspsim: error: ") and err.count("\n") <= 2, err
    assert not (home / "sub" / "out").exists()


def test_messages_suggest_the_close_spelling(capsys):
    assert main(["validate", "defualt"]) == 2
    assert "did you mean default" in capsys.readouterr().err
    assert main(["run", "default", "--set", "trust.gian=0.2", "-q"]) == 2
    assert "did you mean trust.gain" in capsys.readouterr().err
    CASES.extend(["a misspelt preset", "a misspelt --set path"])


def test_zero_budgets_with_one_paying_kind_still_run():
    from lspsim.results import run
    from lspsim.scenario import load_scenario

    sc = load_scenario("default", {f"kinds.{k}.budget": 0.0 for k in (
        "police", "health", "fire_rescue", "voluntary_community", "business")})
    assert run(sc, months=2).summary["months"] == 2


BOUNDS = {
    "run --replications 10^9": ["run", "default", "--replications", "1000000000"],
    "appraise 10^6 samples x 10^4 replications": [
        "appraise", "default", "--samples", "1000000", "--replications", "10000"],
}
CASES += list(BOUNDS)


@pytest.mark.parametrize("argv", BOUNDS.values(), ids=BOUNDS.keys())
def test_sizes_beyond_the_machine_are_refused_before_any_work(home, capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "at most" in err or "from 1 to" in err
    assert not (home / "sub" / "out").exists()


def _experiment(path: Path, design: str, params: str, reps: int = 1) -> Path:
    path.write_text(f'name = "big"\ndescription = "d"\nreplications = {reps}\nmonths = 2\n'
                    f"[design]\n{design}\n[parameters]\n{params}\n")
    return path


SWEEP_BOUNDS = {
    "LHS with n = 10 million": ('kind = "lhs"\nn = 10000000',
                                '"trust.gain" = { range = [0.1, 0.5] }', 1),
    "a 1000 x 1000 grid": ('kind = "grid"', '"trust.gain" = { range = [0.1, 0.5], steps = '
                           '1000 }\n"trust.loss" = { range = [0.1, 0.5], steps = 1000 }', 1),
    "runs beyond the bound": ('kind = "grid"', '"trust.gain" = { range = [0.1, 0.5], steps '
                              '= 1000 }', 100_000),
}
CASES += [f"sweep: {k}" for k in SWEEP_BOUNDS] + ["sweep --workers 1000"]


@pytest.mark.parametrize("spec", SWEEP_BOUNDS.values(), ids=SWEEP_BOUNDS.keys())
def test_sweep_sizes_are_refused_before_the_design_is_built(home, capsys, spec):
    f = _experiment(home / "sub" / "big.toml", *spec)
    for extra in (["--dry-run"], ["--workers", "0", "-q"]):
        assert main(["sweep", str(f), *extra]) == 2
        assert "at most" in capsys.readouterr().err
    assert not (home / "sub" / "out").exists()


def test_a_dry_run_sizes_a_large_design_without_building_it(home, capsys, monkeypatch):
    from lspsim.sweep import designs

    monkeypatch.setattr(designs, "generate_design", lambda exp: pytest.fail("built"))
    f = _experiment(home / "sub" / "g.toml", 'kind = "grid"', '"trust.gain" = { range = '
                    '[0.1, 0.5], steps = 400 }\n"trust.loss" = { range = [0.1, 0.5], steps = '
                    '400 }', 3)
    assert main(["sweep", str(f), "--dry-run"]) == 0
    assert "160000 points x 3 replications = 480000 runs" in capsys.readouterr().out


def test_too_many_workers_and_a_bad_scheduler_leave_no_folder(home, capsys):
    f = _experiment(home / "sub" / "s.toml", 'kind = "grid"',
                    '"trust.gain" = { range = [0.1, 0.5], steps = 2 }')
    assert main(["sweep", str(f), "--workers", "1000", "--out", "w", "-q"]) == 2
    assert "twice this machine's CPUs" in capsys.readouterr().err
    assert main(["sweep", str(f), "--scheduler", "tcp://127.0.0.1:9", "--out", "d", "-q"]) == 2
    assert "Dask scheduler" in capsys.readouterr().err
    assert sorted(p.name for p in (home / "sub").iterdir()) == ["s.toml"]
    CASES.append("sweep --scheduler unreachable")


# -- analyse on broken sweep folders ----------------------------------------------------------

@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    from lspsim.sweep import experiment_from_dict, run_sweep

    out = tmp_path_factory.mktemp("sw") / "sweep"
    run_sweep(experiment_from_dict({
        "name": "tiny", "description": "d", "months": 2, "replications": 2,
        "metrics": ["target_achievement"], "design": {"kind": "grid"},
        "parameters": {"trust.gain": {"range": [0.1, 0.5], "steps": 2}}}), out, workers=0)
    return out


BREAKS = {
    "manifest is a list": lambda d: (d / "manifest.json").write_text("[1, 2]"),
    "manifest is not JSON": lambda d: (d / "manifest.json").write_text("{oops"),
    "manifest is binary": lambda d: (d / "manifest.json").write_bytes(b"\xff\xfe\x00"),
    "manifest lacks design": lambda d: _edit(d, lambda m: m.pop("design")),
    "manifest lacks metrics": lambda d: _edit(d, lambda m: m.pop("metrics")),
    "factors are not a list": lambda d: _edit(d, lambda m: m["design"].update(factors=3)),
    "runs.parquet is corrupt": lambda d: (d / "runs.parquet").write_bytes(b"PAR1garbage"),
    "design.parquet is missing": lambda d: (d / "design.parquet").unlink(),
    "no manifest at all": lambda d: (d / "manifest.json").unlink(),
    "the sweep is unfinished": lambda d: _edit(d, lambda m: m.update(status="running")),
}
CASES += [f"analyse: {k}" for k in BREAKS]


def _edit(d: Path, change) -> None:
    m = json.loads((d / "manifest.json").read_text())
    change(m)
    (d / "manifest.json").write_text(json.dumps(m))


@pytest.mark.parametrize("breaker", BREAKS.values(), ids=BREAKS.keys())
def test_analyse_on_a_broken_sweep_folder_is_one_message(tmp_path, sweep_dir, capsys,
                                                         breaker):
    import shutil

    d = tmp_path / "copy"
    shutil.copytree(sweep_dir, d)
    breaker(d)
    assert main(["analyse", str(d), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lspsim: error: ") and "Traceback" not in err
    assert not (d / "analysis").exists()


def test_analyse_replaces_its_own_analysis_only_with_force(tmp_path, sweep_dir):
    import shutil

    d = tmp_path / "copy"
    shutil.copytree(sweep_dir, d)
    assert main(["analyse", str(d), "-q"]) == 0
    assert main(["analyse", str(d), "-q"]) == 2
    assert main(["analyse", str(d), "-q", "--force"]) == 0
    assert main(["analyse", str(d), "--out", str(d), "-q", "--force"]) == 2  # the sweep itself
    assert (d / "runs.parquet").is_file()
    CASES.extend(["analyse rerun without --force", "analyse --out onto its own sweep"])


# -- the environment failing --------------------------------------------------------------------

def test_a_full_disk_is_exit_3_and_leaves_the_old_report(home, capsys, monkeypatch):
    from lspsim import report

    assert main(RUN + ["--out", "r"]) == 0
    before = user_files(home)

    def full(*a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(report, "_figures", full)
    for out in (["--out", "r", "--force"], ["--out", "new"]):
        assert main(RUN + out) == 3
        err = capsys.readouterr().err
        assert "No space left on device" in err and "Traceback" not in err
    assert user_files(home) == before
    assert sorted(p.name for p in (home / "sub").iterdir()) == ["r"]
    CASES.extend(["disk full writing a new report", "disk full replacing a report"])


def test_leftovers_of_an_interrupted_write_are_cleaned_or_the_swap_undone(home):
    sub = home / "sub"
    assert main(RUN + ["--out", "r"]) == 0
    # killed while writing a new version: the hidden temporary folder stays behind
    tmp = sub / ".r.lspsim-tmp-abcd1234"
    tmp.mkdir()
    (tmp / io.MARKER).write_text(json.dumps({"kind": "run"}))
    mine = sub / ".r.notes"  # a hidden folder of the user's with a similar name is kept
    mine.mkdir()
    assert main(RUN + ["--out", "r", "--force"]) == 0
    assert not tmp.exists() and mine.exists()
    # killed between the swap's two renames: the previous report comes back
    os.replace(sub / "r", sub / ".r.lspsim-old")
    assert main(RUN + ["--out", "r"]) == 2  # it is there again, so --force is needed
    assert (sub / "r" / "summary.json").is_file() and not (sub / ".r.lspsim-old").exists()
    CASES.extend(["killed mid-write (temporary folder left)", "killed mid-swap"])


def test_the_tally_of_covered_cases():
    # printed for the closing note (pytest -s); every entry is exercised above
    import test_faults

    print(f"\n{len(CASES)} bad inputs and environment faults in tests/test_safety.py; "
          f"{len(test_faults.FAULTS)} sweep faults in tests/test_faults.py (and 2 more on a real "
          "Dask cluster in tests/test_dask_faults.py)")
    assert len(CASES) >= 50
    pd.Series(CASES)  # a list of distinct descriptions
    assert len(set(CASES)) == len(CASES)


def test_validate_list_shows_every_range_and_choice_from_the_schema(capsys):
    from lspsim.scenario import numeric_parameters

    assert main(["validate", "--list"]) == 0
    lines = {ln.split()[0]: ln for ln in capsys.readouterr().out.splitlines()}
    for path, (lo, hi, _, _) in numeric_parameters().items():
        assert f"{lo:g} to {hi:g}" in lines[path].replace(",", ""), lines[path]
    assert "one of facilitative|directive|transactional|laissez_faire" in lines[
        "leadership.chair_style"]
    assert "true or false" in "".join(lines.values())
