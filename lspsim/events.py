"""Scheduled events: things that happen to a partnership part-way through a run.

A scenario lists its events (``[[events]]`` in TOML: a month, a plain label, the parameters it
changes by dotted path, and optionally how many months the change lasts). The schema checks
them (``lspsim.scenario.Event``); the model applies them at the start of their month by
replacing ``model.scenario`` with *the scenario in force* that month (``scenario_in_force``),
so events run the same way in ``lspsim run``, sweeps and the app. An event changes levers
only: it never writes an outcome; what follows emerges from the mechanisms.

``PREPARED`` is a small library of events a trainer can fire, each stated in existing
parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lspsim.scenario import Event, Scenario, partner_kinds


def active(events: list[Event], month: int) -> tuple[int, ...]:
    """Indices of the events in force in ``month``, in the order they apply (by month, then
    by their place in the list: a later event overrides an earlier one on the same path)."""
    on = [k for k, ev in enumerate(events)
          if ev.month <= month and (ev.lasts == 0 or month < ev.month + ev.lasts)]
    return tuple(sorted(on, key=lambda k: (events[k].month, k)))


def scenario_in_force(base: Scenario, month: int,
                      cache: dict[tuple[int, ...], Scenario] | None = None) -> Scenario:
    """``base`` with the changes of every event in force in ``month`` applied. Returns ``base``
    itself when none is, and the same object for the same set of events (``cache``), so the
    model re-prepares its schedule only when what is in force changes."""
    on = active(base.events, month)
    if not on:
        return base
    if cache is not None and on in cache:
        return cache[on]
    updates: dict[str, Any] = {}
    for k in on:
        updates.update(base.events[k].changes)
    sc = base.with_updates(updates, source="events")
    if cache is not None:
        cache[on] = sc
    return sc


def with_events(scenario: Scenario, events: list[Event]) -> Scenario:
    """The scenario with ``events`` added to its own (validated like any update)."""
    data = [ev.model_dump() for ev in scenario.events] + [ev.model_dump() for ev in events]
    return scenario.with_updates({"events": data}, source="events")


# ---------------------------------------------------------------------------------------
# Prepared events for trainers
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PreparedEvent:
    """An event a trainer can fire: a label, a sentence on what it stands for, and the
    parameter changes (computed from the scenario, so 'halved' halves what is there)."""

    key: str
    label: str
    description: str
    changes: Callable[[Scenario], dict[str, Any]]
    lasts: int = 0
    needs_kind: str | None = None  # offered only where a partner of this kind exists

    def available(self, sc: Scenario) -> bool:
        return self.needs_kind is None or self.needs_kind in partner_kinds(sc)

    def event(self, sc: Scenario, month: int) -> Event:
        return Event(month=month, label=self.label, changes=self.changes(sc), lasts=self.lasts)


def _breach(kind: str) -> Callable[[Scenario], dict[str, Any]]:
    def changes(sc: Scenario) -> dict[str, Any]:
        prof = getattr(sc.kinds, kind)
        return {f"kinds.{kind}.openness": round(prof.openness * 0.2, 4),
                f"kinds.{kind}.stake_in_success": 0.0, f"kinds.{kind}.stake_in_failure": 0.0}
    return changes


PREPARED: tuple[PreparedEvent, ...] = (
    PreparedEvent(
        "new_chair", "A new chair with a directive style",
        "The chair changes; the new one directs rather than facilitates.",
        lambda sc: {"leadership.chair_style": "directive"}),
    PreparedEvent(
        "budget_cut", "A budget cut: the pooled pot and aligned spend are halved",
        "Partners halve the pooled pot and the mainstream spend they align to joint targets.",
        lambda sc: {"resources.pooled_share": round(sc.resources.pooled_share / 2, 6),
                    "resources.mainstream_alignment":
                        round(sc.resources.mainstream_alignment / 2, 6)}),
    PreparedEvent(
        "election", "An election replaces about half the representatives",
        "For one month, representatives leave at a rate that replaces about half of them "
        "(network.turnover 0.9998 a year is about 50% a month); their ties go with them.",
        lambda sc: {"network.turnover": 0.9998}, lasts=1),
    PreparedEvent(
        "breach_health", "A breach of trust: the health body pulls back and stops sharing",
        "The health body shares a fifth of the information it did and stops caring whether "
        "the joint targets are met (its stakes in success and failure fall to 0); its "
        "partners see its commitment fall.",
        _breach("health"), needs_kind="health"),
    PreparedEvent(
        "breach_business", "A breach of trust: the business partner pulls back",
        "The business partner shares a fifth of the information it did and stops caring "
        "whether the joint targets are met.",
        _breach("business"), needs_kind="business"),
    PreparedEvent(
        "data_standards", "New common data standards and more for shared monitoring",
        "Partners agree common data standards and raise investment in shared monitoring "
        "to at least 0.8.",
        lambda sc: {"monitoring.common_data_standards": True,
                    "monitoring.investment": max(sc.monitoring.investment, 0.8)}),
    PreparedEvent(
        "top_table", "The council starts to run the board as a 'top table'",
        "The council dominates the board (council dominance 0.9).",
        lambda sc: {"leadership.council_dominance": 0.9}),
)


def prepared_for(sc: Scenario) -> dict[str, PreparedEvent]:
    """The prepared events that make sense for this scenario, by key."""
    return {p.key: p for p in PREPARED if p.available(sc)}
