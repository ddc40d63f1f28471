"""Solara components of the trainers' app. Each takes what it shows as arguments; the page
(app.py) owns the per-session state.

The layout is made for a 1280x720 projector: a toolbar (two rows at most), a set-up panel on
the left that presentation mode hides, and a main area where the network, the story and the
four charts fit without scrolling (long tables scroll inside their own tab)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import solara

from lspsim.app import story
from lspsim.app.runs import AppRun

# Chart sizes (SVG user units = CSS px at 1280x720): the set-up panel is 300 px wide, so four
# charts share about 950 px; without it (presentation mode), about 1250 px.
CHART_SIZE = {False: (228, 250), True: (300, 250)}
NETWORK_SIZE = {False: (400, 300), True: (480, 330)}

CSS = """
html, body { overflow: hidden; }
.v-application--wrap { min-height: 0 !important; }
.lsp-root { display: flex; flex-direction: column; height: 100vh; width: 100vw;
            overflow: hidden; font-size: 15px; }
.lsp-toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px;
               padding: 8px 8px 2px; border-bottom: 1px solid #ddd; background: #fafafa;
               flex: 0 0 auto; }
.lsp-toolbar .v-input { margin-top: 0; padding-top: 0; }
.lsp-body { display: flex; flex: 1 1 auto; min-height: 0; }
.lsp-setup { width: 300px; flex: 0 0 300px; overflow-y: auto; padding: 6px 10px;
             border-right: 1px solid #ddd; }
.lsp-main { flex: 1 1 auto; min-width: 0; display: flex; flex-direction: column;
            padding: 4px 8px; gap: 4px; min-height: 0; }
.lsp-top { display: flex; gap: 8px; flex: 1 1 auto; min-height: 0; overflow: hidden; }
.lsp-net { flex: 0 0 auto; }
.lsp-net svg { display: block; }
.lsp-panel { flex: 1 1 auto; min-width: 0; display: flex; flex-direction: column;
             min-height: 0; }
.lsp-panel .v-tabs { flex: 1 1 auto; min-height: 0; display: flex; flex-direction: column; }
.lsp-panel .v-tabs-bar { flex: 0 0 auto; }
.lsp-panel .v-tabs-items { flex: 1 1 auto; overflow-y: auto; min-height: 0; }
.lsp-panel .v-tab { font-size: 14px; min-width: 0; padding: 0 10px; }
.lsp-charts { display: grid; grid-template-columns: repeat(4, 1fr); gap: 4px;
              flex: 0 0 auto; }
.lsp-charts svg { width: 100%; height: auto; display: block; }
.lsp-caption p, .lsp-text p { font-size: 15px; margin-bottom: 0.35em; line-height: 1.35; }
.lsp-chains td, .lsp-chains th, .lsp-layers td, .lsp-layers th, .lsp-outcomes td,
.lsp-outcomes th { padding: 2px 6px; border-bottom: 1px solid #eee; vertical-align: top; }
.lsp-chains th, .lsp-layers th, .lsp-outcomes th { text-align: left; }
.lsp-month { font-size: 1.25rem; font-weight: bold; white-space: nowrap; }
.lsp-events-line { color: #6a1b9a; }
/* the expert list's filter stays at the top of the set-up panel while its list scrolls */
.lsp-param-find { position: sticky; top: -6px; z-index: 2; background: #fff;
                  padding: 6px 0 2px; border-bottom: 1px solid #ddd; }
.lsp-params .lsp-lever { margin-bottom: 4px; }
.lsp-presenting .lsp-caption p, .lsp-presenting .lsp-text p { font-size: 17px; }
"""


def plain(text: str) -> str:
    """Text for trainers: whitespace folded, and references to files they do not have
    (``EVIDENCE.md``, ``docs/validation.md``) taken out."""
    text = " ".join((text or "").split())
    text = re.sub(r",\s*[\w./-]+\.md", "", text)
    text = re.sub(r"\s*\([^()]*\.md\)", "", text)
    return text


def Para(text: str, bold: str = "", style: str = "", classes: list[str] | None = None) -> None:
    """A paragraph of plain text. Not ``solara.Markdown``: it always loads KaTeX, which the
    offline asset bundle (solara-assets 1.58.2) lacks, so the server would try a CDN."""
    head = f"<b>{html.escape(bold)}</b> " if bold else ""
    solara.HTML(tag="p", unsafe_innerHTML=head + html.escape(text), style=style,
                classes=classes or [])


@solara.component
def RunControls(run: AppRun, tick: int, playing: bool, on_play: Callable[[], None],
                on_step: Callable[[], None], on_reset: Callable[[], None]) -> None:
    """Play/Pause, Step, Reset and the month. ``tick`` changes whenever the run steps (the
    run object itself stays the same, so without it the month would not redraw)."""
    with solara.Row(gap="6px", style={"align-items": "center"}, classes=["lsp-run-controls"]):
        _run_buttons(run, playing, on_play, on_step, on_reset)


def _run_buttons(run: AppRun, playing: bool, on_play: Callable[[], None],
                 on_step: Callable[[], None], on_reset: Callable[[], None]) -> None:
    solara.Button("Pause" if playing else "Play", on_click=on_play,
                  icon_name="mdi-pause" if playing else "mdi-play", color="primary",
                  classes=["lsp-play"])
    solara.Button("Step", on_click=on_step, icon_name="mdi-step-forward",
                  disabled=playing, classes=["lsp-step"])
    solara.Button("Reset", on_click=on_reset, icon_name="mdi-restore", classes=["lsp-reset"])
    solara.Text(f"Month {run.month} of {run.months}", classes=["lsp-month"])


@solara.component
def Charts(run: AppRun, tick: int, presentation: bool) -> None:
    """The four time series, side by side, redrawn each month (inline SVG)."""
    w, h = CHART_SIZE[presentation]
    svgs = solara.use_memo(lambda: run.series_svgs(w, h), dependencies=[run, tick, w])
    with solara.Div(classes=["lsp-charts"]):
        for k, s in enumerate(svgs):
            solara.HTML(tag="div", unsafe_innerHTML=s, classes=[f"lsp-series lsp-series-{k}"])


@solara.component
def Network(run: AppRun, tick: int, presentation: bool) -> None:
    w, h = NETWORK_SIZE[presentation]
    s = solara.use_memo(lambda: run.network_svg(w, h), dependencies=[run, tick, w])
    solara.HTML(tag="div", unsafe_innerHTML=s, classes=["lsp-net"])


@solara.component
def Caption(run: AppRun, tick: int) -> None:
    """What is happening and why, in plain English, with the events so far."""
    lines = solara.use_memo(lambda: story.caption(run.base), dependencies=[run, tick])
    marks = run.event_marks()
    with solara.Div(classes=["lsp-caption"]):
        if marks:
            Para(" · ".join(f"{mk.number}. month {mk.month}: {mk.label}"
                            + (" (to come)" if mk.future else "") for mk in marks),
                 bold="Events:", classes=["lsp-events-line"])
        for line in lines:
            Para(line)


@solara.component
def Comparison(run: AppRun, tick: int) -> None:
    """This partnership beside its what-if, in words and numbers."""
    lines = solara.use_memo(
        lambda: story.compare_words(run.base, run.alt, run.changes) if run.alt else [],
        dependencies=[run, tick, run.alt])
    with solara.Div(classes=["lsp-comparison", "lsp-text"]):
        if run.alt is None:
            Para("Switch on “Compare with a what-if” and change a lever in the set-up panel.")
            return
        for line in lines:
            Para(line)
        solara.HTML(tag="div", unsafe_innerHTML=outcomes_html(run))


def outcomes_html(run: AppRun) -> str:
    rows = story.outcome_table(run.base, run.alt)
    cols = list(rows[0])
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(r[c]))}</td>" for c in cols)
                   + "</tr>" for r in rows)
    return f'<table class="lsp-outcomes"><tr>{head}</tr>{body}</table>'


@solara.component
def Chains(run: AppRun, tick: int) -> None:
    chains = solara.use_memo(run.chains_html, dependencies=[run, tick])
    Para("Each target is only as fast as its weakest link.", classes=["lsp-text"])
    solara.HTML(tag="div", unsafe_innerHTML=chains)


@solara.component
def Layers(run: AppRun, tick: int) -> None:
    layers = solara.use_memo(run.layers_html, dependencies=[run, tick])
    solara.HTML(tag="div", unsafe_innerHTML=layers)


@solara.component
def DebriefView(run: AppRun, tick: int) -> None:
    """Turning points, what each event did, and questions from the report."""
    from lspsim.app.debrief import debrief

    d = solara.use_memo(lambda: debrief(run), dependencies=[run, tick])
    with solara.Div(classes=["lsp-debrief", "lsp-text"]):
        if run.month == 0:
            Para("Play the partnership first: the debrief reads the run so far.")
            return
        for line in d.turning_points + d.held_back:
            Para(line)
        if d.event_effects:
            Para("(each against the same run without it)", bold="What each event did")
            for line in d.event_effects:
                Para(line)
        Para("", bold="Questions for discussion")
        for rec, q in d.questions:
            solara.HTML(tag="p", unsafe_innerHTML=f"<i>{html.escape(q)}</i> <small "
                        f"style='color:#666'>(Audit Commission recommendation: "
                        f"{html.escape(rec)})</small>", classes=["lsp-question"])


@solara.component
def Export(run: AppRun, tick: int) -> None:
    """Download the current run: the series as CSV and the charts as PNG."""
    stem = f"lspsim-{run.scenario.name}-seed{run.seed}-month{run.month}"
    with solara.Row(gap="6px"):
        _downloads(run, stem)


def _downloads(run: AppRun, stem: str) -> None:
    solara.FileDownload(run.series_csv, filename=f"{stem}.csv", label="Data (CSV)",
                        mime_type="text/csv")
    solara.FileDownload(run.charts_png, filename=f"{stem}.png", label="Charts (PNG)",
                        mime_type="image/png")
