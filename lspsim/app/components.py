"""Solara components of the trainers' app. Each takes what it shows as arguments; the page
(app.py) owns the per-session state."""

from __future__ import annotations

import html
from collections.abc import Callable

import solara

from lspsim.app import story
from lspsim.app.runs import AppRun

CSS = """
.lsp-caption p { font-size: 1.05rem; margin-bottom: 0.3em; }
.lsp-chains td, .lsp-chains th, .lsp-layers td, .lsp-layers th, .lsp-outcomes td,
.lsp-outcomes th { padding: 2px 6px; border-bottom: 1px solid #eee; vertical-align: top; }
.lsp-chains th, .lsp-layers th, .lsp-outcomes th { text-align: left; }
.lsp-month { font-size: 1.3rem; font-weight: bold; }
"""


def Para(text: str, bold: str = "", style: str = "", classes: list[str] | None = None) -> None:
    """A paragraph of plain text. Not ``solara.Markdown``: it always loads KaTeX, which the
    offline asset bundle (solara-assets 1.58.2) lacks, so the server would try a CDN."""
    head = f"<b>{html.escape(bold)}</b> " if bold else ""
    solara.HTML(tag="p", unsafe_innerHTML=head + html.escape(text), style=style,
                classes=classes or [])


@solara.component
def PresetPicker(presets: dict[str, str], value: str, on_value: Callable[[str], None]) -> None:
    """Choose a preset; its plain-English description is shown beneath."""
    solara.Select(label="Partnership (preset scenario)", values=list(presets), value=value,
                  on_value=on_value)
    Para(" ".join(presets.get(value, "").split()) or "(no description)",
         style="font-size: 0.9em", classes=["lsp-description"])


@solara.component
def RunControls(run: AppRun, tick: int, playing: bool, on_play: Callable[[], None],
                on_step: Callable[[], None], on_reset: Callable[[], None]) -> None:
    """Play/Pause, Step, Reset and the month. ``tick`` changes whenever the run steps (the
    run object itself stays the same, so without it the month would not redraw)."""
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button("Pause" if playing else "Play", on_click=on_play,
                      icon_name="mdi-pause" if playing else "mdi-play", color="primary",
                      classes=["lsp-play"])
        solara.Button("Step", on_click=on_step, icon_name="mdi-step-forward",
                      disabled=playing, classes=["lsp-step"])
        solara.Button("Reset", on_click=on_reset, icon_name="mdi-restore", classes=["lsp-reset"])
        solara.Text(f"Month {run.month} of {run.months}", classes=["lsp-month"])
        if run.finished:
            solara.Text("(the scenario's time is up; Step carries on)",
                        style={"color": "#666"})


@solara.component
def Caption(run: AppRun, tick: int) -> None:
    """What is happening and why, in plain English."""
    lines = solara.use_memo(lambda: story.caption(run.base), dependencies=[run, tick])
    with solara.Card("What is happening", classes=["lsp-caption"], margin=0):
        for line in lines:
            Para(line)


@solara.component
def Charts(run: AppRun, tick: int) -> None:
    """The partners' network and the time series, redrawn each month."""
    net = solara.use_memo(run.network_png, dependencies=[run, tick])
    ser = solara.use_memo(run.series_png, dependencies=[run, tick])
    with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
        solara.Image(net, format="png", classes=["lsp-network"])
        solara.Image(ser, format="png", classes=["lsp-series"])


@solara.component
def ChainsAndLayers(run: AppRun, tick: int) -> None:
    chains = solara.use_memo(run.chains_html, dependencies=[run, tick])
    layers = solara.use_memo(run.layers_html, dependencies=[run, tick])
    with solara.Card("Delivery chains: each target is only as fast as its weakest link",
                     margin=0):
        solara.HTML(tag="div", unsafe_innerHTML=chains)
    with solara.Details("The three layers: who sits where, and meetings this month"):
        solara.HTML(tag="div", unsafe_innerHTML=layers)


def outcomes_html(run: AppRun) -> str:
    rows = story.outcome_table(run.base, run.alt)
    cols = list(rows[0])
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(r[c]))}</td>" for c in cols)
                   + "</tr>" for r in rows)
    return f'<table class="lsp-outcomes"><tr>{head}</tr>{body}</table>'


@solara.component
def Comparison(run: AppRun, tick: int) -> None:
    """This partnership beside its what-if, in words and numbers."""
    lines = solara.use_memo(
        lambda: story.compare_words(run.base, run.alt, run.changes) if run.alt else [],
        dependencies=[run, tick])
    if run.alt is None:
        return
    with solara.Card("Side by side: this partnership and the what-if (dashed lines)",
                     classes=["lsp-comparison"], margin=0):
        for line in lines:
            Para(line)
        solara.HTML(tag="div", unsafe_innerHTML=outcomes_html(run))


@solara.component
def Export(run: AppRun, tick: int) -> None:
    """Download the current run: the series as CSV and the charts as PNG."""
    stem = f"lspsim-{run.base.scenario.name}-seed{run.seed}-month{run.month}"
    with solara.Row():
        solara.FileDownload(run.series_csv, filename=f"{stem}.csv", label="Download data (CSV)",
                            mime_type="text/csv")
        solara.FileDownload(run.charts_png, filename=f"{stem}.png",
                            label="Download charts (PNG)", mime_type="image/png")
