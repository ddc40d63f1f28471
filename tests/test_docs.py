"""Documentation kept in step with the code: README commands, CI, scenario reference, ODD."""

import re
from pathlib import Path

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
