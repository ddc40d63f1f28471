"""Matplotlib figures shared by the CLI report, the app and the docs (Agg backend, no screen)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from lspsim import outcomes  # noqa: E402

KIND_COLOURS = {
    "unitary_council": "#1f4e79", "county_council": "#1f4e79", "district_council": "#5b9bd5",
    "police": "#2e2e2e", "health": "#2ca02c", "fire_rescue": "#d62728",
    "voluntary_community": "#ff7f0e", "business": "#9467bd", "jobcentre_plus": "#8c564b",
    "probation": "#7f7f7f", "housing": "#bcbd22",
}
TIER_MARKERS = {"area": "o", "county": "s", "district": "D"}


def _band(ax, ts: pd.DataFrame, column: str, label: str, colour: str) -> None:
    g = ts.groupby("month")[column]
    mean = g.mean()
    ax.plot(mean.index, mean.values, color=colour, label=label, lw=2)
    if ts["replication"].nunique() > 1:
        lo, hi = g.quantile(0.025), g.quantile(0.975)
        ax.fill_between(mean.index, lo.values, hi.values, color=colour, alpha=0.2, lw=0)


def dynamics_figure(ts: pd.DataFrame, title: str = "") -> Figure:
    """Trust, commitment, target progress and monitoring maturity over time (mean and the
    95% range of replications)."""
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), sharex=True)
    # Panels, lines, legends and colours: the outcome registry's.
    panels = [(head, [(o.name, o.legend, o.colour) for o in series])
              for head, series in outcomes.panels().items()]
    for ax, (name, lines) in zip(axes.flat, panels, strict=True):
        for col, label, colour in lines:
            _band(ax, ts, col, label, colour)
        ax.set_title(name, fontsize=11)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    for ax in axes[1]:
        ax.set_xlabel("month")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def target_figure(targets: pd.DataFrame, themes: list[str]) -> Figure:
    """Progress of each target (replication mean); 1 = met."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    mean = targets.groupby(["month", "target"])["progress"].mean().unstack()
    cmap = plt.get_cmap("tab10")
    for k in mean.columns:
        ax.plot(mean.index, mean[k], color=cmap(k % 10), lw=1.5,
                label=f"{k}: {themes[k].replace('_', ' ')}")
    ax.axhline(1.0, color="k", ls="--", lw=1)
    ax.set_xlabel("month")
    ax.set_ylabel(outcomes.get("progress", "target").label)
    ax.set_title("Progress of each target")
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def network_figure(ties: np.ndarray, trust: np.ndarray, names: list[str], kinds: list[str],
                   tiers: list[str], budgets: np.ndarray, threshold: float = 0.2,
                   ax=None, seed: int = 0) -> Figure:
    """The representatives' network: node size by budget, colour by kind, shape by tier, edge
    width by tie strength and edge colour by mutual trust."""
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 7))
    g = nx.Graph()
    n = len(names)
    g.add_nodes_from(range(n))
    iu = np.triu_indices(n, 1)
    strong = ties[iu] >= threshold
    for i, j in zip(iu[0][strong], iu[1][strong], strict=True):
        g.add_edge(int(i), int(j), weight=float(ties[i, j]),
                   trust=float(0.5 * (trust[i, j] + trust[j, i])))
    pos = nx.spring_layout(g, seed=seed, weight="weight")
    edges = list(g.edges(data=True))
    if edges:
        nx.draw_networkx_edges(g, pos, ax=ax, width=[0.5 + 3 * d["weight"] for *_, d in edges],
                               edge_color=[d["trust"] for *_, d in edges], edge_cmap=plt.cm.RdYlGn,
                               edge_vmin=0, edge_vmax=1, alpha=0.7)
    size = 80 + 900 * np.sqrt(budgets / max(budgets.max(), 1e-9))
    for tier, marker in TIER_MARKERS.items():
        idx = [i for i in range(n) if tiers[i] == tier]
        if idx:
            nx.draw_networkx_nodes(g, pos, nodelist=idx, ax=ax, node_shape=marker,
                                   node_size=size[idx],
                                   node_color=[KIND_COLOURS.get(kinds[i], "#999") for i in idx],
                                   edgecolors="white")
    if n <= 40:
        nx.draw_networkx_labels(g, pos, {i: names[i] for i in range(n)}, font_size=7, ax=ax)
    ax.set_title("Representatives' network (edge colour: mutual trust, red low, green high)",
                 fontsize=10)
    ax.axis("off")
    if fig is not None:
        fig.tight_layout()
    return fig or ax.figure


def stakes_figure(partners: pd.DataFrame) -> Figure:
    """Each partner's stakes beside what it gained."""
    fig, ax = plt.subplots(figsize=(9, 4.5))
    x = np.arange(len(partners))
    for dx, col in ((-0.27, "stake_in_success"), (0.0, "stake_in_failure"), (0.27, "gain")):
        ax.bar(x + dx, partners[col], 0.27, label=outcomes.partner_fact(col).label)
    ax.set_xticks(x, partners["name"], rotation=60, ha="right", fontsize=7)
    ax.set_ylim(0, 1)
    ax.set_title("Unequal stakes, unequal gains")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
