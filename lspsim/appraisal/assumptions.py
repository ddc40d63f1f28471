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

from lspsim.errors import InputError, from_validation_error
from lspsim.scenario import PARTNER_KINDS, THEMES, preset_file, read_toml

DEFAULTS_PATH = Path(__file__).with_name("defaults.toml")
DISTRIBUTIONS = ("fixed", "uniform", "triangular", "lognormal")
LAYERS = ("strategic", "executive", "operational")
SHARING_RULES = ("councils", "budget", "equal")
ATTRIBUTION_RULES = ("stake", "chain", "equal")
TIMINGS = ("start", "mid", "end")


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
ThemeProgressValue = _table("ThemeProgressValue", THEMES, "GBP/unit progress",
                            "Social value of one target's full improvement, realised as progress "
                            "is made", 0)
ThemeMetValue = _table("ThemeMetValue", THEMES, "GBP/target",
                       "Extra value when a target is met (a threshold effect)", 0)
ThemeAvoidedCost = _table("ThemeAvoidedCost", THEMES, "GBP/target/year",
                          "Costs to partners avoided each year a target stays met", 0)


class Discounting(_Strict):
    rate: Quantity = Q("1/year", "Discount rate for the first years (Green Book STPR)", 0, 0.2)
    long_term_rate: Quantity = Q("1/year", "Discount rate after `long_term_after` years", 0, 0.2)
    long_term_after: Quantity = Q("years", "Years after which the long-term rate applies", 1, 100)
    timing: Choice = C(TIMINGS, "When in its month a flow is counted: start (month 1 is not "
                       "discounted, as year 0 in the Green Book), mid or end")


class Horizon(_Strict):
    benefit_persistence: Quantity = Q("years", "Years after the simulated period that the "
                                      "avoided costs of targets met by its end continue", 0, 50)


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
                                     "investment (scaled by scenario monitoring.investment)", 0)
    running_at_full: Quantity = Q("GBP/year", "Running cost of the shared system at full "
                                  "investment (scaled by monitoring.investment)", 0)
    standards_adoption: Quantity = Q("GBP", "One-off cost of adopting common data standards "
                                     "(only when monitoring.common_data_standards)", 0)
    paid_by: Choice = C(SHARING_RULES, "Who pays for shared monitoring")


class PooledBudget(_Strict):
    admin_rate: Quantity = Q("share of pot/year", "Cost of administering the pooled pot, as a "
                             "share of the pot", 0, 1)


class Costs(_Strict):
    optimism_bias: Quantity = Q("share", "Uplift on every cost for optimism bias (Green Book)",
                                0, 2)


class Benefits(_Strict):
    progress_value: ThemeProgressValue = Field(..., description="Value per unit of progress")  # type: ignore[valid-type]
    target_met_value: ThemeMetValue = Field(..., description="Value when a target is met")  # type: ignore[valid-type]
    avoided_cost: ThemeAvoidedCost = Field(..., description="Avoided costs while met")  # type: ignore[valid-type]
    outcome_value_scale: Quantity = Q("ratio", "Common multiplier on every outcome value "
                                      "(carries their shared uncertainty)", 0, None)
    additionality: Quantity = Q("share", "Share of the outcomes that joint working adds (net of "
                                "deadweight: what partners would have achieved alone)", 0, 1)
    efficiency_rate: Quantity = Q("share of aligned spend", "Saving on aligned mainstream spend "
                                  "that the executive steers well (joint commissioning, less "
                                  "duplication)", 0, 1)
    attribution: Choice = C(ATTRIBUTION_RULES, "How a target's benefits are split between "
                            "partners: by stake (theme holders weighted by stake_in_success, or "
                            "stake_in_failure for avoided costs), equally along its delivery "
                            "chain, or equally between all partners")


class AppraisalAssumptions(_Strict):
    """Everything the appraisal adds to a model run to turn it into money."""

    name: str = "custom"
    description: str = ""
    discounting: Discounting
    horizon: Horizon
    meetings: Meetings
    coordination: Coordination
    support_team: SupportTeam
    monitoring: Monitoring
    pooled_budget: PooledBudget
    costs: Costs
    benefits: Benefits

    # -- views ---------------------------------------------------------------------------
    def quantities(self) -> dict[str, Quantity]:
        """Every quantity by dotted path (without the ``appraisal.`` prefix), in schema order."""
        return {p: _get(self, p) for p in quantity_specs()}

    def central(self) -> dict[str, float]:
        return {p: q.value for p, q in self.quantities().items()}

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
    allowed = ("value", "unit", "source", "dist", "low", "high", "sigma")
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
    for path, spec in quantity_specs().items():
        q: Quantity = _get(a, path)
        full = f"appraisal.{path}"
        src = source_of(full)
        ge, le, unit = spec["ge"], spec["le"], spec["unit"]
        if q.unit.strip() != unit:
            raise InputError(src, f"{full}.unit", q.unit, f"'{unit}' (convert the value)")
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
    sections: dict[str, list[str]] = {}
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
