"""The ``lspsim`` command. Bad input prints one located message and exits 2."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import textwrap
import typing
from collections.abc import Sequence
from typing import Any

from lspsim._version import __version__
from lspsim.errors import EnvironmentFailure, InputError

# Measured on Python 3.11 (2 cores, 24 GiB): 1,000 replications of the default scenario take
# 15 s and add about 150 MB; `lspsim sweep` streams results to disk for bigger studies.
MAX_REPLICATIONS = 10_000

# Modules that add sub-commands: each defines ``register(subparsers)`` and sets ``func``.
EXTENSIONS = ("lspsim.sweep.cli", "lspsim.appraisal.cli", "lspsim.app.cli", "lspsim.validation",
              "lspsim.validation.calibrate")


def _cmd_run(args: argparse.Namespace) -> int:
    from lspsim.io import check_output_dir
    from lspsim.report import print_summary, write_report
    from lspsim.results import run
    from lspsim.scenario import load_scenario, parse_set

    if not 1 <= args.replications <= MAX_REPLICATIONS:
        raise InputError("--replications", "replications", args.replications,
                         f"an integer from 1 to {MAX_REPLICATIONS:,} (every replication's "
                         "tables stay in memory until the report is written: about 0.15 MB "
                         "each at the default size, 1.5 GiB and 2.5 minutes on one core at "
                         "the limit; for more, use `lspsim sweep`)")
    if args.months is not None and not 1 <= args.months <= 600:
        raise InputError("--months", "months", args.months, "an integer from 1 to 600")
    if args.seed is not None and args.seed < 0:
        raise InputError("--seed", "seed", args.seed, "an integer >= 0")
    sc = load_scenario(args.scenario, parse_set(args.set))
    out = check_output_dir(f"out/{sc.name}" if args.out is None else args.out, "run",
                           force=args.force)
    result = run(sc, seed=args.seed, months=args.months, replications=args.replications,
                 progress=args.replications >= 10 and not args.quiet)
    write_report(result, out)
    if not args.quiet:
        print_summary(result, out)
    return 0


def allowed_values(info: Any) -> str:
    """What a schema field accepts, in a few words: a range, the choices, or the kind."""
    ann = info.annotation
    lo = next((m.ge for m in info.metadata if getattr(m, "ge", None) is not None), None)
    hi = next((m.le for m in info.metadata if getattr(m, "le", None) is not None), None)
    if ann in (int, float):
        kind, fmt = ("integer", "{:,}") if ann is int else ("number", "{:g}")
        if lo is not None and hi is not None:
            return f"{kind} {fmt.format(lo)} to {fmt.format(hi)}"
        return kind + (f" >= {fmt.format(lo)}" if lo is not None else "")
    if ann is bool:
        return "true or false"
    choices = typing.get_args(ann)
    if typing.get_origin(ann) is typing.Literal:
        return "one of " + "|".join(map(str, choices))
    if choices and typing.get_origin(choices[0]) is typing.Literal:
        return "a list of " + "|".join(map(str, typing.get_args(choices[0])))
    if ann is str and any(getattr(m, "pattern", None) for m in info.metadata):
        return "an identifier (letters, digits, _ -)"
    return "text" if ann is str else getattr(ann, "__name__", str(ann))


def _cmd_validate(args: argparse.Namespace) -> int:
    from lspsim.scenario import load_scenario, parameter_paths, parse_set

    if args.list:
        for path, info in parameter_paths().items():
            unit = (info.json_schema_extra or {}).get("unit", "")
            print(f"{path:45s} {allowed_values(info):32s} {unit:28s} {info.description or ''}")
        return 0
    if not args.scenario:
        raise InputError("lspsim validate", "SCENARIO", None, "a scenario file or preset name")
    sc = load_scenario(args.scenario, parse_set(args.set))
    print(f"{args.scenario}: valid scenario '{sc.name}' "
          f"({sc.structure.kind}, {sc.months} months, seed {sc.seed})")
    return 0


def _cmd_scenarios(args: argparse.Namespace) -> int:
    from lspsim.scenario import list_presets, odd_parameter_table, reference_markdown

    if args.odd_table:
        print(odd_parameter_table(), end="")
        return 0
    if args.reference:
        print(reference_markdown(), end="")
        return 0
    for name, desc in list_presets().items():
        print(name)
        print(textwrap.indent(textwrap.fill(" ".join(desc.split()), 88), "    "))
    return 0


def _cmd_outputs(args: argparse.Namespace) -> int:
    from lspsim import outcomes

    if args.reference:
        print(outcomes.reference_markdown(), end="")
        return 0
    for level in ("model", "partner", "target"):
        print(f"{level}-level series:")
        for o in getattr(outcomes, {"model": "SERIES", "partner": "PARTNER_SERIES",
                                    "target": "TARGET_SERIES"}[level]):
            print(f"  {o.name:32s} {o.unit:34s} {o.label}")
    print("summary metrics (final month):")
    for m in outcomes.SUMMARY:
        print(f"  {m.name:32s} {m.unit:34s} {m.label}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="lspsim",
        description="Agent-based simulation of joint working in a local strategic partnership.")
    p.add_argument("--version", action="version", version=f"lspsim {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    r = sub.add_parser("run", help="run a scenario and write its report")
    r.add_argument("scenario", metavar="SCENARIO", help="a TOML file or a preset name")
    r.add_argument("--seed", type=int, default=None, help="base seed (default: the scenario's)")
    r.add_argument("--months", type=int, default=None, help="months to simulate")
    r.add_argument("--replications", "-r", type=int, default=1, help="independent replications")
    r.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="override a parameter, e.g. --set leadership.chair_style=directive")
    r.add_argument("--out", default=None, help="output directory (default: out/NAME); an "
                   "existing folder is refused unless it holds an lspsim run report and "
                   "--force is given")
    r.add_argument("--force", action="store_true",
                   help="replace the lspsim run report already in the output folder")
    r.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")
    r.set_defaults(func=_cmd_run)

    v = sub.add_parser("validate", help="check a scenario file; --list shows every parameter")
    v.add_argument("scenario", nargs="?", metavar="SCENARIO")
    v.add_argument("--set", action="append", default=[], metavar="PATH=VALUE")
    v.add_argument("--list", action="store_true", help="list every parameter path with its unit")
    v.set_defaults(func=_cmd_validate)

    s = sub.add_parser("scenarios", help="list the preset scenarios")
    s.add_argument("--reference", action="store_true",
                   help="print the Markdown reference of every parameter (docs/scenarios.md)")
    s.add_argument("--odd-table", action="store_true",
                   help="print the parameter table of docs/ODD.md III.iv")
    s.set_defaults(func=_cmd_scenarios)

    o = sub.add_parser("outputs", help="list every output series and summary metric")
    o.add_argument("--reference", action="store_true",
                   help="print the data dictionary of every output file (docs/outputs.md)")
    o.set_defaults(func=_cmd_outputs)

    for name in EXTENSIONS:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # that part of lspsim is not present
            raise
        mod.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (InputError, EnvironmentFailure) as exc:
        print(f"lspsim: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("lspsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. `lspsim scenarios | head`): stop quietly, and
        # point stdout at devnull so Python's flush at exit does not raise again (Python docs,
        # "Note on SIGPIPE").
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as exc:
        # the machine failed us (disk full, permissions changed under us): one line, exit 3
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"lspsim: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EnvironmentFailure.exit_code


if __name__ == "__main__":
    sys.exit(main())
