"""Experiments at scale: designs, resumable sweeps on any Executor, and their analysis.

Python API (mirrors SALib's ProblemSpec: one Experiment flows sample -> run -> analyse)::

    from lspsim.sweep import load_experiment, run_sweep, analyse
    exp = load_experiment("experiments/leadership_network.toml")   # validated now
    exp.sample().n_points                       # the design
    run_sweep(exp, "out/sweep", workers=2)      # runs.parquet, series.parquet, manifest.json
    analyse("out/sweep")                        # out/sweep/analysis/: tables and figures
"""

from lspsim.sweep.analysis import analyse
from lspsim.sweep.designs import Design, generate_design
from lspsim.sweep.executors import SweepResult, run_seed, run_sweep, simulate
from lspsim.sweep.experiment import Experiment, Factor, experiment_from_dict, load_experiment

__all__ = [
    "Design",
    "Experiment",
    "Factor",
    "SweepResult",
    "analyse",
    "experiment_from_dict",
    "generate_design",
    "load_experiment",
    "run_seed",
    "run_sweep",
    "simulate",
]
