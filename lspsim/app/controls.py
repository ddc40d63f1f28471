"""The app's lever controls, generated from the Scenario schema.

Which levers the app shows is a list of dotted paths (``MAIN_LEVERS``); everything else about a
control (its label, range, step, unit, help text, and whether it is a slider, a select or a
switch) is read from the schema (``lspsim.scenario.parameter_paths()`` and
``numeric_parameters()``), so a change to the schema changes the app with no restating here.

The expert view lists every other parameter too (``expert_sections``), by schema section, with
its unit, range and evidence status (``lspsim.scenario.evidence_status``), again walked from the
schema rather than listed here.

Every value a trainer enters goes through ``Scenario.with_updates``; a bad one is refused with
the schema's own message (an ``InputError``), never a stack trace.
"""

from __future__ import annotations

import math
import re
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import solara

from lspsim.errors import InputError
from lspsim.scenario import Scenario, evidence_status, numeric_parameters, parameter_paths

# The levers shown to trainers, in the order they appear. Only paths: labels, ranges, units and
# help come from the schema.
MAIN_LEVERS: tuple[str, ...] = (
    "leadership.chair_style",
    "leadership.council_dominance",
    "leadership.aspiration",
    "commitment.initial",
    "commitment.cost",
    "trust.initial",
    "structure.years_of_joint_working",
    "layers.clarity",
    "monitoring.investment",
    "monitoring.common_data_standards",
    "scrutiny.member_engagement",
    "scrutiny.member_training",
    "resources.pooled_share",
    "resources.mainstream_alignment",
    "network.turnover",
    "delivery.n_targets",
    "months",
)

SOURCE = "app"


@dataclass(frozen=True)
class ControlSpec:
    """One control, as the schema describes its parameter."""

    path: str
    label: str
    kind: str  # "float", "int", "select" or "bool"
    unit: str = ""
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()

    @property
    def help(self) -> str:
        """One line: unit, allowed range or choices, and the parameter path (for `--set`)."""
        parts = []
        if self.kind in ("float", "int") and self.low is not None and self.high is not None:
            span = f"{fmt(self.low)} to {fmt(self.high)}"
            # Units such as "0-1" or "0-1 of capacity" restate the range: keep only the rest.
            unit = self.unit
            if unit == "0-1":  # a share or an index: the range says it all
                unit = ""
            elif unit.startswith("0-1 ") and (self.low, self.high) == (0, 1):
                unit = unit[4:]
            parts.append(f"{span} {unit}".strip())
        elif self.kind == "select":
            parts.append("one of " + ", ".join(pretty(c) for c in self.choices))
        elif self.kind == "bool":
            parts.append("on or off")
        return " · ".join(parts)

    @property
    def expert_help(self) -> str:
        """The help line with the parameter's dotted path (for `--set` and sweeps)."""
        return " · ".join(p for p in (self.help, self.path) if p)


def fmt(v: Any) -> str:
    """A number as a person would write it (no trailing zeros)."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return pretty(str(v))
    return f"{v:g}" if isinstance(v, float) else str(v)


def pretty(word: str) -> str:
    """``laissez_faire`` -> ``laissez faire``."""
    return word.replace("_", " ")


def _nice_step(low: float, high: float) -> float:
    """About a hundred slider positions, on a round number."""
    raw = (high - low) / 100.0
    if raw <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


@cache
def control_spec(path: str) -> ControlSpec:
    """The control for one parameter path, built from the schema."""
    fields = parameter_paths()
    if path not in fields:
        raise InputError(SOURCE, path, None, "a known parameter path; `lspsim validate --list`")
    info = fields[path]
    label = plain_label(info.description or path)
    unit = (info.json_schema_extra or {}).get("unit", "")
    ann = info.annotation
    if typing.get_origin(ann) is typing.Literal:
        return ControlSpec(path, label, "select", unit, choices=tuple(typing.get_args(ann)))
    if ann is bool:
        return ControlSpec(path, label, "bool", unit)
    numeric = numeric_parameters()
    if path in numeric:
        low, high, unit, _ = numeric[path]
        if ann is int:
            return ControlSpec(path, label, "int", unit, low, high, 1.0)
        return ControlSpec(path, label, "float", unit, low, high, _nice_step(low, high))
    raise InputError(SOURCE, path, None, "a number with bounds, a choice or an on/off switch "
                     "(lists and text cannot be app controls)")


def plain_label(text: str) -> str:
    """A schema description as a label for trainers: no references to files they do not
    have (``EVIDENCE.md``)."""
    from lspsim.app.components import plain

    return plain(text)


def main_controls(paths: Iterable[str] = MAIN_LEVERS) -> list[ControlSpec]:
    return [control_spec(p) for p in paths]


def current_value(scenario: Scenario, path: str) -> Any:
    return scenario.get(path)


def parse_typed(spec: ControlSpec, text: str) -> Any:
    """What a trainer typed, as the control's type; refuses text that is not a number."""
    raw = (text or "").strip()
    if spec.kind == "int":
        try:
            f = float(raw)
        except ValueError:
            raise InputError(SOURCE, spec.path, raw, f"a whole number, {spec.help}") from None
        if not math.isfinite(f) or f != int(f):
            raise InputError(SOURCE, spec.path, raw, f"a whole number, {spec.help}")
        return int(f)
    if spec.kind == "float":
        try:
            f = float(raw.replace(",", ""))
        except ValueError:
            raise InputError(SOURCE, spec.path, raw, f"a number, {spec.help}") from None
        return f
    if spec.kind == "bool":
        low = raw.lower()
        if low in ("true", "on", "yes", "1"):
            return True
        if low in ("false", "off", "no", "0"):
            return False
        raise InputError(SOURCE, spec.path, raw, "on or off")
    return raw


def try_updates(base: Scenario, updates: dict[str, Any]) -> tuple[Scenario | None, str | None]:
    """``(scenario, None)`` when the updates are valid, else ``(None, message)``: the message
    names the field, the value refused and what is allowed."""
    try:
        return base.with_updates(updates, source=SOURCE), None
    except InputError as exc:
        return None, refusal(exc)


def refusal(exc: InputError) -> str:
    """An InputError as one sentence for the screen."""
    if exc.value is None:
        shown = ""
    elif isinstance(exc.value, int | float) and not isinstance(exc.value, bool):
        shown = f"{fmt(exc.value)} "
    else:
        shown = f"{exc.value!r} "
    # An event's change names its parameter after "events.N.changes.": show the parameter.
    field = re.sub(r"^events\.\d+\.changes\.", "", exc.field)
    label = parameter_paths().get(field)
    name = (plain_label(label.description) if label is not None and label.description
            else field)
    allowed = exc.allowed.replace("input should be ", "a value ")
    return f"Refused {shown}for “{name}”: expected {allowed}."


# ---------------------------------------------------------------------------------------
# The expert view's list of every parameter
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ParamEntry:
    """One schema parameter as the expert list shows it."""

    path: str
    sub: str  # the sub-section inside its section ("styles.directive"), or ""
    label: str
    spec: ControlSpec | None  # None: a list or text, which the app cannot set
    evidence: str  # "sourced: ...", "assumed", or "" for choices and switches
    search: str  # lower-case text the filter box matches

    @property
    def css(self) -> str:
        """A class naming the parameter (dots are not allowed in a class selector)."""
        return "lsp-p-" + self.path.replace(".", "--")


def _section(path: str) -> tuple[str, str]:
    parts = path.split(".")
    if len(parts) == 1:
        return "general", ""
    return parts[0], ".".join(parts[1:-1])


@cache
def expert_sections() -> dict[str, tuple[ParamEntry, ...]]:
    """Every schema parameter, by its top-level section, in schema order. The seed has its
    own box in the set-up panel and is left out; lists and text (which no slider can set)
    are listed without a control."""
    out: dict[str, list[ParamEntry]] = {}
    for path, info in parameter_paths().items():
        if path == "seed":
            continue
        section, sub = _section(path)
        try:
            spec: ControlSpec | None = control_spec(path)
        except InputError:
            spec = None
        label = spec.label if spec else plain_label(info.description or path)
        evidence = evidence_status(path)
        unit = spec.unit if spec else ""
        search = " ".join((path, pretty(path), label, unit, evidence)).lower()
        out.setdefault(section, []).append(ParamEntry(path, sub, label, spec, evidence, search))
    return {k: tuple(v) for k, v in out.items()}


def matching(entries: Iterable[ParamEntry], query: str) -> list[ParamEntry]:
    """The entries whose path, label, unit or evidence status contain every word typed."""
    words = (query or "").lower().split()
    return [e for e in entries if all(w in e.search for w in words)]


# ---------------------------------------------------------------------------------------
# Solara components
# ---------------------------------------------------------------------------------------

@solara.component
def LeverControl(spec: ControlSpec, value: Any, on_value: Callable[[Any], str | None],
                 baseline: Any = None, expert: bool = False, evidence: str = "",
                 classes: list[str] | None = None) -> None:
    """One lever. ``on_value`` returns None when the value was accepted, else a message, which
    is shown under the control (the typed text stays, so the trainer sees what was refused).
    ``baseline``: when given and different, the control is marked as changed from it.
    ``evidence``: the parameter's evidence status, shown after its help line (expert list)."""
    refused, set_refused = solara.use_state(None)  # (typed text, message) or None

    def submit(v: Any) -> None:
        message = on_value(v)
        set_refused(None if message is None else (fmt(v), message))

    def typed(text: str | None) -> None:
        try:
            v = parse_typed(spec, text or "")
        except InputError as exc:
            set_refused((text or "", refusal(exc)))
            return
        submit(v)

    changed = baseline is not None and baseline != value
    label = spec.label + ("  (changed)" if changed else "")
    with solara.Column(gap="0px", classes=["lsp-lever", *(classes or [])],
                       style={"border-left": "4px solid #ff7f0e" if changed else "none",
                              "padding-left": "6px" if changed else "0px"}):
        if spec.kind == "select":
            solara.Select(label=label, values=list(spec.choices), value=value,
                          on_value=submit, dense=True)
        elif spec.kind == "bool":
            solara.Switch(label=label, value=bool(value), on_value=submit)
        else:
            solara.Text(label, style={"font-size": "0.9em"})
            with solara.Row(gap="6px", style={"align-items": "center"}):
                with solara.Column(style={"flex": "1 1 auto"}):
                    if spec.kind == "int":
                        solara.SliderInt(label="", value=int(value), min=int(spec.low),
                                         max=int(spec.high), step=1, on_value=submit,
                                         thumb_label=False)
                    else:
                        solara.SliderFloat(label="", value=float(value), min=spec.low,
                                           max=spec.high, step=spec.step, on_value=submit,
                                           thumb_label=False)
                solara.InputText(label="", value=refused[0] if refused else fmt(value),
                                 on_value=typed, dense=True, style={"max-width": "90px"},
                                 classes=["lsp-typed"])
        if refused:
            solara.Text(refused[1], style={"color": "#b00020", "font-size": "0.85em"},
                        classes=["lsp-refused"])
        solara.Text(" · ".join(t for t in (spec.expert_help if expert else spec.help, evidence)
                               if t),
                    style={"color": "#666", "font-size": "0.8em"}, classes=["lsp-help"])


@solara.component
def LeverPanel(scenario: Scenario, specs: list[ControlSpec],
               on_change: Callable[[str, Any], str | None],
               baseline: Scenario | None = None, expert: bool = False) -> None:
    """All levers for one scenario. ``on_change(path, value)`` returns None or a refusal."""
    for spec in specs:
        LeverControl(spec, current_value(scenario, spec.path),
                     on_value=lambda v, p=spec.path: on_change(p, v),
                     baseline=None if baseline is None else current_value(baseline, spec.path),
                     expert=expert)


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(pretty(str(x)) for x in value) or "(none)"
    text = "" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


@solara.component
def ExpertParameters(scenario: Scenario, on_change: Callable[[str, Any], str | None]) -> None:
    """Every parameter of the schema, by section: a filter box, then one collapsible heading
    per section. A change goes through ``on_change`` exactly as a main lever's does (so it is
    validated, and restarts the run or fires as an event)."""
    query, set_query = solara.use_state("")
    opened, set_opened = solara.use_state(frozenset())
    sections = expert_sections()

    def toggle(name: str) -> None:
        set_opened(opened ^ {name})

    with solara.Div(classes=["lsp-params"]):
        with solara.Div(classes=["lsp-param-find"]):
            solara.InputText("Find a parameter (words, path, unit, sourced or assumed)",
                             value=query, on_value=set_query, continuous_update=True,
                             dense=True, clearable=True, classes=["lsp-param-filter"])
        n_all = sum(len(v) for v in sections.values())
        hits = {name: matching(entries, query) for name, entries in sections.items()}
        n_hits = sum(len(v) for v in hits.values())
        solara.Text(f"{n_hits} of {n_all} parameters" if query else
                    f"{n_all} parameters in {len(sections)} sections: open one, or type "
                    "to find", style={"color": "#666", "font-size": "0.8em"},
                    classes=["lsp-param-count"])
        for name, entries in hits.items():
            if not entries:
                continue
            is_open = bool(query.strip()) or name in opened
            # Keys keep each heading's and control's widget when others open, close or are
            # filtered out (fewer widgets rebuilt; a click never lands on a replaced button).
            solara.Button(f"{'▾' if is_open else '▸'} {pretty(name).capitalize()} "
                          f"({len(entries)})", text=True, small=True,
                          on_click=lambda n=name: toggle(n),
                          style={"text-transform": "none", "justify-content": "flex-start",
                                 "width": "100%", "font-size": "14px"},
                          classes=["lsp-param-section"]).key(f"section-{name}")
            if not is_open:
                continue
            sub = None
            for e in entries:
                if e.sub != sub:
                    sub = e.sub
                    if sub:
                        solara.Text(pretty(sub).replace(".", " · "),
                                    style={"font-weight": "bold", "font-size": "0.9em",
                                           "margin-top": "4px"}, classes=["lsp-param-sub"])
                value = current_value(scenario, e.path)
                if e.spec is not None:
                    LeverControl(e.spec, value, on_value=lambda v, p=e.path: on_change(p, v),
                                 expert=True, evidence=e.evidence,
                                 classes=["lsp-param", e.css]).key(e.path)
                else:
                    with solara.Column(gap="0px", classes=["lsp-param", e.css]):
                        solara.Text(f"{e.label}: {_shown(value)}", style={"font-size": "0.9em"})
                        solara.Text(f"set in a scenario file · {e.path}",
                                    style={"color": "#666", "font-size": "0.8em"},
                                    classes=["lsp-help"])
