"""The appraisal figures the README prints are what its command prints now
(regenerate them with `python docs/readme_appraisal.py`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("readme_appraisal",
                                                  ROOT / "docs" / "readme_appraisal.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_readme_appraisal_figures_are_current():
    mod = _script()

    text = mod.README.read_text()
    argv = mod.readme_command(text)
    assert argv[:2] == ["appraise", "scenarios/appraisal/today.toml"]
    shown = mod._block_after(text, mod.OUTPUT).group(1)
    assert shown == mod.current_output(argv), (
        "README.md's appraisal figures are out of date: run `python docs/readme_appraisal.py`")
