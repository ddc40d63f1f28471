"""The typed Scenario: the single source of every parameter's name, unit, range and meaning.

Everything that edits a scenario (TOML files, ``lspsim run --set``, sweep parameter paths, the
app's controls, docs/scenarios.md) goes through this schema. Each field carries its unit in
``json_schema_extra`` and a one-line description; ranges are pydantic ``ge``/``le`` bounds.
"""

from __future__ import annotations

import copy
import difflib
import math
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from lspsim._data import data_dir
from lspsim.errors import InputError, from_validation_error

ChairStyle = Literal["facilitative", "directive", "transactional", "laissez_faire"]
Theme = Literal[
    "children_young_people",
    "safer_communities",
    "health_wellbeing",
    "economy_skills",
    "housing_environment",
    "stronger_communities",
]
THEMES: tuple[str, ...] = Theme.__args__  # type: ignore[attr-defined]

PartnerKind = Literal[
    "unitary_council",
    "county_council",
    "district_council",
    "police",
    "health",
    "fire_rescue",
    "voluntary_community",
    "business",
    "jobcentre_plus",
    "probation",
    "housing",
]
PARTNER_KINDS: tuple[str, ...] = PartnerKind.__args__  # type: ignore[attr-defined]
COUNCIL_KINDS = ("unitary_council", "county_council", "district_council")
STATUTORY_OPTIONAL = ("police", "health", "fire_rescue", "jobcentre_plus", "probation", "housing")


# Scenario names become folder names (out/NAME): identifiers, never paths.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
# Measured on a 2-core, 24 GiB machine (Python 3.11): 1,007 partners take 0.12 s a month and
# 0.37 GiB per model, 2,007 take 1.5 s a month and 0.9 GiB (time grows as partners cubed).
MAX_PARTNERS = 1000
MAX_PARTNERS_WHY = ("a month then takes about 0.1 s and a model about 0.4 GiB on a 2-core "
                    "machine; time grows as partners cubed; real LSP forums had 30-100 members")


def F(default: Any, description: str, unit: str = "", evidence: str = "",
      plausible: tuple[float, float] | None = None, **bounds: Any) -> Any:
    """A schema field with a unit and a description (the docs and the app read both), and for
    structural constants its evidence status (``evidence_status`` reads it). ``plausible`` is
    an optional (low, high) range inside the hard ``ge``/``le`` bounds for fields whose hard
    bounds are wider than is plausible: the validation's robustness hypercube reads it
    (``plausible_range``)."""
    extra: dict[str, Any] = {"unit": unit}
    if evidence:
        extra["evidence"] = evidence
    if plausible is not None:
        extra["plausible"] = list(plausible)
    return Field(default, description=description, json_schema_extra=extra, **bounds)


ASSUMED = "assumed"  # evidence status of a value set by judgement (a sensitivity-analysis target)


class Section(BaseModel):
    # Frozen: a scenario is a value (changes go through with_updates, which validates), so the
    # model may cache what it derives from one.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class KindProfile(Section):
    """Defaults for one kind of partner organisation (docs/ODD.md, 'Partner defaults')."""

    stake_in_success: float = F(0.5, "How much the organisation gains when joint targets are met",
                                "0-1", ge=0, le=1)
    stake_in_failure: float = F(0.5, "How much blame and risk it carries when they are missed",
                                "0-1", ge=0, le=1)
    budget: float = F(50.0, "Mainstream revenue budget in the area", "GBP m/year", ge=0, le=5000)
    capacity: float = F(0.5, "Staff time it can give to partnership work, at full commitment",
                        "0-1 of a notional team", ge=0.01, le=1)
    data_quality: float = F(0.5, "Quality and compatibility of its performance data", "0-1",
                            ge=0, le=1)
    openness: float = F(0.5, "Willingness to share information with partners", "0-1", ge=0, le=1)
    statutory: bool = F(True, "A statutory partner under the duty to cooperate on the LAA")
    themes: list[Theme] = F(list(THEMES), "Outcome themes the organisation delivers")


def _kind(**kw: Any) -> Any:
    return Field(default_factory=lambda: KindProfile(**kw))


class Kinds(Section):
    """Per-kind defaults. Unequal on purpose: see docs/ODD.md for why each value is what it is."""

    unitary_council: KindProfile = _kind(
        stake_in_success=0.8, stake_in_failure=0.9, budget=450.0, capacity=0.7,
        data_quality=0.6, openness=0.6, statutory=True, themes=list(THEMES))
    county_council: KindProfile = _kind(
        stake_in_success=0.75, stake_in_failure=0.9, budget=600.0, capacity=0.65,
        data_quality=0.6, openness=0.55, statutory=True,
        themes=["children_young_people", "health_wellbeing", "economy_skills",
                "stronger_communities"])
    district_council: KindProfile = _kind(
        stake_in_success=0.6, stake_in_failure=0.55, budget=35.0, capacity=0.4,
        data_quality=0.45, openness=0.55, statutory=True,
        themes=["housing_environment", "safer_communities", "stronger_communities",
                "economy_skills"])
    police: KindProfile = _kind(
        stake_in_success=0.55, stake_in_failure=0.5, budget=180.0, capacity=0.5,
        data_quality=0.7, openness=0.45, statutory=True, themes=["safer_communities"])
    health: KindProfile = _kind(
        stake_in_success=0.5, stake_in_failure=0.4, budget=500.0, capacity=0.45,
        data_quality=0.65, openness=0.4, statutory=True,
        themes=["health_wellbeing", "children_young_people"])
    fire_rescue: KindProfile = _kind(
        stake_in_success=0.45, stake_in_failure=0.35, budget=40.0, capacity=0.4,
        data_quality=0.6, openness=0.6, statutory=True,
        themes=["safer_communities", "stronger_communities"])
    voluntary_community: KindProfile = _kind(
        stake_in_success=0.9, stake_in_failure=0.2, budget=3.0, capacity=0.25,
        data_quality=0.35, openness=0.8, statutory=False,
        themes=["stronger_communities", "health_wellbeing", "children_young_people"])
    business: KindProfile = _kind(
        stake_in_success=0.35, stake_in_failure=0.1, budget=8.0, capacity=0.2,
        data_quality=0.5, openness=0.4, statutory=False, themes=["economy_skills"])
    jobcentre_plus: KindProfile = _kind(
        stake_in_success=0.45, stake_in_failure=0.35, budget=30.0, capacity=0.35,
        data_quality=0.7, openness=0.4, statutory=True, themes=["economy_skills"])
    probation: KindProfile = _kind(
        stake_in_success=0.45, stake_in_failure=0.4, budget=20.0, capacity=0.35,
        data_quality=0.55, openness=0.45, statutory=True, themes=["safer_communities"])
    housing: KindProfile = _kind(
        stake_in_success=0.5, stake_in_failure=0.35, budget=30.0, capacity=0.35,
        data_quality=0.5, openness=0.5, statutory=False,
        themes=["housing_environment", "stronger_communities"])


class Structure(Section):
    kind: Literal["unitary", "two_tier"] = F("unitary", "Unitary council or county plus districts")
    n_districts: int = F(0, "District councils in a two-tier area (0 when unitary)", "councils",
                         ge=0, le=20)
    years_of_joint_working: float = F(10.0, "History of joint working before the LSP starts",
                                      "years", ge=0, le=40)
    spinup_months: int = F(24, "Most months of that history the model runs before month 0 "
                           "(spin-up, whole years; the years before it set the starting state); "
                           "bounds run time", "months", ASSUMED, ge=0, le=240)
    statutory_partners: list[PartnerKind] = F(
        list(STATUTORY_OPTIONAL), "Other public bodies on the partnership (one organisation each)")
    n_voluntary: int = F(2, "Voluntary and community sector organisations", "organisations",
                         ge=0, le=1000)
    n_business: int = F(1, "Business representatives", "organisations", ge=0, le=1000)
    coordination_cost: float = F(0.008, "Capacity each partner spends per other partner on "
                                 "coordination", "share of capacity/partner/month",
                                 ge=0, le=0.05)
    duplication_share: float = F(0.35, "In two-tier areas, share of district LSP meetings that "
                                 "county-wide partners also attend", "0-1", ge=0, le=1)
    inter_tier_tie_factor: float = F(0.5, "Initial tie strength between county and district "
                                     "representatives relative to others", "0-1", ge=0, le=1)
    district_lsp_share: float = F(1.0, "In two-tier areas, share of its own district LSP's "
                                  "meetings a district council's representatives attend beside "
                                  "the county partnership's", "0-1", ASSUMED, ge=0, le=1)
    district_overlap: float = F(0.5, "In two-tier areas, share of the district LSPs' work that "
                                "also serves the county partnership's targets (the rest of the "
                                "capacity they take is lost to it)", "0-1", ASSUMED, ge=0, le=1)
    district_agenda_weight: float = F(0.4, "Weight of a district council's priorities in the "
                                      "county-level agenda and targets, relative to a partner of "
                                      "equal voice (the LAA is agreed with the upper tier)", "0-1",
                                      ASSUMED, ge=0, le=1)
    # Structural constants (form of the mechanisms; docs/ODD.md III.iv)
    history_timescale: float = F(10.0, "Years of joint working over which a history builds its "
                                 "starting conditions: h = 1 - exp(-years / timescale)", "years",
                                 evidence=ASSUMED, ge=0.5, le=100)
    budget_spread: float = F(0.2, "Spread of budgets among organisations of one kind (lognormal "
                             "sigma, mean preserved)", "log GBP", ASSUMED, ge=0, le=1)

    @model_validator(mode="after")
    def _districts_match_kind(self) -> Structure:
        if self.kind == "unitary" and self.n_districts != 0:
            raise ValueError("n_districts must be 0 when kind = 'unitary'")
        if self.kind == "two_tier" and self.n_districts < 1:
            raise ValueError("a two-tier area needs n_districts >= 1")
        for k in self.statutory_partners:
            if k in COUNCIL_KINDS or k in ("voluntary_community", "business"):
                raise ValueError(f"statutory_partners may list only {list(STATUTORY_OPTIONAL)}")
        return self


class Commitment(Section):
    initial: float = F(0.5, "Commitment at the start", "0-1 of capacity and budget", ge=0, le=1)
    conditional_share: float = F(0.55, "Share of partners that are conditional co-operators "
                                 "(Fischbacher et al. 2001)", "0-1", ge=0, le=1)
    conditional_slope: float = F(0.85, "How closely a conditional co-operator matches what it "
                                 "expects of others (<1: imperfect)", "ratio", ge=0, le=1.2)
    free_rider_slope: float = F(0.3, "The same slope for the other partners", "ratio", ge=0, le=1)
    incentive_weight: float = F(5.0, "Sensitivity of a partner's own preferred commitment to its "
                                "net incentive (stake x return - cost)", "per unit incentive",
                                ge=0, le=50)
    return_on_commitment: float = F(1.5, "Return to a partner's own stake per unit it commits "
                                    "(like a marginal per-capita return)", "ratio", ge=0, le=2)
    cost: float = F(0.7, "Cost to a partner's own capacity per unit it commits (1 = the full face "
                    "value, as in a public-goods game; less where joint priorities overlap its own "
                    "business)", "ratio", ge=0, le=2)
    adjustment_rate: float = F(0.5, "Share of the gap to its desired commitment a partner "
                               "closes at each decision", "per decision", ge=0, le=1)
    noise: float = F(0.04, "Standard deviation of decision noise", "commitment", ge=0, le=0.5)
    belief_rate: float = F(0.3, "Share of the gap between what a partner expected of the others "
                           "and what it now sees of them that its expectation closes at each "
                           "decision (1: it expects exactly what it sees; beliefs move partly, "
                           "Fischbacher & Gaechter 2010)", "per decision", ge=0.01, le=1)
    # Structural constants
    distrust_discount: float = F(0.6, "Share of a partner's reported commitment discounted when "
                                 "it is neither trusted nor verifiable", "0-1", ASSUMED, ge=0, le=1)
    efficacy_weight: float = F(3.0, "Extra return a partner expects from committing when it sees "
                               "its targets a full round ahead of pace (less when behind)",
                               "share of the return", ASSUMED, ge=0, le=5)
    efficacy_rate: float = F(0.1, "Share of the gap to the pace it now sees that a partner's "
                             "sense of efficacy closes each month", "per month", ASSUMED,
                             ge=0, le=1)


class Trust(Section):
    initial: float = F(0.45, "Trust between partners with no history", "0-1", ge=0, le=1)
    gain: float = F(0.04, "Trust gained per month of kept commitments, as a share of the "
                    "distance to 1", "per month", ge=0, le=1)
    loss: float = F(0.18, "Trust lost per month of breaches, as a share of current trust",
                    "per month", ge=0, le=1)
    tolerance: float = F(0.1, "Shortfall against one's own commitment still read as kept",
                         "commitment", ge=0, le=1)
    spread: float = F(0.05, "Share of trust that moves each month along the network (gossip)",
                      "per month", ge=0, le=1)
    observation_noise: float = F(0.15, "Error in what partners see of each other with no "
                                 "monitoring at all", "commitment (sd)", ge=0, le=2)
    # Structural constants
    evidence_sharpness: float = F(0.05, "Width of the smooth step that reads a partner's "
                                  "commitment as kept or broken (logistic scale)", "commitment",
                                  evidence=ASSUMED, ge=0.001, le=1)
    weight_base: float = F(0.3, "Weight of a month's evidence in the trust update with nothing "
                           "visible and no contact", "0-1", ASSUMED, ge=0, le=1)
    weight_visibility: float = F(0.4, "Extra weight when the partner is fully visible through "
                                 "monitoring (maturity x openness = 1)", "0-1", ASSUMED, ge=0, le=1)
    weight_contact: float = F(0.3, "Extra weight for at least one effective meeting together "
                              "this month", "0-1", ASSUMED, ge=0, le=1)
    exclusion_exponent: float = F(0.5, "How strongly exclusion from the top table colours how a "
                                  "partner reads the council (evidence x voice^exponent)", "",
                                  evidence=ASSUMED, ge=0, le=5)
    history_pull: float = F(0.6, "Share of the gap to the mature trust level that a full "
                            "history closes at the start", "0-1", ASSUMED, ge=0, le=1)
    mature_level: float = F(0.85, "Starting trust a long history tends toward", "0-1", ASSUMED,
                            ge=0, le=1)
    tie_forgiveness: float = F(0.5, "Share of a breach's trust loss that a full tie between "
                               "the two representatives cushions (the benefit of the doubt "
                               "embedded ties extend: Uzzi 1997; Ring & Van de Ven 1994)", "0-1",
                               ASSUMED, ge=0, le=1)
    tie_bonus: float = F(0.2, "Starting trust added per unit of initial tie strength", "0-1",
                         evidence=ASSUMED, ge=0, le=1)
    initial_spread: float = F(0.03, "Spread of starting trust between pairs (normal sd)",
                              "0-1 (sd)", ASSUMED, ge=0, le=0.5)
    cross_tier_share: float = F(0.5, "Level county-district trust is pulled toward, as a share "
                                "of the base level", "0-1", ASSUMED, ge=0, le=1)
    newcomer_share: float = F(0.4, "Share by which trust to and from a new representative "
                              "moves back to the base level (the personal part of the trust "
                              "placed in a representative; the organisation's reputation keeps "
                              "the rest), whatever ties the newcomer inherits", "0-1", ASSUMED,
                              ge=0, le=1)
    wins_rate: float = F(0.5, "Trust moved each month by progress seen on targets two partners "
                         "deliver together, per unit of pace gap (toward 1 when ahead, toward 0 "
                         "when behind, as a share of the distance)", "per month", ASSUMED,
                         ge=0, le=1)


class Network(Section):
    initial_density: float = F(0.3, "Share of representative pairs that know each other at "
                               "the start, before history", "0-1", ge=0, le=1)
    initial_strength: float = F(0.3, "Mean strength of those initial ties", "0-1", ge=0, le=1)
    tie_growth: float = F(0.03, "Tie growth per meeting together, share of distance to 1",
                          "per meeting", ge=0, le=1)
    outside_contact: float = F(1.0, "Meetings a month, outside the partnership, that keep up "
                               "a full tie of the area's relationships at the start (other "
                               "forums, joint services, informal contact); a pair's outside "
                               "contact is this x its starting tie, and a new representative "
                               "inherits the seat's (Feld 1981: foci of activity sustain ties)",
                               "meetings a month", ASSUMED, ge=0, le=10)
    tie_decay: float = F(0.015, "Share of tie strength lost each month without upkeep",
                         "per month", ge=0, le=1)
    turnover: float = F(0.15, "Chance a representative is replaced in a year", "per year",
                        ge=0, le=1)
    tie_loss_on_turnover: float = F(0.8, "Share of a representative's ties lost when replaced",
                                    "0-1", ge=0, le=1)
    tie_threshold: float = F(0.2, "Tie strength counted as a tie in network density", "0-1",
                             ge=0, le=1)
    # Structural constants
    history_density_pull: float = F(0.6, "Share of the pairs not yet tied that a full history "
                                    "ties at the start", "0-1", ASSUMED, ge=0, le=1)
    history_strength_gain: float = F(1.0, "Relative gain in initial tie strength from a full "
                                     "history (mean = strength x (1 + gain x h))", "ratio", ASSUMED,
                                     ge=0, le=5)
    tie_concentration: float = F(4.0, "Concentration of initial tie strengths around their "
                                 "mean (Beta a + b)", "", ASSUMED, ge=0.1, le=100)


class StyleEffects(Section):
    """One leadership style's effect on the six channels (docs/ODD.md III.iii, Leadership)."""

    pull: float = F(0.3, "Pull on partners' expectations toward the chair's aspiration "
                    "(Friedkin-Johnsen weight, scaled by voice)", "0-1", ASSUMED, ge=0, le=1)
    inclusion: float = F(0.5, "How far partners keep a voice on the board", "0-1", ASSUMED,
                         ge=0, le=1)
    repair: float = F(0.0, "Share of the trust lost on a breach that the style repairs", "0-1",
                      ASSUMED, ge=0, le=1)
    speed: float = F(1.0, "Multiplier on how fast partners adjust their commitment", "ratio",
                     ASSUMED, ge=0, le=2)
    networking: float = F(1.0, "Multiplier on tie growth per meeting", "ratio", ASSUMED,
                          ge=0, le=5)
    challenge: float = F(1.0, "Multiplier on how hard scrutiny bites", "ratio", ASSUMED,
                         ge=0, le=5)


def _style(**kw: Any) -> Any:
    return Field(default_factory=lambda: StyleEffects(**kw),
                 description="Effects of this style (ordinal judgements, docs/ODD.md)")


class Styles(Section):
    """The style table: one entry per ``ChairStyle`` (the list declared once, above)."""

    facilitative: StyleEffects = _style(pull=0.30, inclusion=0.95, repair=0.5, speed=0.8,
                                        networking=1.4, challenge=1.0)
    directive: StyleEffects = _style(pull=0.45, inclusion=0.30, repair=0.0, speed=1.0,
                                     networking=0.8, challenge=0.6)
    transactional: StyleEffects = _style(pull=0.25, inclusion=0.60, repair=0.1, speed=0.9,
                                         networking=1.0, challenge=1.2)
    laissez_faire: StyleEffects = _style(pull=0.00, inclusion=0.50, repair=0.0, speed=0.5,
                                         networking=0.7, challenge=0.3)


CHAIR_STYLES: tuple[str, ...] = ChairStyle.__args__  # type: ignore[attr-defined]
# The table has exactly the styles the schema accepts.
assert tuple(Styles.model_fields) == CHAIR_STYLES


class Leadership(Section):
    chair_style: ChairStyle = F("facilitative", "The chair's leadership style")
    board_style: ChairStyle = F("transactional", "The board members' prevailing style")
    chair_kind: Literal["council"] | PartnerKind = F(
        "council", "Which kind of organisation provides the chair; 'council' is the unitary or "
        "county council (elected members chaired 46% of LSPs in 2004)")
    council_dominance: float = F(0.3, "How far the council dominates the board (a 'top table')",
                                 "0-1", ge=0, le=1)
    aspiration: float = F(0.8, "The commitment the chair asks of every partner", "0-1",
                          ge=0, le=1)
    chair_weight: float = F(0.6, "Weight of the chair's style beside the board's", "0-1",
                            ge=0, le=1)
    # Structural constants
    styles: Styles = Field(default_factory=lambda: Styles(),
                           description="Each style's effect on the six channels")
    statutory_exposure: float = F(0.5, "How exposed a statutory partner is to exclusion from "
                                  "the top table, relative to a non-statutory one (councils 0)",
                                  "0-1", ASSUMED, ge=0, le=1)
    exclusion_weight: float = F(0.3, "Voice lost per unit of a non-inclusive style, whatever "
                                "the council's dominance", "0-1", ASSUMED, ge=0, le=1)
    outsider_weight: float = F(0.4, "Extra voice a non-statutory partner loses per unit of "
                               "council dominance", "0-1", ASSUMED, ge=0, le=1)
    voice_floor: float = F(0.05, "Least voice any partner keeps", "0-1", ASSUMED, ge=0, le=1)


class Layers(Section):
    clarity: float = F(0.8, "How clearly strategic, executive and operational roles and "
                       "information are separated", "0-1", ge=0, le=1)
    strategic_per_year: int = F(4, "Strategic board meetings (report Table 8: 3-4)", "per year",
                                ge=1, le=12)
    executive_per_year: int = F(8, "Executive group meetings (Table 8: 6-12)", "per year",
                                ge=1, le=24)
    operational_per_year: int = F(24, "Operational/thematic group meetings (Table 8: 12-52)",
                                  "per year", ge=1, le=52)
    meeting_cost: float = F(0.02, "Capacity one meeting takes from each attending partner",
                            "share of capacity", ge=0, le=0.2)
    # Structural constants
    contact_strategic: float = F(0.3, "Tie-building weight of one strategic board meeting, "
                                 "relative to a small working group", "per meeting", ASSUMED,
                                 ge=0, le=1)
    contact_executive: float = F(0.6, "The same for one executive group meeting",
                                 "per meeting", ASSUMED, ge=0, le=1)
    contact_operational: float = F(1.0, "The same for one operational/thematic group meeting",
                                   "per meeting", ASSUMED, ge=0, le=1)
    executive_voice: float = F(0.6, "Voice at which a non-statutory partner gets an executive "
                               "seat", "0-1", ASSUMED, ge=0, le=1)
    confusion_meeting_cost: float = F(1.5, "Extra cost of a meeting per unit of layer confusion "
                                      "(1 - clarity)", "ratio", ASSUMED, ge=0, le=5)
    confusion_noise: float = F(2.0, "Extra observation error per unit of layer confusion",
                               "ratio", ASSUMED, ge=0, le=10)
    confused_allocation: float = F(0.4, "Share of aligned resources the executive steers to the "
                                   "right chains when the layers are fully confused", "0-1",
                                   evidence=ASSUMED, ge=0, le=1)
    burden_cap: float = F(0.95, "Largest share of capacity meetings and coordination can take",
                          "0-1", ASSUMED, ge=0, le=1)
    steered_share: float = F(0.5, "Share of the pooled pot and of aligned money the executive "
                             "allocates across targets on what it reads as need (the rest is "
                             "split evenly); mechanisms.layers = 'information'", "0-1", ASSUMED,
                             ge=0, le=1)


class Monitoring(Section):
    initial_maturity: float = F(0.1, "Shared performance monitoring maturity at the start, "
                                "before history", "0-1", ge=0, le=1)
    investment: float = F(0.5, "Investment in shared monitoring", "0-1", ge=0, le=1)
    common_data_standards: bool = F(True, "Partners share common data quality standards")
    growth_rate: float = F(0.06, "Maturity growth per month at full investment, share of the "
                           "distance to the ceiling", "per month", ge=0, le=1)
    ceiling_without_standards: float = F(0.45, "Highest maturity reachable with incompatible "
                                         "data formats", "0-1", ge=0, le=1)
    # Structural constants
    history_maturity: float = F(0.4, "Share of the gap to the ceiling that a full history has "
                                "closed at the start", "0-1", ASSUMED, ge=0, le=1)
    own_data_share: float = F(0.5, "Share of the outcome data on shared targets that partners "
                              "and the executive read without shared monitoring, from each "
                              "agency's own returns and the national indicator set's data; "
                              "shared monitoring supplies the rest as it matures", "0-1",
                              ASSUMED, ge=0, le=1)
    data_quality_floor: float = F(0.5, "Growth rate with the poorest data, relative to perfect "
                                  "data (rate x (floor + (1 - floor) mean data quality))",
                                  "0-1", ASSUMED, ge=0, le=1)


class Scrutiny(Section):
    member_engagement: float = F(0.4, "Elected members' engagement in scrutiny of the LSP",
                                 "0-1", ge=0, le=1)
    member_training: float = F(0.3, "Share of scrutiny members trained on partnerships", "0-1",
                               ge=0, le=1)
    interval_months: int = F(6, "Months between scrutiny reviews", "months", ge=1, le=24)
    sanction_strength: float = F(0.5, "Pressure a scrutiny finding puts on a partner per unit "
                                 "of shortfall", "commitment per shortfall", ge=0, le=5)
    memory: float = F(0.9, "Share of scrutiny pressure remembered from one month to the next",
                      "per month", ge=0, le=1)
    # Structural constants
    untrained_bite: float = F(0.3, "Bite of a review by untrained members, relative to trained "
                              "ones", "0-1", ASSUMED, ge=0, le=1)
    challenge_cost: float = F(0.33, "Capacity those who challenge give up per unit of sanction "
                              "imposed (Fehr & Gaechter 2000: one token per three taken); "
                              "mechanisms.punishment = 'payoff_cost'", "ratio",
                              ge=0, le=2)


class Resources(Section):
    pooled_share: float = F(0.02, "Pooled partnership pot as a share of mainstream spend "
                            "(under 2% in one county, EVIDENCE.md)", "0-1", ge=0, le=0.5)
    mainstream_alignment: float = F(0.1, "Share of mainstream spend partners agree to align to "
                                    "joint priorities, realised in proportion to commitment",
                                    "0-1", ge=0, le=1)
    need_share: float = F(0.06, "Resources the targets need, as a share of mainstream spend",
                          "0-1", ge=0.001, le=1)
    # Structural constants
    max_resource_factor: float = F(2.0, "Most that abundant resources can speed delivery "
                                   "(factor m A / (m - 1 + A): 1 at adequacy)", "ratio", ASSUMED,
                                   ge=1.01, le=10)


class Delivery(Section):
    n_targets: int = F(12, "LAA-style improvement targets (up to 35)", "targets", ge=1, le=35)
    chain_length: int = F(4, "Partners in each target's delivery chain", "partners", ge=2, le=15)
    months_to_deliver: float = F(13.0, "Months a target takes with a perfect chain and "
                                 "adequate resources", "months", ge=1, le=240)
    round_months: int = F(36, "Months of an agreement round: targets are agreed for a round "
                          "(an LAA ran three years), then renewed with new difficulty",
                          "months", ge=1, le=120)
    difficulty_spread: float = F(0.3, "Spread of target difficulty (lognormal sigma)", "",
                                 ge=0, le=2)
    # Structural constants
    effort_half: float = F(0.1, "Effort (commitment x effective capacity) at which a link is "
                           "half as strong as it can be", "0-1 of capacity", ASSUMED,
                           ge=0.001, le=1)
    handover_exponent: float = F(0.15, "Elasticity of a handover to trust both ways between "
                                 "the two partners", "", ASSUMED, ge=0, le=2)
    tie_exponent: float = F(0.15, "Elasticity of a handover to the tie between the two "
                            "partners' representatives (the relation term; Uzzi 1997: embedded "
                            "ties carry fine-grained information and joint problem-solving)", "",
                            ASSUMED, ge=0, le=2)
    tie_floor: float = F(0.3, "A handover's relation term with no tie, relative to a full tie",
                         "0-1", ASSUMED, ge=0, le=0.95)
    info_exponent: float = F(0.1, "Elasticity of a handover to each side's information (a last "
                             "member's own delivery counts its own twice)", "", ASSUMED, ge=0, le=2)
    info_floor: float = F(0.5, "Information value of data with no shared monitoring, relative "
                          "to fully mature monitoring", "0-1", ASSUMED, ge=0, le=1)


class Mechanisms(Section):
    """Which form of each contested mechanism a run uses (pattern-oriented modelling, Grimm et
    al. 2005: where the evidence does not settle a mechanism's form, rival forms are kept and the
    validation patterns choose). Every field is a choice of form; its first value is the
    default, and a value ``"off"`` switches the mechanism off for ablation
    (``lspsim.validation`` ablates every mechanism that has one)."""

    # --- i12m1: the feedback loop and its time structure (docs/ODD.md, lspsim/mechanisms/cycles.py)
    small_wins: Literal["trust_and_efficacy", "trust_only", "off"] = F(
        "trust_and_efficacy", "How progress seen on shared targets feeds back (Ansell & Gash "
        "2008): into trust between chain co-members and each partner's expected return from "
        "committing; into trust only; or not at all", evidence=ASSUMED)
    capacity_limit: Literal["spare_capacity", "off"] = F(
        "spare_capacity", "Whether commitment is bounded by the capacity meetings and "
        "coordination leave (1 - burden), or only by 1", evidence=ASSUMED)
    laa_rounds: Literal["renewed", "off"] = F(
        "renewed", "Targets renewed every `delivery.round_months` with new difficulty, or set "
        "once for the whole run", evidence=ASSUMED)
    spin_up: Literal["history", "off"] = F(
        "history", "Run up to `structure.spinup_months` of the partnership's history before month "
        "0, or start from the history-built state directly", evidence=ASSUMED)
    # --- end i12m1
    # --- i12m2: structure, voice, layers, scrutiny (docs/ODD.md III) ---
    exclusion: Literal["agenda", "evidence_multiplier", "off"] = F(
        "agenda", "How exclusion from the top table acts: 'agenda' = the heard partners' "
        "priorities make the agenda, which sets each partner's stake in the targets and what it "
        "sees the councils do for it; 'evidence_multiplier' = the earlier form (stake x voice, "
        "non-statutory partners' evidence about councils x voice^trust.exclusion_exponent); "
        "'off' = neither", evidence=ASSUMED)
    layers: Literal["information", "multipliers", "off"] = F(
        "information", "How layer confusion acts: 'information' = the executive steers money on "
        "operational detail instead of outcome data (report Table 8); 'multipliers' = the "
        "earlier fixed factors on meeting cost, observation error and money reaching targets; "
        "'off' = neither (money split evenly)", evidence=ASSUMED)
    punishment: Literal["payoff_cost", "push", "off"] = F(
        "payoff_cost", "How scrutiny and peer challenge act: 'payoff_cost' = the punished "
        "expect a fine per unit withheld and challengers give up capacity (Fehr & Gaechter "
        "2000); 'push' = the earlier costless push on desired commitment; 'off' = no "
        "sanction", evidence=ASSUMED)
    # --- end i12m2 ---


# Read once, when the partnership is built (who the partners are, their targets, where they
# start): an event cannot change these in a running partnership.
FIXED_AT_START: tuple[str, ...] = (
    "name", "description", "months", "seed", "events", "structure.", "delivery.",
    "commitment.initial", "commitment.conditional_share", "commitment.conditional_slope",
    "commitment.free_rider_slope", "trust.initial", "network.initial_",
    "monitoring.initial_maturity", "leadership.chair_kind")
_FIXED_KIND_FIELDS = ("budget", "statutory", "themes")


def fixed_at_start(path: str) -> bool:
    """True for a parameter that only matters when the partnership is built."""
    return (any(path == p or (p.endswith((".", "_")) and path.startswith(p))
                for p in FIXED_AT_START)
            or (path.startswith("kinds.") and path.rsplit(".", 1)[-1] in _FIXED_KIND_FIELDS))


def _flatten(d: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


class Event(Section):
    """Something that happens to the partnership at the start of a month (``[[events]]``)."""

    month: int = F(1, "Month at whose start the event happens", "month", ge=1, le=600)
    label: str = F("", "What happens, in plain English (shown on the app's charts)")
    changes: dict[str, Any] = F({}, "Parameters it changes, by dotted path "
                                "(`changes = { \"leadership.chair_style\" = \"directive\" }`)")
    lasts: int = F(0, "Months the changes last before the values in force before return "
                   "(0: for good)", "months", ge=0, le=600)

    @field_validator("changes", mode="before")
    @classmethod
    def _dotted(cls, v: Any) -> Any:
        # `changes = { leadership.chair_style = "x" }` (unquoted dotted keys) reads as nested
        # tables in TOML: flatten to dotted paths.
        return _flatten(v) if isinstance(v, dict) else v


class Scenario(Section):
    """One local strategic partnership and everything that drives it."""

    name: str = F("custom", "Short name: an identifier of letters, digits, '_' and '-' "
                  "(at most 64, starting with a letter or digit), used in output folder names",
                  pattern=NAME_PATTERN)
    description: str = F("", "What this scenario represents, in plain English")
    months: int = F(36, "Months simulated (an LAA ran three years)", "months", ge=1, le=600)
    seed: int = F(0, "Base seed; replications draw streams from SeedSequence(seed)", "",
                  ge=0, le=2**63 - 1)
    structure: Structure = Field(default_factory=Structure)
    kinds: Kinds = Field(default_factory=Kinds)
    commitment: Commitment = Field(default_factory=Commitment)
    trust: Trust = Field(default_factory=Trust)
    network: Network = Field(default_factory=Network)
    leadership: Leadership = Field(default_factory=Leadership)
    layers: Layers = Field(default_factory=Layers)
    monitoring: Monitoring = Field(default_factory=Monitoring)
    scrutiny: Scrutiny = Field(default_factory=Scrutiny)
    resources: Resources = Field(default_factory=Resources)
    delivery: Delivery = Field(default_factory=Delivery)
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    events: list[Event] = Field(default_factory=list, description=(
        "Scheduled events, `[[events]]` tables: `month` (1-600), `label`, `changes` (dotted "
        "path = value; not the fields fixed when the partnership is built) and `lasts` (months; "
        "0 = for good), applied at the start of their month"))

    @model_validator(mode="after")
    def _runnable(self) -> Scenario:
        # Refused here, not discovered by a crash: the model divides by the area's total
        # budget, and its pairwise arrays grow as partners squared.
        kinds = partner_kinds(self)
        if len(kinds) > MAX_PARTNERS:
            raise ValueError(f"{len(kinds)} partners; at most {MAX_PARTNERS} ({MAX_PARTNERS_WHY})")
        if not any(getattr(self.kinds, k).budget > 0 for k in kinds):
            raise ValueError("every partner's budget is 0; at least one partner kind here "
                             "needs a budget > 0 (resources are shares of the area's budget)")
        return self

    @model_validator(mode="after")
    def _chair_present(self) -> Scenario:
        kinds = set(partner_kinds(self)) | {"council"}
        if self.leadership.chair_kind not in kinds:
            raise ValueError(f"leadership.chair_kind '{self.leadership.chair_kind}' is not a "
                             f"partner here; partners are {sorted(kinds)}")
        return self

    @model_validator(mode="after")
    def _events_valid(self, info: ValidationInfo) -> Scenario:
        """Each event's changes are checked like any field: a known path that a running
        partnership can change, and a value the schema accepts in this scenario."""
        if not self.events:
            return self
        source = (info.context or {}).get("source", "scenario")
        plain = self.model_dump(exclude={"events"})
        for k, ev in enumerate(self.events):
            for path, value in ev.changes.items():
                where = f"events.{k}.changes.{path}"
                if path not in parameter_paths():
                    raise InputError(source, where, value, "a known parameter path; see "
                                     "`lspsim validate --list`")
                if fixed_at_start(path):
                    raise InputError(source, where, value, "a parameter a running partnership "
                                     "can change (this one is fixed when it is built)")
            data = copy.deepcopy(plain)
            for path, value in ev.changes.items():
                set_path(data, path, value, source)
            try:
                Scenario.model_validate(data)
            except ValidationError as exc:
                raise from_validation_error(exc, source, empty="(scenario)",
                                            prefix=f"events.{k}.changes.") from None
        return self

    # -- conveniences -------------------------------------------------------------------
    def with_updates(self, updates: dict[str, Any], source: str = "--set") -> Scenario:
        """A new validated Scenario with dotted-path updates applied (sweeps, app, --set)."""
        data = self.model_dump()
        for path, value in updates.items():
            set_path(data, path, value, source)
        return validate_scenario(data, source)

    def get(self, path: str) -> Any:
        """The value at a dotted parameter path, e.g. ``sc.get("leadership.chair_style")``."""
        node: Any = self
        for key in path.split("."):
            node = getattr(node, key)
        return node

    def to_toml(self, changed_only: bool = False) -> str:
        """The scenario as TOML: every field (the resolved scenario a report keeps), or with
        ``changed_only`` just the fields that differ from the schema's defaults (a small file,
        e.g. an app session; loading it fills in the rest from the same defaults)."""
        data = self.model_dump(mode="json")
        if not data["events"]:
            del data["events"]
        if changed_only:
            data = _changed(data, Scenario().model_dump(mode="json"))
        return dumps_toml(data)


def _changed(data: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """The entries of ``data`` that differ from ``defaults``, sections walked."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        default = defaults.get(key)
        if isinstance(value, dict) and isinstance(default, dict):
            sub = _changed(value, default)
            if sub:
                out[key] = sub
        elif value != default:
            out[key] = value
    return out


def partner_kinds(s: Scenario) -> list[str]:
    """The kind of every partner, councils first, in the order the model builds them."""
    st = s.structure
    councils = (["unitary_council"] if st.kind == "unitary"
                else ["county_council"] + ["district_council"] * st.n_districts)
    return (councils + list(st.statutory_partners) + ["voluntary_community"] * st.n_voluntary
            + ["business"] * st.n_business)


_DEFAULTS = Scenario().model_dump()


# ---------------------------------------------------------------------------------------
# Dotted paths: the vocabulary shared by --set, sweeps and the app
# ---------------------------------------------------------------------------------------

def parameter_paths(model: type[BaseModel] = Scenario, prefix: str = "") -> dict[str, Any]:
    """Every leaf parameter as ``dotted.path -> FieldInfo`` (sections are walked, not listed)."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.update(parameter_paths(ann, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = info
    return out


def numeric_parameters() -> dict[str, tuple[float, float, str, str]]:
    """Numeric levers with finite bounds: ``path -> (low, high, unit, description)``."""
    out = {}
    for path, info in parameter_paths().items():
        if info.annotation not in (int, float) or path == "seed":
            continue
        lo = hi = None
        for m in info.metadata:
            lo = getattr(m, "ge", lo) if getattr(m, "ge", None) is not None else lo
            hi = getattr(m, "le", hi) if getattr(m, "le", None) is not None else hi
        if lo is not None and hi is not None:
            unit = (info.json_schema_extra or {}).get("unit", "")
            out[path] = (float(lo), float(hi), unit, info.description or "")
    return out


def _did_you_mean(word: str, choices: Any = None) -> str:
    """'did you mean X? ' for a close spelling among ``choices`` (default: parameter paths)."""
    close = difflib.get_close_matches(word, list(choices if choices is not None
                                                 else parameter_paths()), n=2, cutoff=0.7)
    return f"did you mean {' or '.join(close)}? " if close else ""


def set_path(data: dict, path: str, value: Any, source: str) -> None:
    keys = path.split(".")
    node: Any = data
    for i, k in enumerate(keys[:-1]):
        if not isinstance(node, dict) or k not in node:
            raise InputError(source, ".".join(keys[: i + 1]), value,
                             "a known section; see `lspsim validate --list` for every path")
        node = node[k]
    if not isinstance(node, dict) or keys[-1] not in node:
        raise InputError(source, path, value, f"a known parameter path; {_did_you_mean(path)}"
                         "see `lspsim validate --list` for every path")
    node[keys[-1]] = value


# ---------------------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------------------

def _scenario_allowed(err: Any, field: str) -> str | None:
    """Scenario-specific wording (None: the shared wording of lspsim.errors)."""
    if err["type"] == "extra_forbidden":
        return (f"no such field ({_did_you_mean(field)}`lspsim validate --list` shows every "
                "path)")
    if err["type"] == "value_error":  # a validator's own sentence, without pydantic's prefix
        return str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "string_pattern_mismatch" and err["loc"][-1:] == ("name",):
        return ("an identifier: 1-64 letters, digits, '_' or '-', starting with a letter or "
                "digit (names become folder names; no paths, spaces or control characters)")
    return None


def _merge(base: dict, over: dict) -> dict:
    """``over`` laid onto ``base`` section by section, so a file that sets one field of a kind
    keeps that kind's other defaults."""
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
    return out


def validate_scenario(data: dict, source: str) -> Scenario:
    if not isinstance(data, dict):
        raise InputError(source, "(scenario)", None, "a TOML table of scenario sections")
    _reject_nan(data, source)
    _reject_bool_numbers(data, source)
    try:
        return Scenario.model_validate(_merge(_DEFAULTS, data), context={"source": source})
    except ValidationError as exc:
        raise from_validation_error(exc, source, empty="(scenario)", extra_hint=(
            "check the spelling; `lspsim validate --list` shows every path"),
            allowed=_scenario_allowed) from None


def _reject_bool_numbers(data: dict, source: str) -> None:
    """TOML's true/false are not numbers (pydantic would read them as 1 and 0)."""
    numeric = {p for p, info in parameter_paths().items() if info.annotation in (int, float)}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(node, bool) and path in numeric:
            raise InputError(source, path, node, "a number (true/false are not numbers)")

    walk(data, "")


def _reject_nan(data: Any, source: str, path: str = "") -> None:
    if isinstance(data, dict):
        for k, v in data.items():
            _reject_nan(v, source, f"{path}.{k}" if path else str(k))
    elif isinstance(data, float) and not math.isfinite(data):
        raise InputError(source, path, data, "a finite number (not NaN or infinity)")


def presets_dir() -> Path:
    """Where the preset TOML files live: the repository's scenarios/ in a checkout (the
    canonical copy), else the copy an installed wheel carries as lspsim/presets."""
    return data_dir("scenarios")


def preset_file(name: str | Path) -> Path | None:
    """A file under the presets directory named by a relative path, with or without .toml
    (``default``, ``appraisal/today``), or None. Lets the example files shipped in
    scenarios/ be named the same way from a checkout and from an installed wheel."""
    p = Path(name)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        return None
    cand = presets_dir() / (p if p.suffix == ".toml" else p.with_name(p.name + ".toml"))
    return cand if cand.is_file() else None


def list_presets() -> dict[str, str]:
    out = {}
    for p in sorted(presets_dir().glob("*.toml")):
        with p.open("rb") as fh:
            out[p.stem] = tomllib.load(fh).get("description", "")
    return out


def resolve_scenario_path(path_or_preset: str | Path) -> Path:
    p = Path(path_or_preset)
    if p.suffix == ".toml" or p.exists() or "/" in str(path_or_preset):
        if not p.is_file() and (preset := preset_file(p)) is not None:
            return preset
        if not p.is_file():
            raise InputError(str(p), "(file)", str(p), "an existing TOML scenario file or a "
                             f"preset name: {', '.join(list_presets())}")
        return p
    preset = presets_dir() / f"{path_or_preset}.toml"
    if not preset.is_file():
        raise InputError(str(path_or_preset), "(scenario)", str(path_or_preset),
                         f"a TOML file or a preset name; "
                         f"{_did_you_mean(str(path_or_preset), list_presets())}"
                         f"presets: {', '.join(list_presets())}")
    return preset


def read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(path), "(TOML syntax)", None, f"valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(str(path), "(file)", None, f"a UTF-8 text TOML file, not binary data "
                         f"({exc.reason} at byte {exc.start})") from None
    except RecursionError:
        raise InputError(str(path), "(TOML syntax)", None, "TOML nested at most a few hundred "
                         "levels deep") from None
    except OSError as exc:
        raise InputError(str(path), "(file)", None, f"a readable file: {exc.strerror}") from None


def load_scenario(path_or_preset: str | Path | Scenario,
                  updates: dict[str, Any] | None = None) -> Scenario:
    """Load a scenario from a TOML file or preset name, apply dotted-path updates, validate."""
    if isinstance(path_or_preset, Scenario):
        sc = path_or_preset
    else:
        path = resolve_scenario_path(path_or_preset)
        sc = validate_scenario(read_toml(path), str(path))
    return sc.with_updates(updates) if updates else sc


def parse_set(items: list[str]) -> dict[str, Any]:
    """``a.b=value`` pairs; values are read as TOML (numbers, booleans, strings, lists)."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise InputError("--set", item, item, "dotted.path=value")
        path, raw = item.split("=", 1)
        path = path.strip()
        if path not in parameter_paths():
            raise InputError("--set", path, raw, f"a known parameter path; {_did_you_mean(path)}"
                             "`lspsim validate --list` shows every path")
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw  # a bare word, e.g. chair_style=directive
        out[path] = value
    return out


# ---------------------------------------------------------------------------------------
# Writing TOML (the resolved scenario written beside every run)
# ---------------------------------------------------------------------------------------

def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):  # an inline table (events); keys quoted, as they may be dotted
        return "{" + ", ".join(f"{_toml_value(str(k))} = {_toml_value(x)}"
                               for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def dumps_toml(data: dict, prefix: str = "") -> str:
    scalars = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    parts = ["\n".join(scalars)] if scalars else []
    for k, v in data.items():
        if isinstance(v, dict):
            name = f"{prefix}{k}"
            body = dumps_toml(v, f"{name}.")
            parts.append(f"[{name}]\n{body}" if any(not isinstance(x, dict) for x in v.values())
                         else body)
    return "\n\n".join(p for p in parts if p) + ("\n" if not prefix else "")


# Levers whose values rest on evidence (EVIDENCE.md, docs/ODD.md sources); every other numeric
# value is assumed (set by judgement) and is a target for sensitivity analysis.
SOURCED: dict[str, str] = {
    "months": "an LAA ran three years [AC09]",
    "layers.strategic_per_year": "report Table 8: 3-4 a year [AC09]",
    "layers.executive_per_year": "report Table 8: 6-12 a year [AC09]",
    "layers.operational_per_year": "report Table 8: 12-52 a year [AC09]",
    "resources.pooled_share": "under 2% of mainstream spend in one county [AC09]",
    "delivery.n_targets": "up to 35 LAA improvement targets [AC09]",
    "delivery.round_months": "LAAs were agreed for three years (2008/09-2010/11) [AC09]",
    "trust.gain": "trust is built slowly and lost fast [S93]",
    "trust.loss": "trust is built slowly and lost fast [S93]",
    "commitment.conditional_share": "about half are conditional co-operators [FGF01]",
    "commitment.conditional_slope": "imperfect conditional co-operation [FG10]",
    "commitment.free_rider_slope": "free riders and hump-shaped types [FGF01]",
    "commitment.belief_rate": "beliefs move only partly toward what the others gave [FG10]; "
                              "the value is calibrated on the laboratory's decay (patterns L2, "
                              "L3, docs/validation.md)",
    "scrutiny.challenge_cost": "a punisher paid 1 token per 3 of punishment [FG00]",
}


# ---------------------------------------------------------------------------------------
# Plausible ranges (issue 12, validation): for the fields whose hard ge/le bounds are wider than
# is plausible, the range the validation's robustness hypercube samples (schema metadata
# "plausible", shown in docs/scenarios.md). A field not listed is sampled over its hard bounds.
# Rates: half to double the default unless a source says otherwise.
# ---------------------------------------------------------------------------------------
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "commitment.conditional_share": (0.4, 0.7),  # about half (Fischbacher et al. 2001) +-0.15
    "commitment.incentive_weight": (2.5, 10.0),
    "trust.gain": (0.02, 0.08),
    "trust.loss": (0.09, 0.36),
    "trust.exclusion_exponent": (0.25, 1.0),
    "network.tie_growth": (0.015, 0.06),
    "monitoring.growth_rate": (0.03, 0.12),
    "delivery.months_to_deliver": (9.0, 20.0),  # a target takes 9-20 months with a perfect chain
    "structure.coordination_cost": (0.004, 0.016),
    "layers.confusion_meeting_cost": (0.75, 3.0),
    "layers.confusion_noise": (1.0, 4.0),
    "trust.history_pull": (0.3, 0.9),
    "trust.tie_bonus": (0.1, 0.4),
    "trust.newcomer_share": (0.2, 0.8),
    "network.tie_loss_on_turnover": (0.4, 1.0),
    "delivery.handover_exponent": (0.075, 0.3),
    "delivery.tie_exponent": (0.075, 0.3),
    "delivery.info_exponent": (0.05, 0.2),
    "leadership.outsider_weight": (0.2, 0.8),
    # the mechanisms' structural constants (issue 12): half to double, within [0, 1]
    "structure.district_lsp_share": (0.5, 1.0),
    "structure.district_overlap": (0.25, 0.75),
    "structure.district_agenda_weight": (0.2, 0.8),
    "layers.steered_share": (0.25, 0.75),
    "scrutiny.challenge_cost": (0.25, 0.5),  # 1:4 to 1:2 punishment technologies [FG00 1:3]
    "trust.wins_rate": (0.25, 1.0),
    "commitment.efficacy_weight": (1.5, 5.0),
    "commitment.efficacy_rate": (0.05, 0.2),
    "trust.tie_forgiveness": (0.25, 1.0),
    "network.outside_contact": (0.5, 2.0),
    "monitoring.own_data_share": (0.25, 1.0),
}


def _mark_plausible() -> None:
    paths = parameter_paths()
    for path, rng in PLAUSIBLE.items():
        if path in paths:  # a field another branch removed is simply not marked
            extra = paths[path].json_schema_extra
            if isinstance(extra, dict):
                extra["plausible"] = list(rng)


def hard_bounds(path: str) -> tuple[float | None, float | None]:
    """The pydantic ``ge``/``le`` bounds of a parameter (None where unbounded)."""
    lo = hi = None
    for m in parameter_paths()[path].metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
    return lo, hi


def plausible_range(path: str) -> tuple[float, float]:
    """The range a robustness analysis samples: the field's ``plausible`` metadata if it has one,
    otherwise its hard ``ge``/``le`` bounds (both ends required)."""
    extra = parameter_paths()[path].json_schema_extra or {}
    if isinstance(extra, dict) and extra.get("plausible"):
        lo, hi = extra["plausible"]
        return float(lo), float(hi)
    lo, hi = hard_bounds(path)
    if lo is None or hi is None:
        raise ValueError(f"{path} has no finite range to sample (add a plausible range)")
    return float(lo), float(hi)


def evidence_status(path: str) -> str:
    """``sourced`` (with its source) or ``assumed`` for a numeric parameter; "" for choices,
    switches and text (they describe an area rather than estimate a quantity)."""
    info = parameter_paths()[path]
    extra = info.json_schema_extra or {}
    if path in SOURCED:
        return f"sourced: {SOURCED[path]}"
    if extra.get("evidence"):
        return str(extra["evidence"])
    return ASSUMED if info.annotation in (int, float) and path != "seed" else ""


def _bounds(info: Any) -> str:
    lo = hi = None
    for m in info.metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
    args = getattr(info.annotation, "__args__", None)
    plausible = (info.json_schema_extra or {}).get("plausible")
    if lo is not None or hi is not None:
        return f"{lo} to {hi}" + (f" (plausible {plausible[0]} to {plausible[1]})"
                                  if plausible else "")
    if args and all(isinstance(a, str) for a in args):
        return ", ".join(args)
    return ""


def _default(defaults: dict, path: str) -> Any:
    node: Any = defaults
    for k in path.split("."):
        node = node[k]
    return ", ".join(node) if isinstance(node, list) else node


def odd_parameter_table() -> str:
    """docs/ODD.md III.iv: every parameter except the per-kind partner defaults, by section,
    with its evidence status, generated from the schema (``lspsim scenarios --odd-table``; a
    test keeps docs/ODD.md in step)."""
    defaults = Scenario().model_dump()
    lines = ["| parameter | default | range | unit | evidence | description |",
             "|---|---|---|---|---|---|"]
    for path, info in parameter_paths().items():
        if path.startswith("kinds.") or path in ("name", "description", "seed"):
            continue
        lines.append(f"| `{path}` | {_default(defaults, path)} | {_bounds(info)} | "
                     f"{(info.json_schema_extra or {}).get('unit', '')} | "
                     f"{evidence_status(path)} | {info.description or ''} |")
    return "\n".join(lines) + "\n"


def odd_style_table() -> str:
    """docs/ODD.md III.iii: the leadership style table (``leadership.styles``)."""
    styles = Scenario().leadership.styles
    channels = list(StyleEffects.model_fields)
    lines = ["| style | " + " | ".join(channels) + " |",
             "|---|" + "---|" * len(channels)]
    for name in CHAIR_STYLES:
        effects = getattr(styles, name)
        lines.append(f"| {name} | " + " | ".join(f"{getattr(effects, c):.2f}" for c in channels)
                     + " |")
    return "\n".join(lines) + "\n"


_ODD_BLOCKS = {"parameters": odd_parameter_table, "styles": odd_style_table}


def odd_with_tables(text: str) -> str:
    """docs/ODD.md's text with its generated blocks (between ``<!-- generated: NAME -->`` and
    ``<!-- end: NAME -->``) rewritten from the schema. A test checks the file is a fixed point."""
    for name, make in _ODD_BLOCKS.items():
        begin, end = f"<!-- generated: {name} -->\n", f"<!-- end: {name} -->"
        if begin not in text or end not in text:
            raise ValueError(f"docs/ODD.md lacks the markers of the generated block '{name}'")
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        text = head + begin + make() + end + tail
    return text


def reference_markdown() -> str:
    """docs/scenarios.md: every parameter with its unit, range, default, evidence status and
    description, generated from the schema (``lspsim scenarios --reference``; a test keeps the
    file in step)."""
    defaults = Scenario().model_dump()
    lines = ["# Scenario reference", "",
             "Generated from `lspsim/scenario.py` by `lspsim scenarios --reference`; do not edit.",
             "Set any of these in a scenario TOML file (`[section]` then `name = value`), with",
             "`lspsim run ... --set path=value`, or vary them in a sweep. Evidence: *sourced*",
             "values rest on the evidence cited; *assumed* ones are judgements, candidates for",
             "sensitivity analysis (docs/ODD.md III.iv).", "",
             "| path | default | range | unit | evidence | description |",
             "|---|---|---|---|---|---|"]
    for path, info in parameter_paths().items():
        unit = (info.json_schema_extra or {}).get("unit", "")
        lines.append(f"| `{path}` | {_default(defaults, path)} | {_bounds(info)} | {unit} | "
                     f"{evidence_status(path)} | {info.description or ''} |")
    return "\n".join(lines) + "\n"


_mark_plausible()
