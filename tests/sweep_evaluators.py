"""Evaluators for the sweep tests. Module level, so spawned worker processes can import them."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from lspsim.scenario import Scenario

# Ishigami (a=7, b=0.1) on x_i = -pi + 2 pi u_i with u_i the lever's value in [0, 1].
ISHIGAMI_PATHS = ("trust.gain", "trust.loss", "trust.spread")
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def ishigami(scenario: Scenario, seed: int) -> dict[str, float]:
    t = scenario.trust
    x1, x2, x3 = (-math.pi + 2 * math.pi * u for u in (t.gain, t.loss, t.spread))
    y = math.sin(x1) + 7 * math.sin(x2) ** 2 + 0.1 * x3**4 * math.sin(x1)
    return {"target_achievement": y}


def linear(scenario: Scenario, seed: int) -> dict[str, float]:
    """Depends on trust.gain strongly, trust.loss weakly, trust.spread not at all."""
    return {"target_achievement": 2.0 * scenario.trust.gain + 0.2 * scenario.trust.loss}


def fragile(scenario: Scenario, seed: int) -> dict[str, float]:
    """Raises for chair_style 'directive' with low initial tie strength; otherwise returns
    a deterministic function of the seed. Fails once (then succeeds) where a marker file for
    the seed is missing in $LSPSIM_TEST_FLAKY_DIR, to exercise the retry."""
    lead, net = scenario.leadership, scenario.network
    if lead.chair_style == "directive" and net.initial_strength < 0.2:
        raise ValueError("directive chair with weak ties (test failure)")
    flaky = os.environ.get("LSPSIM_TEST_FLAKY_DIR")
    if flaky and lead.chair_style == "transactional":
        marker = Path(flaky) / str(seed)
        if not marker.exists():
            marker.touch()
            raise RuntimeError("transient failure (test)")
    return {"target_achievement": (seed % 1000) / 1000.0, "mean_trust": net.initial_strength}


def crash(scenario: Scenario, seed: int) -> dict[str, float]:
    """Kills its worker process outright (as a segfault would) for a laissez-faire chair with
    weak initial ties."""
    if (scenario.leadership.chair_style == "laissez_faire"
            and scenario.network.initial_strength < 0.2):
        os._exit(3)
    return {"target_achievement": scenario.network.initial_strength}


def _fault_once(scenario: Scenario, name: str) -> bool:
    """True the first time the last design point (trust.gain above 0.45) runs while
    $LSPSIM_TEST_FAULT_DIR holds no marker `name` (the marker is then written): a fault
    injected exactly once, at a fixed place in the sweep."""
    where = os.environ.get("LSPSIM_TEST_FAULT_DIR")
    if not where or scenario.trust.gain <= 0.45:
        return False
    marker = Path(where) / name
    if marker.exists():
        return False
    marker.touch()
    return True


def kills_scheduler(scenario: Scenario, seed: int) -> dict[str, float]:
    """As `linear`, but kills the Dask scheduler (its pid in $LSPSIM_TEST_FAULT_DIR/scheduler.pid)
    once, at the last design point."""
    if _fault_once(scenario, "scheduler-killed"):
        pid = int((Path(os.environ["LSPSIM_TEST_FAULT_DIR"]) / "scheduler.pid").read_text())
        os.kill(pid, 9)
    return linear(scenario, seed)


def kills_worker(scenario: Scenario, seed: int) -> dict[str, float]:
    """As `linear`, but its worker process dies once (the nanny starts another), at the last
    design point."""
    if _fault_once(scenario, "worker-killed"):
        os._exit(1)
    return linear(scenario, seed)

def stall_rule(scenario: Scenario, seed: int) -> dict[str, float]:
    """A known failure region for scenario discovery: targets stall (< 0.1) exactly when the
    council dominance is above 0.6 and there are no common data standards; elsewhere the
    outcome is 0.3 to 0.9, with seed-driven noise and a weak slope in initial trust."""
    lead, mon = scenario.leadership, scenario.monitoring
    noise = (seed % 1000) / 1000.0
    if lead.council_dominance > 0.6 and not mon.common_data_standards:
        return {"target_achievement": 0.05 * noise, "mean_trust": scenario.trust.initial}
    return {"target_achievement": 0.3 + 0.4 * scenario.trust.initial + 0.2 * noise,
            "mean_trust": scenario.trust.initial}


def by_districts(scenario: Scenario, seed: int) -> dict[str, float]:
    """Targets fall by 0.05 per district council, plus seed noise of sd about 0.03."""
    noise = ((seed % 1000) / 1000.0 - 0.5) * 0.1
    return {"target_achievement": 0.6 - 0.05 * scenario.structure.n_districts + noise,
            "mean_trust": 0.5, "mean_commitment": 0.5, "monitoring_maturity": 0.5}


def noisy_by_point(scenario: Scenario, seed: int) -> dict[str, float]:
    """Noise whose spread grows with trust.gain (0 to 0.4 sd-ish): noisy points need more
    replications to reach a given CI half-width."""
    u = ((seed >> 11) % 100_000) / 100_000.0 - 0.5
    return {"target_achievement": 0.5 + scenario.trust.gain * u,
            "mean_trust": scenario.trust.gain}


def noisy_linear(scenario: Scenario, seed: int) -> dict[str, float]:
    """``linear`` plus replication noise (sd 0.05, drawn from the run's seed): a Morris design
    with a known ranking (trust.gain 2.0, trust.loss 0.2, trust.spread 0) and a noise floor."""
    noise = float(np.random.default_rng(seed).normal(0.0, 0.05))
    return {"target_achievement": linear(scenario, seed)["target_achievement"] + noise,
            "mean_trust": scenario.trust.gain + scenario.trust.spread + noise}


def slow_square(task: tuple[str, int]) -> int:
    """A task that takes a while and leaves a mark in a folder (tests of Ctrl-C during
    map_runs): ``(folder, x)`` -> x squared."""
    import time
    from pathlib import Path

    folder, x = task
    time.sleep(0.3)
    (Path(folder) / str(x)).touch()
    return x * x


class CtrlCWhenFinalised:
    """Raises a real SIGINT as it is finalised: made and dropped at once, it is a Ctrl-C that
    lands while a finaliser runs (where Python's own handler swallowed it; tests of
    lspsim.interrupt)."""

    def __del__(self):
        import signal

        signal.raise_signal(signal.SIGINT)
