"""Regenerate every figure and number the README quotes from the model, or check that they are
current (``--check``, like a formatter: exit 1 if anything is stale).

    python docs/regenerate_readme.py                  # everything (a few minutes on 2 cores)
    python docs/regenerate_readme.py --check          # exit 1 and say what is stale
    python docs/regenerate_readme.py --only run-default discover
    python docs/regenerate_readme.py --skip validation app --workers 2

Steps (``--only`` / ``--skip`` take these names):

- ``run-default``: the README region ``run-default`` (what ``lspsim run default --replications
  20`` prints) and docs/img/dynamics.png. Cheap: tests/test_docs.py recomputes it.
- ``discover``: the region ``discover-example`` (the failure_conditions sweep and what
  ``lspsim discover`` says of it). Too slow for a test (a 2,048-run sweep), so the numbers go
  into the results file docs/img/readme-results.json with a probe (a dozen of the sweep's runs,
  their seeds and metrics) and the experiment's hash; the README text is rendered from that
  record, and the test checks the text against the record and re-runs the probe.
- ``appraisal``: the region between ``<!-- appraisal-example:start/end -->`` and its two figures
  (docs/regenerate_appraisal.py, which also keeps docs/appraisal.md's assumptions table;
  tests/test_appraisal_economics.py checks it).
- ``validation``: docs/img/validation-public-goods.png, which the README shows, by the full
  ``lspsim validation`` (it also writes docs/validation.md and its other figures; minutes),
  then the README's ``validation-summary`` region from docs/validation-checks.csv.
- ``app``: docs/img/app.png, the app screenshot (benchmarks/bench_app.py in headless Chromium;
  skipped with a message when Chromium or the app extra is missing).

What it writes: the README's generated regions (nothing outside the markers), figures in
docs/img/, the results file, and through the two delegated generators docs/appraisal.md's
assumptions table and docs/validation.md. It never deletes a file; the sweep runs in a
temporary folder of its own. ``--check`` writes nothing. The figures of ``validation`` and
``app`` cannot be checked without regenerating them (minutes; a browser): ``--check`` says so.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import functools
import importlib.util
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
IMG = ROOT / "docs" / "img"
RECORD = IMG / "readme-results.json"
STEPS = ("run-default", "discover", "appraisal", "validation", "app")
# README regions this script owns (the appraisal example keeps its own older markers).
REGIONS = ("run-default", "discover-example", "validation-summary")
COMMAND = "python docs/regenerate_readme.py"

# -- the default run (README "Quick start" and "What a run shows") -------------------------
RUN_PRESET, RUN_REPLICATIONS = "default", 20
RUN_COMMAND = f"lspsim run {RUN_PRESET} --replications {RUN_REPLICATIONS}"

# -- scenario discovery (README "Under which conditions does a partnership fail?") ---------
SWEEP, SWEEP_OUT = "failure_conditions", "out/fc"
WHERE, LABEL = "target_achievement < 0.1", "the partnership stalls"
PROBE_RUNS = 12
WRAP = 92  # with "# ", within the README's 100-column code blocks, as the README had it

# -- the app screenshot: the command docs/app.md gives -------------------------------------
APP_ARGS = ("--steps", "5", "--months", "24", "--event", "10", "--tab", "What-if",
            "--whatif", "leadership.council_dominance=0.9", "--screenshot", "docs/img/app.png")


# ---------------------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------------------

def _markers(name: str) -> tuple[str, str]:
    return f"<!-- generated: {name} -->", f"<!-- /generated: {name} -->"


def region(text: str, name: str) -> str:
    """The body between a region's markers (``ValueError`` if they are missing or repeated)."""
    start, end = _markers(name)
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise ValueError(f"README.md needs exactly one {start} ... {end} region")
    return text.split(start, 1)[1].split(end, 1)[0].strip("\n")


def replace_region(text: str, name: str, body: str) -> str:
    """``text`` with the body of region ``name`` replaced; nothing outside it changes."""
    region(text, name)  # checks the markers
    start, end = _markers(name)
    return re.sub(re.escape(start) + ".*?" + re.escape(end),
                  lambda _: f"{start}\n{body}\n{end}", text, count=1, flags=re.S)


def _load_record() -> dict[str, Any]:
    return json.loads(RECORD.read_text()) if RECORD.is_file() else {}


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    import lspsim

    return {"lspsim": lspsim.__version__, "mesa": version("mesa"),
            "python": platform.python_version()}


# ---------------------------------------------------------------------------------------
# run-default: the default scenario's printed summary and its dynamics figure
# ---------------------------------------------------------------------------------------

@functools.cache
def run_default() -> Any:
    """What ``lspsim run default --replications 20`` computes (once a process)."""
    from lspsim import run

    return run(RUN_PRESET, replications=RUN_REPLICATIONS)


def run_default_block(result: Any) -> str:
    """The lines ``lspsim run`` prints, less the list of files it wrote."""
    from lspsim.report import print_summary

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        print_summary(result, Path("report") / RUN_PRESET)
    lines = [ln for ln in buf.getvalue().splitlines() if not ln.startswith("  wrote ")]
    return "```\n" + "\n".join(lines) + "\n```"


# How far the numbers dynamics.png draws may move before the figure counts as drawn from other
# numbers. Not zero: OpenBLAS picks its kernels by CPU (SkylakeX on Intel AVX-512, Haswell on
# AMD Zen), whose sums differ in the last bit, and 120 months carry that to about 1e-8 of
# trust (measured: OPENBLAS_CORETYPE=SkylakeX on a Zen 4 machine reproduces the record of an
# Intel one exactly; the default kernel differs by up to 6e-9). A change to the model moves
# these means by far more.
DRAWN_RTOL, DRAWN_ATOL = 1e-6, 1e-8


def drawn_numbers(result: Any) -> dict[str, list[float]]:
    """The lines docs/img/dynamics.png draws: each plotted series' mean over replications,
    month by month (plots.dynamics_figure, the outcome registry's panels)."""
    from lspsim import outcomes

    ts = result.timeseries
    cols = [o.name for series in outcomes.panels().values() for o in series]
    means = ts.groupby("month")[cols].mean()
    return {"month": [int(m) for m in means.index],
            **{c: [float(f"{v:.12g}") for v in means[c]] for c in cols}}


def drawn_differs(recorded: dict[str, list[float]] | None, now: dict[str, list[float]]) -> bool:
    """Whether the figure's numbers moved beyond the tolerance above (or are not recorded)."""
    import numpy as np

    if not recorded or set(recorded) != set(now) or recorded["month"] != now["month"]:
        return True
    return not all(np.allclose(recorded[c], now[c], rtol=DRAWN_RTOL, atol=DRAWN_ATOL)
                   for c in now)


def _write_run_default(text: str, record: dict[str, Any]) -> str:
    import matplotlib.pyplot as plt

    from lspsim import plots

    result = run_default()
    fig = plots.dynamics_figure(result.timeseries, result.scenario.name)
    fig.savefig(IMG / "dynamics.png", dpi=110)
    plt.close(fig)
    record["run-default"] = {"command": RUN_COMMAND,
                             "figure": "docs/img/dynamics.png",
                             "drawn": drawn_numbers(result)}
    return replace_region(text, "run-default", run_default_block(result))


def _check_run_default(text: str, record: dict[str, Any]) -> list[str]:
    result = run_default()
    stale = []
    if region(text, "run-default") != run_default_block(result):
        stale.append("README region run-default differs from what the model prints now")
    if drawn_differs(record.get("run-default", {}).get("drawn"), drawn_numbers(result)):
        stale.append("docs/img/dynamics.png was drawn from other numbers than the model's now")
    return stale


# ---------------------------------------------------------------------------------------
# discover: a sweep and what `lspsim discover` says of it (recorded, probed)
# ---------------------------------------------------------------------------------------

def _experiment() -> Any:
    from lspsim.sweep import load_experiment

    return load_experiment(SWEEP)


def probe_metrics(exp: Any, point: int, replication: int) -> dict[str, float]:
    """One run of the sweep, recomputed alone (as ``lspsim run`` with its seed would)."""
    from lspsim.sweep.executors import run_seed, simulate

    design = exp.sample()
    sc = exp.base.with_updates(design.updates(point), source=f"design point {point}")
    out = simulate(sc, run_seed(exp.seed, point, replication))
    metrics = out[0] if isinstance(out, tuple) else out
    return {m: float(metrics[m]) for m in exp.metric_names}


def discover_record(workers: int) -> dict[str, Any]:
    """Run the sweep (in a temporary folder), discover, and record what the README quotes."""
    import numpy as np

    from lspsim.sweep import run_sweep
    from lspsim.sweep.discover import discover

    exp = _experiment()
    with tempfile.TemporaryDirectory(prefix="lspsim-readme-") as tmp:
        run_sweep(exp, Path(tmp) / "fc", workers=workers, progress=True)
        d = discover(Path(tmp) / "fc", WHERE, label=LABEL, write=False)
        import pandas as pd

        runs = pd.read_parquet(Path(tmp) / "fc" / "runs.parquet")
    rows = np.linspace(0, len(runs) - 1, PROBE_RUNS).astype(int)
    probe = [{"point": int(runs["point"].iloc[i]), "replication": int(runs["replication"].iloc[i]),
              "seed": int(runs["seed"].iloc[i]),
              "metrics": {m: float(runs[m].iloc[i]) for m in exp.metric_names}} for i in rows]
    return {"experiment": SWEEP, "experiment_hash": exp.hash(), "runs": int(len(runs)),
            "failed": int((runs["status"] != "ok").sum()), "where": WHERE, "label": LABEL,
            "n": d.n, "n_cases": d.n_cases, "statements": list(d.statements),
            "boxes": [{"density": b.density, "coverage": b.coverage, "mass": b.mass,
                       "n_in": b.n_in, "n_cases_in": b.n_cases_in} for b in d.boxes],
            "probe": probe}


def discover_block(rec: dict[str, Any]) -> str:
    """The README's code block, rendered from the record."""
    said = [f"# {ln}" for s in rec["statements"] for ln in textwrap.wrap(s, WRAP)]
    return "\n".join(["```bash", f"lspsim sweep {rec['experiment']} --out {SWEEP_OUT}",
                      f'lspsim discover {SWEEP_OUT} --where "{rec["where"]}" '
                      f'--label "{rec["label"]}"', *said, "```"])


def check_discover_record(rec: dict[str, Any] | None) -> list[str]:
    """Is the recorded sweep the one the model and experiment would give now? The experiment
    (and its base scenario) by hash; the model by re-running the probe runs exactly."""
    if not rec:
        return [f"{RECORD.name} has no discover record: run {COMMAND} --only discover"]
    exp = _experiment()
    stale = []
    if rec["experiment_hash"] != exp.hash():
        stale.append(f"experiments/{SWEEP}.toml or its scenario changed since the record")
    for p in rec["probe"]:
        fresh = probe_metrics(exp, p["point"], p["replication"])
        # the figure's tolerance: BLAS kernels differ by CPU in the last bits (DRAWN_RTOL)
        if any(abs(fresh[m] - v) > DRAWN_ATOL + DRAWN_RTOL * abs(v)
               for m, v in p["metrics"].items()):
            stale.append(f"the model's result for run (point {p['point']}, replication "
                         f"{p['replication']}) of {SWEEP} differs from the record: the model "
                         "changed since the discovery numbers were recorded")
            break
    return stale


def _write_discover(text: str, record: dict[str, Any], workers: int) -> str:
    from lspsim.errors import InputError

    try:
        record["discover"] = discover_record(workers)
    except InputError as exc:  # e.g. the condition no longer holds for any run
        raise SystemExit(f"discover: {exc}\nThe README's example needs a condition that holds "
                         "for some runs and not others: change WHERE and LABEL in "
                         f"{Path(__file__).name} (and the README's words around it); README.md "
                         f"and {RECORD.name} were not changed.") from None
    return replace_region(text, "discover-example", discover_block(record["discover"]))


def _check_discover(text: str, record: dict[str, Any]) -> list[str]:
    rec = record.get("discover")
    if rec and region(text, "discover-example") != discover_block(rec):
        return [f"README region discover-example differs from {RECORD.name} (edited by hand?)"]
    return check_discover_record(rec)


# ---------------------------------------------------------------------------------------
# Delegated: the appraisal example, the validation report, the app screenshot
# ---------------------------------------------------------------------------------------

def appraisal_module() -> Any:
    spec = importlib.util.spec_from_file_location("regenerate_appraisal",
                                                  ROOT / "docs" / "regenerate_appraisal.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _check_appraisal(text: str) -> list[str]:
    regen = appraisal_module()
    res = regen.run_example()
    stale = []
    if regen.readme_block(res) not in text:
        stale.append("README appraisal example differs from a fresh run "
                     "(python docs/regenerate_appraisal.py)")
    recorded = json.loads(regen.RECORD.read_text()) if regen.RECORD.is_file() else {}
    if recorded != json.loads(json.dumps(regen.record(res))):
        stale.append(f"{regen.RECORD.relative_to(ROOT)} (the appraisal figures' numbers) "
                     "differs from a fresh run")
    return stale


def _run_validation(workers: int) -> None:
    subprocess.run([sys.executable, "-m", "lspsim", "validation", "--workers", str(workers)],
                   cwd=ROOT, check=True)


CHECKS_CSV = ROOT / "docs" / "validation-checks.csv"


def validation_summary() -> str:
    """The README's one-paragraph result of the committed validation (docs/validation-checks.csv,
    which ``lspsim validation`` writes with docs/validation.md)."""
    with CHECKS_CSV.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    passed = [r for r in rows if r["passed"] == "True"]
    failed = [r for r in rows if r["passed"] != "True"]
    why = []
    for r in failed:
        if r["effect_ok"] != "True":
            reason = "effect outside its band" if r["check"].startswith("P") else "no effect"
        elif r["carried_by"]:
            reason = "carried by " + ", ".join(f"`{x.split(' = ')[0]}`"
                                               for x in r["carried_by"].split(";"))
        else:
            reason = f"robust at {float(r['robust_sign_share']):.0%} of the hypercube"
        why.append(f"{r['check']} {r['title'].lower()} ({reason})")
    text = (f"The committed report: {len(passed)} of {len(rows)} checks pass"
            + (f"; failing: {'; '.join(why)}." if why else "."))
    return "\n".join(textwrap.wrap(text, 100))


def _check_validation_summary(text: str) -> list[str]:
    if region(text, "validation-summary") != validation_summary():
        return ["README region validation-summary differs from docs/validation-checks.csv"]
    return []


def _app_screenshot() -> str | None:
    """Retake docs/img/app.png as docs/app.md describes; a reason if it cannot."""
    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        return "no Chromium (apt-get install chromium)"
    if importlib.util.find_spec("solara") is None:
        return "the app extra is not installed (pip install -e '.[app]')"
    subprocess.run([sys.executable, "benchmarks/bench_app.py", *APP_ARGS], cwd=ROOT,
                   check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return None


# ---------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------

def check(steps: tuple[str, ...] = STEPS, text: str | None = None) -> list[str]:
    """What is stale (an empty list: everything checked is current). Writes nothing."""
    text = README.read_text() if text is None else text
    record = _load_record()
    stale: list[str] = []
    if "run-default" in steps:
        stale += _check_run_default(text, record)
    if "discover" in steps:
        stale += _check_discover(text, record)
    if "appraisal" in steps:
        stale += _check_appraisal(text)
    if "validation" in steps:
        stale += _check_validation_summary(text)
    return stale


def regenerate(steps: tuple[str, ...] = STEPS, workers: int = 2) -> list[str]:
    """Regenerate ``steps``; returns notes on what was skipped."""
    text = README.read_text()
    for name in REGIONS:
        region(text, name)  # every marker present before anything is run or written
    record = _load_record()
    notes: list[str] = []
    if "run-default" in steps:
        text = _write_run_default(text, record)
    if "discover" in steps:
        text = _write_discover(text, record, workers)
    if "run-default" in steps or "discover" in steps:
        record.update({"generated_by": COMMAND, "versions": _versions()})
        RECORD.write_text(json.dumps(record, indent=1) + "\n")
        README.write_text(text)
    try:
        if "appraisal" in steps:
            appraisal_module().main()
        if "validation" in steps:
            _run_validation(workers)
            README.write_text(replace_region(README.read_text(), "validation-summary",
                                             validation_summary()))
        if "app" in steps:
            why = _app_screenshot()
            if why:
                notes.append(f"app: docs/img/app.png not retaken: {why}")
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"{' '.join(map(str, exc.cmd[1:3]))} failed (exit {exc.returncode}); "
                         "what the earlier steps wrote is kept") from None
    return notes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Regenerate (or --check) every figure and number "
                                 "the README quotes.")
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if a region or record is stale")
    ap.add_argument("--only", nargs="+", choices=STEPS, default=None, metavar="STEP",
                    help=f"only these steps ({', '.join(STEPS)})")
    ap.add_argument("--skip", nargs="+", choices=STEPS, default=[], metavar="STEP",
                    help="leave these steps out")
    ap.add_argument("--workers", type=int, default=2, help="processes for the sweep and "
                    "validation (results do not depend on it)")
    args = ap.parse_args(argv)
    steps = tuple(s for s in (args.only or STEPS) if s not in args.skip)
    if args.check:
        stale = check(steps)
        for s in stale:
            print(f"stale: {s}")
        unchecked = [s for s in ("validation", "app") if s in steps]
        if unchecked:
            print(f"not checked (only regenerating can tell): {', '.join(unchecked)}")
        print(f"{len(stale)} stale" if stale else "README regions and records are current; "
              f"regenerate with: {COMMAND}")
        return 1 if stale else 0
    for note in regenerate(steps, args.workers):
        print(note)
    print(f"regenerated: {', '.join(steps)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
