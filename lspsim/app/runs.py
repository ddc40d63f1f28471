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

from lspsim.mechanisms.layers import LAYER_NAMES
from lspsim.model import PartnershipModel
from lspsim.plots import KIND_COLOURS, TIER_MARKERS
from lspsim.results import replication_rng
from lspsim.scenario import Scenario

# The four panels of the time-series chart: title -> [(series, label, colour)].
PANELS: dict[str, list[tuple[str, str, str]]] = {
    "Trust between partners": [("mean_trust", "all partners", "#1f77b4"),
                               ("trust_in_council_non_statutory", "non-statutory in council",
                                "#ff7f0e")],
    "Commitment to joint priorities": [("commitment_statutory", "statutory", "#1f4e79"),
                                       ("commitment_non_statutory", "non-statutory", "#ff7f0e")],
    "Targets": [("mean_target_progress", "average progress", "#2ca02c"),
                ("targets_met", "share met", "#d62728")],
    "Monitoring and networks": [("monitoring_maturity", "monitoring maturity", "#8c564b"),
                                ("network_density", "network density", "#9467bd")],
}
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
    """A partnership (and optionally a what-if of it) stepping month by month in step.

    Both runs use the same seed: replication 0 of ``seed``, exactly as
    ``lspsim run SCENARIO --seed SEED`` runs it, so what the app shows can be reproduced.
    """

    def __init__(self, scenario: Scenario, seed: int, whatif: Scenario | None = None,
                 changes: dict[str, tuple[Any, Any]] | None = None) -> None:
        self.seed = seed
        self.base = PartnershipModel(scenario, rng=replication_rng(seed, 0))
        self.alt = (PartnershipModel(whatif, rng=replication_rng(seed, 0))
                    if whatif is not None else None)
        self.changes = changes or {}
        self.pos = layout(self.base, seed)
        self._net: Blitter | None = None
        self._ser: Blitter | None = None
        self._lock = threading.RLock()

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
        self.base.step()
        if self.alt is not None:
            self.alt.step()

    # ------------------------------------------------------------------ charts
    # Each chart is built once per reset. Axes, ticks, labels and legends are drawn once into a
    # cached background; each month only the moving parts (lines, edges, nodes, the title)
    # are drawn over it ("blitting"). Redrawing the text each month would cost four times more.
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
