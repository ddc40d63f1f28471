"""Assumption files and the `lspsim appraise` command: good input works, bad input exits 2 with
one located message and writes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lspsim.appraisal.assumptions import (
    assumptions_toml,
    default_assumptions,
    load_assumptions,
    quantity_specs,
)
from lspsim.cli import main
from lspsim.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
GOOD = '{ value = 45.0, unit = "GBP/hour", price_year = 2019, source = "test" }'


def _file(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "assumptions.toml"
    p.write_text(body)
    return p


def test_defaults_have_units_sources_and_illustrative_marks() -> None:
    a = default_assumptions()
    qs = a.quantities()
    assert set(qs) == set(quantity_specs())
    for path, q in qs.items():
        assert q.unit == quantity_specs()[path]["unit"]
        assert q.source.strip()
    assert a.discounting.standard.years_0_30.value == 0.035
    assert "Green Book (February 2026" in a.discounting.standard.years_0_30.source
    # The 1.5% health rate is the health schedule, not the lower-rate test (3.0%).
    assert a.discounting.health.years_0_30.value == 0.015
    assert a.discounting.lower_rate_test.years_0_30.value == 0.03
    assert "2022" not in a.discounting.standard.years_31_75.source.replace("supersedes 2022", "")
    assert sum(q.illustrative for q in qs.values()) > len(qs) // 2
    assert a.uncertain()


def test_user_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    p = _file(tmp_path, f"[appraisal.meetings]\nhourly_cost.police = {GOOD}\n")
    a = load_assumptions(p)
    d = default_assumptions()
    assert a.meetings.hourly_cost.police.value == 45.0
    assert a.meetings.hourly_cost.health == d.meetings.hourly_cost.health
    assert a.support_team == d.support_team


def test_resolved_toml_round_trips(tmp_path: Path) -> None:
    a = load_assumptions(ROOT / "scenarios" / "appraisal" / "local-example.toml")
    p = _file(tmp_path, assumptions_toml(a))
    assert load_assumptions(p) == a


def test_set_updates_values_and_distribution_parameters() -> None:
    a = load_assumptions(None, {"support_team.fte": 7.0, "support_team.fte.high": 9.0})
    assert a.support_team.fte.value == 7.0 and a.support_team.fte.high == 9.0
    assert a.support_team.fte.source.startswith("--set")


BAD = {
    "negative discount rate": (
        '[appraisal.discounting.standard]\nyears_0_30 = { value = -0.01, unit = "1/year", '
        'source = "x" }\n', "appraisal.discounting.standard.years_0_30.value", "from 0 to 0.2"),
    "missing unit": (
        '[appraisal.meetings]\nhourly_cost.police = { value = 45.0, source = "x" }\n',
        "appraisal.meetings.hourly_cost.police.unit", "GBP/hour"),
    "wrong unit": (
        '[appraisal.meetings]\nhourly_cost.police = { value = 360.0, unit = "GBP/day", '
        'source = "x" }\n', "appraisal.meetings.hourly_cost.police.unit", "GBP/hour"),
    "unknown distribution": (
        '[appraisal.support_team]\nfte = { value = 3.0, unit = "FTE", source = "x", '
        'dist = "gaussian" }\n', "appraisal.support_team.fte.dist", "lognormal"),
    "NaN": (
        '[appraisal.support_team]\nfte = { value = nan, unit = "FTE", source = "x" }\n',
        "appraisal.support_team.fte.value", "finite"),
    "unknown field": (
        '[appraisal.support_team]\nheadcount = { value = 3.0, unit = "FTE", source = "x" }\n',
        "appraisal.support_team.headcount", "no such field"),
    "unknown section": ("[apraisal]\nname = 'x'\n", "apraisal", "[appraisal]"),
    "triangular without high": (
        '[appraisal.support_team]\nfte = { value = 3.0, unit = "FTE", source = "x", '
        'dist = "triangular", low = 1.0 }\n', "appraisal.support_team.fte.high", "low and high"),
    "value outside its triangle": (
        '[appraisal.support_team]\nfte = { value = 9.0, unit = "FTE", source = "x", '
        'dist = "triangular", low = 1.0, high = 5.0 }\n', "appraisal.support_team.fte",
        "low <= value <= high"),
    "lognormal on a bounded share": (
        '[appraisal.additionality]\ndeadweight = { value = 0.3, unit = "share", source = "x", '
        'dist = "lognormal", sigma = 0.5 }\n', "appraisal.additionality.deadweight.dist",
        "bounded"),
    "missing price year": (
        '[appraisal.meetings]\nhourly_cost.police = { value = 45.0, unit = "GBP/hour", '
        'source = "x" }\n', "appraisal.meetings.hourly_cost.police.price_year",
        "the year whose prices"),
    "price year without a deflator": (
        '[appraisal.meetings]\nhourly_cost.police = { value = 45.0, unit = "GBP/hour", '
        'price_year = 2011, source = "x" }\n',
        "appraisal.meetings.hourly_cost.police.price_year", "deflator"),
    "price year on a share": (
        '[appraisal.support_team]\nfte = { value = 3.0, unit = "FTE", price_year = 2019, '
        'source = "x" }\n', "appraisal.support_team.fte.price_year", "not money"),
    "negative optimism bias": (
        '[appraisal.costs]\noptimism_bias = { value = -0.1, unit = "share", source = "x" }\n',
        "appraisal.costs.optimism_bias.value", "from 0 to 2"),
    "optimism bias outside its category": (
        '[appraisal.costs]\noptimism_bias = { value = 0.6, unit = "share", source = "x" }\n',
        "appraisal.costs.optimism_bias.value", "outsourcing"),
    "unknown optimism-bias category": (
        '[appraisal.costs]\noptimism_bias_category = { value = "software", source = "x" }\n',
        "appraisal.costs.optimism_bias_category", "equipment_development"),
    "unknown agency": (
        '[appraisal.outcomes]\nagency.safer_communities = { value = "home_office", '
        'source = "x" }\n', "appraisal.outcomes.agency.safer_communities",
        "central_government"),
    "base year without a deflator": (
        '[appraisal.prices]\nbase_year = { value = 2030, unit = "year", source = "x" }\n',
        "appraisal.prices.deflator", "base year 2030"),
    "unknown rule": (
        '[appraisal.support_team]\npaid_by = { value = "the council", source = "x" }\n',
        "appraisal.support_team.paid_by", "councils, budget, equal"),
    "empty source": (
        '[appraisal.support_team]\nfte = { value = 3.0, unit = "FTE", source = " " }\n',
        "appraisal.support_team.fte.source", "where the value comes from"),
    "number instead of a quantity": ("[appraisal.support_team]\nfte = 3\n",
                                     "appraisal.support_team.fte", "a table"),
    "text instead of a number": (
        '[appraisal.support_team]\nfte = { value = "three", unit = "FTE", source = "x" }\n',
        "appraisal.support_team.fte.value", "a number"),
    "malformed TOML": ("[appraisal.support_team\nfte = 3\n", "(TOML syntax)", "valid TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_assumption_files_raise_located_input_error(tmp_path: Path, case: str) -> None:
    body, field, allowed = BAD[case]
    p = _file(tmp_path, body)
    with pytest.raises(InputError) as exc:
        load_assumptions(p)
    assert exc.value.source == str(p)
    assert exc.value.field == field
    assert allowed in exc.value.allowed


@pytest.mark.parametrize("case", ["negative discount rate", "missing unit", "unknown distribution",
                                  "NaN", "unknown field", "malformed TOML", "missing price year",
                                  "negative optimism bias", "unknown agency"])
def test_cli_bad_assumptions_exit_2_and_write_nothing(tmp_path: Path, capsys, case: str) -> None:
    body, field, _ = BAD[case]
    p = _file(tmp_path, body)
    out = tmp_path / "out"
    code = main(["appraise", "default", "--assumptions", str(p), "--out", str(out),
                 "--samples", "5", "-r", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert str(p) in err and field in err
    assert "Traceback" not in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [p]


@pytest.mark.parametrize("argv, field", [
    (["--assumptions", "no/such/file.toml"], "(file)"),
    (["--samples", "0"], "samples"),
    (["--replications", "-1"], "replications"),
    (["--set", "appraisal.support_team.headcount=3"], "appraisal.support_team.headcount"),
    (["--set", "appraisal.discounting.standard.years_0_30=-0.5"],
     "appraisal.discounting.standard.years_0_30.value"),
    (["--set", "layers.clarty=0.5"], "layers.clarty"),
    (["--compare-set", "layers.clarity=2"], "layers.clarity"),
    (["--compare", "no_such_preset"], "(scenario)"),
    (["--option", "no_such_preset"], "(scenario)"),
])
def test_cli_bad_flags_exit_2(tmp_path: Path, capsys, argv: list[str], field: str) -> None:
    out = tmp_path / "out"
    code = main(["appraise", "default", "--out", str(out), "--samples", "5", "-r", "1", *argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert field in err and "Traceback" not in err
    assert not out.exists()


def test_cli_subprocess_prints_one_message_no_traceback(tmp_path: Path) -> None:
    p = _file(tmp_path, BAD["missing unit"][0])
    proc = subprocess.run(
        [sys.executable, "-m", "lspsim", "appraise", "default", "--assumptions", str(p),
         "--out", str(tmp_path / "out")],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2
    assert "GBP/hour" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_cli_list_prints_every_assumption(capsys) -> None:
    assert main(["appraise", "--list"]) == 0
    out = capsys.readouterr().out
    for path in quantity_specs():
        assert f"appraisal.{path}" in out


def test_cli_writes_full_output(tmp_path: Path) -> None:
    out = tmp_path / "appraisal"
    code = main(["appraise", "default", "--samples", "40", "-r", "2", "--months", "18",
                 "--seed", "3", "--compare-set", "layers.clarity=0.95",
                 "--option", "appraisal/common-standards",
                 "--set", "appraisal.additionality.displacement=0.4", "--out", str(out), "-q"])
    assert code == 0
    names = {p.name for p in out.iterdir()}
    assert {"appraisal.json", "appraisal.md", "appraisal.xlsx", "summary.csv", "partners.csv",
            "beneficiaries.csv", "flows_by_year.csv", "samples.csv", "sensitivities.csv",
            "tornado.csv", "npsv_distribution.png", "tornado.png", "partners.png",
            "cashflow.png", "assumptions.toml", "scenario.toml",
            "option_default_option_scenario.toml", "flows_by_year_default_option.csv",
            "flows_by_year_common_standards.csv"} <= names
    d = json.loads((out / "appraisal.json").read_text())
    assert d["samples"] == 40 and d["replications"] == 2 and d["months"] == 18
    assert d["options"] == ["common_standards", "default_option"]
    assert d["comparison"]["option"] == "common_standards"
    assert load_assumptions(out / "assumptions.toml").additionality.displacement.value == 0.4
    md = (out / "appraisal.md").read_text()
    assert "## Summary table" in md and "Switching values" in md
    assert "BCR convention" in md and "Financial return to the public sector" in md
    assert "lspsim appraise default" in md


def test_option_names_are_identifiers_not_paths(tmp_path: Path) -> None:
    """A scenario named like a path is refused (names are identifiers: lspsim.scenario), and
    two options with the same name are told apart."""
    sc = tmp_path / "odd.toml"
    sc.write_text('name = "../../escape"\nmonths = 6\n[layers]\nclarity = 0.9\n')
    out = tmp_path / "out"
    argv = ["appraise", "default", "--months", "6", "--samples", "5", "-r", "1",
            "--option", str(sc), "--option", str(sc), "--out", str(out), "-q"]
    assert main(argv) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["odd.toml"]
    sc.write_text('name = "odd"\nmonths = 6\n[layers]\nclarity = 0.9\n')
    assert main(argv) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["odd.toml", "out"]
    d = json.loads((out / "appraisal.json").read_text())
    assert d["options"] == ["odd", "odd_2"]
    assert (out / "flows_by_year_odd.csv").exists()
    assert (out / "flows_by_year_odd_2.csv").exists()
