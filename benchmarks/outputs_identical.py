"""Behaviour-unchanged check for refactors: dump every output of the command line, then compare
two dumps bit for bit. Run by hand (not a test: it takes a minute or two).

    # from a checkout of the commit before the refactor, and again after it
    PYTHONPATH=. python benchmarks/outputs_identical.py dump /tmp/before
    PYTHONPATH=. python benchmarks/outputs_identical.py dump /tmp/after
    python benchmarks/outputs_identical.py compare /tmp/before /tmp/after

What ``dump`` writes, only through the public command line (so it runs on any version):

* ``lspsim run PRESET --seed S --replications 3`` for every preset in scenarios/ and seeds 1
  and 2: timeseries.parquet, partners.parquet, targets.parquet, summary.json, scenario.toml and
  the four figures;
* ``lspsim sweep`` of a small grid (2 x 2 points x 3 replications, every metric and three
  series, in-process and with 2 workers): runs.parquet, series.parquet, design.parquet;
* ``lspsim analyse`` of that sweep: points.csv and the figures;
* ``lspsim validation --quick --workers 2``: validation.md (its "Run time" clause, which reports
  seconds, is masked) and its figures.

``compare`` reads both trees: Parquet tables must be equal cell for cell with the same dtypes
and column order (``DataFrame.equals`` plus a check of dtypes), every other file byte for byte.
A file that names the dump folder itself (analysis.json records its sweep's path) is compared with
that path masked. It prints the count of files and of table cells compared, and exits 1 on any
difference.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

EXPERIMENT = """
name = "fingerprint"
description = "Small grid for the behaviour-unchanged check."
scenario = "default"
seed = 11
replications = 3
months = 24
series = ["mean_trust", "targets_met", "turnover_events"]

[design]
kind = "grid"

[parameters]
"leadership.chair_style" = { values = ["facilitative", "directive"] }
"network.initial_strength" = { range = [0.2, 0.6], steps = 2 }
"""


def _lspsim(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "lspsim", *args], check=True)


def dump(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    presets = sorted(p.stem for p in Path("scenarios").glob("*.toml"))
    for preset in presets:
        for seed in (1, 2):
            _lspsim("run", preset, "--seed", str(seed), "--replications", "3", "--quiet",
                    "--out", str(out / "run" / f"{preset}-{seed}"))
    exp = out / "fingerprint.toml"
    exp.write_text(EXPERIMENT)
    for workers in ("0", "2"):
        sweep = out / f"sweep-w{workers}"
        _lspsim("sweep", str(exp), "--out", str(sweep), "--workers", workers, "--quiet")
        _lspsim("analyse", str(sweep), "--out", str(out / f"analysis-w{workers}"), "--quiet")
        (sweep / "manifest.json").unlink()  # timestamps and versions
    _lspsim("validation", "--quick", "--workers", "2", "--out", str(out / "validation"))
    md = out / "validation" / "validation.md"
    md.write_text(re.sub(r"Run time\s+\d+ s on \d+ worker\(s\)", "Run time (masked)",
                         md.read_text()))


def compare(a: Path, b: Path) -> int:
    import pandas as pd

    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    bad = [f"only in {a}: {f}" for f in sorted(files_a - files_b)]
    bad += [f"only in {b}: {f}" for f in sorted(files_b - files_a)]
    files = cells = 0
    for rel in sorted(files_a & files_b):
        files += 1
        if rel.suffix == ".parquet":
            x, y = pd.read_parquet(a / rel), pd.read_parquet(b / rel)
            cells += x.size
            if (list(x.columns) != list(y.columns) or list(x.dtypes) != list(y.dtypes)
                    or not x.equals(y)):
                bad.append(f"differs: {rel}")
        elif ((a / rel).read_bytes().replace(bytes(a), b"<dump>")
              != (b / rel).read_bytes().replace(bytes(b), b"<dump>")):
            bad.append(f"differs: {rel}")  # (a file naming its own dump folder is masked)
    for line in bad:
        print(line)
    print(f"compared {files} files ({cells} Parquet cells): "
          + ("all identical" if not bad else f"{len(bad)} differences"))
    return 1 if bad else 0


if __name__ == "__main__":
    cmd, *rest = sys.argv[1:]
    if cmd == "dump":
        dump(Path(rest[0]))
    elif cmd == "compare":
        sys.exit(compare(Path(rest[0]), Path(rest[1])))
    else:
        sys.exit(__doc__)
