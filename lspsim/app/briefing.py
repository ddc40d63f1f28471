"""The one-page briefing: a run (or a run and its what-if) as one self-contained HTML file.

No external assets: the charts are inline SVG, the style is in the page, and there are no
scripts, fonts or images fetched from anywhere, so the file opens on a laptop with no network
and can be e-mailed or printed. The print style fits A4 (portrait, 10 mm margins): one page
for a run with a few events and a what-if (a long debrief can spill onto a second).
"""

from __future__ import annotations

import html

from lspsim.app import story
from lspsim.app.debrief import debrief

CSS = """
@page { size: A4 portrait; margin: 10mm; }
* { box-sizing: border-box; }
body { font-family: Roboto, Arial, sans-serif; color: #222; margin: 0 auto; max-width: 186mm;
       font-size: 10.5pt; line-height: 1.35; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 4mm 0 1.5mm; border-bottom: 1px solid #ccc; }
p, li { margin: 0 0 1.2mm; }
ul { padding-left: 5mm; margin: 0; }
.meta { color: #555; font-size: 9.5pt; }
.charts { display: grid; grid-template-columns: repeat(4, 1fr); gap: 1mm; }
.charts svg, .net svg { width: 100%; height: auto; }
.top { display: grid; grid-template-columns: 1fr 1.25fr; gap: 4mm; align-items: start; }
table { border-collapse: collapse; font-size: 9.5pt; }
td, th { padding: 1px 5px; border-bottom: 1px solid #ddd; text-align: left; }
.q { font-style: italic; }
.bottom { display: grid; grid-template-columns: 1.1fr 1fr; gap: 4mm; align-items: start; }
section, .charts, .top { break-inside: avoid; }
@media print {
  body { font-size: 8.5pt; line-height: 1.22; }
  h1 { font-size: 14pt; } h2 { font-size: 10.5pt; margin: 2.5mm 0 1mm; }
  .net svg { max-height: 52mm; }
}
"""


def _p(lines: list[str]) -> str:
    return "".join(f"<p>{html.escape(x)}</p>" for x in lines)


def _ul(lines: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in lines) + "</ul>" if lines \
        else "<p>(none yet)</p>"


def briefing_html(run, title: str = "") -> str:
    """The briefing for an ``AppRun`` at its current month."""
    m = run.base
    sc = run.scenario
    d = debrief(run)
    heading = title or f"How this partnership worked: {sc.name.replace('_', ' ')}"
    desc = " ".join((sc.description or "").split())
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(heading)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(heading)}</h1>",
        f"<p class='meta'>{html.escape(desc)} Month {run.month} of {run.months}; seed "
        f"{run.seed} (the same seed and events tell the same story). Simulated with lspsim, an "
        "agent-based model of the Audit Commission's (2009) findings on local strategic "
        "partnerships: an illustration for discussion, not a forecast.</p>",
        "<div class='top'><div class='net'>", run.network_svg(400, 300), "</div><section>",
        "<h2>What happened</h2>", _p(story.caption(m)),
    ]
    if run.alt is not None:
        parts += ["<h2>Beside the what-if</h2>",
                  _p(story.compare_words(m, run.alt, run.changes))]
    parts += ["</section></div>", "<div class='charts'>",
              *run.series_svgs(240, 235), "</div>"]
    marks = run.event_marks()
    if marks:
        parts.append("<p><b>Events:</b> " + html.escape("; ".join(
            f"{mk.number}. month {mk.month}: {mk.label}"
            + (" (scheduled, not yet reached)" if mk.future else "") for mk in marks)) + "</p>")
    parts += ["<div class='bottom'><section><h2>Turning points</h2>",
              _ul(d.turning_points + d.held_back)]
    if d.event_effects:
        parts += ["<p><b>What each event did</b> (against the same run without it):</p>",
                  _ul(d.event_effects)]
    parts += ["</section><section><h2>Questions for discussion</h2><ul>"]
    for rec, q in d.questions:
        parts.append(f"<li><span class='q'>{html.escape(q)}</span> <span class='meta'>"
                     f"(Audit Commission recommendation: {html.escape(rec)})</span></li>")
    parts += ["</ul></section></div></body></html>"]
    return "".join(parts)
