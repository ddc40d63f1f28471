"""The trainers' app: watch a local strategic partnership work, change it, compare what-ifs.

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

from lspsim.app.components import (
    CSS,
    Caption,
    ChainsAndLayers,
    Charts,
    Comparison,
    Export,
    Para,
    PresetPicker,
    RunControls,
)
from lspsim.app.controls import LeverPanel, current_value, main_controls, refusal, try_updates
from lspsim.app.runs import AppRun
from lspsim.errors import InputError
from lspsim.scenario import Scenario, list_presets, load_scenario

log = logging.getLogger("lspsim.app")
DEFAULT_PRESET = "default"


def _key(d: dict[str, Any]) -> tuple:
    return tuple(sorted(d.items()))


def _changes(base: Scenario, alt: Scenario, paths: dict[str, Any]) -> dict[str, tuple]:
    return {p: (current_value(base, p), current_value(alt, p)) for p in paths}


@solara.component
def Page() -> None:
    presets = solara.use_memo(list_presets, dependencies=[])
    preset = solara.use_reactive(DEFAULT_PRESET if DEFAULT_PRESET in presets
                                 else next(iter(presets)))
    preset_sc = solara.use_memo(lambda: load_scenario(preset.value), dependencies=[preset.value])
    updates = solara.use_reactive({})  # lever path -> value, on top of the preset
    seed = solara.use_reactive(preset_sc.seed)
    seed_message = solara.use_reactive("")
    compare = solara.use_reactive(False)
    whatif = solara.use_reactive({})  # lever path -> value, on top of this partnership
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(4)  # months per second
    resets = solara.use_reactive(0)
    tick = solara.use_reactive(0)
    specs = solara.use_memo(main_controls, dependencies=[])

    scenario, _ = try_updates(preset_sc, updates.value)
    scenario = scenario or preset_sc
    alt_sc, alt_message = (try_updates(scenario, whatif.value) if compare.value
                           else (None, None))

    def build() -> tuple[AppRun | None, str | None]:
        try:
            changes = _changes(scenario, alt_sc, whatif.value) if alt_sc is not None else {}
            return AppRun(scenario, seed.value, alt_sc, changes), None
        except InputError as exc:
            return None, refusal(exc)
        except Exception as exc:  # a trainer must never see a stack trace on the projector
            log.exception("could not build the model")
            return None, f"This combination of levers cannot be run ({exc}). Undo the last change."

    run, run_message = solara.use_memo(
        build, dependencies=[preset.value, _key(updates.value), seed.value, compare.value,
                             _key(whatif.value), resets.value])

    # ------------------------------------------------------------------ actions
    def choose_preset(name: str) -> None:
        playing.set(False)
        preset.set(name)
        updates.set({})
        whatif.set({})
        seed.set(load_scenario(name).seed)
        seed_message.set("")

    def change_lever(path: str, value: Any) -> str | None:
        new = {**updates.value, path: value}
        if value == current_value(preset_sc, path):
            new.pop(path)
        _, message = try_updates(preset_sc, new)
        if message:
            return message
        playing.set(False)
        updates.set(new)
        return None

    def change_whatif(path: str, value: Any) -> str | None:
        new = {**whatif.value, path: value}
        if value == current_value(scenario, path):
            new.pop(path)
        _, message = try_updates(scenario, new)
        if message:
            return message
        playing.set(False)
        whatif.set(new)
        return None

    def change_seed(value: int | None) -> None:
        try:
            scenario.with_updates({"seed": value}, source="app")
        except InputError as exc:
            seed_message.set(refusal(exc))
            return
        seed_message.set("")
        playing.set(False)
        seed.set(int(value))

    def step() -> None:
        if run is not None:
            run.step()
            tick.set(tick.value + 1)

    def reset() -> None:
        playing.set(False)
        resets.set(resets.value + 1)

    def toggle_play() -> None:
        playing.set(not playing.value)

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
    with solara.AppBarTitle():
        solara.Text("lspsim: how a local strategic partnership works")
    with solara.Sidebar():
        PresetPicker(presets, preset.value, choose_preset)
        with solara.Row(style={"align-items": "center"}):
            solara.InputInt("Seed (same seed, same story)", value=seed.value,
                            on_value=change_seed, dense=True, classes=["lsp-seed"])
        if seed_message.value:
            solara.Text(seed_message.value, style={"color": "#b00020"},
                        classes=["lsp-refused"])
        solara.SliderInt("Speed (months per second)", value=speed.value, min=1, max=12,
                         on_value=speed.set)
        Para("(changing one restarts the run at month 0)", bold="Levers")
        LeverPanel(scenario, specs, change_lever)
        solara.HTML(tag="hr")
        solara.Switch(label="Compare with a what-if", value=compare.value,
                      on_value=lambda v: (playing.set(False), compare.set(v)),
                      classes=["lsp-compare"])
        if compare.value:
            Para("change one or more; both runs use the same seed and step together.",
                 bold="What-if levers:")
            if alt_message:
                solara.Text(alt_message, style={"color": "#b00020"})
            LeverPanel(alt_sc or scenario, specs, change_whatif, baseline=scenario)

    with solara.Column(style={"padding": "8px"}):
        if run is None:
            solara.Error(run_message or "Nothing to run.")
            return
        RunControls(run, tick.value, playing.value, toggle_play, step, reset)
        Charts(run, tick.value)
        Comparison(run, tick.value)
        Caption(run, tick.value)
        ChainsAndLayers(run, tick.value)
        Export(run, tick.value)
