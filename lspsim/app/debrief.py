"""The debrief: the turning points of a run, in plain English, and questions to discuss.

Everything here is read from the run the trainer has in front of them: the largest falls and
rises of trust, the partners that held the delivery chains back most often, and the effect of
each event, measured as the difference from the same run (same seed, same random numbers: the
model keeps its draws when an event changes the levers) without that one event. The questions
come from the Audit Commission's (2009) recommendations, chosen by what happened in the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lspsim.mesa_bridge import release
from lspsim.model import PartnershipModel
from lspsim.results import replication_rng

WINDOW = 3  # months over which a fall or rise of trust is measured
NOTABLE = 0.02  # a change of trust smaller than this is not a turning point


@dataclass
class Debrief:
    month: int
    turning_points: list[str] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)
    event_effects: list[str] = field(default_factory=list)
    questions: list[tuple[str, str]] = field(default_factory=list)  # (recommendation, question)


# The report's recommendations (Audit Commission 2009, as summarised in the project's evidence
# notes), each with a question for members, and the key the run uses to pick it.
RECOMMENDATIONS: dict[str, tuple[str, str]] = {
    "challenge": (
        "Review, decide and challenge one another on performance and resource information.",
        "When a partner falls short of what it promised, how would our board find out, and "
        "who would challenge it, and how?"),
    "chains": (
        "Test arrangements with notable practice, the whole systems model and delivery chain "
        "analysis.",
        "In the chain where {weakest} was most often the weakest link, what would help it do "
        "its part: staff time, money, trust, or shared information?"),
    "monitor": (
        "Monitor achievement against the Sustainable Community Strategy and the Local Area "
        "Agreement.",
        "Which of our targets can we track with information every partner trusts, and who "
        "sees it?"),
    "layers": (
        "Support the three layers: strategic, executive and operational.",
        "Does each of our layers know what it decides and what information it needs?"),
    "members": (
        "Engage elected members through training and stronger scrutiny.",
        "How do our scrutiny members hold the partnership to account, and what training "
        "would help them?"),
    "costs": (
        "Critically assess the costs and benefits of joint working.",
        "What does joint working cost each partner in meetings and staff time, and what does "
        "it buy that we could not do alone?"),
}


def _window_changes(v: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """Change over each ``window`` months ending at month t (t >= window)."""
    v = np.asarray(v, dtype=float)
    if v.size <= window:
        return np.zeros(0)
    return v[window:] - v[:-window]


def _near_event(marks, start: int, end: int) -> str:
    near = [mk for mk in marks if start - 1 <= mk.month <= end and not mk.future]
    if not near:
        return ""
    mk = near[-1]
    return f", just after event {mk.number} ({mk.label}, month {mk.month})"


def _trust_in(model: PartnershipModel) -> np.ndarray:
    """(months + 1, n) the others' mean trust in each partner."""
    return model.partner_series()[:, 1, :]


def turning_points(model: PartnershipModel, marks) -> list[str]:
    s = model.series()["mean_trust"]
    ch = _window_changes(s)
    out = []
    if ch.size == 0:
        return out
    names = model.partner_names
    tin = _trust_in(model)
    for sign, word in ((-1, "fell"), (1, "rose")):
        k = int(np.argmin(ch) if sign < 0 else np.argmax(ch))
        if sign * ch[k] < NOTABLE:
            continue
        a, b = k, k + WINDOW
        who = tin[b] - tin[a]
        i = int(np.argmin(who) if sign < 0 else np.argmax(who))
        out.append(f"Trust {word} most between month {a} and month {b}, from {s[a]:.2f} to "
                   f"{s[b]:.2f}{_near_event(marks, a + 1, b)}. Trust in {names[i]} "
                   f"{word} most ({tin[a, i]:.2f} to {tin[b, i]:.2f}).")
    prog = model.series()["targets_met"]
    met = np.flatnonzero(prog > 0)
    k = len(model.progress)
    if met.size:
        out.append(f"The first target was met in month {int(met[0])}; by month "
                   f"{model.steps} {int(round(prog[-1] * k))} of {k} were met.")
    elif model.steps:
        out.append(f"No target has been met by month {model.steps}.")
    return out


def held_back(model: PartnershipModel) -> tuple[list[str], str | None]:
    """The partners that were the weakest link in the most chain-months, and why now."""
    counts = model.weakest_count  # (K, L)
    if not model.steps or counts.sum() == 0:
        return [], None
    per = np.zeros(model.n_partners)
    chains = model.chains
    valid = chains >= 0
    np.add.at(per, chains[valid], counts[valid])
    total = counts.sum()
    order = np.argsort(-per, kind="stable")[:2]
    effort = model.commitment * model.effective_capacity
    out = []
    for rank, i in enumerate(order):
        if per[i] == 0:
            continue
        why = ("it has little time or commitment to give" if effort[i] < effort.mean()
               else "trust, ties and shared information around it are weak")
        lead = "Most often holding the chains back" if rank == 0 else "Next"
        out.append(f"{lead}: {model.partner_names[i]}, the weakest link in {int(per[i])} of "
                   f"{int(total)} chain-months; now {why}.")
    return out, model.partner_names[int(order[0])]


def event_effects(model: PartnershipModel, base, events, seed: int, marks) -> list[str]:
    """For each event that has happened: this run against the same run (``base`` scenario,
    ``seed``) with every other event but that one."""
    from lspsim.events import with_events

    out = []
    now = model.steps
    s = model.series()
    k = len(model.progress)
    for mk, idx in zip(marks, _order(events), strict=True):
        if mk.future:
            continue
        others = [ev for j, ev in enumerate(events) if j != idx]
        alt = PartnershipModel(with_events(base, others) if others else base,
                               rng=replication_rng(seed, 0))
        for _ in range(now):
            alt.step()
        a = alt.series()
        d_trust = s["mean_trust"][-1] - a["mean_trust"][-1]
        d_comm = s["mean_commitment"][-1] - a["mean_commitment"][-1]
        met, met_alt = (int(round(x[-1] * k)) for x in (s["targets_met"], a["targets_met"]))
        tin, tin_alt = _trust_in(model)[-1], _trust_in(alt)[-1]
        release(alt)  # Mesa 3.3 would keep it alive
        i = int(np.argmax(np.abs(tin - tin_alt)))
        out.append(
            f"Event {mk.number} ({mk.label}, month {mk.month}): by month {now}, trust "
            f"{s['mean_trust'][-1]:.2f} against {a['mean_trust'][-1]:.2f} without it "
            f"({d_trust:+.2f}); commitment {s['mean_commitment'][-1]:.2f} against "
            f"{a['mean_commitment'][-1]:.2f} ({d_comm:+.2f}); {met} targets met against "
            f"{met_alt}; trust in {model.partner_names[i]} changed most ({tin[i]:.2f} "
            f"against {tin_alt[i]:.2f}).")
    return out


def _order(events) -> list[int]:
    return sorted(range(len(events)), key=lambda k: (events[k].month, k))


def questions(model: PartnershipModel, points: list[str], weakest: str | None,
              events, limit: int = 4) -> list[tuple[str, str]]:
    """Discussion questions from the report's recommendations, the ones this run points to
    first."""
    sc = model.scenario
    s = model.series()
    chosen: list[str] = []
    fell = any(p.startswith("Trust fell") for p in points)
    breach = any("breach" in (ev.label or "").lower() for ev in events)
    if fell or breach:
        chosen.append("challenge")
    if weakest:
        chosen.append("chains")
    if s["monitoring_maturity"][-1] < 0.5 or not sc.monitoring.common_data_standards:
        chosen.append("monitor")
    if sc.layers.clarity < 0.6:
        chosen.append("layers")
    if sc.scrutiny.member_engagement < 0.5 or sc.scrutiny.member_training < 0.5:
        chosen.append("members")
    for key in RECOMMENDATIONS:  # fill up in the report's order
        if key not in chosen:
            chosen.append(key)
    out = []
    for key in chosen[:limit]:
        rec, q = RECOMMENDATIONS[key]
        out.append((rec, q.format(weakest=weakest or "a partner")))
    return out


def debrief(run) -> Debrief:
    """The debrief of an ``AppRun`` at its current month."""
    model = run.base
    marks = run.event_marks()
    points = turning_points(model, marks)
    held, weakest = held_back(model)
    effects = event_effects(model, run.scenario, run.fired, run.seed, marks)
    return Debrief(run.month, points, held, effects,
                   questions(model, points, weakest, run.fired))
