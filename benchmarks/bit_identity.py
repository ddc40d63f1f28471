"""Bit-identity check of the model's outputs across a refactoring.

Run by hand (not a test), from the repository root:

    PYTHONPATH=. python benchmarks/bit_identity.py dump /tmp/before.npz     # on the old commit
    PYTHONPATH=. python benchmarks/bit_identity.py compare /tmp/before.npz  # on the new one

For every preset in scenarios/, a few variants of the default
preset that reach otherwise idle paths (heavy turnover, exclusion by a directive chair, no common
data standards), and seeds 1-3, it runs a full ``PartnershipModel`` (the scenario's months) and
keeps every array it exposes: each model-level series, the partner-level series, target progress
by month, how often each link was the weakest, contributions, gains and the final state (trust,
ties, commitment, observation, pressure, maturity, links, progress, adequacy, capacity, budgets,
slopes, voice, chains). ``compare`` recomputes them and checks each for exact equality (NaN
equal to NaN), printing the number of arrays compared and any that differ (exit 1).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import lspsim
from lspsim.model import PartnershipModel
from lspsim.scenario import presets_dir

SEEDS = (1, 2, 3)
VARIANTS = {
    "heavy_turnover": {"network.turnover": 0.9},
    "directive_exclusion": {"leadership.chair_style": "directive",
                            "leadership.board_style": "laissez_faire",
                            "leadership.council_dominance": 0.9},
    "no_standards": {"monitoring.common_data_standards": False},
}
STATE = ("trust", "ties", "commitment", "observed", "pressure", "maturity", "link", "progress",
         "adequacy", "effective_capacity", "budget", "slope", "voice", "chains",
         "months_to_deliver", "burden")


def scenarios() -> dict[str, lspsim.Scenario]:
    root = presets_dir()
    out = {str(p.relative_to(root).with_suffix("")): lspsim.load_scenario(p)
           for p in sorted(root.glob("*.toml"))}
    base = out["default"]
    for name, updates in VARIANTS.items():
        out[f"default+{name}"] = base.with_updates(updates)
    return out


def arrays() -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name, sc in scenarios().items():
        for seed in SEEDS:
            m = PartnershipModel(sc, rng=seed).run_months()
            key = f"{name}/seed{seed}"
            for series, values in m.series().items():
                out[f"{key}/series/{series}"] = np.asarray(values)
            out[f"{key}/partner_series"] = m.partner_series()
            out[f"{key}/progress_series"] = m.progress_series()
            out[f"{key}/weakest_count"] = m.weakest_count
            out[f"{key}/contribution"] = m.contribution()
            out[f"{key}/gains"] = m.gains()
            for attr in STATE:
                out[f"{key}/state/{attr}"] = np.asarray(getattr(m, attr))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("action", choices=("dump", "compare"))
    ap.add_argument("file", type=Path)
    args = ap.parse_args(argv)
    now = arrays()
    if args.action == "dump":
        np.savez_compressed(args.file, **now)
        print(f"wrote {len(now)} arrays to {args.file}")
        return 0
    with np.load(args.file) as before:
        names = set(before.files)
        missing = sorted(names - now.keys())
        extra = sorted(now.keys() - names)
        differ = [k for k in sorted(names & now.keys())
                  if before[k].shape != now[k].shape
                  or not np.array_equal(before[k], now[k], equal_nan=before[k].dtype.kind == "f")]
    same = len(names & now.keys()) - len(differ)
    print(f"compared {len(names & now.keys())} arrays: {same} bit-identical, {len(differ)} differ, "
          f"{len(missing)} missing, {len(extra)} new")
    for k in differ[:20] + missing[:5]:
        print("  differs" if k in differ else "  missing", k)
    return 0 if not differ and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
