"""The outcome registry: every output of the model declared once.

Modelled on EMA Workbench's ``TimeSeriesOutcome`` and ``ScalarOutcome``: an outcome has a name,
a unit, a range, a plain-English label, a description, how it aggregates over partners and over
replications and, for the charts, its panel, legend and colour. Everything that names an output
reads it from here: the model's recording (the order of ``SERIES`` and ``PARTNER_SERIES``), the
run summary (``SUMMARY``), the metrics and series a sweep may keep, the figures, the CLI's
summary, the app's charts and captions, and the data dictionary docs/outputs.md
(``lspsim outputs --reference``; a test keeps the file in step).

Adding an output: declare it here, then compute it where the model records (``model.series()``
for a model-level series); the tables, the summary, sweeps and the docs follow.

    >>> from lspsim import outcomes
    >>> outcomes.get("mean_trust").label
    'trust between partners'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["model", "partner", "target"]

# How a series is shown over replications, wherever one line stands for many runs (the report's
# figures): lspsim.plots draws the mean per month and the 2.5-97.5% range of replications.
FIGURE_BAND = "figures: mean per month and the 2.5-97.5% range of replications"
# How a summary metric aggregates over replications (lspsim.stats.mean_ci).
SUMMARY_STAT = "mean, sd, n and two-sided 95% t interval over replications (lspsim.stats)"


@dataclass(frozen=True)
class TimeSeriesOutcome:
    """A quantity recorded every month (month 0 is the initial state)."""

    name: str
    label: str                 # plain English, lower case, fits in a sentence
    unit: str
    low: float | None          # range (None: unbounded on that side)
    high: float | None
    description: str
    over_partners: str         # how partner values become this one
    level: Level = "model"
    over_replications: str = FIGURE_BAND
    panel: str | None = None   # title of its panel in the dynamics figure
    legend: str | None = None  # its line's name inside that panel
    colour: str | None = None

    @property
    def range_text(self) -> str:
        return _range(self.low, self.high)


@dataclass(frozen=True)
class ScalarOutcome:
    """A summary metric: one number per run (the final month of a model-level series)."""

    name: str
    series: str                # the model-level series it takes the final month of
    label: str
    headline: bool = False     # printed by ``lspsim run``
    over_replications: str = SUMMARY_STAT

    @property
    def source(self) -> TimeSeriesOutcome:
        return get(self.series, "model")  # type: ignore[return-value]

    @property
    def unit(self) -> str:
        return self.source.unit

    @property
    def range_text(self) -> str:
        return self.source.range_text

    @property
    def description(self) -> str:
        return f"`{self.series}` in the final month of each run. {self.source.description}"


@dataclass(frozen=True)
class Column:
    """A column (or a JSON key) of an output file that is not itself an outcome."""

    name: str
    dtype: str
    unit: str
    description: str
    label: str = ""


def _range(low: float | None, high: float | None) -> str:
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"[{lo}, {hi}]"


_SHARE = "share, 0-1"
_TRUST_PANEL, _COMMIT_PANEL = "Trust between partners", "Commitment to joint priorities"
_TARGET_PANEL, _NET_PANEL = "Targets", "Networks and monitoring"
# The panels of the dynamics figure, in reading order (left to right, top to bottom).
PANELS = (_TRUST_PANEL, _COMMIT_PANEL, _TARGET_PANEL, _NET_PANEL)

# Model-level series: the columns of timeseries.parquet, in this order.
SERIES: tuple[TimeSeriesOutcome, ...] = (
    TimeSeriesOutcome(
        "mean_trust", "trust between partners", "expectation, 0-1", 0, 1,
        "How far partners expect each other to keep faith: trust built slowly by kept "
        "commitments and lost fast by breaches.",
        "mean over ordered pairs of distinct partners (i trusts j); NaN with one partner",
        panel=_TRUST_PANEL, legend="all partners", colour="#1f77b4"),
    TimeSeriesOutcome(
        "mean_commitment", "commitment to joint priorities", _SHARE, 0, 1,
        "Share of a partner's capacity and budget aligned to the partnership's priorities.",
        "mean over partners"),
    TimeSeriesOutcome(
        "commitment_statutory", "commitment of statutory partners", _SHARE, 0, 1,
        "Commitment of the partners with a statutory duty to co-operate.",
        "mean over statutory partners; NaN when there are none",
        panel=_COMMIT_PANEL, legend="statutory", colour="#1f4e79"),
    TimeSeriesOutcome(
        "commitment_non_statutory", "commitment of non-statutory partners", _SHARE, 0, 1,
        "Commitment of the partners without a statutory duty (voluntary and community sector, "
        "business, ...).",
        "mean over non-statutory partners; NaN when there are none",
        panel=_COMMIT_PANEL, legend="non-statutory", colour="#ff7f0e"),
    TimeSeriesOutcome(
        "trust_in_council_non_statutory", "non-statutory partners' trust in the council",
        "expectation, 0-1", 0, 1,
        "Trust the non-statutory partners place in the council(s): low where the council "
        "dominates a 'top table'.",
        "mean over (non-statutory partner, council) pairs; NaN when either group is empty",
        panel=_TRUST_PANEL, legend="non-statutory in council", colour="#ff7f0e"),
    TimeSeriesOutcome(
        "network_density", "network density", _SHARE, 0, 1,
        "Share of pairs of representatives with a tie at least `network.tie_threshold` strong.",
        "count over ordered pairs of distinct partners / n (n - 1); 0 with one partner",
        panel=_NET_PANEL, legend="network density", colour="#9467bd"),
    TimeSeriesOutcome(
        "mean_tie_strength", "strength of ties between representatives", "tie strength, 0-1",
        0, 1, "Strength of the social tie between two partners' representatives.",
        "mean over ordered pairs of distinct partners; 0 with one partner"),
    TimeSeriesOutcome(
        "monitoring_maturity", "shared monitoring maturity", "maturity, 0-1", 0, 1,
        "Maturity of the partnership's shared performance monitoring: how much of each "
        "partner's conduct the others can see. Its ceiling is lower without common data "
        "standards.",
        "one value for the partnership",
        panel=_NET_PANEL, legend="monitoring maturity", colour="#8c564b"),
    TimeSeriesOutcome(
        "mean_target_progress", "average progress towards the targets", "progress, 0-1", 0, 1,
        "Progress towards each of the current round's targets, capped at 1 (met); it restarts "
        "at 0 when a new round of targets is agreed.",
        "mean over targets of min(progress, 1)",
        panel=_TARGET_PANEL, legend="mean progress", colour="#2ca02c"),
    TimeSeriesOutcome(
        "targets_met", "share of targets met", _SHARE, 0, 1,
        "Share of the current round's targets whose delivery chain has brought them to 1 so "
        "far (restarts at 0 with each round).",
        "count over targets with progress >= 1 / number of targets",
        panel=_TARGET_PANEL, legend="share met", colour="#d62728"),
    TimeSeriesOutcome(
        "targets_met_round_end", "share of targets met by the end of the last round", _SHARE,
        0, 1,
        "Share of a round's targets met by the round's end (an LAA round lasts "
        "`delivery.round_months`): the value of the last round completed, NaN until one is.",
        "count over targets with progress >= 1 at the round's last month / number of targets"),
    TimeSeriesOutcome(
        "laa_round", "agreement round", "round", 1, None,
        "The round of targets the month belongs to (1 = the partnership's first agreement); "
        "targets, their progress and their difficulty are renewed with each round.",
        "one value for the partnership"),
    TimeSeriesOutcome(
        "mean_efficacy", "sense of efficacy", "pace gap seen, -1 to 1", -1, 1,
        "Each partner's memory of how its targets have gone against the pace their round needs, "
        "as shared monitoring shows it (small wins; > 0 ahead, < 0 behind).",
        "mean over partners"),
    TimeSeriesOutcome(
        "mean_effective_capacity", "capacity left after meetings", "share of capacity, 0-1",
        0, 1, "A partner's capacity left for delivery after meeting and coordination burdens "
        "(capacity x (1 - burden)).",
        "mean over partners"),
    TimeSeriesOutcome(
        "meetings_held", "meetings held", "meetings/month", 0, None,
        "Meetings of the strategic, executive and operational layers held this month "
        "(0 in month 0).",
        "one value for the partnership (all layers)"),
    TimeSeriesOutcome(
        "pooled_pot", "pooled pot", "GBP m/year", 0, None,
        "Money the partners pool for joint priorities (`resources.pooled_share` of budgets); "
        "constant over a run unless an event changes the share.",
        "sum over partners"),
    TimeSeriesOutcome(
        "aligned_spend", "mainstream spend aligned", "GBP m/year", 0, None,
        "Mainstream money the partners bend to joint priorities: budget x "
        "`resources.mainstream_alignment` x commitment (0 in month 0).",
        "sum over partners"),
    TimeSeriesOutcome(
        "mean_resource_adequacy", "resources against need", "ratio (1 = what a target needs)",
        0, None, "Money reaching each target still open (its share of the pot and of aligned "
        "spend; a met target's money goes to its partners' other targets) relative to what it "
        "needs (NaN in month 0 and when every target is met).",
        "mean over targets not yet met"),
    TimeSeriesOutcome(
        "mean_chain_strength", "strength of the delivery chains", "link strength, 0-1", 0, 1,
        "Strength of each target's weakest link this month: the pace its chain can go at "
        "(NaN in month 0).",
        "mean over targets of the weakest link of its chain"),
    TimeSeriesOutcome(
        "scrutiny_pressure", "scrutiny pressure", "pressure, >= 0", 0, None,
        "Pressure from elected members' scrutiny reviews on each partner's visible shortfall; "
        "fades by `scrutiny.memory` each month.",
        "mean over partners"),
    TimeSeriesOutcome(
        "turnover_events", "representatives replaced", "representatives/month", 0, None,
        "Partners whose representative changed this month (ties and trust partly lost).",
        "count over partners"),
)

# Partner-level series: the outcome columns of partners.parquet, in this order.
PARTNER_SERIES: tuple[TimeSeriesOutcome, ...] = (
    TimeSeriesOutcome(
        "commitment", "commitment to joint priorities", _SHARE, 0, 1,
        "Share of the partner's capacity and budget aligned to joint priorities.",
        "the partner's own value", level="partner"),
    TimeSeriesOutcome(
        "trust_in", "trust the others place in it", "expectation, 0-1", 0, 1,
        "Mean trust the other partners place in this partner.",
        "mean over the other partners (trust of j in i)", level="partner"),
    TimeSeriesOutcome(
        "trust_out", "trust it places in the others", "expectation, 0-1", 0, 1,
        "Mean trust this partner places in the other partners.",
        "mean over the other partners (trust of i in j)", level="partner"),
    TimeSeriesOutcome(
        "effective_capacity", "capacity left after meetings", "share of capacity, 0-1", 0, 1,
        "The partner's capacity left for delivery after meeting and coordination burdens.",
        "the partner's own value", level="partner"),
    TimeSeriesOutcome(
        "scrutiny_pressure", "scrutiny pressure", "pressure, >= 0", 0, None,
        "Pressure the partner feels from scrutiny reviews of its visible shortfall.",
        "the partner's own value", level="partner"),
    TimeSeriesOutcome(
        "tie_strength", "total tie strength", "sum of tie strengths, 0 to n - 1", 0, None,
        "Sum of the strengths of this partner's representative's ties to the others' "
        "(a degree: divide by n - 1 for a mean).",
        "sum over the other partners", level="partner"),
)

# Target-level series: the outcome column of targets.parquet.
TARGET_SERIES: tuple[TimeSeriesOutcome, ...] = (
    TimeSeriesOutcome(
        "progress", "progress (1 = target met)", "progress, 0-1", 0, 1,
        "Progress of the target's delivery chain in the current round; 1 = met (a met target "
        "stops; the month's step that meets it may carry the model's own value past 1, and the "
        "output stops at 1). Restarts at 0 with each round's new targets.",
        "the target's own value", level="target"),
)

# Summary metrics: one number per run, the final month of a model-level series. The order of
# summary.json and of a sweep's default metrics.
SUMMARY: tuple[ScalarOutcome, ...] = (
    ScalarOutcome("target_achievement", "targets_met", "share of targets met", headline=True),
    ScalarOutcome("mean_target_progress", "mean_target_progress",
                  "average progress towards the targets"),
    ScalarOutcome("mean_trust", "mean_trust", "trust between partners", headline=True),
    ScalarOutcome("mean_commitment", "mean_commitment", "commitment to joint priorities",
                  headline=True),
    ScalarOutcome("commitment_statutory", "commitment_statutory",
                  "commitment of statutory partners"),
    ScalarOutcome("commitment_non_statutory", "commitment_non_statutory",
                  "commitment of non-statutory partners"),
    ScalarOutcome("trust_in_council_non_statutory", "trust_in_council_non_statutory",
                  "non-statutory partners' trust in the council"),
    ScalarOutcome("network_density", "network_density", "network density", headline=True),
    ScalarOutcome("mean_tie_strength", "mean_tie_strength",
                  "strength of ties between representatives"),
    ScalarOutcome("monitoring_maturity", "monitoring_maturity", "shared monitoring maturity",
                  headline=True),
    ScalarOutcome("mean_effective_capacity", "mean_effective_capacity",
                  "capacity left after meetings"),
)

# What each partner brings and gains (summary.json "partners", means over replications).
PARTNER_FACTS: tuple[Column, ...] = (
    Column("name", "string", "", "The partner's name (its kind, numbered when repeated)."),
    Column("kind", "string", "", "The partner's kind (`kinds.*` in the scenario)."),
    Column("statutory", "bool", "", "Whether it has a statutory duty to co-operate."),
    Column("stake_in_success", "float", "0-1", "What it stands to gain if joint targets are "
           "met (its kind's profile).", label="stake in success"),
    Column("stake_in_failure", "float", "0-1", "What it stands to lose if they are not.",
           label="stake in failure"),
    Column("budget_gbp_m", "float", "GBP m/year", "Its mainstream budget (its kind's, with a "
           "lognormal spread between organisations)."),
    Column("contribution_gbp_m", "float", "GBP m/year", "Pooled share plus aligned mainstream "
           "money in the final month: budget x (pooled_share + mainstream_alignment x "
           "commitment)."),
    Column("mean_commitment", "float", _SHARE, "Its commitment averaged over months 1 to the "
           "end."),
    Column("gain", "float", "0-1", "What it gained: its stake in success x the mean capped "
           "progress of the targets on its themes.", label="gained"),
)

# One delivery chain per target, replication 0 (summary.json "weakest_links").
WEAKEST_LINK: tuple[Column, ...] = (
    Column("target", "int", "", "Target number (0-based)."),
    Column("theme", "string", "", "The target's outcome theme."),
    Column("chain", "list of strings", "", "Partners in the delivery chain, in order."),
    Column("weakest_from", "string", "", "The partner at the start of the link that was the "
           "chain's weakest most often."),
    Column("weakest_to", "string", "", "The partner at its end, or (delivery) for the last "
           "partner's own delivery."),
    Column("weakest_share_of_months", "float", _SHARE, "Share of months that link was the "
           "weakest."),
    Column("progress", "float", "progress, >= 0", "The target's progress in the final month."),
    Column("met", "bool", "", "progress >= 1."),
)

# A summary metric named like its series is that series' final month: get() gives the series.
_ALL = {o.name: o for o in SUMMARY} | {o.name: o for o in SERIES}
_BY_LEVEL = {"model": SERIES, "partner": PARTNER_SERIES, "target": TARGET_SERIES}


def get(name: str, level: Level | None = None) -> TimeSeriesOutcome | ScalarOutcome:
    """The outcome called ``name``: a model-level series or a summary metric (their shared
    names are the same quantity), or with ``level`` a series of that level."""
    if level is not None:
        for o in _BY_LEVEL[level]:
            if o.name == name:
                return o
        raise KeyError(f"no {level}-level outcome {name!r}")
    return _ALL[name]


def names(level: Level = "model") -> tuple[str, ...]:
    """Names of the series recorded at ``level``, in column order."""
    return tuple(o.name for o in _BY_LEVEL[level])


def summary_names() -> tuple[str, ...]:
    """Names of the summary metrics, in summary.json order (a sweep's default metrics)."""
    return tuple(m.name for m in SUMMARY)


def panels() -> dict[str, list[TimeSeriesOutcome]]:
    """The dynamics figure: panel title -> its series in drawing order."""
    return {p: [o for o in SERIES if o.panel == p] for p in PANELS}


def partner_fact(name: str) -> Column:
    return next(c for c in PARTNER_FACTS if c.name == name)


# ------------------------------------------------------------------------------------------
# The data dictionary: every column of every output file
# ------------------------------------------------------------------------------------------
_REPLICATION = Column("replication", "int64", "", "Replication k (0-based): its random stream "
                      "is SeedSequence(seed, spawn_key=(k,)).")
_MONTH = Column("month", "int64", "months", "Month (0 = the initial state, before any step).")


def _ts_column(o: TimeSeriesOutcome) -> Column:
    return Column(o.name, "float64", o.unit, f"{o.description} Range {o.range_text}; "
                  f"{o.over_partners}.", o.label)


def file_columns() -> dict[str, tuple[str, list[Column]]]:
    """Every output file: (what one row or entry is, its columns in order)."""
    summary: list[Column] = [
        Column("scenario", "string", "", "The scenario's name."),
        Column("seed", "int", "", "Base seed of the replications."),
        Column("months", "int", "months", "Months simulated."),
        Column("replications", "int", "", "Number of replications."),
    ]
    for m in SUMMARY:
        summary.append(Column(m.name, "object", m.unit,
                              f"{m.description} Over replications: {{mean, sd, n, ci95: [low, "
                              "high]}, the two-sided 95% t interval (null, with sd, for one "
                              "replication).", m.label))
    summary += [Column(f"partners[].{c.name}", c.dtype, c.unit,
                       c.description + " Mean over replications." if c.dtype == "float"
                       else c.description, c.label) for c in PARTNER_FACTS]
    summary += [Column(f"weakest_links[].{c.name}", c.dtype, c.unit, c.description + (
        " (Replication 0.)" if c.name == "target" else ""), c.label) for c in WEAKEST_LINK]
    summary.append(Column("weakest_link_partners", "object", "count", "Partner name -> how "
                          "many (replication, target) pairs had their weakest link starting at "
                          "it, most often first."))
    point = Column("point", "int64", "", "Design point (0-based; design.parquet has its "
                   "values).")
    return {
        "timeseries.parquet": (
            "one row per replication and month (`lspsim run`)",
            [_REPLICATION, _MONTH, *map(_ts_column, SERIES)]),
        "partners.parquet": (
            "one row per replication, month and partner (`lspsim run`)",
            [_REPLICATION, _MONTH,
             Column("partner", "int64", "", "Partner index (0-based; councils first)."),
             *map(_ts_column, PARTNER_SERIES),
             Column("name", "string", "", partner_fact("name").description),
             Column("kind", "string", "", partner_fact("kind").description),
             Column("tier", "string", "", "area (unitary or area-wide body), county or "
                    "district."),
             Column("statutory", "bool", "", partner_fact("statutory").description)]),
        "targets.parquet": (
            "one row per replication, month and target (`lspsim run`)",
            [_REPLICATION, _MONTH, Column("target", "int64", "", "Target number (0-based)."),
             *map(_ts_column, TARGET_SERIES)]),
        "summary.json": ("one JSON object (`lspsim run`); `[]` marks a list of records",
                         summary),
        "runs.parquet": (
            "one row per design point and replication (`lspsim sweep`)",
            [point,
             Column("replication", "int64", "", "Replication r of the point (0-based)."),
             Column("seed", "int64", "", "The run's seed: `lspsim run SCENARIO --seed SEED` "
                    "(replication 0) with the point's values re-runs it exactly."),
             Column("<parameter path>", "as the parameter", "the parameter's unit",
                    "One column per varied parameter (or bundle): its value at this point."),
             Column("<metric>", "float64", "the metric's unit", "One column per kept summary "
                    "metric (the experiment's `metrics`, default all: "
                    + ", ".join(f"`{m.name}`" for m in SUMMARY) + "); null for a failed run."),
             Column("status", "string", "", "ok, or error."),
             Column("attempts", "int8", "", "Attempts made (a failing run is retried once)."),
             Column("error", "string", "", "The error of a failed run (null when ok).")]),
        "series.parquet": (
            "one row per design point, replication and month (`lspsim sweep` with `series`)",
            [point, Column("replication", "int64", "", "Replication r of the point."), _MONTH,
             Column("<series>", "float64", "the series' unit", "One column per kept "
                    "model-level series (the experiment's `series`: any column of "
                    "timeseries.parquet); NaN for a failed run.")]),
    }


def reference_markdown() -> str:
    """docs/outputs.md: the data dictionary, generated from this registry."""
    lines = [
        "# Outputs",
        "",
        "<!-- GENERATED by `lspsim outputs --reference > docs/outputs.md`; do not edit by "
        "hand. -->",
        "",
        "Every column of every output file, generated from the outcome registry "
        "(`lspsim/outcomes.py`). Model-level series are recorded every month; month 0 is the "
        "initial state. The summary metrics are the final month of a series.",
        "",
        "## Summary metrics",
        "",
        "Kept by `lspsim run` (summary.json) and by sweeps (runs.parquet, `metrics`).",
        "",
        "| metric | label | from series | unit | range | over replications |",
        "|---|---|---|---|---|---|",
    ]
    for m in SUMMARY:
        lines.append(f"| `{m.name}` | {m.label} | `{m.series}` | {m.unit} | {m.range_text} | "
                     f"{m.over_replications} |")
    lines.append("")
    for fname, (row, cols) in file_columns().items():
        lines += [f"## {fname}", "", f"{row[0].upper()}{row[1:]}.", "",
                  "| column | type | unit | label | description |", "|---|---|---|---|---|"]
        for c in cols:
            desc = c.description.replace("|", "\\|")
            lines.append(f"| `{c.name}` | {c.dtype} | {c.unit} | {c.label} | {desc} |")
        lines.append("")
    lines += ["## Figures", "", "The dynamics figure (dynamics.png) draws these series, "
              f"{FIGURE_BAND[len('figures: '):]}:", "",
              "| panel | line | series |", "|---|---|---|"]
    for p, outs in panels().items():
        for o in outs:
            lines.append(f"| {p} | {o.legend} | `{o.name}` |")
    return "\n".join(lines).rstrip() + "\n"
