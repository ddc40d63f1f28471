"""The trainers' app: watch a local strategic partnership work, stage events, compare
what-ifs, replay, debrief and hand out a briefing.

Run it with ``lspsim app`` (offline settings, bound to 127.0.0.1) or ``solara run
lspsim/app/app.py``. Every piece of state lives inside ``Page`` (``use_reactive``/``use_memo``),
so two browsers get two independent models; module-level ``solara.reactive`` would be shared.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import solara
import solara.lab

from lspsim.app.briefing import briefing_html
from lspsim.app.components import (
    CSS,
    Caption,
    Chains,
    Charts,
    Comparison,
    DebriefView,
    Export,
    Layers,
    Network,
    Para,
    RunControls,
    plain,
)
from lspsim.app.controls import (
    ExpertParameters,
    LeverPanel,
    control_spec,
    current_value,
    fmt,
    main_controls,
    refusal,
    try_updates,
)
from lspsim.app.runs import AppRun
from lspsim.errors import InputError
from lspsim.events import prepared_for, scenario_in_force
from lspsim.scenario import Scenario, list_presets, load_scenario, read_toml, validate_scenario

log = logging.getLogger("lspsim.app")
DEFAULT_PRESET = "default"
SESSION = "(saved session)"
TABS = ("Story", "What-if", "Chains", "Layers", "Debrief")


def research_only(name: str) -> bool:
    """Presets kept for validation, not for training (the public-goods games)."""
    return name.startswith("public_goods")


def plain_name(name: str, description: str) -> str:
    """A preset's plain name: its description's opening phrase ('A small unitary
    partnership'), else its id in words."""
    text = plain(description)
    head = text.split(":")[0].split(". ")[0].strip().rstrip(".")
    return head if 0 < len(head) <= 70 else name.replace("_", " ").capitalize()


def _key(d: dict[str, Any]) -> tuple:
    return tuple(sorted(d.items()))


def _changes(base: Scenario, alt: Scenario, paths: dict[str, Any]) -> dict[str, tuple]:
    return {p: (current_value(base, p), current_value(alt, p)) for p in paths}


def read_session(data: bytes, name: str) -> tuple[Scenario, int]:
    """A saved session file: its scenario (seed and events included) and its month."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "session.toml"
        path.write_bytes(data)
        sc = validate_scenario(read_toml(path), name)
    month = 0
    for line in data.decode("utf-8", "replace").splitlines():
        if line.startswith("# month = "):
            try:
                month = max(0, int(line.split("=", 1)[1]))
            except ValueError:
                raise InputError(name, "month", line, "a whole number of months") from None
    return sc, min(month, 10 * sc.months)


@solara.component
def Layout(children: list | None = None) -> None:
    """No app bar, drawer or banner: the page lays itself out for the projector."""
    solara.Column(children=children or [], style={"padding": "0", "margin": "0"})


@solara.component
def Page() -> None:
    presets = solara.use_memo(list_presets, dependencies=[])
    preset = solara.use_reactive(DEFAULT_PRESET if DEFAULT_PRESET in presets
                                 else next(iter(presets)))
    loaded = solara.use_reactive(None)  # a session file's scenario, when one was opened
    preset_sc = solara.use_memo(
        lambda: loaded.value if preset.value == SESSION and loaded.value is not None
        else load_scenario(preset.value), dependencies=[preset.value, loaded.value])
    plain_sc = preset_sc.with_updates({"events": []}) if preset_sc.events else preset_sc
    updates = solara.use_reactive({})  # lever path -> value, on top of the preset
    seed = solara.use_reactive(preset_sc.seed)
    seed_message = solara.use_reactive("")
    compare = solara.use_reactive(False)
    whatif = solara.use_reactive({})  # lever path -> value, on top of this partnership
    events = solara.use_reactive(list(preset_sc.events))  # the event log
    start_at = solara.use_reactive(0)  # month a rebuilt run goes to (an opened session)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(4)  # months per second
    resets = solara.use_reactive(0)
    tick = solara.use_reactive(0)
    presentation = solara.use_reactive(False)
    expert = solara.use_reactive(False)
    lever_events = solara.use_reactive(False)  # lever changes mid-run become events
    tab = solara.use_reactive(0)
    chosen_event = solara.use_reactive("")
    message = solara.use_reactive("")
    back_to = solara.use_reactive(0)
    specs = solara.use_memo(main_controls, dependencies=[])

    scenario, _ = try_updates(plain_sc, updates.value)
    scenario = scenario or plain_sc

    def whatif_for(base: Scenario, wi: dict[str, Any]) -> tuple[Scenario | None, str | None]:
        return try_updates(base, wi)

    def build() -> tuple[AppRun | None, str | None]:
        try:
            alt_sc = whatif_for(scenario, whatif.value)[0] if compare.value else None
            changes = _changes(scenario, alt_sc, whatif.value) if alt_sc is not None else {}
            return AppRun(scenario, seed.value, alt_sc, changes, events=events.value,
                          month=start_at.value), None
        except InputError as exc:
            return None, refusal(exc)
        except Exception as exc:  # a trainer must never see a stack trace on the projector
            log.exception("could not build the model")
            return None, f"This combination of levers cannot be run ({exc}). Undo the last change."

    # The run is rebuilt (month 0) only when the partnership itself changes: preset, levers,
    # seed, Reset or an opened session. The what-if, events and replay act on the run in place.
    run, run_message = solara.use_memo(
        build, dependencies=[preset.value, loaded.value, _key(updates.value), seed.value,
                             resets.value])
    # A replaced run's models are freed (Mesa 3.3 keeps every model alive otherwise).
    solara.use_effect(lambda: (run.close if run is not None else None), [run])
    alt_message = whatif_for(scenario, whatif.value)[1] if compare.value else None
    # The levers show what will be in force next month (events included) when lever changes
    # are events; otherwise the partnership as set up.
    in_force = solara.use_memo(
        lambda: scenario_in_force(run.full(), run.month + 1)
        if lever_events.value and run is not None and run.fired else scenario,
        dependencies=[lever_events.value, run, len(events.value), tick.value, scenario])

    def bump() -> None:
        tick.set(tick.value + 1)

    # ------------------------------------------------------------------ actions
    def choose_preset(name: str) -> None:
        playing.set(False)
        sc = loaded.value if name == SESSION and loaded.value is not None else load_scenario(name)
        events.set(list(sc.events))
        start_at.set(0)
        preset.set(name)
        updates.set({})
        whatif.set({})
        seed.set(sc.seed)
        seed_message.set("")

    def change_lever(path: str, value: Any) -> str | None:
        if lever_events.value and run is not None and run.month > 0:
            # Mid-run, as an event: the run carries on and the change starts next month.
            try:
                ev = run.fire(f"{control_spec(path).label}: {fmt(value)}", {path: value})
            except InputError as exc:
                return refusal(exc)
            events.set(list(run.fired))
            message.set(f"Event fired, from month {ev.month}: {ev.label}")
            bump()
            return None
        new = {**updates.value, path: value}
        if value == current_value(plain_sc, path):
            new.pop(path)
        _, msg = try_updates(plain_sc, new)
        if msg:
            return msg
        playing.set(False)
        start_at.set(0)
        updates.set(new)
        return None

    def apply_whatif(on: bool, wi: dict[str, Any]) -> None:
        if run is None:
            return
        alt_sc = whatif_for(scenario, wi)[0] if on else None
        try:
            run.set_whatif(alt_sc, _changes(scenario, alt_sc, wi) if alt_sc else {})
        except InputError as exc:
            message.set(refusal(exc))
        bump()

    def change_whatif(path: str, value: Any) -> str | None:
        new = {**whatif.value, path: value}
        if value == current_value(scenario, path):
            new.pop(path)
        _, msg = try_updates(scenario, new)
        if msg:
            return msg
        whatif.set(new)
        apply_whatif(True, new)
        return None

    def toggle_compare(on: bool) -> None:
        compare.set(on)
        apply_whatif(on, whatif.value)
        if on:
            tab.set(1)

    def change_seed(value: int | None) -> None:
        try:
            scenario.with_updates({"seed": value}, source="app")
        except InputError as exc:
            seed_message.set(refusal(exc))
            return
        seed_message.set("")
        playing.set(False)
        start_at.set(0)
        seed.set(int(value))

    def step() -> None:
        if run is not None:
            run.step()
            bump()

    def reset() -> None:
        playing.set(False)
        start_at.set(0)
        resets.set(resets.value + 1)

    def toggle_play() -> None:
        playing.set(not playing.value)

    available = prepared_for(scenario)
    by_label = {p.label: p for p in available.values()}

    def fire() -> None:
        p = by_label.get(chosen_event.value)
        if run is None or p is None:
            message.set("Choose an event from the list first.")
            return
        try:
            ev = run.fire(p.label, p.changes(run.scenario), p.lasts)
        except InputError as exc:
            message.set(refusal(exc))
            return
        events.set(list(run.fired))
        detail = (" (" + ", ".join(f"{k} = {v}" for k, v in ev.changes.items()) + ")"
                  if expert.value else "")
        message.set(f"Event fired, from month {ev.month}: {p.description}{detail}")
        bump()

    def go_back() -> None:
        if run is None:
            return
        playing.set(False)
        month = max(0, min(int(back_to.value or 0), run.month))
        run.goto(month)
        message.set(f"Back at month {month}: Play or Step replays the same story, events "
                    "included.")
        bump()

    def forget_later() -> None:
        if run is None:
            return
        n = run.forget_after()
        events.set(list(run.fired))
        message.set(f"Forgot {n} event(s) scheduled after month {run.month}.")
        bump()

    def open_session(info: dict) -> None:
        name = info.get("name", "session file")
        try:
            sc, month = read_session(info["data"], name)
        except InputError as exc:
            message.set(f"Could not open {name}: {exc}")
            return
        playing.set(False)
        loaded.set(sc)
        events.set(list(sc.events))
        start_at.set(month)
        updates.set({})
        whatif.set({})
        compare.set(False)
        seed.set(sc.seed)
        preset.set(SESSION)
        message.set(f"Opened {name}: month {month}.")

    def play_loop(cancel: threading.Event) -> None:
        if not playing.value or run is None:
            return
        while not cancel.is_set() and playing.value and not run.finished:
            t0 = time.perf_counter()
            run.step()
            tick.set(tick.value + 1)
            cancel.wait(max(0.0, 1.0 / speed.value - (time.perf_counter() - t0)))
        if run.finished:
            playing.set(False)

    # Not intrusive: an exception injected mid-step would leave a month half done. The loop
    # checks ``cancel`` between months instead.
    solara.use_thread(play_loop, dependencies=[playing.value, run, speed.value],
                      intrusive_cancel=False)

    # ------------------------------------------------------------------ layout
    solara.Title("lspsim: how a partnership works")
    solara.Style(CSS)
    shown = {k: v for k, v in presets.items() if expert.value or not research_only(k)}
    names = {k: plain_name(k, v) + (f" [{k}]" if expert.value else "") for k, v in shown.items()}
    if loaded.value is not None:
        names[SESSION] = f"Saved session: {plain_name(loaded.value.name, '')}"
    with solara.Div(classes=["lsp-root"] + (["lsp-presenting"] if presentation.value else [])):
        with solara.Div(classes=["lsp-toolbar"]):
            solara.Select(label="Partnership", values=list(names.values()),
                          value=names.get(preset.value, ""),
                          on_value=lambda label: choose_preset(
                              next(k for k, v in names.items() if v == label)),
                          dense=True, style={"max-width": "330px", "min-width": "250px"},
                          classes=["lsp-preset"])
            if run is not None:
                RunControls(run, tick.value, playing.value, toggle_play, step, reset)
            solara.Switch(label="Compare with a what-if", value=compare.value,
                          on_value=toggle_compare, classes=["lsp-compare"])
            solara.Switch(label="Presentation", value=presentation.value,
                          on_value=presentation.set, classes=["lsp-presentation"])
            solara.Select(label="Event", values=list(by_label), value=chosen_event.value,
                          on_value=chosen_event.set, dense=True,
                          style={"max-width": "330px", "min-width": "220px"},
                          classes=["lsp-event-choice"])
            solara.Button("Fire now", on_click=fire, icon_name="mdi-flash", color="deep-purple",
                          dark=True, classes=["lsp-fire"], disabled=run is None)
            solara.InputInt("Back to month", value=back_to.value, on_value=back_to.set,
                            dense=True, style={"max-width": "110px"}, classes=["lsp-back-to"])
            solara.Button("Go back", on_click=go_back, icon_name="mdi-history",
                          classes=["lsp-go-back"], disabled=run is None)
            if run is not None:
                solara.FileDownload(
                    lambda: briefing_html(run).encode("utf-8"),
                    filename=f"lspsim-briefing-{run.scenario.name}-month{run.month}.html",
                    label="Briefing", mime_type="text/html")
        with solara.Div(classes=["lsp-body"]):
            if not presentation.value:
                with solara.Div(classes=["lsp-setup"]):
                    Para(plain(preset_sc.description) or "(no description)",
                         style="font-size: 14px", classes=["lsp-description"])
                    solara.InputInt("Seed (same seed, same story)", value=seed.value,
                                    on_value=change_seed, dense=True, classes=["lsp-seed"])
                    if seed_message.value:
                        solara.Text(seed_message.value, style={"color": "#b00020"},
                                    classes=["lsp-refused"])
                    solara.SliderInt("Speed (months per second)", value=speed.value, min=1,
                                     max=12, on_value=speed.set)
                    solara.Switch(label="Lever changes during a run are events (no restart)",
                                  value=lever_events.value, on_value=lever_events.set,
                                  classes=["lsp-lever-events"])
                    Para("(a change starts next month, as an event)" if lever_events.value
                         else "(changing one restarts the run at month 0; events are kept)",
                         bold="Levers")
                    LeverPanel(in_force, specs, change_lever, expert=expert.value)
                    if compare.value:
                        solara.HTML(tag="hr")
                        Para("change one or more; both runs use the same seed and events.",
                             bold="What-if levers:")
                        if alt_message:
                            solara.Text(alt_message, style={"color": "#b00020"})
                        LeverPanel(run.whatif if run is not None and run.whatif is not None
                                   else scenario, specs, change_whatif, baseline=scenario,
                                   expert=expert.value)
                    solara.HTML(tag="hr")
                    Para("", bold="Events")
                    solara.Button("Forget events after this month", on_click=forget_later,
                                  text=True, classes=["lsp-forget"])
                    Para("", bold="Session and downloads")
                    if run is not None:
                        solara.FileDownload(
                            run.session_toml, label="Save session",
                            filename=f"lspsim-session-{run.scenario.name}-month{run.month}.toml",
                            mime_type="application/toml")
                        Export(run, tick.value)
                    solara.FileDrop(label="Open a saved session: drop its file here",
                                    on_file=open_session, lazy=False)
                    solara.Switch(label="Expert view (parameter paths, research presets)",
                                  value=expert.value, on_value=expert.set,
                                  classes=["lsp-expert"])
                    if expert.value:
                        ExpertParameters(in_force, change_lever)
            with solara.Div(classes=["lsp-main"]):
                if run is None:
                    solara.Error(run_message or "Nothing to run.")
                    return
                if message.value:
                    solara.Text(message.value, classes=["lsp-message"],
                                style={"color": "#6a1b9a", "font-size": "14px"})
                with solara.Div(classes=["lsp-top"]):
                    Network(run, tick.value, presentation.value)
                    with solara.Div(classes=["lsp-panel"]):
                        with solara.lab.Tabs(value=tab.value, on_value=tab.set, lazy=True):
                            with solara.lab.Tab(TABS[0]):
                                Caption(run, tick.value)
                            with solara.lab.Tab(TABS[1]):
                                Comparison(run, tick.value)
                            with solara.lab.Tab(TABS[2]):
                                Chains(run, tick.value)
                            with solara.lab.Tab(TABS[3]):
                                Layers(run, tick.value)
                            with solara.lab.Tab(TABS[4]):
                                if tab.value == 4:  # computed only when shown
                                    DebriefView(run, tick.value)
                Charts(run, tick.value, presentation.value)
