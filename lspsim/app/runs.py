"""One session's runs: the partnership, an optional what-if, their charts and their export.

Nothing here is shared between browser sessions: the page builds an ``AppRun`` inside a
component (``solara.use_memo``), so two trainers on two browsers step two separate models.

Figures are drawn on ``matplotlib.figure.Figure`` objects, never through pyplot, whose global
state is not safe with several sessions drawing at once.
"""

from __future__ import annotations

import html
import io
import threading
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

from lspsim import outcomes
from lspsim.app import svg
from lspsim.events import with_events
from lspsim.mechanisms.layers import LAYER_NAMES
from lspsim.mesa_bridge import release
from lspsim.model import PartnershipModel
from lspsim.plots import KIND_COLOURS, TIER_MARKERS
from lspsim.results import replication_rng
from lspsim.scenario import Event, Scenario

# The four panels of the time-series chart, from the outcome registry:
# title -> [(series, legend, colour)].
PANELS: dict[str, list[tuple[str, str, str]]] = {
    title: [(o.name, o.legend or o.label, o.colour or "#555555") for o in series]
    for title, series in outcomes.panels().items()}
DPI = 80


def layout(model: PartnershipModel, seed: int = 0) -> np.ndarray:
    """(n, 2) node positions from the initial ties, computed once per reset so the network
    does not jump about between months."""
    n = model.n_partners
    g = nx.Graph()
    g.add_nodes_from(range(n))
    iu = np.triu_indices(n, 1)
    w = model.ties[iu]
    for i, j, v in zip(iu[0], iu[1], w, strict=True):
        if v > 0:
            g.add_edge(int(i), int(j), weight=float(v))
    pos = nx.spring_layout(g, seed=seed, weight="weight")
    return np.array([pos[i] for i in range(n)])


class AppRun:
    """A partnership (and optionally a what-if of it) stepping month by month in step, with
    the events fired so far.

    Both runs use the same seed: replication 0 of ``seed``, exactly as
    ``lspsim run SCENARIO --seed SEED`` runs it, so what the app shows can be reproduced. Every
    state the page shows is a function of (scenario, seed, events, month): going back to a
    month re-runs from the seed with the same events (runs take milliseconds), and a session
    file holds just those.
    """

    def __init__(self, scenario: Scenario, seed: int, whatif: Scenario | None = None,
                 changes: dict[str, tuple[Any, Any]] | None = None,
                 events: list[Event] | None = None, month: int = 0) -> None:
        self.seed = seed
        # The events live in ``fired`` (the log), not in the scenario: the scenario's own
        # scheduled events start the log, so all of them can be replayed and forgotten alike.
        self.fired: list[Event] = list(scenario.events) + list(events or [])
        self.scenario = (scenario.with_updates({"events": []}, source="app")
                         if scenario.events else scenario)
        self.whatif = (whatif.with_updates({"events": []}, source="app")
                       if whatif is not None and whatif.events else whatif)
        self.changes = changes or {}
        self._lock = threading.RLock()
        self.base = self._model(self.scenario)
        self.alt = self._model(self.whatif) if self.whatif is not None else None
        self.pos = layout(self.base, seed)
        self._net: Figure | None = None
        self._ser: Figure | None = None
        if month:
            self.goto(month)

    # ------------------------------------------------------------------ running
    def full(self, scenario: Scenario | None = None) -> Scenario:
        """``scenario`` (default: this partnership) with the event log as its events."""
        sc = self.scenario if scenario is None else scenario
        return with_events(sc, self.fired) if self.fired else sc

    def close(self) -> None:
        """Free this run's models (the page calls it when it builds a new run)."""
        with self._lock:
            _release(self.base, self.alt)

    def _model(self, scenario: Scenario, month: int = 0) -> PartnershipModel:
        m = PartnershipModel(self.full(scenario), rng=replication_rng(self.seed, 0))
        for _ in range(month):
            m.step()
        return m

    @property
    def month(self) -> int:
        return int(getattr(self.base, "time", self.base.steps))

    @property
    def months(self) -> int:
        return self.base.scenario.months

    @property
    def finished(self) -> bool:
        return self.month >= self.months

    def step(self) -> None:
        with self._lock:
            self.base.step()
            if self.alt is not None:
                self.alt.step()

    def goto(self, month: int) -> None:
        """Back (or on) to ``month``: re-run from the seed with the same events."""
        month = max(0, int(month))
        with self._lock:
            old = (self.base, self.alt)
            self.base = self._model(self.scenario, month)
            if self.whatif is not None:
                self.alt = self._model(self.whatif, month)
            _release(*old)

    def set_whatif(self, whatif: Scenario | None,
                   changes: dict[str, tuple[Any, Any]] | None = None) -> None:
        """Put a what-if beside this partnership (or take it away) without touching the
        partnership's run: the what-if is run from the seed up to the current month."""
        with self._lock:
            self.whatif = whatif
            self.changes = changes or {}
            old, self.alt = self.alt, (self._model(whatif, self.month) if whatif is not None
                                       else None)
            _release(old)
            self._ser = None

    def fire(self, label: str, changes: dict[str, Any], lasts: int = 0) -> Event:
        """An event now: it takes effect at the start of the next month, in both runs.
        Raises InputError (nothing changes) if the changes are not allowed."""
        with self._lock:
            ev = Event(month=self.month + 1, label=label, changes=changes, lasts=lasts)
            fired = [*self.fired, ev]
            base = with_events(self.scenario, fired)  # validates: InputError if refused
            alt = with_events(self.whatif, fired) if self.whatif is not None else None
            self.fired = fired
            # Replacing the running models' scenario: from the next month they follow the
            # new log, exactly as a re-run from the seed with that log would.
            self.base.scenario = base
            if self.alt is not None:
                self.alt.scenario = alt
            return ev

    def forget_after(self, month: int | None = None) -> int:
        """Drop the events scheduled after ``month`` (default: now); returns how many."""
        month = self.month if month is None else month
        with self._lock:
            keep = [ev for ev in self.fired if ev.month <= month]
            dropped = len(self.fired) - len(keep)
            if dropped:
                self.fired = keep
                self.goto(self.month)
            return dropped

    def event_marks(self) -> list[svg.Mark]:
        """Every event in the log, numbered in order of month."""
        order = sorted(range(len(self.fired)), key=lambda k: (self.fired[k].month, k))
        return [svg.Mark(self.fired[k].month, n + 1, self.fired[k].label or "an event",
                         future=self.fired[k].month > self.month)
                for n, k in enumerate(order)]

    # ------------------------------------------------------------------ session files
    def session_toml(self) -> str:
        """The session as a scenario file: what differs from the defaults, the seed and the
        events (what ``lspsim run FILE`` runs too), with the month and the what-if as comments."""
        sc = self.full().with_updates({"seed": self.seed}, source="app")
        head = [f"# lspsim app session, saved at month {self.month}",
                f"# month = {self.month}"]
        if self.changes:
            head.append("# what-if: " + ", ".join(f"{p} = {new!r}" for p, (_, new)
                                                  in self.changes.items()))
        return "\n".join(head) + "\n" + sc.to_toml(changed_only=True)

    # ------------------------------------------------------------------ live charts (SVG)
    def series_svgs(self, width: int = 240, height: int = 290) -> list[str]:
        """The four time-series charts; the what-if dashed; events marked."""
        with self._lock:
            models = [self.base] + ([self.alt] if self.alt is not None else [])
            data = [m.series() for m in models]
            marks = self.event_marks()
            x_max = max(self.months, self.month)
            out = []
            for title, panel in PANELS.items():
                lines = [svg.Line(d[key], colour, dashed=r > 0)
                         for r, d in enumerate(data) for key, _, colour in panel]
                out.append(svg.line_chart(
                    title, lines, [(label, colour) for _, label, colour in panel], x_max,
                    marks, width, height, whatif_key=self.alt is not None))
            return out

    def network_svg(self, width: int = 400, height: int = 300) -> str:
        with self._lock:
            m = self.base
            return svg.network(
                self.pos, m.partner_names, [KIND_COLOURS.get(k, "#999999") for k in m.kinds],
                m.budget, [int(t) for t in m.tier], m.ties, m.trust,
                m.scenario.network.tie_threshold, f"Who works with whom, month {self.month}",
                width, height)

    # ------------------------------------------------------------------ PNG export
    # matplotlib figures for "Download charts (PNG)" only (the page shows SVG): drawn in full
    # on demand, on Figure objects (never pyplot, whose global state is not thread-safe).
    def _network_fig(self) -> Blitter:
        if self._net is not None:
            return self._net
        from matplotlib.collections import LineCollection

        m = self.base
        fig = Figure(figsize=(6.6, 4.6), dpi=DPI)
        ax = fig.add_axes((0.0, 0.0, 0.74, 0.93))  # the kind legend sits to the right
        n, pos = m.n_partners, self.pos
        edges = LineCollection([], cmap="RdYlGn", alpha=0.75, zorder=1)
        edges.set_clim(0, 1)
        ax.add_collection(edges)
        size = 60 + 700 * np.sqrt(m.budget / max(m.budget.max(), 1e-9))
        tiers = np.array([("area", "county", "district")[t] for t in m.tier])
        colours = np.array([KIND_COLOURS.get(k, "#999999") for k in m.kinds])
        still: list[Any] = []
        for tier, marker in TIER_MARKERS.items():
            idx = np.flatnonzero(tiers == tier)
            if idx.size:
                still.append(ax.scatter(pos[idx, 0], pos[idx, 1], s=size[idx], c=colours[idx],
                                         marker=marker, edgecolors="white", linewidths=1.5,
                                         zorder=2))
        if n <= 40:
            for i in range(n):
                still.append(ax.annotate(m.partner_names[i], pos[i], fontsize=8, ha="center",
                                          va="bottom", xytext=(0, 9),
                                          textcoords="offset points", zorder=3))
        present = list(dict.fromkeys(m.kinds))
        handles = [Line2D([], [], marker="o", ls="", color=KIND_COLOURS.get(k, "#999"),
                          label=k.replace("_", " ")) for k in present]
        handles += [Line2D([], [], marker=mk, ls="", color="#777", label=f"{tier} tier")
                    for tier, mk in TIER_MARKERS.items()
                    if tier in set(tiers) and len(set(tiers)) > 1]
        fig.legend(handles=handles, fontsize=7, loc="center right", frameon=False,
                   title="kind (size: budget)", title_fontsize=7)
        ax.set_xlim(pos[:, 0].min() - 0.25, pos[:, 0].max() + 0.3)  # room for the names
        ax.set_ylim(pos[:, 1].min() - 0.1, pos[:, 1].max() + 0.25)
        ax.axis("off")
        title = fig.suptitle("", fontsize=10)
        self._net = Blitter(fig, [edges, title], overlay=still)
        self._net.parts = {"edges": edges, "title": title}
        return self._net

    def network_figure(self) -> Figure:
        """Representatives' network now: node size by budget, colour by kind, shape by tier
        (circle area-wide, square county, diamond district), edge width by tie strength, edge
        colour by mutual trust (red low, green high). Node positions stay put between months."""
        blit = self._network_fig()
        m, pos = self.base, self.pos
        iu = np.triu_indices(m.n_partners, 1)
        strong = m.ties[iu] >= m.scenario.network.tie_threshold
        a, b = iu[0][strong], iu[1][strong]
        edges = blit.parts["edges"]
        edges.set_segments(list(np.stack([pos[a], pos[b]], axis=1)))
        edges.set_linewidths(0.5 + 4 * m.ties[a, b])
        edges.set_array(0.5 * (m.trust[a, b] + m.trust[b, a]))
        blit.parts["title"].set_text(
            f"Who works with whom, month {self.month} (lines: ties; green trusted, red not)")
        return blit.fig

    def _series_fig(self) -> Blitter:
        if self._ser is not None:
            return self._ser
        fig = Figure(figsize=(7.2, 4.6), dpi=DPI)
        axes = fig.subplots(2, 2, sharex=True)
        fig.subplots_adjust(left=0.06, right=0.985, bottom=0.1, top=0.94, wspace=0.14,
                            hspace=0.3)
        runs = [("-", "")] + ([("--", " (what-if)")] if self.alt is not None else [])
        lines: list[tuple[int, str, Line2D]] = []
        legends = []
        for ax, (title, panel) in zip(axes.flat, PANELS.items(), strict=True):
            for r, (style, suffix) in enumerate(runs):
                for key, label, colour in panel:
                    # A dot marks the latest month, so month 0 shows where each line starts.
                    (ln,) = ax.plot([], [], style, color=colour, lw=2, label=label + suffix,
                                    marker="o", markersize=4, markevery=[-1])
                    lines.append((r, key, ln))
            ax.set_title(title, fontsize=10)
            ax.set_ylim(0, 1.02)
            ax.set_xlim(-0.5, self.months + 0.5)
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=8)
            # Targets start at 0 and rise: their key goes top left, the others' bottom right.
            where = "upper left" if title == "Targets" else "lower right"
            legends.append(ax.legend(fontsize=7, loc=where, framealpha=0.9,
                                     ncol=1 + (self.alt is not None)))
        for ax in axes[1]:
            ax.set_xlabel("month", fontsize=8)
        # Legends are redrawn over the lines, or a rising line would hide them.
        self._ser = Blitter(fig, [ln for *_, ln in lines], overlay=legends)
        self._ser.parts = {"axes": axes, "lines": lines}
        return self._ser

    def series_figure(self) -> Figure:
        """Trust, commitment, target progress and monitoring maturity so far; the what-if
        dashed when there is one. The month axis spans the scenario so lines grow rightwards
        (and widens, with a full redraw, if a run is stepped past its end)."""
        blit = self._series_fig()
        models = [self.base] + ([self.alt] if self.alt is not None else [])
        data = [m.series() for m in models]
        for r, key, ln in blit.parts["lines"]:
            y = data[r][key]
            ln.set_data(np.arange(len(y)), y)
        ax = blit.parts["axes"][0, 0]
        xmax = max(self.months, self.month)
        if ax.get_xlim()[1] != xmax + 0.5:
            ax.set_xlim(-0.5, xmax + 0.5)
            blit.invalidate()
        return blit.fig

    def network_rgba(self) -> np.ndarray:
        with self._lock:
            self.network_figure()
            return self._net.frame()

    def series_rgba(self) -> np.ndarray:
        with self._lock:
            self.series_figure()
            return self._ser.frame()

    def network_png(self) -> bytes:
        return to_png(self.network_rgba())

    def series_png(self) -> bytes:
        return to_png(self.series_rgba())

    def charts_png(self) -> bytes:
        """Both charts side by side, for export."""
        parts = [self.network_rgba(), self.series_rgba()]
        h = max(p.shape[0] for p in parts)
        parts = [np.pad(p, ((0, h - p.shape[0]), (0, 0), (0, 0)), constant_values=255)
                 for p in parts]
        return to_png(np.concatenate(parts, axis=1), compress_level=6)

    # ------------------------------------------------------------------ export
    def series_frame(self) -> pd.DataFrame:
        """Every model-level series so far, one row per month; the what-if's columns are
        prefixed ``whatif_``."""
        df = pd.DataFrame(self.base.series())
        df.insert(0, "month", np.arange(len(df)))
        if self.alt is not None:
            alt = pd.DataFrame(self.alt.series()).add_prefix("whatif_")
            df = pd.concat([df, alt], axis=1)
        return df

    def series_csv(self) -> str:
        head = (f"# lspsim app export: scenario {self.base.scenario.name}, seed {self.seed}, "
                f"month {self.month}")
        if self.changes:
            head += "; what-if " + ", ".join(f"{p}={new}" for p, (_, new) in
                                             self.changes.items())
        for mk in self.event_marks():
            head += f"; event {mk.number} at month {mk.month}: {mk.label}"
        return head + "\n" + self.series_frame().to_csv(index=False)

    # ------------------------------------------------------------------ tables
    def chains_html(self) -> str:
        """Each target's delivery chain; the weakest link this month in red, the link that was
        weakest most often underlined."""
        m = self.base
        weak = m.weakest_links()
        rows = []
        for t, chain in enumerate(m.chains):
            members = [int(i) for i in chain if i >= 0]
            strengths = m.link[t, : len(members)]
            now = int(np.argmin(strengths)) if np.isfinite(strengths).all() else -1
            often = int(m.weakest_count[t].argmax()) if m.steps else -1
            cells = []
            for j, i in enumerate(members):
                name = html.escape(m.partner_names[i])
                s = strengths[j]
                tag = f"{s:.2f}" if np.isfinite(s) else ""
                style = ("color:#b00020;font-weight:bold;" if j == now else "")
                style += "text-decoration:underline;" if j == often else ""
                arrow = "→" if j + 1 < len(members) else "⇒ delivery"
                cells.append(f'<span style="{style}">{name} <small>{arrow} {tag}</small></span>')
            prog = min(float(m.progress[t]), 1.0)
            bar = (f'<div style="background:#eee;width:80px;height:10px;display:inline-block">'
                   f'<div style="background:{"#2ca02c" if prog >= 1 else "#1f77b4"};'
                   f'width:{prog * 80:.0f}px;height:10px"></div></div>')
            theme = html.escape(weak[t]["theme"].replace("_", " "))
            rows.append(f"<tr><td>{t + 1}</td><td>{theme}</td><td>{bar} {prog:.0%}</td>"
                        f"<td>{' '.join(cells)}</td></tr>")
        return ('<table class="lsp-chains" style="font-size:0.85em;border-collapse:collapse">'
                "<tr><th>#</th><th>target theme</th><th>progress</th>"
                "<th>delivery chain (link strength 0-1; red: weakest now; underlined: weakest "
                "most often)</th></tr>" + "".join(rows) + "</table>")

    def layers_html(self) -> str:
        """Who sits in which of the three layers, and the meetings held this month."""
        m = self.base
        head = "".join(f"<th>{name} ({int(m.per_year[k])}/yr; {int(m.meetings[k])} this "
                       "month)</th>" for k, name in enumerate(LAYER_NAMES))
        rows = []
        for i in range(m.n_partners):
            cells = "".join(f'<td style="text-align:center">{"●" if s else "·"}</td>'
                            for s in m.seat_matrix[i])
            rows.append(f"<tr><td>{html.escape(m.partner_names[i])}</td>{cells}</tr>")
        return ('<table class="lsp-layers" style="font-size:0.85em">'
                f"<tr><th>partner</th>{head}</tr>" + "".join(rows) + "</table>")


class Blitter:
    """A figure whose static parts are drawn once; ``frame()`` draws only the moving artists
    over the cached background and returns the RGBA pixels.

    ``overlay`` artists do not change but must stay on top of the moving ones (network nodes
    and their names over the ties; legends over the lines). They are drawn once too, and their
    pixels pasted over each frame: text is what costs most to draw."""

    def __init__(self, fig: Figure, moving: list[Any], overlay: list[Any] = ()) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.moving = list(moving)
        self.overlay = list(overlay)
        self.parts: dict[str, Any] = {}
        for a in self.moving + self.overlay:
            a.set_animated(True)
        self._background = None
        self._overlay: tuple[np.ndarray, np.ndarray] | None = None

    def invalidate(self) -> None:
        self._background = None

    def _pixels(self) -> np.ndarray:
        return np.asarray(self.canvas.buffer_rgba()).copy()

    def frame(self) -> np.ndarray:
        renderer = None
        if self._background is None:
            self.canvas.draw()  # animated artists are left out of a full draw
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            renderer = self.canvas.get_renderer()
            if self.overlay:
                plain = self._pixels()
                for a in self.overlay:
                    a.draw(renderer)
                pixels = self._pixels()
                mask = (pixels != plain).any(axis=-1)
                height = mask.shape[0]
                for a in self.overlay:  # a legend's white box hides what is behind it
                    if isinstance(a, Legend):
                        box = a.get_window_extent(renderer)
                        y0, y1 = int(height - box.y1), int(np.ceil(height - box.y0))
                        mask[max(y0, 0):y1, max(int(box.x0), 0):int(np.ceil(box.x1))] = True
                self._overlay = (mask, pixels[mask])
        self.canvas.restore_region(self._background)
        renderer = renderer or self.canvas.get_renderer()
        for a in self.moving:
            a.draw(renderer)
        out = self._pixels()
        if self._overlay is not None:
            mask, pixels = self._overlay
            out[mask] = pixels
        return out


def to_png(rgba: np.ndarray, compress_level: int = 1) -> bytes:
    """PNG bytes, lightly compressed: the page is served from this machine, so speed matters
    more than size."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgba).save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()


def _release(*models: PartnershipModel | None) -> None:
    """Let replaced models be freed: Mesa 3.3 keeps every model alive through ``Agent._ids``
    unless it is released (a trainer's session builds hundreds: every Go back, what-if and
    debrief)."""
    for m in models:
        if m is not None:
            release(m)
