"""Running every check: the public-goods game against the laboratory, the report's findings as
paired effects with their robustness, and the trust and monitoring patterns."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lspsim.scenario import load_scenario
from lspsim.stats import interval as ci95
from lspsim.stats import paired_effect as paired_ci
from lspsim.validation.measures import months_to_half, trust_kernel
from lspsim.validation.patterns import (
    BASE,
    F1,
    F1_MONTHS,
    F1_UPDATES,
    H1,
    H2,
    HALF_MONTHS_MIN,
    KERNEL_MONTHS,
    PAIRS,
    PG_CRITERIA,
    PG_SEED,
    ROBUST_SHARE,
    SEED,
    Config,
    Pair,
)
from lspsim.validation.robustness import lhs_points
from lspsim.validation.runs import Runner, Task, _key


@dataclass
class Check:
    id: str
    title: str
    claim: str
    source: str
    measure: str
    effect: float
    lo: float
    hi: float
    effect_ok: bool
    robustness: float | None = None  # share of LHS points with the claimed sign
    figure: str = ""
    short: str = ""  # a short label for the figures

    @property
    def robust_ok(self) -> bool | None:
        return None if self.robustness is None else self.robustness >= ROBUST_SHARE

    @property
    def passed(self) -> bool:
        return self.effect_ok and self.robust_ok is not False


@dataclass
class Results:
    config: Config
    checks: list[Check] = field(default_factory=list)
    pg: dict[str, Any] = field(default_factory=dict)
    dynamics: dict[str, Any] = field(default_factory=dict)
    monitoring: dict[str, Any] = field(default_factory=dict)
    kernel: dict[str, Any] = field(default_factory=dict)
    lhs: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1

    def check(self, cid: str) -> Check:
        return next(c for c in self.checks if c.id == cid)


# Sensitivity of the punished game to the one value chosen by judgement (reported, not fitted).
SANCTION_GRID = (0.0, 0.5, 1.0, 2.0, 3.33, 5.0)


def _pg_tasks(cfg: Config) -> dict[str, list[Task]]:
    out = {name: [(preset, "{}", PG_SEED, k, 0, True) for k in range(cfg.replications)]
           for name, preset in (("none", "public_goods"), ("punishment",
                                                           "public_goods_punishment"))}
    for s in SANCTION_GRID:
        upd = _key({"scrutiny.sanction_strength": s})
        out[f"sanction {s:g}"] = [("public_goods_punishment", upd, PG_SEED, k, 0, True)
                                  for k in range(cfg.replications)]
    return out


def _pair_tasks(pair: Pair, reps: int, seed: int, extra: dict[str, Any], keep: bool
                ) -> tuple[list[Task], list[Task]]:
    ua, ub = _key({**extra, **pair.a}), _key({**extra, **pair.b})
    return ([(BASE, ua, seed, k, 0, keep) for k in range(reps)],
            [(BASE, ub, seed, k, 0, keep) for k in range(reps)])


def paired_effect(pair_id: str, metric: str, reps: int, seed: int = SEED,
                  workers: int = 1) -> tuple[float, float, float]:
    """One finding's paired effect on one metric (mean A - B and its 95% CI) over ``reps``
    replications: the same numbers the report gives when ``reps`` equals its replications."""
    pair = next(p for p in PAIRS if p.id == pair_id)
    a, b = _pair_tasks(pair, reps, seed, {}, False)
    runner = Runner(workers)
    runner.run(a + b)
    return paired_ci([runner[ta]["metrics"][metric] for ta in a],
                     [runner[tb]["metrics"][metric] for tb in b])


def _public_goods(cfg: Config, runner: Runner) -> tuple[list[Check], dict[str, Any]]:
    tasks = _pg_tasks(cfg)
    c = {n: np.array([runner[t]["series"]["mean_commitment"] for t in ts])
         for n, ts in tasks.items()}
    none, pun = c.pop("none"), c.pop("punishment")
    src = "Ledyard (1995); Fehr & Gaechter (2000), AER 90:980 (groups of 4, MPCR 0.4, 10 rounds)"
    fig = "img/validation-public-goods.png"
    r1 = ci95(none[:, 1])
    p2 = ci95(none[:, 10] - 0.5 * none[:, 1])
    p3 = ci95(pun[:, 10] - pun[:, 1])
    p4 = paired_ci(pun[:, 10], none[:, 10])
    checks = [
        Check("P1", "Round 1", PG_CRITERIA["P1"], src, "round-1 mean contribution (no punishment)",
              *r1, 0.4 <= r1[0] <= 0.6, figure=fig),
        Check("P2", "Decay", PG_CRITERIA["P2"], src,
              "round10 - 0.5 x round1 (no punishment)", *p2, p2[2] < 0, figure=fig),
        Check("P3", "Sustained", PG_CRITERIA["P3"], src,
              "round10 - round1 (with punishment)", *p3, p3[1] >= 0, figure=fig),
        Check("P4", "Punishment", PG_CRITERIA["P4"], src,
              "round 10: with - without punishment", *p4, p4[1] > 0, figure=fig),
    ]
    info = {"none": none, "punishment": pun,
            "levels": {n: [ci95(m[:, r]) for r in range(m.shape[1])]
                       for n, m in (("none", none), ("punishment", pun))},
            "sanction": {s: ci95(c[f"sanction {s:g}"][:, 10]) for s in SANCTION_GRID},
            "ratio": [float(none[:, r].mean() / none[:, r - 1].mean())
                      for r in range(1, none.shape[1])]}
    return checks, info


def run_validation(cfg: Config | None = None, workers: int = 1,
                   progress: Callable[[str], None] | None = None) -> Results:
    """Run every check; the numbers depend on ``cfg`` and the seeds only."""
    cfg = cfg or Config()
    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    runner = Runner(workers)
    res = Results(cfg, workers=runner.workers)
    points = res.lhs = lhs_points(cfg.lhs_points)

    # Every run, queued at once so the pool stays busy.
    tasks: list[Task] = [t for ts in _pg_tasks(cfg).values() for t in ts]
    main = {p.id: _pair_tasks(p, cfg.replications, SEED, {}, True) for p in PAIRS}
    tasks += [t for a, b in main.values() for t in a + b]
    f1_main = (BASE, _key({**F1_UPDATES, "months": F1_MONTHS}), SEED, 0, 0, True)
    f1_nostd = (BASE, _key({**F1_UPDATES, "months": F1_MONTHS,
                            "monitoring.common_data_standards": False}), SEED, 0, 0, True)
    tasks += [f1_main, f1_nostd]
    h2_main = [(BASE, "{}", SEED, k, 0, False) for k in range(cfg.replications)]
    tasks += h2_main
    lhs_tasks: list[dict[str, Any]] = []
    for j, x in enumerate(points):
        seed = SEED + 1 + j
        pairs = {p.id: _pair_tasks(p, cfg.lhs_replications, seed, x, False) for p in PAIRS}
        f1 = (BASE, _key({**x, **F1_UPDATES, "months": F1_MONTHS}), seed, 0, 0, True)
        h2 = [(BASE, _key(x), seed, k, 0, False) for k in range(cfg.lhs_replications)]
        lhs_tasks.append({"pairs": pairs, "f1": f1, "h2": h2})
        tasks += [t for a, b in pairs.values() for t in a + b] + [f1] + h2
    say(f"validation: {len(set(tasks))} runs on {runner.workers} worker(s)")
    runner.run(tasks)

    # 1. The decision core against the laboratory.
    pg_checks, res.pg = _public_goods(cfg, runner)
    res.checks += pg_checks

    # 2. The findings.
    for p in PAIRS:
        a, b = main[p.id]
        res.dynamics[p.id] = {
            side: np.array([runner[t]["series"][_series_of(p.metrics[0])] for t in ts])
            for side, ts in (("a", a), ("b", b))}
        for j, m in enumerate(p.metrics, start=1):
            mean, lo, hi = paired_ci([runner[ta]["metrics"][m] for ta in a],
                                     [runner[tb]["metrics"][m] for tb in b])
            holds = []
            for lt in lhs_tasks:
                la, lb = lt["pairs"][p.id]
                dd = [runner[ta]["metrics"][m] - runner[tb]["metrics"][m]
                      for ta, tb in zip(la, lb, strict=True)]
                holds.append(float(np.mean(dd)) > 0)
            cid = p.id if len(p.metrics) == 1 else f"{p.id}.{j}"
            res.checks.append(Check(
                cid, p.title, p.claim, p.source,
                f"{m} at month 36: {p.a_label} - {p.b_label}", mean, lo, hi, lo > 0,
                float(np.mean(holds)), figure="img/validation-findings.png", short=m))

    mat = runner[f1_main]["series"]["monitoring_maturity"]
    half = months_to_half(mat)
    half_lhs = [months_to_half(runner[lt["f1"]]["series"]["monitoring_maturity"])
                for lt in lhs_tasks]
    res.monitoring = {"standards": mat, "none": runner[f1_nostd]["series"]["monitoring_maturity"],
                      "half": half, "half_lhs": half_lhs}
    res.checks.append(Check(
        F1["id"], F1["title"], F1["claim"], F1["source"],
        "months for maturity to cover half the way to its ceiling (deterministic: no random "
        "input)", half, half, half, half >= HALF_MONTHS_MIN,
        float(np.mean([h >= HALF_MONTHS_MIN for h in half_lhs])),
        figure="img/validation-monitoring.png"))

    sc = load_scenario(BASE)
    up, down = trust_kernel(sc.trust.gain, sc.trust.loss)
    eff = (up[0] - down[-1]) - (up[-1] - up[0])
    kernel_lhs = []
    for x in points:
        u, dn = trust_kernel(x["trust.gain"], x["trust.loss"])
        kernel_lhs.append((u[0] - dn[-1]) - (u[-1] - u[0]) > 0)
    res.kernel = {"up": up, "down": down, "gain": sc.trust.gain, "loss": sc.trust.loss}
    res.checks.append(Check(
        H1["id"], H1["title"], H1["claim"], H1["source"],
        f"fall after {KERNEL_MONTHS} broken months - rise after {KERNEL_MONTHS} kept months "
        "(deterministic: update_trust with the default gain and loss)", eff, eff, eff, eff > 0,
        float(np.mean(kernel_lhs)), figure="img/validation-trust.png"))

    asym = np.array([runner[t]["asym"] for t in h2_main])
    mean, lo, hi = ci95(asym)
    asym_lhs = [float(np.nanmean([runner[t]["asym"] for t in lt["h2"]])) > 0 for lt in lhs_tasks]
    res.kernel["asym"] = asym
    res.checks.append(Check(
        H2["id"], H2["title"], H2["claim"], H2["source"],
        "mean size of monthly falls - mean size of monthly rises of trust_in (default preset, "
        "36 months)", mean, lo, hi, lo > 0, float(np.mean(asym_lhs)),
        figure="img/validation-trust.png", short="falls - rises of trust_in"))
    res.seconds = time.perf_counter() - t0
    return res


def _series_of(metric: str) -> str:
    return {"target_achievement": "targets_met"}.get(metric, metric)
