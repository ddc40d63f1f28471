"""``lspsim sweep``, ``lspsim analyse`` and ``lspsim experiments`` (registered by lspsim.cli)."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
from typing import Any

from lspsim.errors import InputError
from lspsim.interrupt import deferred_ctrl_c


def _cmd_sweep(args: argparse.Namespace) -> int:
    from lspsim.sweep.executors import run_sweep
    from lspsim.sweep.experiment import load_experiment

    if args.batch_size is not None and args.batch_size < 1:
        raise InputError("--batch-size", "batch_size", args.batch_size, "an integer >= 1")
    if args.workers is not None and args.scheduler:
        raise InputError("--workers", "workers", args.workers, "either --workers (local) or "
                         "--scheduler (Dask), not both")
    from lspsim.sweep.executors import max_workers

    if args.workers is not None and not 0 <= args.workers <= max_workers():
        raise InputError("--workers", "workers", args.workers, f"an integer from 0 (in this "
                         f"process) to {max_workers()} (twice this machine's CPUs: more "
                         "processes than cores only share them, each with its own memory)")
    exp = load_experiment(args.experiment)
    out = Path(f"out/sweeps/{exp.name}" if args.out is None else args.out)
    # sizes from the design's parameters: a dry run never builds the design
    line = (f"{exp.name}: {exp.design.kind} design, {exp.n_points} points x "
            f"{exp.replications} replications = {exp.n_runs} runs of "
            f"{exp.base.months} months")
    if exp.adaptive is not None:
        line += (f" in the first round; then rounds of {exp.adaptive.round_size} more until "
                 f"precise, at most {exp.adaptive.max_replications} a point (adaptive)")
    if args.dry_run:
        print(line)
        for f in exp.factors:
            rng = (f"[{f.low:g}, {f.high:g}]" if f.kind == "numeric" and not f.values
                   else str(f.values))
            print(f"  {f.name:45s} {f.kind:12s} {rng}")
        return 0
    # from the moment the sweep says what it will run, a Ctrl-C stops it cleanly
    # (lspsim.interrupt; run_sweep's own block shares this one's flag)
    with deferred_ctrl_c():
        if not args.quiet:
            print(line, file=sys.stderr)
        res = run_sweep(exp, out, workers=args.workers, scheduler=args.scheduler,
                        resume=args.resume, batch_size=args.batch_size, progress=not args.quiet)
    if not args.quiet:
        what = "already complete" if res.ran_now == 0 else f"ran {res.ran_now} runs"
        print(f"{out}: {res.runs} runs ({what}; {res.failed} failed) -> runs.parquet"
              + (", series.parquet" if exp.series else "") + ", manifest.json")
        if res.failed:
            print("  failed runs are recorded with their error: see the 'error' column",
                  file=sys.stderr)
    return 0


def _cmd_analyse(args: argparse.Namespace) -> int:
    from lspsim.sweep.analysis import analyse

    res = analyse(args.dir, out=args.out, force=args.force)
    if not args.quiet:
        print(f"{res.out}: " + ", ".join(sorted(p.name for p in res.out.iterdir())))
        if res.ranking is not None:  # the Morris dominance check, where it is seen at once
            from lspsim.sweep.ranking import dominance_lines

            for line in dominance_lines(res.ranking):
                print(textwrap.fill(line, 100))
    return 0


def _cmd_discover(args: argparse.Namespace) -> int:
    from lspsim.sweep.discover import discover

    d = discover(args.dir, args.where, label=args.label, out=args.out, per=args.per,
                 boxes=args.boxes, box=args.box, min_coverage=args.min_coverage,
                 peel_alpha=args.peel_alpha, mass_min=args.mass_min,
                 qp_max=None if args.keep_all else args.qp_max, cart_depth=args.cart_depth)
    if not args.quiet:
        print(f"{d.n_cases} of {d.n} {d.unit} meet {args.where}")
        for s in d.statements:
            print(textwrap.fill(s, 100))
        print(f"{d.out}: summary.md, boxes.csv, cart_rules.csv, feature_scores.csv, figures")
    return 0


def _cmd_national(args: argparse.Namespace) -> int:
    from lspsim.sweep.national import summarise

    res = summarise(args.dir, out=args.out, metric=args.metric, share=args.share)
    if not args.quiet:
        for line in res.lines:
            print(textwrap.fill(line, 100))
        print(f"{res.out}: summary.md, areas.csv, by_type.csv, best_vs_worst.csv, figures")
    return 0


def _cmd_experiments(args: argparse.Namespace) -> int:
    from lspsim.sweep.experiment import list_experiments, load_experiment

    for name, path in list_experiments().items():
        exp = load_experiment(path)
        print(f"{name}  ({exp.design.kind}, {exp.n_points} points x {exp.replications} "
              f"replications = {exp.n_runs} runs)")
        print(textwrap.indent(textwrap.fill(" ".join(exp.description.split()), 88), "    "))
    return 0


def register(sub: Any) -> None:
    s = sub.add_parser("sweep", help="run an experiment: a design of scenarios x replications",
                       description="Run every design point and replication of an experiment "
                       "file, streaming results to DIR (resumable).")
    s.add_argument("experiment", metavar="EXPERIMENT",
                   help="an experiment TOML file or a preset name (lspsim experiments)")
    s.add_argument("--workers", "-w", type=int, default=None,
                   help="local worker processes (default: CPU count; 0 runs in this process)")
    s.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask scheduler, e.g. tcp://host:8786 (default: $DASK_SCHEDULER_ADDRESS)")
    s.add_argument("--out", default=None, metavar="DIR", help="output (default: out/sweeps/NAME)")
    s.add_argument("--resume", action="store_true", help="complete an interrupted sweep in DIR")
    s.add_argument("--batch-size", type=int, default=None, help="runs per task (default: auto)")
    s.add_argument("--dry-run", action="store_true", help="validate and show the design only")
    s.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    s.set_defaults(func=_cmd_sweep)

    a = sub.add_parser("analyse", aliases=["analyze"],
                       help="summarise a sweep: means and CIs, sensitivity indices, figures")
    a.add_argument("dir", metavar="DIR", help="a sweep directory")
    a.add_argument("--out", default=None, help="output directory (default: DIR/analysis)")
    a.add_argument("--force", action="store_true",
                   help="replace the lspsim analysis already in the output folder")
    a.add_argument("--quiet", "-q", action="store_true")
    a.set_defaults(func=_cmd_analyse)

    d = sub.add_parser("discover", help="scenario discovery: which lever ranges produce an "
                       "outcome (PRIM boxes, CART, feature scores)",
                       description="Find the conditions under which a condition on the outcomes "
                       "holds in a finished sweep, e.g. --where 'target_achievement < 0.1'.")
    d.add_argument("dir", metavar="DIR", help="a complete sweep directory")
    d.add_argument("--where", required=True, help="condition on metrics, e.g. "
                   "'target_achievement < 0.1' (< <= > >=, and / or)")
    d.add_argument("--label", default=None, help="what to call it in the text, e.g. "
                   "'the partnership stalls'")
    d.add_argument("--per", choices=["run", "point"], default="run",
                   help="cases are runs (default) or design points' means")
    d.add_argument("--boxes", type=int, default=1, help="PRIM boxes to find in turn")
    d.add_argument("--box", type=int, default=None, metavar="STEP",
                   help="pick the first box at this step of the peeling trajectory")
    d.add_argument("--min-coverage", type=float, default=0.5,
                   help="default pick: the densest box covering at least this share")
    d.add_argument("--peel-alpha", type=float, default=0.05)
    d.add_argument("--mass-min", type=float, default=0.05)
    d.add_argument("--qp-max", type=float, default=0.05,
                   help="drop restrictions whose quasi-p is above this")
    d.add_argument("--keep-all", action="store_true", help="keep every restriction")
    d.add_argument("--cart-depth", type=int, default=3)
    d.add_argument("--out", default=None, help="output directory (default: DIR/discovery)")
    d.add_argument("--quiet", "-q", action="store_true")
    d.set_defaults(func=_cmd_discover)

    n = sub.add_parser("national", help="summarise a national_ensemble sweep: spread of "
                       "outcomes across England's 150 LAA areas, best against worst")
    n.add_argument("dir", metavar="DIR", help="a complete sweep of the national_ensemble "
                   "experiment")
    n.add_argument("--metric", default=None, help="the outcome (default: the first metric)")
    n.add_argument("--share", type=float, default=0.1,
                   help="best and worst share of areas to compare (default 0.1)")
    n.add_argument("--out", default=None, help="output directory (default: DIR/national)")
    n.add_argument("--quiet", "-q", action="store_true")
    n.set_defaults(func=_cmd_national)

    e = sub.add_parser("experiments", help="list the preset experiments with their run counts")
    e.set_defaults(func=_cmd_experiments)
