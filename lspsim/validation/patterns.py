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
             "points, each point's effect estimated with its replication noise removed (the "
             "point's mean shrunk toward the mean over points by its share of noise: the "
             "random-effects, empirical-Bayes estimate; the raw share of point means is shown "
             "beside it).")
ROBUST_SHARE = 0.8
HALF_MONTHS_MIN = 24  # (f) maturity takes years: months to reach half the ceiling >= 24

# Uncertain parameters of the robustness hypercube, the structural constants that carry the
# findings among them. Only the names live here: each is sampled over its range in the schema
# (``lspsim.scenario.plausible_range``: the field's plausible range, else its ge/le bounds).
LHS_PARAMETERS: tuple[str, ...] = (
    "commitment.conditional_share", "commitment.incentive_weight", "trust.gain", "trust.loss",
    "network.tie_growth", "delivery.months_to_deliver", "monitoring.growth_rate",
    # structural constants (issue 12: the old hypercube varied none of them): those of the
    # mechanisms that carry findings b (two tiers), c (layers), e (voice) and the loop
    "structure.coordination_cost", "structure.duplication_share",
    "structure.inter_tier_tie_factor", "trust.cross_tier_share",
    "structure.district_lsp_share", "structure.district_overlap",
    "structure.district_agenda_weight", "layers.steered_share", "layers.executive_voice",
    "scrutiny.challenge_cost", "trust.wins_rate", "commitment.efficacy_weight",
    "commitment.efficacy_rate",
    # and those that carry findings a, d1, d2, e and f2 (their ablations, ABLATIONS below)
    "trust.history_pull", "monitoring.history_maturity", "trust.tie_bonus",
    "delivery.handover_exponent", "network.tie_loss_on_turnover", "trust.newcomer_share",
    "leadership.outsider_weight", "delivery.info_exponent", "trust.tie_forgiveness",
    "network.outside_contact", "monitoring.own_data_share", "delivery.tie_exponent",
)

# Series kept from the main runs for the figures.
KEEP_SERIES = ("mean_commitment", "mean_trust", "targets_met", "mean_target_progress",
               "commitment_non_statutory", "monitoring_maturity", "aligned_spend", "pooled_pot")


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
    Pair("f2", "Data standards", "Without common data standards partnerships deliver less: "
         "shared monitoring stays less mature, so partners see less of each other and chains "
         "hand over on poorer information.",
         "Audit Commission (2009): shared performance monitoring needs common data quality "
         "standards; obstacles are incompatible systems and formats.",
         {}, {"monitoring.common_data_standards": False},
         ("mean_target_progress", "target_achievement"),
         "common standards", "no common standards"),
)
# Checks of a level rather than of a paired difference: each replication gives a value whose
# claimed side of a threshold is fixed here.
F1 = dict(id="f1", title="Monitoring takes years",
          claim=f"Shared monitoring takes years to build: in a new partnership, maturity takes "
                f">= {HALF_MONTHS_MIN} months to reach half its ceiling.",
          source="Audit Commission (2009): shared performance monitoring takes time to develop; "
                 "performance management is unevenly developed.")
F1_UPDATES = {"structure.years_of_joint_working": 0}
F1_MONTHS = 240
F1_REPLICATIONS = 10  # maturity has little random input: a few replications give its spread
G_SHARE_MIN = 0.5
G = dict(id="g", title="Money",
         claim="The partnership's own money is small beside mainstream spend: of the money put "
               "to joint priorities at month 36, mainstream spend aligned through partners' "
               f"commitment is more than the pooled pot (aligned share > {G_SHARE_MIN}).",
         source="Audit Commission (2009): partnership resources are a fraction of mainstream "
                "spending (pooled grants under 2% in one county); what matters is bending "
                "mainstream budgets.")
BREACH_KIND = "police"  # one statutory partner that breaks faith for a while
BREACH_MONTH, BREACH_MONTHS = 12, 6
BREACH_CHANGES = {f"kinds.{BREACH_KIND}.stake_in_success": 0.0,
                  f"kinds.{BREACH_KIND}.stake_in_failure": 0.0}
H1 = dict(id="h1", title="Trust asymmetry (breach)",
          claim=f"Trust falls faster after a breach than it recovers: when the {BREACH_KIND} "
                f"loses its stake for {BREACH_MONTHS} months (from month {BREACH_MONTH}) and "
                "then regains it, the others' trust in it (against the same run without the "
                "breach) falls to a low point in T months and recovers less than that fall in "
                "the T months after.",
          source="Slovic (1993): trust builds slowly and collapses fast.")
H2 = dict(id="h2", title="Trust asymmetry (in runs)",
          claim="In model runs, month-to-month falls in a partner's trust from others are larger "
                "on average than its rises (mean size of falls - mean size of rises > 0).",
          source="Slovic (1993): trust builds slowly and collapses fast.")


# ------------------------------------------------------------------------------------------
# Ablations: what carries each finding
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ablation:
    """Parameters set to their neutral value in both A and B (the effect without them)."""

    label: str
    updates: dict[str, Any]
    why: str = ""


# Trust reaches delivery mainly through handovers: every finding whose lever moves trust runs
# partly through this one channel, whatever raised the trust (not a constant of any one lever).
TRUST_IN_HANDOVERS = Ablation("trust speeds handovers", {"delivery.handover_exponent": 0.0})

# Every switch in the scenario's [mechanisms] section with an "off" choice is ablated too, for
# every finding (found by enumerating the section, not listed here).
ABLATIONS: dict[str, tuple[Ablation, ...]] = {
    "a": (
        Ablation("history raises starting trust", {"trust.history_pull": 0.0}),
        Ablation("history ties more pairs", {"network.history_density_pull": 0.0}),
        Ablation("history strengthens ties", {"network.history_strength_gain": 0.0}),
        Ablation("history matures monitoring", {"monitoring.history_maturity": 0.0}),
        TRUST_IN_HANDOVERS,
    ),
    "b": (
        Ablation("district LSPs compete for representatives' time",
                 {"structure.district_lsp_share": 0.0}),
        Ablation("district work all serves the county partnership",
                 {"structure.district_overlap": 1.0}),
        Ablation("district priorities weigh fully in the agenda",
                 {"structure.district_agenda_weight": 1.0}),
        Ablation("duplicated district meetings", {"structure.duplication_share": 0.0}),
        Ablation("weaker county-district ties", {"structure.inter_tier_tie_factor": 1.0}),
        Ablation("lower county-district trust", {"trust.cross_tier_share": 1.0}),
        TRUST_IN_HANDOVERS,
    ),
    # c: none declared. Its one parameter, layers.steered_share, at 0 is the mechanism switched
    # off (money split evenly whatever the executive reads: mechanisms.layers = "off" gives the
    # same runs), so the switch's row is its ablation.
    "c": (),
    "d1": (
        Ablation("ties raise starting trust", {"trust.tie_bonus": 0.0}),
        TRUST_IN_HANDOVERS,
        Ablation("ties speed handovers", {"delivery.tie_exponent": 0.0}),
        Ablation("meeting in person weights evidence", {"trust.weight_contact": 0.0}),
        Ablation("gossip along ties", {"trust.spread": 0.0}),
        Ablation("ties cushion breaches", {"trust.tie_forgiveness": 0.0}),
        Ablation("relationships kept up outside the partnership",
                 {"network.outside_contact": 0.0}),
    ),
    "d2": (
        Ablation("a new representative loses ties", {"network.tie_loss_on_turnover": 0.0}),
        Ablation("a new representative resets trust", {"trust.newcomer_share": 0.0}),
        TRUST_IN_HANDOVERS,
    ),
    "e": (
        Ablation("dominance costs outsiders voice", {"leadership.outsider_weight": 0.0}),
        Ablation("a non-inclusive style costs voice", {"leadership.exclusion_weight": 0.0}),
        Ablation("every partner has an executive seat", {"layers.executive_voice": 0.0}),
    ),
    "f2": (
        Ablation("information speeds handovers", {"delivery.info_exponent": 0.0}),
        Ablation("visibility weights evidence", {"trust.weight_visibility": 0.0}),
        Ablation("no value lost without monitoring", {"delivery.info_floor": 1.0}),
        Ablation("outcome data need no shared monitoring", {"monitoring.own_data_share": 1.0}),
    ),
    # level checks: does the measured pattern come from the constant the old check compared?
    "h1": (
        Ablation("trust kernel made symmetric (gain = loss)", {"trust.gain": 0.11,
                                                               "trust.loss": 0.11},
                 "the mean of the default gain and loss: an asymmetry left is not the kernel's"),
    ),
    "h2": (
        Ablation("trust kernel made symmetric (gain = loss)", {"trust.gain": 0.11,
                                                               "trust.loss": 0.11}),
    ),
    "g": (
        Ablation("commitment cost nothing", {"commitment.cost": 0.0},
                 "aligned spend follows commitment: the share moves with it"),
    ),
}
ALL_DECLARED = "all declared parameter ablations at once"


# ------------------------------------------------------------------------------------------
# Settings
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Config:
    replications: int = 200
    lhs_points: int = 32
    lhs_replications: int = 16
    ablation_replications: int = 100

    @classmethod
    def quick(cls) -> Config:
        return cls(replications=30, lhs_points=8, lhs_replications=6, ablation_replications=30)
