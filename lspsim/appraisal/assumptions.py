"""Appraisal assumptions: money values, discounting and their uncertainty, kept apart from the
Scenario (which describes the partnership, not what its work is worth).

An assumptions file is TOML with one ``[appraisal]`` table. Every number is a *quantity*::

    hourly_cost.police = { value = 55.0, unit = "GBP/hour", source = "illustrative: ...",
                           dist = "triangular", low = 40.0, high = 75.0 }

``unit`` must be the unit the field expects (a guard against pounds per day typed as pounds per
hour) and ``source`` says where the value comes from ("illustrative: ..." where no evidence stands
behind it). ``dist`` (default ``fixed``) makes the quantity uncertain in the Monte Carlo:
``uniform`` (low, high), ``triangular`` (low, mode = value, high) or ``lognormal`` (median =
value, ``sigma`` = standard deviation of its logarithm). The central appraisal uses ``value``.

A user file need only name the quantities it changes: it is laid over the packaged defaults
(``defaults.toml`` beside this module) quantity by quantity, and a quantity it names replaces the
default whole, so it must carry its own unit and source.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from lspsim.appraisal.money import BANDS
from lspsim.errors import InputError, from_validation_error
from lspsim.scenario import PARTNER_KINDS, THEMES, preset_file, read_toml

DEFAULTS_PATH = Path(__file__).with_name("defaults.toml")
DISTRIBUTIONS = ("fixed", "uniform", "triangular", "lognormal")
LAYERS = ("strategic", "executive", "operational")
SHARING_RULES = ("councils", "budget", "equal")
ATTRIBUTION_RULES = ("stake", "chain", "equal")
TIMINGS = ("annual", "start", "mid", "end")
WEIGHTING = ("off", "on")
# Public bodies a fiscal benefit can fall to: the partner kinds that are public bodies, and
# central government (benefits and tax, health and justice budgets held nationally).
AGENCIES = ("unitary_council", "county_council", "district_council", "police", "health",
            "fire_rescue", "jobcentre_plus", "probation", "housing", "central_government")
# HM Treasury, Supplementary Green Book Guidance: Optimism Bias (Mott MacDonald 2002), Table 1:
# (lower, upper) bounds for capital expenditure (operating expenditure for outsourcing).
OPTIMISM_BIAS_BOUNDS = {
    "standard_buildings": (0.02, 0.24),
    "non_standard_buildings": (0.04, 0.51),
    "standard_civil_engineering": (0.03, 0.44),
    "non_standard_civil_engineering": (0.06, 0.66),
    "equipment_development": (0.10, 2.00),
    "outsourcing": (0.0, 0.41),
}
OB_CATEGORIES = tuple(OPTIMISM_BIAS_BOUNDS)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=False)


class Quantity(_Strict):
    """A number with its unit, its provenance and (optionally) a distribution."""

    value: float
    unit: str
    source: str
    dist: Literal["fixed", "uniform", "triangular", "lognormal"] = "fixed"
    low: float | None = None
    high: float | None = None
    sigma: float | None = None
    # The year whose prices a money value is in (required for quantities in GBP); it is
    # converted to the appraisal's price base year with the deflator.
    price_year: int | None = None

    @property
    def uncertain(self) -> bool:
        return self.dist != "fixed"

    @property
    def illustrative(self) -> bool:
        return self.source.strip().lower().startswith("illustrative")


class Choice(_Strict):
    """A rule (not a number): its value is one of a fixed list; it still says why."""

    value: str
    source: str


def Q(unit: str, description: str, ge: float | None = 0.0, le: float | None = None) -> Any:
    """A quantity field: the unit it must carry and the range its values (and its distribution's
    support) must stay in."""
    return Field(..., description=description,
                 json_schema_extra={"unit": unit, "ge": ge, "le": le})


def C(choices: tuple[str, ...], description: str) -> Any:
    return Field(..., description=description, json_schema_extra={"choices": list(choices)})


def _table(name: str, keys: tuple[str, ...], unit: str, description: str,
           ge: float | None = 0.0, le: float | None = None) -> type[BaseModel]:
    fields: dict[str, Any] = {
        k: (Quantity, Q(unit, f"{description}: {k.replace('_', ' ')}", ge, le)) for k in keys}
    return create_model(name, __base__=_Strict, **fields)


LayerHours = _table("LayerHours", LAYERS, "hours/meeting",
                    "Hours one attendee spends per meeting, with preparation and travel", 0, 100)
LayerPeople = _table("LayerPeople", LAYERS, "people/seat",
                     "People each partner sends to fill one seat", 0, 20)
KindHourlyCost = _table("KindHourlyCost", PARTNER_KINDS, "GBP/hour",
                        "Full hourly cost of a representative's time, with on-costs", 0, 10_000)
ThemeUnits = _table("ThemeUnits", THEMES, "units/target/year",
                    "Outcome units a fully achieved target changes each year (e.g. crimes, "
                    "people into work)", 0)
ThemeFiscal = _table("ThemeFiscal", THEMES, "GBP/unit",
                     "Public-service cost avoided per outcome unit (fiscal benefit)", 0)
ThemeCashable = _table("ThemeCashable", THEMES, "share",
                       "Share of the fiscal benefit that can be cashed (budgets actually reduced)",
                       0, 1)
ThemeEconomic = _table("ThemeEconomic", THEMES, "GBP/unit",
                       "Economic benefit per outcome unit (earnings, output)", 0)
ThemeWellbeing = _table("ThemeWellbeing", THEMES, "WELLBY/unit",
                        "Residents' wellbeing gained per outcome unit (life-satisfaction points x "
                        "person-years)", 0)


def _choice_table(name: str, keys: tuple[str, ...], choices: tuple[str, ...],
                  description: str) -> type[BaseModel]:
    fields: dict[str, Any] = {
        k: (Choice, C(choices, f"{description}: {k.replace('_', ' ')}")) for k in keys}
    return create_model(name, __base__=_Strict, **fields)


ThemeAgency = _choice_table("ThemeAgency", THEMES, AGENCIES,
                            "Agency whose budget the fiscal benefit falls to")


class Prices(_Strict):
    base_year: Quantity = Q("year", "Price base year of the appraisal: every money value is "
                            "converted to it with the deflator", 1900, 2200)
    deflator: dict[str, float] = Field(..., description="GDP deflator index by year (any base); "
                                       "needs an entry for the base year and every price_year")
    deflator_source: str = Field(..., description="Where the deflator index comes from")


DiscountSchedule = _table("DiscountSchedule", BANDS, "1/year",
                          "Discount rate in the band of years", 0, 0.2)
WELLBEING_SCHEDULES = ("standard", "health")


class Discounting(_Strict):
    standard: DiscountSchedule = Field(..., description="Green Book social time preference "  # type: ignore[valid-type]
                                       "rate schedule: the headline discounting of every flow")
    health: DiscountSchedule = Field(..., description="Green Book health schedule (the rate "  # type: ignore[valid-type]
                                     "without the wealth effect) for health and wellbeing values")
    lower_rate_test: DiscountSchedule = Field(..., description="Green Book lower-rate "  # type: ignore[valid-type]
                                              "sensitivity test schedule")
    wellbeing_schedule: Choice = C(WELLBEING_SCHEDULES, "Schedule for residents' wellbeing "
                                   "(WELLBY-valued) benefits in the headline: standard, or the "
                                   "health schedule (the other is reported as a sensitivity)")
    timing: Choice = C(TIMINGS, "How flows are discounted: annual (Green Book: each year's "
                       "flows at year t's factor, year 0 undiscounted), or monthly at the start, "
                       "middle or end of each month")


class Horizon(_Strict):
    benefit_persistence: Quantity = Q("years", "Years after the simulated period that outcomes "
                                      "achieved by its end continue to be valued", 0, 50)
    continuing_cost_share: Quantity = Q("share", "Share of the last simulated year's running "
                                        "costs that continue while outcomes are still valued "
                                        "after the simulated period", 0, 1)


class Meetings(_Strict):
    hours: LayerHours = Field(..., description="Hours per attendee per meeting, by layer")  # type: ignore[valid-type]
    people_per_seat: LayerPeople = Field(..., description="People per seat, by layer")  # type: ignore[valid-type]
    hourly_cost: KindHourlyCost = Field(..., description="Hourly cost by kind of partner")  # type: ignore[valid-type]
    hourly_cost_scale: Quantity = Q("ratio", "Common multiplier on every hourly cost (carries "
                                    "their shared uncertainty)", 0, 10)


class Coordination(_Strict):
    team_cost: Quantity = Q("GBP/year", "Cost of a partner's notional partnership team (model "
                            "capacity 1); coordination time is the model's coordination share of "
                            "each partner's capacity", 0)


class SupportTeam(_Strict):
    fte: Quantity = Q("FTE", "Partnership support team (coordinator, analysts)", 0, 100)
    cost_per_fte: Quantity = Q("GBP/FTE/year", "Cost of one support post with on-costs", 0)
    paid_by: Choice = C(SHARING_RULES, "Who pays: the councils (by budget), every partner by "
                        "budget, or equal shares")


class Monitoring(_Strict):
    investment_at_full: Quantity = Q("GBP", "One-off cost of a shared performance system at full "
                                     "investment; a transition cost for the rise in "
                                     "monitoring.investment over the do-minimum", 0)
    running_at_full: Quantity = Q("GBP/year", "Running cost of the shared system at full "
                                  "investment (scaled by monitoring.investment)", 0)
    standards_adoption: Quantity = Q("GBP", "One-off cost of adopting common data standards: a "
                                     "transition cost for an option that adopts them when the "
                                     "do-minimum has none", 0)
    paid_by: Choice = C(SHARING_RULES, "Who pays for shared monitoring")


class PooledBudget(_Strict):
    admin_rate: Quantity = Q("share of pot/year", "Extra cost of administering the pooled pot, "
                             "net of what each partner would spend administering the same money "
                             "alone", 0, 1)


class Transition(_Strict):
    review_hours: Quantity = Q("hours/partner/unit clarity", "Officer hours each partner spends "
                               "redesigning the layers (terms of reference, papers, membership) "
                               "per unit rise in layer clarity over the do-minimum", 0, 10_000)


class Costs(_Strict):
    optimism_bias: Quantity = Q("share", "Uplift on every cost for optimism bias (Green Book "
                                "supplementary guidance); must lie within its category's bounds",
                                0, 2)
    optimism_bias_category: Choice = C(OB_CATEGORIES, "The supplementary guidance's project "
                                       "category whose lower and upper bounds the uplift must "
                                       "lie between")


class Outcomes(_Strict):
    units: ThemeUnits = Field(..., description="Outcome units per fully achieved target")  # type: ignore[valid-type]
    fiscal: ThemeFiscal = Field(..., description="Fiscal benefit per unit")  # type: ignore[valid-type]
    cashable: ThemeCashable = Field(..., description="Cashable share of the fiscal benefit")  # type: ignore[valid-type]
    economic: ThemeEconomic = Field(..., description="Economic benefit per unit")  # type: ignore[valid-type]
    wellbeing: ThemeWellbeing = Field(..., description="Wellbeing per unit")  # type: ignore[valid-type]
    agency: ThemeAgency = Field(..., description="Agency receiving the fiscal benefit")  # type: ignore[valid-type]
    wellby_value: Quantity = Q("GBP/WELLBY", "Money value of one WELLBY (one point of life "
                               "satisfaction for one person for one year)", 0)
    value_scale: Quantity = Q("ratio", "Common multiplier on every outcome's size (carries their "
                              "shared uncertainty)", 0, None)


class Additionality(_Strict):
    deadweight: Quantity = Q("share", "Share of outcomes that would have happened anyway; "
                             "applied only where the counterfactual is assumed, never to a "
                             "difference between simulated arrangements", 0, 1)
    leakage: Quantity = Q("share", "Share of outcomes benefiting people outside the area", 0, 1)
    displacement: Quantity = Q("share", "Share of outcomes offset by reductions elsewhere in the "
                               "area", 0, 1)
    substitution: Quantity = Q("share", "Share of outcomes where an activity is swapped for a "
                               "similar one to take advantage of the partnership", 0, 1)


class Distribution(_Strict):
    elasticity: Quantity = Q("ratio", "Elasticity of marginal utility of income (Green Book "
                             "distributional weights)", 0, 5)
    area_income_ratio: Quantity = Q("ratio", "Median household income of the residents who "
                                    "benefit, relative to the UK median", 0.05, 20)
    weighting: Choice = C(WEIGHTING, "Apply distributional weights to residents' benefits in the "
                          "headline (off: reported as a sensitivity, as the Green Book asks)")


class AppraisalAssumptions(_Strict):
    """Everything the appraisal adds to a model run to turn it into money."""

    name: str = "custom"
    description: str = ""
    prices: Prices
    discounting: Discounting
    horizon: Horizon
    meetings: Meetings
    coordination: Coordination
    support_team: SupportTeam
    monitoring: Monitoring
    pooled_budget: PooledBudget
    transition: Transition
    costs: Costs
    outcomes: Outcomes
    additionality: Additionality
    distribution: Distribution

    # -- views ---------------------------------------------------------------------------
    def quantities(self) -> dict[str, Quantity]:
        """Every quantity by dotted path (without the ``appraisal.`` prefix), in schema order."""
        return {p: _get(self, p) for p in quantity_specs()}

    def price_factor(self, q: Quantity) -> float:
        """Multiplier taking a quantity to the price base year (1 for non-money quantities)."""
        if q.price_year is None:
            return 1.0
        d = self.prices.deflator
        return d[str(int(self.prices.base_year.value))] / d[str(q.price_year)]

    def central(self) -> dict[str, float]:
        """Every quantity's central value, money in base-year prices."""
        return {p: q.value * self.price_factor(q) for p, q in self.quantities().items()}

    def uncertain(self) -> list[str]:
        return [p for p, q in self.quantities().items() if q.uncertain]

    def choice(self, path: str) -> str:
        return _get(self, path).value


def _get(obj: Any, path: str) -> Any:
    for k in path.split("."):
        obj = getattr(obj, k)
    return obj


def _walk(model: type[BaseModel], prefix: str = "") -> dict[str, tuple[str, dict]]:
    out: dict[str, tuple[str, dict]] = {}
    for name, info in model.model_fields.items():
        ann = info.annotation
        path = f"{prefix}{name}"
        if ann is Quantity:
            out[path] = ("quantity", dict(info.json_schema_extra or {},
                                          description=info.description or ""))
        elif ann is Choice:
            out[path] = ("choice", dict(info.json_schema_extra or {},
                                        description=info.description or ""))
        elif isinstance(ann, type) and issubclass(ann, BaseModel):
            out.update(_walk(ann, f"{path}."))
    return out


@cache
def _specs() -> dict[str, tuple[str, dict]]:
    return _walk(AppraisalAssumptions)


def quantity_specs() -> dict[str, dict]:
    """``path -> {"unit", "ge", "le", "description"}`` for every quantity."""
    return {p: s for p, (kind, s) in _specs().items() if kind == "quantity"}


def choice_specs() -> dict[str, dict]:
    return {p: s for p, (kind, s) in _specs().items() if kind == "choice"}


def money_paths() -> list[str]:
    """Quantities in pounds (their unit starts with GBP)."""
    return [p for p, s in quantity_specs().items() if s["unit"].startswith("GBP")]


# ---------------------------------------------------------------------------------------
# Loading: defaults, a user file over them, --set updates, then validation
# ---------------------------------------------------------------------------------------

def _leaf_paths() -> set[str]:
    return set(_specs())


def _merge(base: dict, over: dict, prefix: str, leaves: set[str], touched: set[str]) -> dict:
    """Lay ``over`` onto ``base``; a quantity or choice is replaced whole, never mixed."""
    out = dict(base)
    for k, v in over.items():
        path = f"{prefix}{k}"
        if path not in leaves and isinstance(v, dict) and isinstance(base.get(k), dict):
            out[k] = _merge(base[k], v, f"{path}.", leaves, touched)
        else:
            out[k] = v
            touched.add(path)
    return out


def _reject_nan(data: Any, path: str, source_of: Any) -> None:
    if isinstance(data, dict):
        for k, v in data.items():
            _reject_nan(v, f"{path}.{k}", source_of)
    elif isinstance(data, float) and not math.isfinite(data):
        raise InputError(source_of(path), path, data, "a finite number (not NaN or infinity)")


@cache
def _default_data() -> dict:
    data = read_toml(DEFAULTS_PATH)
    return data["appraisal"]


def _top_level(data: dict, source: str) -> dict:
    if not isinstance(data, dict) or set(data) != {"appraisal"}:
        extra = sorted(set(data) - {"appraisal"}) if isinstance(data, dict) else []
        field = extra[0] if extra else "(file)"
        raise InputError(source, field, None, "one [appraisal] table and nothing else")
    body = data["appraisal"]
    if not isinstance(body, dict):
        raise InputError(source, "appraisal", body, "a table of appraisal sections")
    return body


def load_assumptions(path: str | Path | None = None,
                     updates: dict[str, Any] | None = None) -> AppraisalAssumptions:
    """The packaged defaults, with a user's ``[appraisal]`` file laid over them and dotted-path
    ``updates`` (``meetings.hourly_cost.police`` sets its value; ``....police.high`` a
    distribution parameter) applied last. Raises InputError naming file, field, value and what
    is allowed."""
    leaves = _leaf_paths()
    data = copy.deepcopy(_default_data())
    origin: dict[str, str] = {}
    source = str(DEFAULTS_PATH)
    if path is not None:
        p = Path(path)
        if not p.is_file():
            # the example files shipped in scenarios/ (appraisal/local-example), as for scenarios
            p = preset_file(p) or p
        if not p.is_file():
            raise InputError(str(p), "(file)", str(p), "an existing appraisal assumptions TOML "
                             "file (e.g. scenarios/appraisal/local-example.toml, shipped "
                             "as appraisal/local-example)")
        source = str(p)
        touched: set[str] = set()
        data = _merge(data, _top_level(read_toml(p), source), "", leaves, touched)
        origin.update(dict.fromkeys(touched, source))
    for dotted, value in (updates or {}).items():
        _apply_update(data, dotted, value, leaves)
        origin[_leaf_of(dotted, leaves) or dotted] = "--set"

    def source_of(field_path: str) -> str:
        bare = field_path.removeprefix("appraisal.")
        for leaf, src in origin.items():
            if bare == leaf or bare.startswith(leaf + "."):
                return src
        return source if path is not None else str(DEFAULTS_PATH)

    _reject_nan(data, "appraisal", source_of)
    try:
        a = AppraisalAssumptions.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, source_of, empty="appraisal", prefix="appraisal.",
                                    extra_hint="check the spelling; `lspsim appraise --list` "
                                    "shows every path", allowed=_allowed) from None
    _check(a, source_of)
    return a


def default_assumptions() -> AppraisalAssumptions:
    return load_assumptions(None)


def _leaf_of(dotted: str, leaves: set[str]) -> str | None:
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        if ".".join(parts[:i]) in leaves:
            return ".".join(parts[:i])
    return None


def _apply_update(data: dict, dotted: str, value: Any, leaves: set[str]) -> None:
    leaf = _leaf_of(dotted, leaves)
    if leaf is None:
        raise InputError("--set", f"appraisal.{dotted}", value,
                         "a known assumption path; `lspsim appraise --list` shows every path")
    node = data
    for k in leaf.split("."):
        node = node[k]
    rest = dotted[len(leaf) + 1:]
    allowed = ("value", "unit", "source", "dist", "low", "high", "sigma", "price_year")
    if rest and rest not in allowed:
        raise InputError("--set", f"appraisal.{dotted}", value,
                         f"a quantity path, optionally followed by one of {', '.join(allowed)}")
    node[rest or "value"] = value
    if (rest or "value") == "value":
        node["source"] = f"--set on the command line (was: {node.get('source', '')})"


def _allowed(err: Mapping[str, Any], loc: str) -> str | None:
    """What the appraisal's own fields allow, where it says more than the shared translation
    (lspsim.errors.describe_allowed) would; None otherwise."""
    t = err["type"]
    bare = loc.removeprefix("appraisal.")
    parent = bare.rsplit(".", 1)[0]
    if t == "missing":
        if bare.endswith(".unit") and parent in quantity_specs():
            return f"a unit: this quantity is in '{quantity_specs()[parent]['unit']}'"
        if bare.endswith(".source"):
            return "a source note saying where the value comes from ('illustrative: ...' if none)"
        return None
    if t.startswith(("float", "int")):
        return "a number"
    if t == "string_type":
        return "a string in quotes"
    if t in ("model_type", "dict_type"):
        return "a table, e.g. { value = 1.0, unit = \"...\", source = \"...\" }"
    return None


def _check(a: AppraisalAssumptions, source_of: Any) -> None:
    deflator = a.prices.deflator
    base = str(int(a.prices.base_year.value))
    if base not in deflator:
        raise InputError(source_of("appraisal.prices.deflator"), "appraisal.prices.deflator",
                         sorted(deflator), f"an index for the price base year {base}")
    for year, v in deflator.items():
        if not year.isdigit() or not (math.isfinite(v) and v > 0):
            raise InputError(source_of("appraisal.prices.deflator"),
                             f"appraisal.prices.deflator.{year}", v,
                             "a year (e.g. 2019) mapped to a positive index")
    for path, spec in quantity_specs().items():
        q: Quantity = _get(a, path)
        full = f"appraisal.{path}"
        src = source_of(full)
        ge, le, unit = spec["ge"], spec["le"], spec["unit"]
        if q.unit.strip() != unit:
            raise InputError(src, f"{full}.unit", q.unit, f"'{unit}' (convert the value)")
        if unit.startswith("GBP"):
            if q.price_year is None:
                raise InputError(src, f"{full}.price_year", None,
                                 "the year whose prices the value is in (e.g. price_year = "
                                 f"{base}); every money value needs one")
            if str(q.price_year) not in deflator:
                raise InputError(src, f"{full}.price_year", q.price_year,
                                 "a year with a deflator index (prices.deflator has "
                                 f"{', '.join(sorted(deflator))}); add its index")
        elif q.price_year is not None:
            raise InputError(src, f"{full}.price_year", q.price_year,
                             "no price_year: this quantity is not money")
        if not q.source.strip():
            raise InputError(src, f"{full}.source", q.source, "a note on where the value comes "
                             "from ('illustrative: ...' if nothing stands behind it)")
        rng = _range_text(ge, le)
        for key in ("value", "low", "high"):
            v = getattr(q, key)
            if v is not None and ((ge is not None and v < ge) or (le is not None and v > le)):
                raise InputError(src, f"{full}.{key}", v, rng)
        if q.dist in ("uniform", "triangular"):
            if q.low is None or q.high is None:
                missing = "low" if q.low is None else "high"
                raise InputError(src, f"{full}.{missing}", None,
                                 f"a number: dist = '{q.dist}' needs low and high")
            if not q.low <= q.value <= q.high or not q.low < q.high:
                raise InputError(src, f"{full}", f"low={q.low}, value={q.value}, high={q.high}",
                                 "low <= value <= high with low < high")
            if q.sigma is not None:
                raise InputError(src, f"{full}.sigma", q.sigma, f"no sigma with dist = '{q.dist}'")
        elif q.dist == "lognormal":
            if q.sigma is None or q.sigma <= 0:
                raise InputError(src, f"{full}.sigma", q.sigma,
                                 "a number > 0 (the sd of the logarithm) for dist = 'lognormal'")
            if q.value <= 0:
                raise InputError(src, f"{full}.value", q.value,
                                 "a number > 0 (the median) for dist = 'lognormal'")
            if le is not None:
                raise InputError(src, f"{full}.dist", q.dist, "uniform or triangular: this "
                                 f"quantity is bounded ({rng}) and a lognormal is not")
            if q.low is not None or q.high is not None:
                raise InputError(src, f"{full}.low", q.low, "no low/high with dist = 'lognormal'")
        elif any(getattr(q, k) is not None for k in ("low", "high", "sigma")):
            raise InputError(src, f"{full}.dist", q.dist, "one of uniform, triangular, lognormal "
                             "when low/high/sigma are given")
    for path, spec in choice_specs().items():
        c: Choice = _get(a, path)
        if c.value not in spec["choices"]:
            raise InputError(source_of(f"appraisal.{path}"), f"appraisal.{path}", c.value,
                             "one of " + ", ".join(spec["choices"]))
    ob = a.costs.optimism_bias
    lo, hi = OPTIMISM_BIAS_BOUNDS[a.costs.optimism_bias_category.value]
    for key in ("value", "low", "high"):
        v = getattr(ob, key)
        if v is not None and not lo - 1e-12 <= v <= hi + 1e-12:
            raise InputError(source_of("appraisal.costs.optimism_bias"),
                             f"appraisal.costs.optimism_bias.{key}", v,
                             f"a share from {lo:g} to {hi:g}: the bounds of the category "
                             f"'{a.costs.optimism_bias_category.value}' in the Green Book's "
                             "optimism-bias guidance (or choose another category)")


def _range_text(ge: float | None, le: float | None) -> str:
    if ge is not None and le is not None:
        return f"a number from {ge:g} to {le:g}"
    if ge is not None:
        return f"a number >= {ge:g}"
    if le is not None:
        return f"a number <= {le:g}"
    return "a number"


def split_set(items: list[str]) -> tuple[list[str], dict[str, Any]]:
    """Split ``--set`` items: ``appraisal.PATH=V`` edits assumptions, anything else the scenario.
    Values are read as TOML (numbers, booleans, strings), bare words as strings."""
    import tomllib

    scenario_items, updates = [], {}
    for item in items:
        if item.startswith("appraisal."):
            if "=" not in item:
                raise InputError("--set", item, item, "appraisal.dotted.path=value")
            path, raw = item.split("=", 1)
            try:
                value = tomllib.loads(f"v = {raw}")["v"]
            except tomllib.TOMLDecodeError:
                value = raw
            updates[path.strip().removeprefix("appraisal.")] = value
        else:
            scenario_items.append(item)
    return scenario_items, updates


def assumptions_toml(a: AppraisalAssumptions) -> str:
    """The resolved assumptions as an ``[appraisal]`` TOML file (written beside every output)."""
    from lspsim.scenario import _toml_value

    lines = ["[appraisal]", f"name = {_toml_value(a.name)}",
             f"description = {_toml_value(a.description)}"]
    data = a.model_dump(exclude_none=True)
    index = ", ".join(f'"{y}" = {v!r}' for y, v in sorted(a.prices.deflator.items()))
    sections: dict[str, list[str]] = {"prices": [
        f"deflator = {{ {index} }}",
        f"deflator_source = {_toml_value(a.prices.deflator_source)}"]}
    for path in _specs():
        node = data
        for k in path.split("."):
            node = node[k]
        if node.get("dist") == "fixed":
            node = {k: v for k, v in node.items() if k != "dist"}
        section, key = path.split(".")[0], ".".join(path.split(".")[1:])
        body = ", ".join(f"{k} = {_toml_value(v)}" for k, v in node.items())
        sections.setdefault(section, []).append(f"{key} = {{ {body} }}")
    for section, rows in sections.items():
        lines += ["", f"[appraisal.{section}]", *rows]
    return "\n".join(lines) + "\n"
