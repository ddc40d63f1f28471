"""Writing a run's report: Parquet tables, summary.json, the resolved scenario and figures."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from lspsim import outcomes, plots
from lspsim.io import atomic_output_dir, write_json
from lspsim.results import RunResult
from lspsim.runner import run_model


def write_report(result: RunResult, out: str | Path) -> Path:
    """Write everything about ``result`` into ``out`` (a new folder, or an lspsim run report
    replaced whole with ``--force``; never half-written: see lspsim.io)."""
    with atomic_output_dir(out, "run") as tmp:
        result.timeseries.to_parquet(tmp / "timeseries.parquet", index=False)
        result.partners.to_parquet(tmp / "partners.parquet", index=False)
        result.targets.to_parquet(tmp / "targets.parquet", index=False)
        summary = result.summary
        write_json(tmp / "summary.json", summary)
        (tmp / "scenario.toml").write_text(
            "# The resolved scenario: `lspsim run scenario.toml --replications "
            f"{result.replications}` re-runs this exactly.\n" + result.scenario.to_toml())
        _figures(result, summary, tmp)
    return Path(out)


def _figures(result: RunResult, summary: dict, out: Path) -> None:
    figs = {
        "dynamics.png": plots.dynamics_figure(result.timeseries, result.scenario.name),
        "targets.png": plots.target_figure(result.targets, result.reps[0].weakest_links and
                                           [w["theme"] for w in result.reps[0].weakest_links]),
        "stakes.png": plots.stakes_figure(pd.DataFrame(summary["partners"])),
    }
    # The network at the end of replication 0, rebuilt from its seed (exact, and cheap).
    model = run_model(result.scenario, result.seed, 0, result.months)
    figs["network.png"] = plots.network_figure(
        model.ties, model.trust, model.partner_names, model.kinds,
        [a.tier for a in model.partners], model.budget, result.scenario.network.tie_threshold)
    for name, fig in figs.items():
        fig.savefig(out / name, dpi=110)
        plt.close(fig)


def _fmt(m: dict) -> str:
    if m.get("mean") is None:
        return "n/a"
    if m.get("ci95"):
        lo, hi = m["ci95"]
        return f"{m['mean']:.2f}  (95% CI {lo:.2f} to {hi:.2f})"
    return f"{m['mean']:.2f}"


def print_summary(result: RunResult, out: Path) -> None:
    s = result.summary
    print(f"lspsim: scenario '{s['scenario']}', {s['months']} months, "
          f"{s['replications']} replication(s), seed {s['seed']}")
    rows = [m for m in outcomes.SUMMARY if m.headline]
    width = max(len(m.label) for m in rows)
    for m in rows:
        print(f"  {m.label:{width}s}  {_fmt(s[m.name])}")
    weakest = s["weakest_link_partners"]
    if weakest:
        top = ", ".join(f"{k} ({v})" for k, v in list(weakest.items())[:3])
        print(f"  most often the weakest link: {top}")
    print(f"  wrote {out}/: timeseries.parquet, partners.parquet, targets.parquet, summary.json, "
          "scenario.toml, dynamics.png, targets.png, network.png, stakes.png")
