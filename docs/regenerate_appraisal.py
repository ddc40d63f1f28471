"""Regenerate the README's appraisal example: the lines the command prints, its two figures
(docs/img/appraisal-tornado.png, docs/img/appraisal-npsv.png) and a record of the figures'
numbers (docs/img/appraisal-example.json) that tests/test_appraisal_economics.py checks against
a fresh run.

    python docs/regenerate_appraisal.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
IMG = ROOT / "docs" / "img"
RECORD = IMG / "appraisal-example.json"
START, END = "<!-- appraisal-example:start -->", "<!-- appraisal-example:end -->"
DOC = ROOT / "docs" / "appraisal.md"
TABLE_START, TABLE_END = "<!-- assumptions:start -->", "<!-- assumptions:end -->"
# The README's example, as typed at the command line.
ARGS = ["scenarios/appraisal/today.toml",
        "--option", "scenarios/appraisal/clearer-layers.toml",
        "--option", "scenarios/appraisal/common-standards.toml",
        "--samples", "1000", "--replications", "10", "--seed", "1"]


def run_example() -> Any:
    """The appraisal the README shows (what ``lspsim appraise`` with ARGS computes)."""
    from lspsim.appraisal import appraise
    return appraise(str(ROOT / ARGS[0]), seed=1, replications=10, samples=1000,
                    options=[str(ROOT / ARGS[2]), str(ROOT / ARGS[4])])


def record(result: Any) -> dict[str, Any]:
    d = result.to_dict()
    return {"command": "lspsim appraise " + " ".join(ARGS), "summary_table": [
        {k: r[k] for k in ("arrangement", "against", "pv_costs", "pv_benefits", "npsv", "bcr")}
        for r in d["summary_table"]]}


def readme_block(result: Any) -> str:
    from lspsim.appraisal.cli import summary_lines
    cmd = "lspsim appraise " + " \\\n    ".join(
        [ARGS[0]] + [" ".join(ARGS[i:i + 2]) for i in range(1, 5, 2)] + [" ".join(ARGS[5:])])
    return (f"{START}\n```bash\n{cmd} \\\n    --out out/appraisal-options\n```\n\n```\n"
            + "\n".join(summary_lines(result)) + f"\n```\n{END}")


def assumptions_block() -> str:
    from lspsim.appraisal import default_assumptions
    from lspsim.appraisal.report import assumptions_markdown
    return f"{TABLE_START}\n{assumptions_markdown(default_assumptions())}\n{TABLE_END}"


def _replace(path: Path, start: str, end: str, block: str) -> None:
    text = path.read_text()
    if start not in text:
        raise SystemExit(f"{path} has no {start} marker")
    path.write_text(re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text,
                           flags=re.S))


def main() -> int:
    import matplotlib.pyplot as plt

    from lspsim.appraisal.report import npsv_figure, tornado_figure

    result = run_example()
    for name, fig in (("appraisal-tornado.png", tornado_figure(
            result.tornado, f"What the NPSV of {result.base.name} depends on", top=15)),
            ("appraisal-npsv.png", npsv_figure(result))):
        fig.savefig(IMG / name, dpi=100, bbox_inches="tight")
        plt.close(fig)
    RECORD.write_text(json.dumps(record(result), indent=1) + "\n")
    _replace(README, START, END, readme_block(result))
    _replace(DOC, TABLE_START, TABLE_END, assumptions_block())
    print("\n".join(readme_block(result).splitlines()[1:-1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
