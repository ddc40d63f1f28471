"""``lspsim validation`` (registered by lspsim.cli)."""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path
from typing import Any

from lspsim.errors import InputError
from lspsim.validation.findings import run_validation
from lspsim.validation.patterns import Config
from lspsim.validation.report import _fmt, write_docs

# The committed, full-precision report lives in docs/; a reduced run writes elsewhere unless
# --out names docs/ explicitly.
FULL_OUT = "docs"
REDUCED_OUT = "out/validation-quick"


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "validation", help="check the model against the laboratory and the report's findings",
        description="Regenerate docs/validation.md and its figures: public-goods games against "
        "the laboratory, the report's findings as paired effects with 95% CIs, their ablation "
        "tables (what carries each finding) and their robustness over a Latin hypercube of "
        "uncertain parameters, structural constants included, with ranges from the schema.")
    p.add_argument("--out", default=None, help="directory for validation.md and img/ (default: "
                   f"{FULL_OUT} for the full report; {REDUCED_OUT} for --quick or fewer "
                   f"replications, so a less precise run never replaces the committed report)")
    p.add_argument("--replications", type=int, default=None,
                   help="replications per scenario (default 200; 30 with --quick)")
    p.add_argument("--quick", action="store_true",
                   help="fewer replications and hypercube points (a fast, less precise run)")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes (default: all cores); results do not depend on it")
    p.set_defaults(func=_cmd)


def _cmd(args: argparse.Namespace) -> int:
    cfg = Config.quick() if args.quick else Config()
    if args.replications is not None:
        if args.replications < 2:
            raise InputError("--replications", "replications", args.replications,
                             "an integer >= 2 (a confidence interval needs two)")
        cfg = dataclasses.replace(cfg, replications=args.replications)
    workers = (os.cpu_count() or 1) if args.workers is None else args.workers
    if workers < 1:
        raise InputError("--workers", "workers", args.workers, "an integer >= 1")
    out = Path(args.out or (FULL_OUT if cfg == Config() else REDUCED_OUT))
    if out.exists() and not out.is_dir():
        raise InputError("--out", "out", str(out), "a directory (it is created if missing)")
    res = run_validation(cfg, workers, progress=print)
    path = write_docs(res, out)
    for c in res.checks:
        print(f"{c.id:5s} {'PASS' if c.passed else 'FAIL'}  {_fmt(c.effect):>8s}  "
              f"[{_fmt(c.lo)}, {_fmt(c.hi)}]  robust "
              f"{'-' if c.robustness is None else f'{c.robustness:.0%}'}  {c.title}"
              + (f"  (carried by an unevidenced constant: {', '.join(c.carried_by)})"
                 if c.carried_by else ""))
    print(f"{sum(c.passed for c in res.checks)} of {len(res.checks)} checks pass; wrote {path} "
          f"({res.seconds:.0f} s)")
    return 0
