"""Quantitative patterns that can fail: laboratory levels and decay by round, conditional-
co-operation slopes and type shares, and how long shared monitoring takes to mature.

Each pattern is fixed here, before any run: its name, its level (group = one four-player game,
individual = one player, partnership = one LSP), its source, the statistic measured from the
model's outputs and the acceptance band. A pattern passes when the statistic's mean over groups
(or, for a ratio, the ratio of means) lies inside its band; nothing here is fitted.

The public-goods mapping (scenarios/public_goods*.toml, docs/validation.md): month 0 is
``commitment.initial``, an input that stands for what each player believes the others will give
before round 1; month r (r >= 1) is the model's r-th decision, each a fresh one (adjustment rate
1, style speed 1), so laboratory round r is model month r. Beliefs about the others carry over
between rounds (``commitment.belief_rate``, Fischbacher & Gaechter 2010). Peer punishment
follows a round's contributions: it is switched on by an event at month 2, so it first bites on
round 2.

The same statistics are the summary statistics of the calibration
(:mod:`lspsim.validation.calibrate`); :func:`lab_game` is the sweep evaluator that measures one
group of each game from one run seed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from lspsim.stats import interval as ci95

GAME = "public_goods"  # the preset the laboratory patterns are measured on
PUNISHED = "public_goods_punishment"  # the same preset plus the punishment event
LAB_SEED = 2000  # Fehr & Gaechter (2000)
MONITORING_SEED = 2009
MONITORING_MONTHS = 240
FREE_RIDER_MAX = 0.05  # at most 1 token of 20 in every round: a free rider (FGF 2001 give 0)
CC_MIN_SLOPE = 0.5  # a conditional co-operator matches at least half a change in others' giving

FGF01 = ("Fischbacher, Gaechter & Fehr (2001), Economics Letters 71:397-404: about 50% "
         "conditional co-operators, a third free riders, 14% hump-shaped (strategy method, "
         "one-shot game)")
FG10 = ("Fischbacher & Gaechter (2010), AER 100:541-556: imperfect conditional co-operation "
        "(own contribution rises with the belief about others' but less than one for one) "
        "drives the decline")
FG00 = ("Fehr & Gaechter (2000), AER 90:980-994: groups of 4, MPCR 0.4, 10 rounds")
LED95 = ("Ledyard (1995), Handbook of Experimental Economics ch. 2: first-round contributions "
         "40-60% of the endowment, decaying with repetition")
AC09 = ("Audit Commission (2009), Working better together?: shared performance monitoring "
        "takes time to develop; in 2007/08, years after LSPs began (2000-01), performance "
        "management was still unevenly developed")


@dataclass(frozen=True)
class LabPattern:
    """One quantitative pattern: what is measured and the band it must fall in."""

    id: str
    name: str
    level: str  # group | individual | partnership
    source: str
    statistic: str  # how the model's value is measured
    band: tuple[float, float]
    key: str  # the statistic's name in :func:`summarise`'s output
    calibrated: bool = True  # a summary statistic of the lab calibration

    def holds(self, value: float) -> bool:
        return bool(np.isfinite(value) and self.band[0] <= value <= self.band[1])

    def distance(self, value: float) -> float:
        """How far outside the band, in band widths (0 inside; inf when not measured)."""
        if not np.isfinite(value):
            return float("inf")
        lo, hi = self.band
        return max(lo - value, 0.0, value - hi) / (hi - lo)


PATTERNS: tuple[LabPattern, ...] = (
    LabPattern("L1", "First round", "group", LED95 + "; " + FG00,
               "mean contribution in round 1 (month 1), no punishment", (0.4, 0.6), "round1"),
    LabPattern("L2", "Round 10 without punishment", "group",
               FG00 + ": without punishment contributions decay to roughly 10-20% of the "
               "endowment by round 10", "mean contribution in round 10, no punishment",
               (0.1, 0.2), "round10"),
    LabPattern("L3", "Decay rate", "group",
               LED95 + "; " + FG00 + ". Band: the ratio the two level bands allow "
               "(0.1 / 0.6 to 0.2 / 0.4)",
               "round-10 mean / round-1 mean, no punishment", (0.17, 0.5), "decay_ratio"),
    LabPattern("L4", "Round 10 with punishment", "group",
               FG00 + ": with peer punishment contributions rise toward 60-90% of the "
               "endowment (partner and stranger treatments)",
               "mean contribution in round 10, with punishment", (0.6, 0.9), "pun_round10"),
    LabPattern("L5", "Rise with punishment", "group",
               FG00 + ": with punishment contributions rise over the rounds",
               "round-10 mean - round-1 mean, with punishment", (0.0, 1.0), "pun_rise"),
    LabPattern("L6", "Conditional-co-operation slope", "individual", FG10 + "; " + FGF01
               + ". Band: positive and clearly below one for one (judgement, fixed before the "
               "run)",
               "per player, the OLS slope of its round-r contribution (r = 1..10) on the mean "
               "contribution of the others it observed in round r - 1 (round 0: the belief), "
               "averaged over players; no punishment", (0.3, 0.9), "cc_slope"),
    LabPattern("L7", "Share of conditional co-operators", "individual", FGF01
               + f". Counterpart: a slope of at least {CC_MIN_SLOPE} (judgement)",
               f"share of players whose slope (L6) is at least {CC_MIN_SLOPE} and who are not "
               "free riders (L8)", (0.4, 0.6), "cc_share"),
    LabPattern("L8", "Share of free riders", "individual", FGF01
               + ". Counterpart: gives (almost) nothing whatever the others give",
               f"share of players who give at most {FREE_RIDER_MAX} of the endowment in every "
               "round 1-10, no punishment", (0.2, 0.4), "free_rider_share"),
    LabPattern("M1", "Monitoring matures over years", "partnership", AC09 + ". Band: years, "
               "not months nor decades (judgement, fixed before the run)",
               "years for shared monitoring in a new partnership (default preset, 0 years of "
               "joint working) to cover half the way from its start to its ceiling",
               (2.0, 10.0), "monitoring_half_years", calibrated=False),
)
CALIBRATED = tuple(p for p in PATTERNS if p.calibrated)
# What the lab evaluator returns for one group (one run seed): the per-group statistics.
GROUP_STATS = ("round1", "round10", "pun_round1", "pun_round10", "cc_slope", "cc_share",
               "free_rider_share")
# Survey shares (EVIDENCE.md) considered and why none is a pattern: the model has no counterpart.
NO_COUNTERPART = (
    ("14% of single-tier and county LSPs had mapped their area's resources",
     "the model has no resource-mapping act"),
    ("fewer than half of coordinators and about a third of partners agree the LSP influences "
     "financial resources", "the model has no perceptions of influence, only commitment"),
    ("elected members chaired 46% of LSPs (2004)", "an input (leadership.chair_kind), not an "
     "outcome"),
)


def pattern(pid: str) -> LabPattern:
    return next(p for p in PATTERNS if p.id == pid)


# ------------------------------------------------------------------------------------------
# Statistics from commitment series (months + 1, players)
# ------------------------------------------------------------------------------------------
def slopes(c: np.ndarray) -> np.ndarray:
    """Per player, the OLS slope of its contribution in rounds 1..R on the mean of the others'
    contributions in the round before (what it observed when it decided). NaN for a player
    whose others never varied (no slope can be measured)."""
    c = np.asarray(c, dtype=float)
    n = c.shape[1]
    others = (c.sum(axis=1, keepdims=True) - c) / max(n - 1, 1)
    x, y = others[:-1], c[1:]
    xc, yc = x - x.mean(axis=0), y - y.mean(axis=0)
    var = (xc * xc).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (xc * yc).sum(axis=0) / var
    out[var < 1e-12] = np.nan
    return out


def group_statistics(none: np.ndarray, punished: np.ndarray) -> dict[str, float]:
    """The per-group statistics of one game without and one with punishment, from each game's
    commitment series (months + 1, players); month r is round r."""
    none, punished = np.asarray(none, float), np.asarray(punished, float)
    s = slopes(none)
    free = np.all(none[1:11] <= FREE_RIDER_MAX, axis=0)
    cc = (s >= CC_MIN_SLOPE) & ~free
    return {"round1": float(none[1].mean()), "round10": float(none[10].mean()),
            "pun_round1": float(punished[1].mean()), "pun_round10": float(punished[10].mean()),
            "cc_slope": float(np.nanmean(s)) if np.isfinite(s).any() else float("nan"),
            "cc_share": float(cc.mean()), "free_rider_share": float(free.mean())}


def summarise(groups: Sequence[Mapping[str, float]] | Mapping[str, Sequence[float]]
              ) -> dict[str, float]:
    """The patterns' statistics over groups (a list of group_statistics, or columns): means,
    the decay ratio as a ratio of means, the rise with punishment as a difference of means."""
    cols = ({k: np.asarray([g[k] for g in groups], float) for k in GROUP_STATS}
            if isinstance(groups, Sequence) else
            {k: np.asarray(groups[k], float) for k in GROUP_STATS})
    m = {k: float(np.nanmean(v)) if np.isfinite(v).any() else float("nan")
         for k, v in cols.items()}
    m["decay_ratio"] = m["round10"] / m["round1"] if m["round1"] > 0 else float("nan")
    m["pun_rise"] = m["pun_round10"] - m["pun_round1"]
    return m


def distance(stats: Mapping[str, float], patterns: Sequence[LabPattern] = CALIBRATED) -> float:
    """Normalised distance to the bands: the root sum of squares of each statistic's distance
    outside its band in band widths (0 when every band is met)."""
    return float(np.sqrt(sum(p.distance(stats.get(p.key, np.nan)) ** 2 for p in patterns)))


# ------------------------------------------------------------------------------------------
# Running the games (through the shared run engine)
# ------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def punishment_events() -> tuple[dict[str, Any], ...]:
    """The events that make public_goods into public_goods_punishment (read from the preset,
    so the calibration plays exactly the validated game)."""
    from lspsim.scenario import load_scenario

    pun, base = load_scenario(PUNISHED), load_scenario(GAME)
    extra = [e for e in pun.events if e not in base.events]
    return tuple(e.model_dump(mode="json") for e in extra)


_LAST: list[Any] = [None, None]  # (scenario, its punished form): a batch reuses one scenario


def punished(scenario: Any) -> Any:
    """The scenario with peer punishment switched on from round 2 (the preset's event)."""
    if _LAST[0] is not scenario:
        events = [e.model_dump(mode="json") for e in scenario.events]
        _LAST[:] = [scenario, scenario.with_updates(
            {"events": events + list(punishment_events())}, source="punishment event")]
    return _LAST[1]


def _commitment(scenario: Any, seed: int, replication: int) -> np.ndarray:
    from lspsim.mesa_bridge import release
    from lspsim.outcomes import names
    from lspsim.runner import run_model

    model = run_model(scenario, seed, replication)
    c = model.partner_series()[:, list(names("partner")).index("commitment"), :].copy()
    release(model)
    return c


def play(scenario: Any, seed: int, replication: int = 0) -> dict[str, float]:
    """One group of each game (without, then with punishment) from the same seed stream."""
    if scenario.months < 10:
        raise ValueError(f"a laboratory game needs 10 rounds (months); the scenario has "
                         f"{scenario.months}")
    return group_statistics(_commitment(scenario, seed, replication),
                            _commitment(punished(scenario), seed, replication))


def lab_game(scenario: Any, seed: int) -> dict[str, float]:
    """Sweep evaluator: the group statistics of replication 0 of ``seed`` (one group of each
    game), for ``run_sweep(..., evaluator=lab_game)``."""
    return play(scenario, seed, 0)


def _play_task(task: tuple[str, str, int, int]) -> dict[str, float]:
    from lspsim.scenario import load_scenario

    base, updates, seed, k = task
    return play(load_scenario(base, json.loads(updates) or None), seed, k)


def _monitoring_task(task: tuple[int, int]) -> np.ndarray:
    from lspsim.runner import run_replication
    from lspsim.scenario import load_scenario

    seed, k = task
    sc = load_scenario("default", {"structure.years_of_joint_working": 0,
                                   "months": MONITORING_MONTHS})
    return run_replication(sc, seed, k).series["monitoring_maturity"]


@dataclass
class LabResult:
    """The lab patterns measured on the model: per statistic its value and 95% CI over groups."""

    groups: int
    stats: dict[str, float]
    cis: dict[str, tuple[float, float, float]]
    rounds: dict[str, np.ndarray]  # mean contribution by round: "none", "punishment"
    updates: dict[str, Any]
    # (belief_rate, summarised statistics) over BELIEF_GRID, the other constants as preset
    belief_grid: list[tuple[float, dict[str, float]]] = field(default_factory=list)

    def passed(self, p: LabPattern) -> bool:
        return p.holds(self.stats[p.key])

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for p in PATTERNS:
            v = self.stats[p.key]
            # a ratio of means has no per-group interval here: NaN, shown as "—"
            lo, hi = self.cis.get(p.key, (v, np.nan, np.nan))[1:]
            out.append({"id": p.id, "name": p.name, "level": p.level, "source": p.source,
                        "statistic": p.statistic, "band": p.band, "value": v, "lo": lo,
                        "hi": hi, "passed": self.passed(p)})
        return out


# The one value calibrated by hand on the decay patterns: commitment.belief_rate, measured over
# this grid with the other decision constants at their preset values (reported with the table).
BELIEF_GRID = (0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0)
BELIEF_PATTERNS = ("L2", "L3")


def measure(groups: int = 200, workers: int = 1, updates: Mapping[str, Any] | None = None,
            monitoring_reps: int = 4, progress: Callable[[str], None] | None = None,
            belief_grid: Sequence[float] = ()) -> LabResult:
    """Measure every pattern on the model: ``groups`` groups of each game (the public_goods
    preset with ``updates``), and the monitoring pattern on the default preset. Each group is a
    pure function of (seed, group), so any worker count gives the same numbers."""
    from lspsim.runner import map_runs
    from lspsim.validation.measures import months_to_half

    upd = json.dumps(dict(updates or {}), sort_keys=True)
    if progress:
        progress(f"lab patterns: {groups} groups x 2 games")
    res = map_runs(_play_task, [(GAME, upd, LAB_SEED, k) for k in range(groups)], workers)
    stats = summarise(res)
    cis = {k: ci95([r[k] for r in res]) for k in GROUP_STATS}
    cis["pun_rise"] = ci95([r["pun_round10"] - r["pun_round1"] for r in res])
    # the rounds themselves, for the figure and the table
    from lspsim.scenario import load_scenario

    sc = load_scenario(GAME, json.loads(upd) or None)
    rounds = {"none": np.mean([_commitment(sc, LAB_SEED, k).mean(axis=1)
                               for k in range(min(groups, 50))], axis=0),
              "punishment": np.mean([_commitment(punished(sc), LAB_SEED, k).mean(axis=1)
                                     for k in range(min(groups, 50))], axis=0)}
    mats = map_runs(_monitoring_task, [(MONITORING_SEED, k) for k in range(monitoring_reps)],
                    workers)
    half = [months_to_half(np.asarray(m)) / 12.0 for m in mats]
    stats["monitoring_half_years"] = float(np.mean(half))
    cis["monitoring_half_years"] = ci95(half)
    grid = []
    for rate in belief_grid:
        u = json.dumps({**json.loads(upd), "commitment.belief_rate": rate}, sort_keys=True)
        grid.append((float(rate), summarise(map_runs(
            _play_task, [(GAME, u, LAB_SEED, k) for k in range(groups)], workers))))
    return LabResult(groups, stats, cis, rounds, dict(updates or {}), grid)


# ------------------------------------------------------------------------------------------
# The report's section
# ------------------------------------------------------------------------------------------
def _f(x: float) -> str:
    return "never" if not np.isfinite(x) else f"{x:.3f}"


def markdown(res: LabResult) -> list[str]:
    """The patterns table and the mapping notes, as Markdown lines for docs/validation.md."""
    n_pass = sum(r["passed"] for r in res.rows())
    lines = [
        "## Quantitative patterns (levels, decay, slopes, shares, maturation)",
        "",
        "<!-- lspsim.validation.lab -->",
        "",
        "Each pattern's band is fixed in `lspsim/validation/lab.py` before any run. A pattern "
        "passes when the model's statistic (mean over groups; the decay ratio is a ratio of "
        "means) lies in its band. Group = one four-player game (`public_goods`, and "
        "`public_goods_punishment` for punishment); individual = one player; partnership = "
        f"one LSP. {res.groups} groups of each game (seed {LAB_SEED}).",
        "",
        f"**{n_pass} of {len(PATTERNS)} patterns pass.**",
        "",
        "| pattern | level | statistic | band | model [95% CI] | result | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in res.rows():
        lines.append(f"| {r['id']} {r['name']} | {r['level']} | {r['statistic']} | "
                     f"[{r['band'][0]:g}, {r['band'][1]:g}] | {_f(r['value'])} "
                     + (f"[{_f(r['lo'])}, {_f(r['hi'])}]" if np.isfinite(r["lo"]) else "")
                     + " | "
                     f"{'**PASS**' if r['passed'] else '**FAIL**'} | {r['source']} |")
    rn, rp = res.rounds["none"], res.rounds["punishment"]
    lines += [
        "",
        "Mean contribution by round (model, first 50 groups): without punishment "
        + ", ".join(f"{x:.2f}" for x in rn[1:]) + "; with punishment "
        + ", ".join(f"{x:.2f}" for x in rp[1:]) + ".",
        "",
        "The mapping of the laboratory's first decision: month 0 is `commitment.initial` "
        "(0.5), an input standing for what each player believes the others will give before "
        "round 1. Month 1 is the model's first decision, taken on that belief with the whole "
        "gap closed (`commitment.adjustment_rate = 1` and the laissez-faire style's `speed = "
        "1` in the presets), so it is the laboratory's round-1 decision; round r is month r. "
        "Peer punishment answers a round's contributions, so it is switched on by an event at "
        "month 2 (`public_goods_punishment` is `public_goods` plus that event): nobody is "
        "punished for the belief. A decision is fresh, but a belief is not: what a player "
        "expects of the others moves a share `commitment.belief_rate` of the way to what they "
        "gave (Fischbacher & Gaechter 2010: beliefs mix the previous belief with the others' "
        "last contributions). That one value is calibrated by hand on the decay patterns L2 "
        "and L3, with the other decision constants at their preset values (the table below), "
        "so L2 and L3 are calibration targets for it, not independent tests; L1 does not "
        "depend on it (the first decision is taken on `commitment.initial`). With every "
        "constant free, the joint rejection ABC below prefers faster updating, but none of "
        "its accepted draws holds at 200 groups.",
        "",
        *_belief_table(res),
        "Survey shares of the report and the national evaluation (EVIDENCE.md) considered and "
        "not used, for want of a model counterpart: "
        + "; ".join(f"{a} ({b})" for a, b in NO_COUNTERPART) + ".",
        "",
    ]
    return lines


def _belief_table(res: LabResult) -> list[str]:
    if not res.belief_grid:
        return []
    pats = [pattern(p) for p in BELIEF_PATTERNS]
    lines = [f"`commitment.belief_rate` over a grid ({res.groups} groups each, other constants "
             "as preset; the preset's value in bold):", "",
             "| belief_rate | round 1 | round 10 | decay ratio | "
             + " | ".join(f"{p.id} [{p.band[0]:g}, {p.band[1]:g}]" for p in pats) + " |",
             "|---|---|---|---|" + "---|" * len(pats)]
    from lspsim.scenario import load_scenario

    preset = load_scenario(GAME).commitment.belief_rate
    for rate, st in res.belief_grid:
        label = f"**{rate:g}**" if rate == preset else f"{rate:g}"
        lines.append(f"| {label} | {st['round1']:.3f} | {st['round10']:.3f} | "
                     f"{st['decay_ratio']:.3f} | "
                     + " | ".join("holds" if p.holds(st[p.key]) else "misses" for p in pats)
                     + " |")
    return lines + [""]


def shipped_calibration() -> Path:
    """The committed calibration (docs/calibration: posterior.json, calibration.md, ...)."""
    return Path(__file__).resolve().parents[2] / "docs" / "calibration"


def section(res: Any) -> list[str]:
    """The section docs/validation.md includes (lspsim.validation.report): the patterns measured
    with the report's replications as groups, then the shipped calibration's summary."""
    measured = measure(groups=res.config.replications, workers=res.workers,
                       belief_grid=BELIEF_GRID)
    lines = markdown(measured)
    md = shipped_calibration() / "calibration.md"
    if md.is_file():
        lines += md.read_text().splitlines() + [""]
    else:
        lines += ["Calibration: no committed posterior (run `lspsim calibrate` and copy "
                  "OUT/abc to docs/calibration).", ""]
    return lines
