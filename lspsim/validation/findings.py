"""Running every check: the public-goods game against the laboratory, the report's findings as
paired effects with their ablation tables and robustness, and the level checks (monitoring
maturation, money, trust asymmetry), each measured from runs' outputs."""

from __future__ import annotations

import time
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel

from lspsim.scenario import ASSUMED, Scenario, evidence_status, load_scenario, parameter_paths
from lspsim.stats import interval as ci95
from lspsim.stats import paired_effect as paired_ci
from lspsim.validation.measures import breach_fall_and_recovery, months_to_half
from lspsim.validation.patterns import (
    ABLATIONS,
    ALL_DECLARED,
    BASE,
    BREACH_CHANGES,
    BREACH_KIND,
    BREACH_MONTH,
    BREACH_MONTHS,
    F1,
    F1_MONTHS,
    F1_REPLICATIONS,
    F1_UPDATES,
    G_SHARE_MIN,
    H1,
    H2,
    HALF_MONTHS_MIN,
    PAIRS,
    PG_CRITERIA,
    PG_SEED,
    ROBUST_SHARE,
    SEED,
    Config,
    G,
    Pair,
)
from lspsim.validation.robustness import Robustness, lhs_points
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
    # share of LHS points whose effect, replication noise removed, has the claimed sign
    robustness: float | None = None
    figure: str = ""
    short: str = ""  # a short label for the figures
    robust: Robustness | None = None
    # unevidenced constants (or mechanisms) whose ablation alone makes the effect vanish
    carried_by: list[str] = field(default_factory=list)

    @property
    def robust_ok(self) -> bool | None:
        return None if self.robustness is None else self.robustness >= ROBUST_SHARE

    @property
    def passed(self) -> bool:
        return self.effect_ok and self.robust_ok is not False and not self.carried_by


@dataclass
class AblationRow:
    """One finding's effect with one contributing mechanism switched off (or neutralised)."""

    check: str
    metric: str
    kind: str          # "mechanism" (a [mechanisms] switch), "parameter" or "all"
    label: str
    updates: dict[str, Any]
    evidence: str      # evidence status of what was switched off
    n: int
    effect: float
    lo: float
    hi: float
    base: tuple[float, float, float]  # the effect with nothing switched off, same n and seeds
    threshold: float = 0.0  # a level check's threshold (0 for a paired effect)

    @property
    def verdict(self) -> str:
        if not self.updates:
            return "not in the schema"
        if self.lo > self.threshold:
            return "holds"
        return "reverses" if self.hi < self.threshold else "vanishes"

    @property
    def share_left(self) -> float:
        """The effect left (beyond the threshold), as a share of the effect with everything on."""
        b = self.base[0] - self.threshold
        return (self.effect - self.threshold) / b if b else float("nan")


@dataclass
class Results:
    config: Config
    checks: list[Check] = field(default_factory=list)
    ablations: list[AblationRow] = field(default_factory=list)
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


# ------------------------------------------------------------------------------------------
# What is switched off
# ------------------------------------------------------------------------------------------
def mechanism_switches(section: type[BaseModel] | None = None) -> list[str]:
    """Dotted paths of every ``[mechanisms]`` field that has an ``"off"`` choice, found by
    enumerating the section (so a mechanism added to the schema is ablated with no change
    here)."""
    if section is None:
        section = Scenario.model_fields["mechanisms"].annotation  # type: ignore[assignment]
    assert section is not None
    return [f"mechanisms.{name}" for name, info in section.model_fields.items()
            if "off" in typing.get_args(info.annotation)]


def ablations_for(pair_id: str, switches: list[str] | None = None
                  ) -> list[tuple[str, str, dict[str, Any], str]]:
    """(kind, label, updates, evidence) of each ablation of one finding: every mechanism switch
    turned "off", each declared parameter ablation, and all declared ones at once. A declared
    parameter the schema no longer has comes back with empty updates (reported, not run)."""
    paths = parameter_paths()
    out: list[tuple[str, str, dict[str, Any], str]] = []
    for sw in mechanism_switches() if switches is None else switches:
        status = evidence_status(sw) if sw in paths else ""
        out.append(("mechanism", f"{sw} = off", {sw: "off"}, status or ASSUMED))
    declared: dict[str, Any] = {}
    for ab in ABLATIONS.get(pair_id, ()):
        missing = [p for p in ab.updates if p not in paths]
        if missing:
            out.append(("parameter", ab.label, {}, f"not in the schema: {', '.join(missing)}"))
            continue
        declared.update(ab.updates)
        out.append(("parameter", ab.label, dict(ab.updates),
                    "; ".join(dict.fromkeys(evidence_status(p) for p in ab.updates))))
    if sum(1 for o in out if o[0] == "parameter" and o[2]) > 1:
        out.append(("all", ALL_DECLARED, declared, ""))
    return out


def single_setting(r: AblationRow) -> str | None:
    """``"path = value"`` for an ablation that switches off one setting, else None."""
    if len(r.updates) != 1:
        return None
    (path, value), = r.updates.items()
    return f"{path} = {value}"


def _killed_by(rows: list[AblationRow], kind: str) -> list[str]:
    return [s for r in rows
            if r.kind == kind and (s := single_setting(r)) is not None
            and r.evidence == ASSUMED and r.base[1] > r.threshold
            and r.verdict in ("vanishes", "reverses")]


def _carried_by(rows: list[AblationRow]) -> list[str]:
    """Single unevidenced constants whose ablation alone makes a finding that holds (at the
    ablation's replications) vanish or reverse: a finding carried by one of them fails.
    A mechanism switched off is not a constant: a finding that needs a mechanism is what the
    issue asks for; those are named by ``carrying_mechanisms``."""
    return _killed_by(rows, "parameter")


def carrying_mechanisms(rows: list[AblationRow]) -> list[str]:
    """The mechanisms (``[mechanisms]`` switches) without which a finding that holds vanishes
    or reverses: what carries it (reported, not failed)."""
    return [x.split(" = ")[0] for x in _killed_by(rows, "mechanism")]


# ------------------------------------------------------------------------------------------
# Tasks and measures
# ------------------------------------------------------------------------------------------
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


def _diffs(runner: Runner, tasks: tuple[list[Task], list[Task]], metric: str) -> np.ndarray:
    a, b = tasks
    return np.array([runner[ta]["metrics"][metric] - runner[tb]["metrics"][metric]
                     for ta, tb in zip(a, b, strict=True)])


def _breach_updates(extra: dict[str, Any]) -> dict[str, Any]:
    event = {"month": BREACH_MONTH, "lasts": BREACH_MONTHS, "changes": BREACH_CHANGES,
             "label": f"the {BREACH_KIND} loses its stake"}
    return {**extra, "events": [event]}


# Level checks: tasks for ``reps`` replications, and each replication's value. The claimed side
# is value > threshold (f1: >= 24 months, i.e. > 23.5 for a whole number of months).
LEVELS: dict[str, dict[str, Any]] = {
    "f1": {"spec": F1, "threshold": HALF_MONTHS_MIN - 0.5},
    "g": {"spec": G, "threshold": G_SHARE_MIN},
    "h1": {"spec": H1, "threshold": 0.0},
    "h2": {"spec": H2, "threshold": 0.0},
}


def _level_tasks(cid: str, reps: int, seed: int, extra: dict[str, Any], keep: bool = False
                 ) -> list[Task]:
    if cid == "f1":
        upd = _key({**extra, **F1_UPDATES, "months": F1_MONTHS})
        return [(BASE, upd, seed, k, 0, keep) for k in range(reps)]
    base = [(BASE, _key(extra), seed, k, 0, keep) for k in range(reps)]
    if cid == "h1":
        return base + [(BASE, _key(_breach_updates(extra)), seed, k, 0, keep)
                       for k in range(reps)]
    return base


def _level_values(cid: str, runner: Runner, tasks: list[Task]) -> np.ndarray:
    if cid == "f1":
        # A run that never gets half way is censored at its length (it took at least that).
        return np.array([min(months_to_half(runner[t]["series"]["monitoring_maturity"]),
                             F1_MONTHS + 1) for t in tasks])
    if cid == "g":
        return np.array([runner[t]["aligned_share"] for t in tasks])
    if cid == "h2":
        return np.array([runner[t]["asym"] for t in tasks])
    n = len(tasks) // 2
    fr = [breach_fall_and_recovery(runner[tb]["trust_in_kind"][BREACH_KIND],
                                   runner[ta]["trust_in_kind"][BREACH_KIND])
          for ta, tb in zip(tasks[:n], tasks[n:], strict=True)]
    return np.array([f - r for f, r in fr])


def measure_level(cid: str, reps: int, seed: int = SEED, updates: dict[str, Any] | None = None,
                  workers: int = 1) -> tuple[float, float, float]:
    """One level check's value (mean and 95% CI over ``reps`` replications) in the ``default``
    preset with ``updates``: f1 months to half maturity, g aligned share, h1 fall - recovery,
    h2 falls - rises."""
    tasks = _level_tasks(cid, reps, seed, updates or {}, keep=cid == "f1")
    runner = Runner(workers)
    runner.run(tasks)
    return ci95(_level_values(cid, runner, tasks))


def paired_effect(pair_id: str, metric: str, reps: int, seed: int = SEED,
                  workers: int = 1, updates: dict[str, Any] | None = None
                  ) -> tuple[float, float, float]:
    """One finding's paired effect on one metric (mean A - B and its 95% CI) over ``reps``
    replications, with ``updates`` applied to both sides (an ablation): the same numbers the
    report gives when ``reps`` equals its replications."""
    pair = next(p for p in PAIRS if p.id == pair_id)
    tasks = _pair_tasks(pair, reps, seed, updates or {}, False)
    runner = Runner(workers)
    runner.run(tasks[0] + tasks[1])
    return ci95(_diffs(runner, tasks, metric))


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


# ------------------------------------------------------------------------------------------
# Everything
# ------------------------------------------------------------------------------------------
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
    level_reps = {"f1": F1_REPLICATIONS}
    levels = {cid: _level_tasks(cid, level_reps.get(cid, cfg.replications), SEED, {}, True)
              for cid in LEVELS}
    tasks += [t for ts in levels.values() for t in ts]
    n_ab = cfg.ablation_replications
    ablation_plan: dict[str, list[tuple[tuple[str, str, dict[str, Any], str], Any]]] = {}
    for p in PAIRS:
        plan = [(("", "", {}, ""), _pair_tasks(p, n_ab, SEED, {}, False))]
        for ab in ablations_for(p.id):
            plan.append((ab, _pair_tasks(p, n_ab, SEED, ab[2], False) if ab[2] else None))
        ablation_plan[p.id] = plan
        tasks += [t for _, tt in plan if tt for t in tt[0] + tt[1]]
    level_plan: dict[str, list[tuple[tuple[str, str, dict[str, Any], str], Any]]] = {}
    for cid in LEVELS:
        reps = level_reps.get(cid, n_ab)
        plan = [(("", "", {}, ""), _level_tasks(cid, reps, SEED, {}, cid == "f1"))]
        for ab in ablations_for(cid):
            plan.append((ab, _level_tasks(cid, reps, SEED, ab[2], cid == "f1") if ab[2]
                         else None))
        level_plan[cid] = plan
        tasks += [t for _, tt in plan if tt for t in tt]
    lhs_tasks: list[dict[str, Any]] = []
    for j, x in enumerate(points):
        seed = SEED + 1 + j
        pairs = {p.id: _pair_tasks(p, cfg.lhs_replications, seed, x, False) for p in PAIRS}
        lv = {cid: _level_tasks(cid, cfg.lhs_replications, seed, x, cid == "f1")
              for cid in LEVELS}
        lhs_tasks.append({"pairs": pairs, "levels": lv})
        tasks += [t for a, b in pairs.values() for t in a + b]
        tasks += [t for ts in lv.values() for t in ts]
    say(f"validation: {len(set(tasks))} runs on {runner.workers} worker(s)")
    runner.run(tasks)

    # 1. The decision core against the laboratory.
    pg_checks, res.pg = _public_goods(cfg, runner)
    res.checks += pg_checks

    # 2. The findings, with their ablations and robustness.
    for p in PAIRS:
        a, b = main[p.id]
        res.dynamics[p.id] = {
            side: np.array([runner[t]["series"][_series_of(p.metrics[0])] for t in ts])
            for side, ts in (("a", a), ("b", b))}
        for j, m in enumerate(p.metrics, start=1):
            mean, lo, hi = ci95(_diffs(runner, main[p.id], m))
            x = np.array([_diffs(runner, lt["pairs"][p.id], m) for lt in lhs_tasks])
            rob = Robustness.of(x, points)
            cid = p.id if len(p.metrics) == 1 else f"{p.id}.{j}"
            plan = ablation_plan[p.id]
            base = ci95(_diffs(runner, plan[0][1], m))
            rows = []
            for (kind, label, upd, ev), tt in plan[1:]:
                eff = ci95(_diffs(runner, tt, m)) if tt else (np.nan, np.nan, np.nan)
                rows.append(AblationRow(cid, m, kind, label, upd, ev, n_ab, *eff, base))
            res.ablations += rows
            res.checks.append(Check(
                cid, p.title, p.claim, p.source,
                f"{m} at month 36: {p.a_label} - {p.b_label}", mean, lo, hi, lo > 0,
                rob.true_sign_share, figure="img/validation-findings.png", short=m, robust=rob,
                carried_by=_carried_by(rows)))

    # 3. The level checks.
    for cid, spec in LEVELS.items():
        s, thr = spec["spec"], spec["threshold"]
        v = _level_values(cid, runner, levels[cid])
        mean, lo, hi = ci95(v)
        x = np.array([_level_values(cid, runner, lt["levels"][cid]) - thr for lt in lhs_tasks])
        rob = Robustness.of(x, points)
        measure, fig, short = _level_text(cid, runner, levels[cid], v)
        plan = level_plan[cid]
        base = ci95(_level_values(cid, runner, plan[0][1]))
        rows = []
        for (kind, label, upd, ev), tt in plan[1:]:
            eff = ci95(_level_values(cid, runner, tt)) if tt else (np.nan, np.nan, np.nan)
            rows.append(AblationRow(cid, short, kind, label, upd, ev, len(plan[0][1]), *eff,
                                    base, thr))
        res.ablations += rows
        res.checks.append(Check(cid, s["title"], s["claim"], s["source"], measure, mean, lo, hi,
                                lo > thr, rob.true_sign_share, figure=fig, short=short, robust=rob,
                                carried_by=_carried_by(rows)))
        if cid == "f1":
            ts = levels["f1"]
            res.monitoring = {
                "standards": runner[ts[0]]["series"]["monitoring_maturity"],
                "half": float(v[0]), "half_lhs": [float(np.mean(r)) for r in x + thr]}
        elif cid == "h1":
            n = len(levels["h1"]) // 2
            res.kernel["gap"] = np.array(
                [runner[ta]["trust_in_kind"][BREACH_KIND] - runner[tb]["trust_in_kind"][BREACH_KIND]
                 for ta, tb in zip(levels["h1"][:n], levels["h1"][n:], strict=True)])
        elif cid == "h2":
            res.kernel["asym"] = v
    nostd = (BASE, _key({**F1_UPDATES, "months": F1_MONTHS,
                         "monitoring.common_data_standards": False}), SEED, 0, 0, True)
    runner.run([nostd])
    res.monitoring["none"] = runner[nostd]["series"]["monitoring_maturity"]
    res.seconds = time.perf_counter() - t0
    return res


def _level_text(cid: str, runner: Runner, tasks: list[Task], v: np.ndarray
                ) -> tuple[str, str, str]:
    if cid == "f1":
        return (f"months for maturity to cover half the way to its ceiling, new partnership "
                f"({len(v)} replications; censored at {F1_MONTHS + 1})",
                "img/validation-monitoring.png", "months to half maturity")
    if cid == "g":
        money = np.mean([runner[t]["money_share"] for t in tasks])
        pot = load_scenario(BASE).resources.pooled_share
        return (f"aligned mainstream spend / (aligned spend + pooled pot) at month 36 (default "
                f"preset; the pot is {pot:.0%} of mainstream spend, and pot + aligned spend "
                f"came to {money:.1%} of it)", "",
                "aligned share of partnership money")
    if cid == "h1":
        n = len(tasks) // 2
        fr = np.array([breach_fall_and_recovery(runner[tb]["trust_in_kind"][BREACH_KIND],
                                                runner[ta]["trust_in_kind"][BREACH_KIND])
                       for ta, tb in zip(tasks[:n], tasks[n:], strict=True)])
        return (f"fall of trust in the {BREACH_KIND} to its low point (mean "
                f"{fr[:, 0].mean():.3f}) - recovery over as many months after it (mean "
                f"{fr[:, 1].mean():.3f}), paired with the run without the breach",
                "img/validation-trust.png", "fall - recovery of trust after a breach")
    return ("mean size of monthly falls - mean size of monthly rises of trust_in (default "
            "preset, 36 months)", "img/validation-trust.png", "falls - rises of trust_in")


def _series_of(metric: str) -> str:
    return {"target_achievement": "targets_met"}.get(metric, metric)
