"""``lspsim appraise``: the cost-benefit appraisal from the command line.

Everything is read and checked before anything runs, and outputs are written into an atomic
directory last, so bad input exits 2 with one message and writes nothing.
"""

from __future__ import annotations

import argparse
import shlex
import textwrap
from typing import Any

from lspsim.errors import InputError


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "appraise",
        help="cost-benefit appraisal of joint working (Green Book NPSV, BCR, uncertainty)",
        description="Appraise a do-minimum arrangement (SCENARIO) and options against it: "
                    "each run through the model with common random numbers and priced with "
                    "appraisal assumptions. NPSV, BCR, financial return to the public sector, "
                    "who pays and who gains, Monte Carlo over the assumptions, sensitivities, "
                    "switching values and a tornado.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=textwrap.dedent("""\
            examples:
              lspsim appraise default --samples 1000 --replications 10 --seed 1
              lspsim appraise scenarios/appraisal/today.toml \\
                  --option scenarios/appraisal/clearer-layers.toml \\
                  --option scenarios/appraisal/common-standards.toml --out out/options
              lspsim appraise default --compare-set layers.clarity=0.95 \\
                  --set appraisal.additionality.displacement=0.4
              lspsim appraise --list        # every assumption with its unit and source
            """))
    p.add_argument("scenario", nargs="?", metavar="SCENARIO",
                   help="the do-minimum: a scenario TOML file or preset name")
    p.add_argument("--assumptions", metavar="FILE", default=None,
                   help="an [appraisal] TOML file laid over the defaults")
    p.add_argument("--samples", "-n", type=int, default=1000,
                   help="assumption draws for the Monte Carlo (default 1000)")
    p.add_argument("--replications", "-r", type=int, default=10,
                   help="model replications per scenario (default 10)")
    p.add_argument("--seed", type=int, default=None,
                   help="base seed for replications and draws (default: the scenario's)")
    p.add_argument("--months", type=int, default=None, help="months to simulate")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="override a parameter: appraisal.PATH edits an assumption's value (or "
                        "appraisal.PATH.low/high/sigma/dist), any other path the scenario(s)")
    p.add_argument("--option", action="append", default=[], metavar="SCENARIO2",
                   help="an option to appraise against the do-minimum (repeat for more)")
    p.add_argument("--compare", metavar="SCENARIO2", default=None,
                   help="one more option (kept for older commands; same as --option)")
    p.add_argument("--compare-set", action="append", default=[], metavar="PATH=VALUE",
                   help="the second arrangement as SCENARIO (or SCENARIO2) with these changes, "
                        "e.g. layers.clarity=0.95")
    p.add_argument("--out", default=None, help="output directory (default: out/appraisal-NAME)")
    p.add_argument("--force", action="store_true",
                   help="replace the lspsim appraisal already in the output folder")
    p.add_argument("--list", action="store_true",
                   help="list every assumption with its unit, value, distribution and source")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")
    p.set_defaults(func=cmd_appraise)


# samples x replications: 8 bytes each, per flow and year, in the Monte Carlo's arrays;
# 10^8 keeps them under 1 GiB (10^6 x 10^4 tried to allocate 74.5 GiB).
MAX_DRAWS = 100_000_000


def _check_int(flag: str, value: int | None, lo: int, hi: int) -> None:
    if value is not None and not lo <= value <= hi:
        raise InputError(flag, flag.lstrip("-"), value, f"an integer from {lo} to {hi}")


def _list(args: argparse.Namespace) -> int:
    from lspsim.appraisal.assumptions import choice_specs, load_assumptions, split_set

    _, updates = split_set(args.set)
    a = load_assumptions(args.assumptions, updates)
    for path, q in a.quantities().items():
        dist = "" if q.dist == "fixed" else (
            f" {q.dist}({q.low:g}, {q.high:g})" if q.dist != "lognormal"
            else f" lognormal(sigma={q.sigma:g})")
        year = f" ({q.price_year} prices)" if q.price_year is not None else ""
        print(f"appraisal.{path:42s} {q.value:>12g} {q.unit:20s}{dist}{year}")
        print(f"    {q.source}")
    for path, spec in choice_specs().items():
        print(f"appraisal.{path:42s} {a.choice(path):>12s} one of {', '.join(spec['choices'])}")
    return 0


def _command(args: argparse.Namespace) -> str:
    parts = ["lspsim", "appraise", args.scenario]
    for flag, v in (("--assumptions", args.assumptions), ("--samples", args.samples),
                    ("--replications", args.replications), ("--seed", args.seed),
                    ("--months", args.months), ("--compare", args.compare)):
        if v is not None:
            parts += [flag, str(v)]
    for item in args.option:
        parts += ["--option", item]
    for item in args.set:
        parts += ["--set", item]
    for item in args.compare_set:
        parts += ["--compare-set", item]
    if args.out:
        parts += ["--out", args.out]
    return shlex.join(parts)


def cmd_appraise(args: argparse.Namespace) -> int:
    from lspsim.appraisal.assumptions import load_assumptions, split_set
    from lspsim.scenario import load_scenario, parse_set

    if args.list:
        return _list(args)
    if not args.scenario:
        raise InputError("lspsim appraise", "SCENARIO", None,
                         "a scenario file or preset name (or --list)")
    _check_int("--samples", args.samples, 1, 1_000_000)
    _check_int("--replications", args.replications, 1, 10_000)
    _check_int("--seed", args.seed, 0, 2**63 - 1)
    _check_int("--months", args.months, 1, 600)
    if args.samples * args.replications > MAX_DRAWS:
        raise InputError("--samples", "samples x replications",
                         args.samples * args.replications, f"at most {MAX_DRAWS:,}: the Monte "
                         "Carlo holds 8 bytes per draw and replication for each yearly flow, "
                         "so 10^10 needed 74.5 GiB where this machine class has 24 GiB")
    scenario_items, updates = split_set(args.set)
    scenario_updates = parse_set(scenario_items)
    a = load_assumptions(args.assumptions, updates)
    sc = load_scenario(args.scenario, scenario_updates)
    options = [load_scenario(o, scenario_updates) for o in args.option]
    option = None
    if args.compare or args.compare_set:
        option = load_scenario(args.compare or sc, scenario_updates)
        if args.compare_set:
            changes = parse_set(args.compare_set)
            if not args.compare and "name" not in changes:
                changes["name"] = f"{sc.name}_option"
            option = option.with_updates(changes, source="--compare-set")
    seed = sc.seed if args.seed is None else args.seed
    from lspsim.io import check_output_dir

    out = check_output_dir(f"out/appraisal-{sc.name}" if args.out is None else args.out,
                           "appraisal", force=args.force)

    from lspsim.appraisal.pipeline import appraise
    from lspsim.appraisal.report import write_outputs

    if option is not None:
        options.append(option)
    result = appraise(sc, a, seed=seed, replications=args.replications, samples=args.samples,
                      months=args.months, options=options, assumptions_file=args.assumptions)
    write_outputs(result, out, _command(args))
    if not args.quiet:
        for line in summary_lines(result):
            print(line)
        print(f"wrote {out}/ (appraisal.md, appraisal.xlsx, appraisal.json, CSV tables, charts)")
    return 0


def summary_lines(result: Any) -> list[str]:
    """The few lines the command prints (the README quotes them; a test keeps them in step)."""
    from lspsim.appraisal.report import gbp

    d = result.to_dict()
    c, m = d["result"]["central"], d["result"]["modal_case"]
    mc = d["result"]["monte_carlo"]["npsv"]
    bcr = "n/a" if c["bcr"] is None else f"{c['bcr']:.2f}"
    lines = [f"{d['do_minimum']} (do-minimum) vs no partnership: NPSV {gbp(c['npsv'])} "
             f"expected (modal case {gbp(m['npsv'])}), BCR {bcr}; 90% range {gbp(mc['p5'])} "
             f"to {gbp(mc['p95'])}, P(NPSV > 0) = {mc['prob_positive']:.0%}"]
    for comp in d["comparisons"]:
        inc = comp["incremental_npsv"]
        lines.append(f"{comp['option']} vs {comp['base']}: incremental NPSV "
                     f"{gbp(comp['central_incremental_npsv'], True)} expected (modal case "
                     f"{gbp(comp['modal_incremental_npsv'], True)}), 90% range "
                     f"{gbp(inc['p5'], True)} to {gbp(inc['p95'], True)}, transition costs "
                     f"{gbp(comp['pv_transition_costs'])}, P(better) = "
                     f"{comp['prob_option_better']:.0%}")
    return lines
