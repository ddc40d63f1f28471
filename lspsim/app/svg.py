"""The app's charts as inline SVG.

Why SVG and not matplotlib PNGs: the page redraws every chart each month, and a projector needs
text that stays legible. An SVG of a few lines and a few dozen ties is a few kilobytes of text,
built in about a millisecond, drawn by the browser at any size without blur, and its text has
a size in CSS pixels (``FONT`` = 14 at the size the page lays it out for 1280x720). The same
SVG goes into the one-page briefing, where it prints sharp on A4. matplotlib stays for the
PNG download and the CLI's figures (lspsim/plots.py).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex

FONT = 14  # px: the smallest text on any chart
SMALL = FONT
TITLE = 15
_TRUST_CMAP = colormaps["RdYlGn"]
_TRUST_HEX = [to_hex(_TRUST_CMAP(x)) for x in np.linspace(0, 1, 21)]


def esc(text: str) -> str:
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class Line:
    values: np.ndarray
    colour: str
    dashed: bool = False


@dataclass(frozen=True)
class Mark:
    """An event on the time axis: drawn at the boundary before ``month`` (it applies at the
    start of that month), numbered ``number``; ``future`` ones are drawn faint."""

    month: int
    number: int
    label: str
    future: bool = False


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def line_chart(title: str, lines: Sequence[Line], legend: Sequence[tuple[str, str]],
               x_max: int, marks: Sequence[Mark] = (), width: int = 240, height: int = 290,
               whatif_key: bool = False, css_class: str = "lsp-chart") -> str:
    """A 0-1 line chart: title, a legend above the plot (never over the lines), month axis
    0..``x_max``, a dot at each line's latest value, and event marks."""
    rows = len(legend) + (1 if whatif_key else 0)
    top = 26 + rows * 18 + 8
    left, right, bottom = 34, width - 10, height - 24
    pw, ph = right - left, bottom - top
    x_max = max(int(x_max), 1)

    def x(m: float) -> float:
        return left + pw * m / x_max

    def y(v: float) -> float:
        return bottom - ph * v

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {width} '
           f'{height}" width="{width}" height="{height}" font-family="Roboto, Arial, sans-serif" '
           f'font-size="{FONT}" data-xmax="{x_max}">',
           f'<text x="{left - 30}" y="18" font-size="{TITLE}" font-weight="bold" '
           f'fill="#222">{esc(title)}</text>']
    ly = 26
    for label, colour in legend:
        out.append(f'<line x1="{left - 28}" x2="{left - 8}" y1="{ly + 9}" y2="{ly + 9}" '
                   f'stroke="{colour}" stroke-width="3"/>'
                   f'<text x="{left - 4}" y="{ly + 14}" fill="#333">{esc(label)}</text>')
        ly += 18
    if whatif_key:
        out.append(f'<line x1="{left - 28}" x2="{left - 8}" y1="{ly + 9}" y2="{ly + 9}" '
                   f'stroke="#555" stroke-width="3" stroke-dasharray="5 3"/>'
                   f'<text x="{left - 4}" y="{ly + 14}" fill="#333">dashed: the what-if</text>')
    # grid and axes
    for v in (0.0, 0.25, 0.5, 0.75, 1.0):
        out.append(f'<line x1="{left}" x2="{right}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                   f'stroke="#ddd" stroke-width="1"/>')
    for v in (0.0, 0.5, 1.0):
        out.append(f'<text x="{left - 5}" y="{y(v) + 5:.1f}" text-anchor="end" '
                   f'fill="#444">{_fmt(v)}</text>')
    ticks = sorted({0, x_max // 2, x_max})
    for t in ticks:
        anchor = "start" if t == 0 else "end" if t == x_max else "middle"
        out.append(f'<text x="{x(t):.1f}" y="{height - 6}" text-anchor="{anchor}" '
                   f'fill="#444">{t}</text>')
    # event marks, under the lines
    for mk in marks:
        xm = x(mk.month - 0.5)
        op = "0.35" if mk.future else "1"
        out.append(f'<g class="lsp-event-mark" data-month="{mk.month}" opacity="{op}">'
                   f'<title>{esc(f"{mk.number}. month {mk.month}: {mk.label}")}</title>'
                   f'<line x1="{xm:.1f}" x2="{xm:.1f}" y1="{top - 2}" y2="{bottom}" '
                   f'stroke="#6a1b9a" stroke-width="2" stroke-dasharray="4 3"/>'
                   f'<rect x="{xm - 9:.1f}" y="{top - 4}" width="18" height="18" rx="3" '
                   f'fill="#6a1b9a"/><text x="{xm:.1f}" y="{top + 10}" text-anchor="middle" '
                   f'fill="white" font-weight="bold">{mk.number}</text></g>')
    # lines
    for ln in lines:
        v = np.asarray(ln.values, dtype=float)
        dash = ' stroke-dasharray="7 4"' if ln.dashed else ""
        finite = np.isfinite(v)
        if not finite.any():
            continue
        # NaN months break the line into segments
        idx = np.flatnonzero(finite)
        breaks = np.flatnonzero(np.diff(idx) > 1) + 1
        for seg in np.split(idx, breaks):
            pts = " ".join(f"{x(i):.1f},{y(min(max(v[i], 0.0), 1.0)):.1f}" for i in seg)
            if len(seg) > 1:
                out.append(f'<polyline points="{pts}" fill="none" stroke="{ln.colour}" '
                           f'stroke-width="2.5"{dash} stroke-linejoin="round"/>')
        last = idx[-1]
        out.append(f'<circle cx="{x(last):.1f}" cy="{y(min(max(v[last], 0.0), 1.0)):.1f}" '
                   f'r="3.5" fill="{ln.colour}"/>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" '
               f'stroke="#bbb"/></svg>')
    return "".join(out)


TIER_SHAPES = {0: "circle", 1: "square", 2: "diamond"}  # area-wide, county, district
MAX_EDGES = 600  # ties drawn at most (the browser stays quick with hundreds of partners)


def trust_colour(v: float) -> str:
    return _TRUST_HEX[int(round(min(max(v, 0.0), 1.0) * 20))]


def network(pos: np.ndarray, names: Sequence[str], colours: Sequence[str], sizes: np.ndarray,
            tiers: Sequence[int], ties: np.ndarray, trust: np.ndarray, threshold: float,
            title: str, width: int = 400, height: int = 300, show_names: bool = True) -> str:
    """The representatives' network: node area by budget, colour by kind, shape by tier,
    lines for ties at least ``threshold`` strong (width: strength; colour: mutual trust,
    red low, green high). ``pos`` is fixed per run so nodes do not move."""
    n = len(names)
    pad_x, top, bottom = 60, 30, 26
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    span = np.where(hi - lo > 1e-9, hi - lo, 1.0)
    px = pad_x + (pos[:, 0] - lo[0]) / span[0] * (width - 2 * pad_x)
    py = top + 12 + (pos[:, 1] - lo[1]) / span[1] * (height - top - bottom - 30)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="lsp-network" viewBox="0 0 {width} '
           f'{height}" width="{width}" height="{height}" font-family="Roboto, Arial, sans-serif" '
           f'font-size="{FONT}">',
           f'<text x="4" y="18" font-size="{TITLE}" font-weight="bold" fill="#222">'
           f'{esc(title)}</text>']
    iu = np.triu_indices(n, 1)
    strength = ties[iu]
    keep = strength >= threshold
    a, b, s = iu[0][keep], iu[1][keep], strength[keep]
    if s.size > MAX_EDGES:  # a large partnership: the strongest ties carry the picture
        top = np.argsort(-s, kind="stable")[:MAX_EDGES]
        a, b, s = a[top], b[top], s[top]
    mutual = 0.5 * (trust[a, b] + trust[b, a])
    for i, j, w, t in zip(a.tolist(), b.tolist(), s.tolist(), mutual.tolist(), strict=True):
        out.append(f'<line x1="{px[i]:.1f}" y1="{py[i]:.1f}" x2="{px[j]:.1f}" y2="{py[j]:.1f}" '
                   f'stroke="{trust_colour(t)}" stroke-width="{0.6 + 4 * w:.1f}" '
                   f'stroke-opacity="0.8"/>')
    r = np.sqrt(sizes / max(float(sizes.max()), 1e-9)) * 16 + 5
    for i in range(n):
        x, y, c, ri = px[i], py[i], colours[i], r[i]
        shape = TIER_SHAPES.get(int(tiers[i]), "circle")
        if shape == "square":
            node = (f'<rect x="{x - ri:.1f}" y="{y - ri:.1f}" width="{2 * ri:.1f}" '
                    f'height="{2 * ri:.1f}"')
        elif shape == "diamond":
            node = (f'<polygon points="{x:.1f},{y - ri * 1.3:.1f} {x + ri * 1.3:.1f},{y:.1f} '
                    f'{x:.1f},{y + ri * 1.3:.1f} {x - ri * 1.3:.1f},{y:.1f}"')
        else:
            node = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{ri:.1f}"'
        out.append(f'{node} fill="{c}" stroke="white" stroke-width="1.5">'
                   f'<title>{esc(names[i])}</title></{node[1:node.index(" ")]}>')
    if show_names and n <= 30:
        placed: list[tuple[float, float, float, float]] = []
        for i in np.argsort(py, kind="stable").tolist():
            half = 0.29 * FONT * len(names[i])  # about half the name's width
            tx = min(max(px[i], half + 2), width - half - 2)
            # above the node, or below it if that would overlap a name already placed
            for ty in (py[i] - r[i] - 4, py[i] + r[i] + FONT + 1):
                box = (tx - half, ty - FONT, tx + half, ty + 2)
                if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                           for b in placed):
                    break
            placed.append(box)
            out.append(f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="middle" '
                       f'fill="#222" stroke="white" stroke-width="3" paint-order="stroke">'
                       f'{esc(names[i])}</text>')
    out.append(f'<text x="4" y="{height - 6}" fill="#555">size: budget · lines: ties, '
               f'<tspan fill="#1a9850">green</tspan> trusted, <tspan fill="#d73027">red</tspan>'
               f' not</text></svg>')
    return "".join(out)
