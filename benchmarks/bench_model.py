"""Wall time of one lspsim run beside Mesa's own Boltzmann wealth example.

Run by hand (not a test), from the repository root:

    PYTHONPATH=. python benchmarks/bench_model.py                # 25, 100, 400 partners
    PYTHONPATH=. python benchmarks/bench_model.py --sizes 25 400 --repeats 11

For each size n it times, in this one process, after one untimed warm-up run of each:

* lspsim: ``PartnershipModel(scenario, rng=seed)`` then ``model.run_months(120)``, where
  ``scenario`` is the ``default`` preset with ``months = 120`` and ``structure.n_voluntary`` /
  ``structure.n_business`` set so that ``len(partner_kinds(scenario)) == n`` exactly (the
  non-council, non-statutory places split 2:1 voluntary:business, as in the preset). The scenario
  is built once per n, outside the timed region (loading TOML and validating it is not model work).
* Mesa's ``BoltzmannWealth`` example: constructor then 120 ``step()`` calls, with n agents on a
  ``ceil(sqrt(n)) x ceil(sqrt(n))`` torus (5x5, 10x10, 20x20), the same on every Mesa version.
  Mesa 3.3 takes ``BoltzmannWealth(n=, width=, height=, seed=)``; Mesa 3.5 takes
  ``BoltzmannWealth(scenario=BoltzmannScenario(n=, width=, height=, rng=))``. The example itself
  differs between versions (3.5 also feeds an experimental DataRecorder each step), so compare
  ratios across Mesa versions with that in mind.

Both timings include model construction. Repeat k uses seed k for both models, and the two
models are timed alternately so that background load falls on both alike. The table gives
the median of the repeats in milliseconds and the ratio lspsim / Boltzmann; targets are a ratio
<= 1.0 at 25 partners and <= 3.0 at 400.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable

import mesa
from mesa.examples import BoltzmannWealth

import lspsim
from lspsim.scenario import Scenario, partner_kinds

MONTHS = 120
TARGETS = {25: 1.0, 400: 3.0}


def scenario_with_partners(n: int, months: int = MONTHS) -> Scenario:
    """The default preset resized to exactly ``n`` partners."""
    base = lspsim.load_scenario("default")
    fixed = len(partner_kinds(base.with_updates({"structure.n_voluntary": 0,
                                                 "structure.n_business": 0})))
    rest = n - fixed
    if rest < 0:
        raise SystemExit(f"the default preset has {fixed} fixed partners; n must be >= {fixed}")
    business = rest // 3
    sc = base.with_updates({"months": months, "structure.n_voluntary": rest - business,
                            "structure.n_business": business})
    assert len(partner_kinds(sc)) == n, (n, len(partner_kinds(sc)))
    return sc


def run_lspsim(sc: Scenario, seed: int, months: int = MONTHS) -> None:
    model = lspsim.PartnershipModel(sc, rng=seed)
    model.run_months(months)


def make_boltzmann(n: int, side: int, seed: int) -> mesa.Model:
    """Build the example with whichever constructor the installed Mesa has."""
    params = inspect.signature(BoltzmannWealth.__init__).parameters
    if "scenario" in params:  # Mesa >= 3.4
        from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario

        return BoltzmannWealth(scenario=BoltzmannScenario(n=n, width=side, height=side, rng=seed))
    return BoltzmannWealth(n=n, width=side, height=side, seed=seed)


def run_boltzmann(n: int, seed: int, steps: int = MONTHS) -> None:
    side = math.ceil(math.sqrt(n))
    model = make_boltzmann(n, side, seed)
    for _ in range(steps):
        model.step()


def blas_threads() -> str:
    """BLAS thread counts in effect (lspsim pins one at import), as threadpoolctl reports them."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}"
    return ", ".join(f"{i['internal_api']} {i['num_threads']}" for i in threadpool_info()
                     if i.get("user_api") == "blas") or "none found"


def paired_medians(a: Callable[[int], None], b: Callable[[int], None],
                   repeats: int) -> tuple[float, float]:
    """Median wall times (ms) of ``a(seed)`` and ``b(seed)`` over seeds 0..repeats-1, after one
    untimed warm-up call of each. The two are timed alternately, so background load on the
    machine falls on both alike."""
    a(10_000)
    b(10_000)
    ta, tb = [], []
    for k in range(repeats):
        for fn, times in ((a, ta), (b, tb)):
            gc.collect()
            t0 = time.perf_counter()
            fn(k)
            times.append(time.perf_counter() - t0)
    return 1000.0 * statistics.median(ta), 1000.0 * statistics.median(tb)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[25, 100, 400],
                    help="partner (= Boltzmann agent) counts")
    ap.add_argument("--repeats", type=int, default=7, help="timed repeats per size and model")
    ap.add_argument("--months", type=int, default=MONTHS, help="months (= Boltzmann steps)")
    args = ap.parse_args(argv)

    print(f"Python {platform.python_version()} ({sys.implementation.name}), "
          f"Mesa {mesa.__version__}, numpy {__import__('numpy').__version__}, "
          f"lspsim {lspsim.__version__}")
    print(f"{platform.machine()}, {os.cpu_count()} CPUs; {args.months} months/steps; "
          f"median of {args.repeats} after 1 warm-up; times include construction")
    print(f"BLAS threads in effect: {blas_threads()}, "
          f"load average {os.getloadavg()[0]:.2f} at start")
    print()
    header = f"{'n':>5}  {'lspsim ms':>10}  {'Boltzmann ms':>12}  {'ratio':>6}  target"
    print(header)
    print("-" * len(header))
    missed = []
    for n in args.sizes:
        sc = scenario_with_partners(n, args.months)
        t_lsp, t_bw = paired_medians(lambda seed, sc=sc: run_lspsim(sc, seed, args.months),
                                     lambda seed, n=n: run_boltzmann(n, seed, args.months),
                                     args.repeats)
        ratio = t_lsp / t_bw
        target = TARGETS.get(n)
        if target is None:
            verdict = ""
        else:
            ok = ratio <= target
            verdict = f"<= {target:.1f} {'ok' if ok else 'MISSED'}"
            if not ok:
                missed.append(n)
        print(f"{n:>5}  {t_lsp:>10.1f}  {t_bw:>12.1f}  {ratio:>6.2f}  {verdict}", flush=True)
    if missed:
        print(f"\nratio target missed at n = {missed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
