"""The validation's patterns and acceptance criteria, fixed here before any run: the
public-goods game's criteria, the report's findings as paired comparisons, the pass rule, the
robustness hypercube's ranges, seeds and the run settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SEED = 2009  # findings: base seed of the paired comparisons (the report's year)
PG_SEED = 2000  # public-goods game: Fehr & Gaechter (2000)
LHS_SEED = 1995  # Latin hypercube: Ledyard (1995)
BASE = "default"

# ------------------------------------------------------------------------------------------
# Acceptance criteria, fixed before any run
# ------------------------------------------------------------------------------------------
PG_CRITERIA = {
    "P1": "Round-1 mean contribution without punishment lies in [0.4, 0.6] "
          "(Ledyard 1995: 40-60% of the endowment; Fehr & Gaechter 2000: about 0.5).",
    "P2": "Contributions decay without punishment: round-10 mean < 0.5 x round-1 mean (the "
          "95% CI of the per-replication round10 - 0.5 x round1 lies below 0).",
    "P3": "With peer punishment contributions are sustained or rise: the 95% CI of the "
          "per-replication round10 - round1 lies at or above 0.",
    "P4": "Punishment makes the difference: round-10 mean with punishment minus without, "
          "paired, has a 95% CI that excludes 0 (above it).",
}
PG_REFERENCE = {  # reported beside the results, not pass/fail: the sources say "roughly"
    "none": (0.1, 0.2, "Fehr & Gaechter (2000), no punishment, round 10: roughly 0.1-0.2"),
    "punishment": (0.6, 0.9, "Fehr & Gaechter (2000), with punishment: rising toward ~0.6-0.9"),
}
PASS_RULE = ("A finding passes when (1) the two-sided 95% CI of its mean paired effect lies "
             "entirely on the claimed side of 0 (or, for a threshold, the measured value meets the "
             "threshold) and (2) the effect has the claimed sign at >= 80% of the Latin-hypercube "
             "points.")
ROBUST_SHARE = 0.8
HALF_MONTHS_MIN = 24  # (f) maturity takes years: months to reach half the ceiling >= 24
KERNEL_START, KERNEL_MONTHS = 0.5, 6  # (h) trust kernel: from 0.5, six months kept vs broken

# Uncertain parameters of the robustness hypercube: plausible sub-ranges inside the schema bounds.
LHS_RANGES: dict[str, tuple[float, float, str]] = {
    "commitment.conditional_share": (0.4, 0.7, "about half conditional co-operators "
                                     "(Fischbacher et al. 2001), +-0.15"),
    "commitment.incentive_weight": (2.5, 10.0, "half to double the default 5"),
    "trust.gain": (0.02, 0.08, "half to double the default 0.04 per month"),
    "trust.loss": (0.1, 0.3, "0.1-0.3 per month around the default 0.18"),
    "network.tie_growth": (0.025, 0.1, "half to double the default 0.05 per meeting"),
    "delivery.months_to_deliver": (9.0, 20.0, "a target takes 9-20 months with a perfect chain"),
    "monitoring.growth_rate": (0.015, 0.06, "half to double the default 0.03 per month"),
}

# Series kept from the main runs for the figures.
KEEP_SERIES = ("mean_commitment", "mean_trust", "targets_met", "mean_target_progress",
               "commitment_non_statutory", "monitoring_maturity")


@dataclass(frozen=True)
class Pair:
    """One finding as a paired comparison: A should beat B on every metric (A - B > 0)."""

    id: str
    title: str
    claim: str
    source: str
    a: dict[str, Any]
    b: dict[str, Any]
    metrics: tuple[str, ...]
    a_label: str
    b_label: str


_TWO_TIER = {"structure.kind": "two_tier", "structure.n_districts": 4,
             "structure.statutory_partners": ["police", "health", "fire_rescue"]}
_UNITARY = {"structure.n_voluntary": 3}  # 11 partners, like the two-tier area above

PAIRS: tuple[Pair, ...] = (
    Pair("a", "Experience", "Long experience of joint working beats a new partnership.",
         "Audit Commission (2009): some areas have three decades' experience of joint working; "
         "partnerships mature through networking to collaboration (Sullivan & Skelcher 2002).",
         {"structure.years_of_joint_working": 30}, {"structure.years_of_joint_working": 0},
         ("target_achievement", "mean_target_progress"), "30 years", "new (0 years)"),
    Pair("b", "Two tiers", "A two-tier area does worse than a comparable unitary one "
         "(same number of partners: 11).",
         "Audit Commission (2009): in multi-tier areas partnership working is more complex and "
         "experience of it is less developed.",
         _UNITARY, _TWO_TIER, ("target_achievement", "mean_target_progress"),
         "unitary (11 partners)", "county + 4 districts (11 partners)"),
    Pair("c", "Layers", "Confused layers lower target achievement.",
         "Audit Commission (2009): LSPs need a layered approach; some areas have confused the "
         "layers; case-study LSPs recognising all three layers were more likely to deliver.",
         {"layers.clarity": 0.9}, {"layers.clarity": 0.2},
         ("target_achievement", "mean_target_progress"), "clear (0.9)", "confused (0.2)"),
    Pair("d1", "Networks", "Stronger networks among representatives raise trust and achievement.",
         "Audit Commission (2009): strong social networks among representatives are crucial.",
         {"network.initial_density": 0.8, "network.initial_strength": 0.6},
         {"network.initial_density": 0.1, "network.initial_strength": 0.1},
         ("mean_trust", "target_achievement"), "dense, strong ties", "sparse, weak ties"),
    Pair("d2", "Turnover", "High turnover of representatives erodes trust and achievement.",
         "Vangen & Huxham (2003): changing membership threatens collaboration; Audit Commission "
         "(2009): networks are crucial.",
         {"network.turnover": 0.05}, {"network.turnover": 0.6},
         ("mean_trust", "target_achievement"), "5% a year", "60% a year"),
    Pair("e", "Chair style", "A facilitative chair beats a dominating council chair on trust and "
         "on non-statutory partners' commitment.",
         "Audit Commission (2009): the chair encourages trust and equality, the council supports "
         "debate but does not dominate; negative sign: a council 'top table'. Ansell & Gash "
         "(2008): facilitative leadership.",
         {"leadership.chair_style": "facilitative", "leadership.council_dominance": 0.15},
         {"leadership.chair_style": "directive", "leadership.council_dominance": 0.85},
         ("mean_trust", "commitment_non_statutory"),
         "facilitative, dominance 0.15", "directive, dominance 0.85"),
    Pair("f2", "Data standards", "Shared monitoring stays less mature without common data "
         "standards.",
         "Audit Commission (2009): shared performance monitoring needs common data quality "
         "standards; obstacles are incompatible systems and formats.",
         {}, {"monitoring.common_data_standards": False}, ("monitoring_maturity",),
         "common standards", "no common standards"),
    Pair("g", "Money", "Aligning mainstream spend (x2) moves outcomes more than enlarging the "
         "pooled pot (x2).",
         "Audit Commission (2009): partnership resources are a fraction of mainstream spending "
         "(pooled grants under 2% in one county).",
         {"resources.mainstream_alignment": 0.2}, {"resources.pooled_share": 0.04},
         ("target_achievement", "mean_target_progress"), "alignment 0.1 -> 0.2",
         "pooled pot 2% -> 4%"),
)
F1 = dict(id="f1", title="Monitoring takes years",
          claim=f"Shared monitoring takes years to build: in a new partnership, maturity takes "
                f">= {HALF_MONTHS_MIN} months to reach half its ceiling.",
          source="Audit Commission (2009): shared performance monitoring takes time to develop; "
                 "performance management is unevenly developed.")
F1_UPDATES = {"structure.years_of_joint_working": 0}
F1_MONTHS = 240
H1 = dict(id="h1", title="Trust asymmetry (mechanism)",
          claim=f"Trust falls faster after a breach than it rises after the same span of good "
                f"conduct: from trust {KERNEL_START}, {KERNEL_MONTHS} months of broken evidence "
                f"lower it more than {KERNEL_MONTHS} months of kept evidence raise it.",
          source="Slovic (1993): trust builds slowly and collapses fast.")
H2 = dict(id="h2", title="Trust asymmetry (in runs)",
          claim="In model runs, month-to-month falls in a partner's trust from others are larger "
                "on average than its rises (mean size of falls - mean size of rises > 0).",
          source="Slovic (1993): trust builds slowly and collapses fast.")


# ------------------------------------------------------------------------------------------
# Settings
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Config:
    replications: int = 200
    lhs_points: int = 32
    lhs_replications: int = 16

    @classmethod
    def quick(cls) -> Config:
        return cls(replications=30, lhs_points=8, lhs_replications=6)
