"""Documentation kept in step with the code: README commands, CI, scenario reference, ODD, and
the README's generated regions (docs/regenerate_readme.py)."""

import importlib.util
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from lspsim.scenario import Scenario, reference_markdown

ROOT = Path(__file__).resolve().parent.parent


def _quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_gives_two_commands_and_ci_runs_the_test_one():
    commands = _quick_start_commands()
    assert len(commands) == 2
    run_cmd, test_cmd = commands
    assert "lspsim run default" in run_cmd and "pytest" in test_cmd
    assert test_cmd in (ROOT / ".ci" / "run").read_text()


def test_scenario_reference_is_generated_from_the_schema():
    assert (ROOT / "docs" / "scenarios.md").read_text() == reference_markdown(), (
        "regenerate with: lspsim scenarios --reference > docs/scenarios.md")


def test_odd_describes_every_mechanism_and_section():
    odd = (ROOT / "docs" / "ODD.md").read_text()
    for module in (ROOT / "lspsim" / "mechanisms").glob("[a-z]*.py"):
        assert f"{module.stem}.py" in odd or f"`{module.stem}`" in odd, module.stem
    for section in Scenario.model_fields:
        if section in ("name", "description", "seed"):
            continue
        assert section in odd, section


def test_odd_tables_are_generated_from_the_schema():
    from lspsim.scenario import odd_parameter_table, odd_with_tables

    odd = (ROOT / "docs" / "ODD.md").read_text()
    assert odd == odd_with_tables(odd), (
        "regenerate with: python -c \"import pathlib, lspsim.scenario as s; "
        "p = pathlib.Path('docs/ODD.md'); p.write_text(s.odd_with_tables(p.read_text()))\"")
    assert odd_parameter_table() in odd
    assert "`leadership.styles.directive.pull`" in odd


def test_every_numeric_parameter_has_an_evidence_status():
    from lspsim.scenario import evidence_status, numeric_parameters

    statuses = {path: evidence_status(path) for path in numeric_parameters()}
    assert all(s == "assumed" or s.startswith("sourced: ") for s in statuses.values()), statuses
    assert statuses["resources.pooled_share"].startswith("sourced")
    assert statuses["delivery.effort_half"] == "assumed"


# ---------------------------------------------------------------------------------------
# The README's generated regions (docs/regenerate_readme.py)
# ---------------------------------------------------------------------------------------

def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


REGEN = _load("regenerate_readme")
STEP_OF = {"run-default": "run-default", "discover-example": "discover",
           "validation-summary": "validation"}
FIX = "regenerate with: python docs/regenerate_readme.py"


def test_readme_run_output_and_dynamics_figure_are_the_models():
    """Recomputed here (20 replications of the default scenario, a few seconds): the lines
    `lspsim run default --replications 20` prints, and the numbers dynamics.png draws."""
    stale = REGEN.check(("run-default",))
    assert not stale, [*stale, FIX + " --only run-default"]


def test_readme_discovery_numbers_are_the_recorded_sweeps():
    """The sweep is too slow for a test: the README text must be what the results file renders,
    the experiment must hash as recorded, and a probe of its runs must give the recorded
    metrics exactly (so a model change without regenerating fails here)."""
    stale = REGEN.check(("discover",))
    assert not stale, [*stale, FIX + " --only discover"]
    rec = json.loads(REGEN.RECORD.read_text())["discover"]
    assert rec["failed"] == 0 and rec["n"] == rec["runs"] == REGEN._experiment().n_runs
    assert len(rec["probe"]) == REGEN.PROBE_RUNS and rec["statements"]


def test_quick_start_command_is_the_run_the_readme_shows():
    run_cmd = _quick_start_commands()[0]
    assert REGEN.RUN_COMMAND + " --out report/default" in run_cmd
    assert REGEN.region((ROOT / "README.md").read_text(), "run-default").startswith(
        f"```\nlspsim: scenario '{REGEN.RUN_PRESET}', ")


def _outside(text: str) -> str:
    return re.sub(r"<!-- generated: (\S+) -->.*?<!-- /generated: \1 -->", "", text, flags=re.S)


@pytest.mark.parametrize("name", REGEN.REGIONS)
def test_a_number_edited_by_hand_is_caught(name):
    text = (ROOT / "README.md").read_text()
    body = REGEN.region(text, name)
    num = re.search(r"\d\.\d\d|\d+%|\d+ of \d+", body)  # the first result (0.39, 76%, 19 of 22)
    i = num.end() - 1 - (num.group().endswith("%"))
    edited = REGEN.replace_region(text, name, body[:i] + str((int(body[i]) + 1) % 10)
                                  + body[i + 1:])
    assert edited != text and _outside(edited) == _outside(text)
    stale = REGEN.check((STEP_OF[name],), text=edited)
    assert stale and f"region {name}" in stale[0]


def test_regenerating_writes_only_its_regions_figure_and_record(tmp_path, monkeypatch):
    """On a copy: the README outside the regions is kept byte for byte, the stale region is
    rewritten, and nothing but the README, the figure and the results file is written."""
    readme = tmp_path / "README.md"
    original = (ROOT / "README.md").read_text()
    readme.write_text(REGEN.replace_region(original, "run-default", "stale"))
    img = tmp_path / "img"
    img.mkdir()
    monkeypatch.setattr(REGEN, "README", readme)
    monkeypatch.setattr(REGEN, "IMG", img)
    monkeypatch.setattr(REGEN, "RECORD", img / "readme-results.json")
    REGEN.regenerate(("run-default",))
    assert readme.read_text() == original
    assert sorted(p.name for p in tmp_path.rglob("*")) == [
        "README.md", "dynamics.png", "img", "readme-results.json"]
    assert REGEN.check(("run-default",)) == []
    with pytest.raises(ValueError, match="generated: run-default"):
        REGEN.replace_region("no markers", "run-default", "x")


def test_readme_limits_are_the_codes():
    from lspsim.appraisal.cli import MAX_DRAWS
    from lspsim.cli import MAX_REPLICATIONS
    from lspsim.scenario import MAX_PARTNERS, Scenario
    from lspsim.sweep.experiment import MAX_POINTS, MAX_RUNS

    limits = (ROOT / "README.md").read_text().split("**Limits**", 1)[1].split("\n\n", 1)[0]
    limits = " ".join(limits.split())
    months = next(m.le for m in Scenario.model_fields["months"].metadata if hasattr(m, "le"))
    assert f"at most {MAX_PARTNERS:,} partners" in limits
    assert f"{months} months" in limits
    assert f"{MAX_REPLICATIONS:,} replications for `run`" in limits
    assert f"at most 10^{round(math.log10(MAX_DRAWS))}" in limits
    assert MAX_DRAWS == 10 ** round(math.log10(MAX_DRAWS))
    assert f"at most {MAX_POINTS:,} design points" in limits
    assert f"{MAX_RUNS // 1_000_000} million runs" in limits


def test_quoted_experiment_sizes_are_the_experiments():
    """The README's national ensemble and docs/sweeps.md's table of presets quote the sizes
    `lspsim experiments` computes."""
    from lspsim.sweep import load_experiment

    readme = " ".join((ROOT / "README.md").read_text().split())
    areas = int(re.search(r"runs England's (\d+) local area agreement areas", readme).group(1))
    assert areas == load_experiment("national_ensemble").n_points
    table = re.findall(r"^\| `(\w+)` \| (.+?) \| ([\d,]+) \|$",
                       (ROOT / "docs" / "sweeps.md").read_text(), flags=re.M)
    assert {name for name, _, _ in table} >= {"morris_all_levers", "failure_conditions"}
    for name, what, runs in table:
        exp = load_experiment(name)
        fix = f"update {name}'s row in docs/sweeps.md to what `lspsim experiments` says"
        assert int(runs.replace(",", "")) == exp.n_runs, f"{fix}: {exp.n_runs:,} runs"
        said = re.findall(r"([\d,]+) runs", exp.description)
        assert said and int(said[-1].replace(",", "")) == exp.n_runs, (
            f"update the description in experiments/{name}.toml: {exp.n_runs} runs")
        if exp.design.kind == "morris":  # a glob picks up every new numeric parameter
            levers = int(re.search(r"over (\d+) numeric levers", what).group(1))
            assert levers == len(exp.factors), f"{fix}: {len(exp.factors)} levers"
            assert f"({levers} levers" in exp.description, (
                f"update the description in experiments/{name}.toml: {levers} levers")


def test_app_screenshot_is_retaken_as_docs_app_md_says():
    app_md = (ROOT / "docs" / "app.md").read_text().replace("\\\n", " ")
    commands = [" ".join(ln.split()) for ln in app_md.splitlines() if "--screenshot" in ln]
    assert " ".join(("benchmarks/bench_app.py", *REGEN.APP_ARGS)) in " ".join(commands)


def test_check_exits_1_when_stale_and_writes_nothing(tmp_path, monkeypatch, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(REGEN.replace_region((ROOT / "README.md").read_text(), "run-default",
                                           "```\nlspsim: edited by hand\n```"))
    before = readme.read_text()
    monkeypatch.setattr(REGEN, "README", readme)
    assert REGEN.main(["--check", "--only", "run-default"]) == 1
    assert "stale: README region run-default" in capsys.readouterr().out
    assert readme.read_text() == before and sorted(tmp_path.iterdir()) == [readme]
    monkeypatch.setattr(REGEN, "README", ROOT / "README.md")
    assert REGEN.main(["--check", "--only", "run-default"]) == 0


def test_readme_validation_summary_is_the_committed_report():
    """The README's validation result is what docs/validation-checks.csv (written with
    docs/validation.md by `lspsim validation`) says, failures named."""
    stale = REGEN.check(("validation",))
    assert not stale, [*stale, FIX + " --only validation"]
    body = REGEN.region((ROOT / "README.md").read_text(), "validation-summary")
    assert body.startswith("The committed report: ") and " checks pass" in body
