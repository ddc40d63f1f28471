"""Plain-English captions for elected members, generated from the model's state.

Each sentence reads a number the charts also show, so a caption can never say something the
model did not do. "Why" sentences name the mechanism the model uses (docs/ODD.md), not a guess.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lspsim import outcomes
from lspsim.app.controls import control_spec, fmt
from lspsim.model import PartnershipModel

# What the comparison reports, in order; the words are the outcome registry's labels.
OUTCOMES: dict[str, str] = {
    name: outcomes.get(name).label
    for name in ("targets_met", "mean_target_progress", "mean_trust", "mean_commitment",
                 "monitoring_maturity")}
# Changes smaller than this (on a 0-1 scale) are called "about the same".
STEADY = 0.01


def month(model: PartnershipModel) -> int:
    return int(getattr(model, "time", model.steps))


def trend(values: np.ndarray, window: int = 6) -> float:
    """Change over the last ``window`` months (0 before anything has happened)."""
    v = values[np.isfinite(values)]
    if v.size < 2:
        return 0.0
    return float(v[-1] - v[max(0, v.size - 1 - window)])


def direction(change: float, up: str = "rising", down: str = "falling",
              flat: str = "steady") -> str:
    if change > STEADY:
        return up
    if change < -STEADY:
        return down
    return flat


def weakest_partner(model: PartnershipModel) -> tuple[int, int] | None:
    """The partner whose link is weakest in the most delivery chains this month, and in how
    many chains; None before the first month."""
    link = model.link
    if not np.isfinite(link).any():
        return None
    finite = np.where(np.isfinite(link), link, np.inf)
    j = finite.argmin(axis=1)
    who = model.chains[np.arange(len(j)), j]
    counts = np.bincount(who[who >= 0], minlength=model.n_partners)
    i = int(counts.argmax())
    return i, int(counts[i])


def caption(model: PartnershipModel) -> list[str]:
    """A few short sentences on what is happening and why, for the current month."""
    s = model.series()
    m = month(model)
    k = len(model.progress)
    met = int((model.progress >= 1.0).sum())
    if m == 0:
        return [
            f"Month 0: {model.n_partners} partners are about to start working together on "
            f"{k} shared targets. Press Step to move on one month, or Play.",
            f"They start with trust of {s['mean_trust'][-1]:.2f} and commitment of "
            f"{s['mean_commitment'][-1]:.2f} (both on a scale of 0 to 1).",
        ]
    out = [f"Month {m} of {model.scenario.months}: {met} of {k} targets met; average progress "
           f"{s['mean_target_progress'][-1]:.0%}."]
    rnd = s["laa_round"][-1]
    if np.isfinite(rnd) and (rnd > 1 or m > model.scenario.delivery.round_months / 2):
        # LAA rounds (mechanisms.laa_rounds): targets are agreed for a round, then renewed
        out[0] = (f"Month {m} of {model.scenario.months}, agreement round {int(rnd)}: {met} of "
                  f"{k} of this round's targets met; average progress "
                  f"{s['mean_target_progress'][-1]:.0%}.")

    dt = trend(s["mean_trust"])
    why = {
        "rising": "partners see each other keep their promises and their shared targets "
                  "move, and say so to each other",
        "falling": "partners see others fall short of what they promised or shared targets "
                   "slip behind, or see the agenda leave their own priorities out",
        "steady": "kept and broken promises roughly balance",
    }[direction(dt)]
    span = "six months" if m >= 6 else ("the first month" if m == 1 else f"{m} months")
    out.append(f"Trust is {direction(dt)} ({s['mean_trust'][-1]:.2f}, {dt:+.2f} over {span})"
               f" because {why}.")

    st, ns = s["commitment_statutory"][-1], s["commitment_non_statutory"][-1]
    dc = trend(s["mean_commitment"])
    line = (f"Commitment is {direction(dc)} ({s['mean_commitment'][-1]:.2f}): partners match "
            "what they expect of the others and what they gain from joint targets that serve "
            "their priorities, more when they have seen the targets go well, and no more than "
            "the time meetings leave them.")
    if np.isfinite(st) and np.isfinite(ns) and abs(st - ns) > 0.05:
        more, less = ("statutory bodies", "voluntary and business partners") if st > ns else (
            "voluntary and business partners", "statutory bodies")
        line += f" The {more} commit more ({max(st, ns):.2f}) than the {less} ({min(st, ns):.2f})."
    out.append(line)

    wp = weakest_partner(model)
    if wp is not None and wp[1] > 0:
        i, count = wp
        effort = model.commitment[i] * model.effective_capacity[i]
        mean_effort = float((model.commitment * model.effective_capacity).mean())
        reason = ("it has little time or commitment to give" if effort < mean_effort
                  else "trust, ties and shared information around it are weak")
        out.append(f"The weakest link in {count} of {k} delivery chains this month is "
                   f"{model.partner_names[i]}: {reason}. A chain moves only as fast as its "
                   "weakest link.")

    mat = s["monitoring_maturity"][-1]
    out.append(f"Shared performance monitoring is at {mat:.2f} of 1"
               + (": partners can see who keeps promises, so trust rests on evidence."
                  if mat >= 0.5 else ": partners see each other's work only dimly, so "
                  "misunderstandings about who did what are common."))
    return out


def describe_changes(changes: dict[str, tuple[Any, Any]]) -> str:
    """``{path: (baseline, what-if)}`` as words: 'the chair's leadership style directive
    instead of facilitative'."""
    parts = []
    for path, (old, new) in changes.items():
        label = control_spec(path).label if path in _known() else path
        parts.append(f"{label[0].lower()}{label[1:]} {fmt(new)} instead of {fmt(old)}")
    return "; ".join(parts) if parts else "no levers changed"


def _known() -> set[str]:
    from lspsim.app.controls import MAIN_LEVERS

    return set(MAIN_LEVERS)


def compare_words(base: PartnershipModel, alt: PartnershipModel,
                  changes: dict[str, tuple[Any, Any]]) -> list[str]:
    """The difference in outcomes between two runs stepped in step, in words."""
    m = month(base)
    head = f"What-if: {describe_changes(changes)}. Same scenario, same seed."
    if m == 0:
        return [head, "Both runs are at month 0. Press Step or Play to see them diverge."]
    sb, sa = base.series(), alt.series()
    k_b, k_a = len(base.progress), len(alt.progress)
    met_b, met_a = int((base.progress >= 1).sum()), int((alt.progress >= 1).sum())
    lines = [head]
    if k_b == k_a:
        d = met_a - met_b
        lines.append(f"After {m} months the what-if has met {met_a} of {k_a} targets, "
                     + ("the same as this partnership." if d == 0 else
                        f"{abs(d)} {'more' if d > 0 else 'fewer'} than this partnership "
                        f"({met_b})."))
    else:
        lines.append(f"After {m} months the what-if has met {met_a} of {k_a} targets; this "
                     f"partnership {met_b} of {k_b}.")
    for key, words in OUTCOMES.items():
        if key == "targets_met":
            continue
        b, a = float(sb[key][-1]), float(sa[key][-1])
        diff = a - b
        lines.append(f"{words.capitalize()}: {direction(diff, 'higher', 'lower', 'about the same')}"
                     f" in the what-if ({a:.2f} against {b:.2f}).")
    return lines


def outcome_table(base: PartnershipModel, alt: PartnershipModel | None) -> list[dict[str, Any]]:
    """Rows for the comparison table: outcome, this run, the what-if, difference."""
    rows = []
    for key, words in OUTCOMES.items():
        b = float(base.series()[key][-1])
        row: dict[str, Any] = {"outcome": words, "this partnership": round(b, 3)}
        if alt is not None:
            a = float(alt.series()[key][-1])
            d = round(a - b, 3)
            row.update({"what-if": round(a, 3), "difference": f"{d:+.3f}" if d else "0"})
        rows.append(row)
    return rows
