"""Pricing a run: the costs and benefits of joint working, per partner, category and month.

``monetise(flows, params, choices)`` is vectorised over S sets of assumption values: ``params``
maps every quantity path to an array of shape (S,), so the central case (S = 1), a Monte Carlo
(S = thousands), a tornado and a switching-value search all use the same code.

Costs (all times 1 + optimism bias; incurred only during the simulated months):
  meetings_<layer>   seats x meetings held x hours x people per seat x hourly cost, per layer,
                     times the model's layer-confusion factor on the time a meeting takes;
  meetings_duplicated  district meetings county-wide partners also attend in two-tier areas
                     (the model's ``extra_meetings``), at the meeting-weighted mean hours;
  coordination       the model's coordination share of each partner's capacity x team cost;
  support_team       FTE x cost per FTE, shared by the ``paid_by`` rule;
  monitoring         one-off investment (x scenario monitoring.investment) and common data
                     standards in month 1, running cost (x investment) monthly, by ``paid_by``;
  pooled_admin       the pooled pot (model budgets x pooled_share) x admin rate, by contributor.
Benefits:
  progress           progress made on each target x its theme's value x scale x additionality;
  targets_met        the month a target is met: its theme's value x scale x additionality;
  avoided_costs      each month a target stands met, and for ``benefit_persistence`` years after
                     the run for targets met at its end: avoided cost x scale x additionality;
  efficiency         aligned mainstream spend (model) x efficiency rate x the model's
                     allocation efficiency (the share of aligned money steered well).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lspsim.appraisal import money
from lspsim.appraisal.assumptions import LAYERS, AppraisalAssumptions
from lspsim.appraisal.flows import COST_LAYERS, Flows
from lspsim.scenario import PARTNER_KINDS, THEMES

COST_CATEGORIES = tuple(f"meetings_{layer}" for layer in COST_LAYERS) + (
    "coordination", "support_team", "monitoring", "pooled_admin")
BENEFIT_CATEGORIES = ("progress", "targets_met", "avoided_costs", "efficiency")
CHOICES = ("discounting.timing", "support_team.paid_by", "monitoring.paid_by",
           "benefits.attribution")

Params = dict[str, np.ndarray]


def central_params(a: AppraisalAssumptions) -> Params:
    return {p: np.array([v], dtype=float) for p, v in a.central().items()}


def choices_of(a: AppraisalAssumptions) -> dict[str, str]:
    return {p: a.choice(p) for p in CHOICES}


@dataclass
class Money:
    """Priced flows for S assumption sets: present values by category and partner, and the
    monthly totals behind them."""

    cost_pv: dict[str, np.ndarray]       # category -> (S, n) GBP
    benefit_pv: dict[str, np.ndarray]    # category -> (S, n) GBP
    discount: np.ndarray                 # (S, H) discount factors
    cost_monthly: dict[str, np.ndarray]  # category -> (S, H) undiscounted GBP, all partners
    benefit_monthly: dict[str, np.ndarray]
    by_partner_monthly: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def pv_costs(self) -> np.ndarray:
        return sum(v.sum(axis=1) for v in self.cost_pv.values())

    @property
    def pv_benefits(self) -> np.ndarray:
        return sum(v.sum(axis=1) for v in self.benefit_pv.values())

    @property
    def npsv(self) -> np.ndarray:
        return money.npsv(self.pv_benefits, self.pv_costs)

    @property
    def bcr(self) -> np.ndarray:
        return money.bcr(self.pv_benefits, self.pv_costs)

    @property
    def discounted_net_monthly(self) -> np.ndarray:
        net = (sum(self.benefit_monthly.values()) - sum(self.cost_monthly.values()))
        return net * self.discount

    @property
    def payback_months(self) -> np.ndarray:
        return money.discounted_payback(self.discounted_net_monthly)


def _col(params: Params, path: str) -> np.ndarray:
    return np.asarray(params[path], dtype=float)[:, None]


def _table(params: Params, prefix: str, keys: tuple[str, ...]) -> np.ndarray:
    return np.stack([np.asarray(params[f"{prefix}.{k}"], dtype=float) for k in keys], axis=1)


def cost_shares(flows: Flows, rule: str) -> np.ndarray:
    """(n,) who pays a shared cost: the councils by budget, every partner by budget, or equal."""
    n = flows.n_partners
    if rule == "equal":
        return np.full(n, 1.0 / n)
    w = flows.budget * (flows.is_council if rule == "councils" else 1.0)
    if w.sum() <= 0:
        w = np.ones(n)
    return w / w.sum()


def attribution(flows: Flows, rule: str, stake: np.ndarray) -> np.ndarray:
    """(K, n) each target's benefit split between partners; rows sum to 1."""
    k, n = flows.relevance.shape
    if rule == "equal":
        return np.full((k, n), 1.0 / n)
    chain = flows.chain_member / np.maximum(flows.chain_member.sum(axis=1, keepdims=True), 1.0)
    if rule == "chain":
        return chain
    w = flows.relevance * stake[None, :]
    tot = w.sum(axis=1, keepdims=True)
    return np.where(tot > 0, w / np.where(tot > 0, tot, 1.0), chain)


def horizon_months(flows: Flows, params: Params) -> int:
    extra = float(np.max(params["horizon.benefit_persistence"])) * 12.0
    return flows.months + int(np.ceil(extra - 1e-9))


@dataclass
class Term:
    """One separable piece of a category's flows: flow[s, i, m] = sum_k coef[s, k] who[k, i]
    when[k, m] (``when`` may instead be (S, H): the same timing for every k but per sample).
    Pricing in this form needs matrix products only, never (S, n, H) arrays."""

    coef: np.ndarray   # (S, K) GBP per unit
    who: np.ndarray    # (K, n) split between partners
    when: np.ndarray   # (K, H) or (S, H) units per month
    per_sample_timing: bool = False

    def pv(self, discount: np.ndarray) -> np.ndarray:           # (S, n)
        if self.per_sample_timing:
            td = (self.when * discount).sum(axis=1)             # (S,)
            return (self.coef * td[:, None]) @ self.who
        td = self.when @ discount.T                             # (K, S)
        return (self.coef * td.T) @ self.who

    def monthly(self) -> np.ndarray:                            # (S, H) all partners
        share = self.who.sum(axis=1)                            # (K,)
        if self.per_sample_timing:
            return (self.coef @ share)[:, None] * self.when
        return (self.coef * share) @ self.when

    def detail(self) -> np.ndarray:                             # (S, n, H)
        if self.per_sample_timing:
            return np.einsum("sk,ki,sm->sim", self.coef, self.who, self.when)
        return np.einsum("sk,ki,km->sim", self.coef, self.who, self.when)


def terms(flows: Flows, params: Params, choices: dict[str, str],
          h: int) -> dict[str, list[Term]]:
    """Every cost and benefit category of one run as separable terms over a horizon of h
    months (see the module docstring for what each category is)."""
    n, m_run = flows.n_partners, flows.months
    s = np.asarray(params["discounting.rate"]).shape[0]
    in_run = np.zeros((1, h))
    in_run[0, :m_run] = 1.0
    one_off = np.zeros((1, h))
    one_off[0, 0] = 1.0
    eye = np.eye(n)

    def pad(a: np.ndarray) -> np.ndarray:  # (..., M) -> (..., H) with zeros after the run
        out = np.zeros(a.shape[:-1] + (h,))
        out[..., :m_run] = a
        return out

    uplift = 1.0 + _col(params, "costs.optimism_bias")              # (S, 1)
    out: dict[str, list[Term]] = {}

    # Meetings, per layer and duplicated district meetings: partner i's cost per seat-meeting.
    kind_idx = np.array([PARTNER_KINDS.index(k) for k in flows.kinds])
    rate = (_table(params, "meetings.hourly_cost", PARTNER_KINDS)[:, kind_idx]
            * _col(params, "meetings.hourly_cost_scale"))            # (S, n) GBP/hour
    hp = (_table(params, "meetings.hours", LAYERS)
          * _table(params, "meetings.people_per_seat", LAYERS))      # (S, 3) person-hours/seat
    w = flows.per_year / flows.per_year.sum()
    hp = np.concatenate([hp, (hp * w).sum(axis=1, keepdims=True)], axis=1)  # (S, 4)
    seat_meetings = pad(flows.seat_meetings)                         # (4, n, H)
    for j, layer in enumerate(COST_LAYERS):
        out[f"meetings_{layer}"] = [Term(hp[:, j:j + 1] * rate * uplift, eye, seat_meetings[j])]

    # Coordination, support team, monitoring, pooled pot.
    out["coordination"] = [Term(_col(params, "coordination.team_cost") * uplift,
                                flows.coordination_teams[None, :] / 12.0, in_run)]
    support = _col(params, "support_team.fte") * _col(params, "support_team.cost_per_fte")
    out["support_team"] = [Term(support * uplift,
                                cost_shares(flows, choices["support_team.paid_by"])[None] / 12.0,
                                in_run)]
    inv = flows.monitoring_investment
    mon_share = cost_shares(flows, choices["monitoring.paid_by"])[None]
    up_front = (_col(params, "monitoring.investment_at_full") * inv
                + _col(params, "monitoring.standards_adoption") * flows.common_data_standards)
    out["monitoring"] = [
        Term(up_front * uplift, mon_share, one_off),
        Term(_col(params, "monitoring.running_at_full") * inv * uplift, mon_share / 12.0, in_run),
    ]
    out["pooled_admin"] = [Term(_col(params, "pooled_budget.admin_rate") * uplift,
                                flows.pooled[None, :] * 1e6 / 12.0, in_run)]

    # Benefits.
    rule = choices["benefits.attribution"]
    w_succ = attribution(flows, rule, flows.stake_in_success)        # (K, n)
    w_fail = attribution(flows, rule, flows.stake_in_failure)
    common = _col(params, "benefits.outcome_value_scale") * _col(params, "benefits.additionality")
    theme = flows.target_theme

    def per_target(prefix: str) -> np.ndarray:                       # (S, K)
        return _table(params, prefix, THEMES)[:, theme] * common

    out["progress"] = [Term(per_target("benefits.progress_value"), w_succ,
                            pad(flows.progress_gain))]
    out["targets_met"] = [Term(per_target("benefits.target_met_value"), w_succ,
                               pad(flows.met_event))]
    # Avoided costs: while met in the run, then for the persistence years after it for targets
    # met at its end (a fractional last month counts in proportion, so NPSV is continuous).
    avoided = per_target("benefits.avoided_cost") / 12.0
    after = np.zeros((s, h))
    months_after = np.arange(h - m_run, dtype=float)[None, :]
    after[:, m_run:] = np.clip(_col(params, "horizon.benefit_persistence") * 12.0
                               - months_after, 0.0, 1.0)
    out["avoided_costs"] = [Term(avoided, w_fail, pad(flows.met)),
                            Term(avoided * flows.met[:, -1][None, :], w_fail, after,
                                 per_sample_timing=True)]
    out["efficiency"] = [Term(_col(params, "benefits.efficiency_rate")
                              * flows.allocation_efficiency * np.ones((s, n)),
                              eye * 1e6 / 12.0, pad(flows.aligned))]
    return out


def monetise(flows: Flows, params: Params, choices: dict[str, str],
             detail: bool = False, horizon: int | None = None) -> Money:
    """Price one run's flows under S assumption sets (every ``params`` value has shape (S,)).
    ``detail`` keeps (S, n, H) monthly flows per partner and category (for tables; S small)."""
    h = horizon if horizon is not None else horizon_months(flows, params)
    discount = money.monthly_discount_factors(
        h, _col(params, "discounting.rate"), _col(params, "discounting.long_term_rate"),
        _col(params, "discounting.long_term_after"), choices["discounting.timing"])
    cost_pv, benefit_pv, cost_m, benefit_m, by_partner = {}, {}, {}, {}, {}
    for cat, parts in terms(flows, params, choices, h).items():
        pv = sum(t.pv(discount) for t in parts)
        total = sum(t.monthly() for t in parts)
        if cat in BENEFIT_CATEGORIES:
            benefit_pv[cat], benefit_m[cat] = pv, total
        else:
            cost_pv[cat], cost_m[cat] = pv, total
        if detail:
            by_partner[cat] = sum(t.detail() for t in parts)
    return Money(cost_pv, benefit_pv, discount, cost_m, benefit_m, by_partner)


def npsv_over_reps(flows_list: list[Flows], params: Params, choices: dict[str, str],
                   chunk: int = 512) -> dict[str, np.ndarray]:
    """(S, R) PV of costs and benefits, NPSV and payback for every assumption set and run."""
    s = np.asarray(params["discounting.rate"]).shape[0]
    r = len(flows_list)
    out = {k: np.empty((s, r)) for k in ("pv_costs", "pv_benefits", "payback_months")}
    for j, fl in enumerate(flows_list):
        for lo in range(0, s, chunk):
            part = {p: np.asarray(v)[lo:lo + chunk] for p, v in params.items()}
            mny = monetise(fl, part, choices)
            out["pv_costs"][lo:lo + chunk, j] = mny.pv_costs
            out["pv_benefits"][lo:lo + chunk, j] = mny.pv_benefits
            out["payback_months"][lo:lo + chunk, j] = mny.payback_months
    out["npsv"] = out["pv_benefits"] - out["pv_costs"]
    return out
