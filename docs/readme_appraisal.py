"""Regenerate the appraisal figures the README prints, from the command the README shows.

    python docs/readme_appraisal.py          # rewrites the output block in README.md
    python docs/readme_appraisal.py --check  # exit 1 if the README is out of date

The README marks the command block with ``<!-- readme-appraisal:command -->`` and the output block
with ``<!-- readme-appraisal:output -->``; tests/test_readme_figures.py runs the same check, so
a change to the appraisal or the model that moves the figures fails until this is rerun.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import sys
import tempfile
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
COMMAND = "<!-- readme-appraisal:command"
OUTPUT = "<!-- readme-appraisal:output"
BLOCK = re.compile(r"```[a-z]*\n(.*?)```", re.S)


def _block_after(text: str, marker: str) -> re.Match:
    at = text.index(marker)
    m = BLOCK.search(text, at)
    assert m is not None, f"no code block after {marker}"
    return m


def readme_command(text: str | None = None) -> list[str]:
    """The README's appraise command as arguments for ``lspsim.cli.main`` (without ``lspsim``
    and without its --out)."""
    text = README.read_text() if text is None else text
    argv = shlex.split(_block_after(text, COMMAND).group(1).replace("\\\n", " "))
    assert argv[:2] == ["lspsim", "appraise"], argv
    argv = argv[1:]
    if "--out" in argv:
        i = argv.index("--out")
        del argv[i:i + 2]
    return argv


def current_output(argv: list[str]) -> str:
    """What the command prints now (the figure lines; not the 'wrote ...' line)."""
    from lspsim.cli import main

    buf = io.StringIO()
    # the command names files relative to the checkout
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(buf), \
            contextlib.chdir(README.parent):
        code = main([*argv, "--out", str(Path(tmp) / "appraisal")])
    assert code == 0, f"lspsim {shlex.join(argv)} exited {code}"
    return "".join(ln + "\n" for ln in buf.getvalue().splitlines()
                   if not ln.startswith("wrote "))


def main(check: bool = False) -> int:
    text = README.read_text()
    out = current_output(readme_command(text))
    m = _block_after(text, OUTPUT)
    if m.group(1) == out:
        return 0
    if check:
        print(f"README.md is out of date; now:\n{out}", file=sys.stderr)
        return 1
    README.write_text(text[:m.start(1)] + out + text[m.end(1):])
    print(f"README.md: appraisal output updated:\n{out}", end="")
    return 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
