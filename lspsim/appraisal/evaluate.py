"""Pricing a run: the costs and benefits of joint working, per partner or beneficiary, category
and month. Each outcome is valued once, and each pound appears once.

``monetise(flows, params, choices)`` is vectorised over S sets of assumption values: ``params``
maps every quantity path to an array of shape (S,), so the central case (S = 1), a Monte Carlo
(S = thousands), a tornado and a switching-value search all use the same code.

Costs (all times 1 + optimism bias), by the partner that bears them:
  meetings_<layer>   seats x meetings held x hours x people per seat x hourly cost, per layer,
                     times the model's layer-confusion factor on the time a meeting takes;
  meetings_duplicated  district meetings county-wide partners also attend in two-tier areas
                     (the model's ``extra_meetings``), at the meeting-weighted mean hours;
  coordination       the model's coordination share of each partner's capacity x team cost;
  support_team       FTE x cost per FTE, shared by the ``paid_by`` rule;
  monitoring         running cost x scenario monitoring.investment, by ``paid_by``;
  pooled_admin       the pooled pot x the *net* extra administration rate of pooling;
  transition         one-off, in year 0, only against a do-minimum: each partner's officer hours
                     to redesign the layers per unit rise in clarity, the shared system's
                     investment for the rise in monitoring.investment, and adopting common
                     data standards when the do-minimum has none.
Running costs continue after the simulated period, at the last simulated year's level times
``horizon.continuing_cost_share``, for as long as outcomes are still counted.

Benefits: one valuation of each outcome. A target's progress (the model's, capped at 1) is the
share of its outcome achieved, and a renewed round's target adds to what the earlier rounds'
targets achieved (``flows.achieved_outcome``); each month achieved gives ``units/12`` outcome
units, valued per
unit as fiscal (cashable and non-cashable, to the theme's agency), economic (to residents) and
wellbeing (WELLBYs x the WELLBY value, to residents). Outcomes achieved by the end of the run are
counted for ``benefit_persistence`` years more. Pooled and aligned money is redirected, not new:
it buys the progress that is valued, so it is neither a cost nor a separate benefit.

Counterfactual: ``counterfactual="assumed"`` (an arrangement against no partnership) nets off
deadweight, leakage, displacement and substitution; ``"simulated"`` (an option against a
do-minimum run through the model) nets off only leakage, displacement and substitution, since
the model itself simulates what would have happened anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lspsim.appraisal import money
from lspsim.appraisal.assumptions import AGENCIES, LAYERS, AppraisalAssumptions
from lspsim.appraisal.flows import COST_LAYERS, Flows
from lspsim.scenario import PARTNER_KINDS, THEMES

RUNNING_CATEGORIES = tuple(f"meetings_{layer}" for layer in COST_LAYERS) + (
    "coordination", "support_team", "monitoring", "pooled_admin")
COST_CATEGORIES = RUNNING_CATEGORIES + ("transition",)
BENEFIT_CATEGORIES = ("fiscal_cashable", "fiscal_non_cashable", "economic", "social")
BENEFICIARIES = AGENCIES + ("residents",)
RESIDENTS = BENEFICIARIES.index("residents")
# Partners whose costs are not public spending (their time is still a social cost).
NON_PUBLIC_KINDS = ("voluntary_community", "business")
COUNTERFACTUALS = ("assumed", "simulated")
CHOICES = ("discounting.timing", "discounting.wellbeing_schedule", "support_team.paid_by",
           "monitoring.paid_by", "distribution.weighting") + tuple(
               f"outcomes.agency.{t}" for t in THEMES)

Params = dict[str, np.ndarray]
# The headline schedule of every flow: "standard", or "lower_rate_test" as a sensitivity (a rule
# passed in ``choices``, not an assumption, since the Green Book fixes the headline schedule).
SCHEDULE_CHOICE = "discounting.schedule"


def central_params(a: AppraisalAssumptions) -> Params:
    return {p: np.array([v], dtype=float) for p, v in a.central().items()}


def choices_of(a: AppraisalAssumptions) -> dict[str, str]:
    return {p: a.choice(p) for p in CHOICES}


@dataclass
class Money:
    """Priced flows for S assumption sets: present values by category (costs by partner,
    benefits by beneficiary) and the monthly totals behind them."""

    cost_pv: dict[str, np.ndarray]       # category -> (S, n) GBP by partner
    benefit_pv: dict[str, np.ndarray]    # category -> (S, B) GBP by beneficiary
    discount: np.ndarray                 # (S, H) discount factors
    cost_monthly: dict[str, np.ndarray]  # category -> (S, H) undiscounted GBP, all partners
    benefit_monthly: dict[str, np.ndarray]
    public: np.ndarray = field(default_factory=lambda: np.zeros(0, bool), repr=False)  # (n,)
    detail: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # (S, n|B, H)
    # (S, H) factors for residents' wellbeing (social) benefits, when on another schedule.
    social_discount: np.ndarray | None = field(default=None, repr=False)

    @property
    def pv_costs(self) -> np.ndarray:
        return sum(v.sum(axis=1) for v in self.cost_pv.values())

    @property
    def pv_benefits(self) -> np.ndarray:
        return sum(v.sum(axis=1) for v in self.benefit_pv.values())

    @property
    def pv_public_costs(self) -> np.ndarray:
        """PV of the costs public bodies bear (voluntary and business time excluded)."""
        return sum(v[:, self.public].sum(axis=1) for v in self.cost_pv.values())

    @property
    def pv_fiscal(self) -> np.ndarray:
        return (self.benefit_pv["fiscal_cashable"].sum(axis=1)
                + self.benefit_pv["fiscal_non_cashable"].sum(axis=1))

    @property
    def pv_cashable(self) -> np.ndarray:
        return self.benefit_pv["fiscal_cashable"].sum(axis=1)

    @property
    def npsv(self) -> np.ndarray:
        return money.npsv(self.pv_benefits, self.pv_costs)

    @property
    def bcr(self) -> np.ndarray:
        return money.bcr(self.pv_benefits, self.pv_costs)

    @property
    def discounted_net_monthly(self) -> np.ndarray:
        social = self.discount if self.social_discount is None else self.social_discount
        out = -sum(self.cost_monthly.values()) * self.discount
        for cat, flow in self.benefit_monthly.items():
            out = out + flow * (social if cat == "social" else self.discount)
        return out

    @property
    def payback_months(self) -> np.ndarray:
        return money.discounted_payback(self.discounted_net_monthly)


def n_draws(params: Params) -> int:
    """S, the number of assumption sets in ``params``."""
    return int(np.asarray(next(iter(params.values()))).shape[0])


def schedule_rates(params: Params, schedule: str) -> list[np.ndarray]:
    """(S, 1) rates of each band of a discount schedule ("standard", "health",
    "lower_rate_test")."""
    return [_col(params, f"discounting.{schedule}.{b}") for b in money.BANDS]


def discount_factors(params: Params, choices: dict[str, str], h: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(S, h) discount factors for every flow, and for residents' wellbeing benefits (the
    health schedule when ``discounting.wellbeing_schedule`` is "health")."""
    timing = choices["discounting.timing"]
    main = choices.get(SCHEDULE_CHOICE, "standard")
    d = money.monthly_discount_factors(h, schedule_rates(params, main), timing)
    d = np.broadcast_to(d, (n_draws(params), h))
    if choices.get("discounting.wellbeing_schedule", "standard") != "health":
        return d, d
    w = money.monthly_discount_factors(h, schedule_rates(params, "health"), timing)
    return d, np.broadcast_to(w, (n_draws(params), h))


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

    def detail_sums(self, discount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(n, H) flows summed over the S draws, undiscounted and discounted: the expected
        flows without building (S, n, H) arrays (the terms are linear in coef)."""
        if self.per_sample_timing:
            und = self.coef.T @ self.when                       # (K, H)
            dis = self.coef.T @ (self.when * discount)
        else:
            und = self.coef.sum(axis=0)[:, None] * self.when
            dis = (self.coef.T @ discount) * self.when
        return self.who.T @ und, self.who.T @ dis

    def detail(self) -> np.ndarray:                             # (S, n, H)
        if self.per_sample_timing:
            return np.einsum("sk,ki,sm->sim", self.coef, self.who, self.when)
        return np.einsum("sk,ki,km->sim", self.coef, self.who, self.when)


def additionality_factor(params: Params, counterfactual: str) -> np.ndarray:
    """(S, 1) share of a gross outcome that is net additional (HCA Additionality Guide 2014):
    (1 - leakage)(1 - displacement)(1 - substitution), times (1 - deadweight) only when the
    counterfactual is assumed rather than simulated."""
    if counterfactual not in COUNTERFACTUALS:
        raise ValueError(f"counterfactual must be one of {COUNTERFACTUALS}")
    f = ((1.0 - _col(params, "additionality.leakage"))
         * (1.0 - _col(params, "additionality.displacement"))
         * (1.0 - _col(params, "additionality.substitution")))
    if counterfactual == "assumed":
        f = f * (1.0 - _col(params, "additionality.deadweight"))
    return f


def distributional_weight(params: Params, choices: dict[str, str]) -> np.ndarray:
    """(S, 1) weight on residents' benefits: (area income / UK median)^-elasticity when
    weighting is on (Green Book Annex A3), else 1."""
    if choices.get("distribution.weighting", "off") != "on":
        return np.ones((n_draws(params), 1))
    return np.power(_col(params, "distribution.area_income_ratio"),
                    -_col(params, "distribution.elasticity"))


def terms(flows: Flows, params: Params, choices: dict[str, str], h: int,
          counterfactual: str = "assumed",
          baseline: Flows | None = None) -> dict[str, list[Term]]:
    """Every cost and benefit category of one run as separable terms over a horizon of h
    months (see the module docstring). ``baseline``: the do-minimum's run, against which the
    transition costs are counted (none without it)."""
    n, m_run = flows.n_partners, flows.months
    s = n_draws(params)
    in_run = np.zeros((1, h))
    in_run[0, :m_run] = 1.0
    one_off = np.zeros((1, h))
    one_off[0, 0] = 1.0
    eye = np.eye(n)

    def pad(a: np.ndarray) -> np.ndarray:  # (..., M) -> (..., H) with zeros after the run
        out = np.zeros(a.shape[:-1] + (h,))
        out[..., :m_run] = a
        return out

    # Months after the run still counted (a fractional last month in proportion, so NPSV is
    # continuous in the persistence).
    after = np.zeros((s, h))
    months_after = np.arange(h - m_run, dtype=float)[None, :]
    after[:, m_run:] = np.clip(_col(params, "horizon.benefit_persistence") * 12.0
                               - months_after, 0.0, 1.0)

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

    out["coordination"] = [Term(_col(params, "coordination.team_cost") * uplift,
                                flows.coordination_teams[None, :] / 12.0, in_run)]
    support = _col(params, "support_team.fte") * _col(params, "support_team.cost_per_fte")
    out["support_team"] = [Term(support * uplift,
                                cost_shares(flows, choices["support_team.paid_by"])[None] / 12.0,
                                in_run)]
    inv = flows.monitoring_investment
    mon_share = cost_shares(flows, choices["monitoring.paid_by"])[None]
    out["monitoring"] = [Term(_col(params, "monitoring.running_at_full") * inv * uplift,
                              mon_share / 12.0, in_run)]
    out["pooled_admin"] = [Term(_col(params, "pooled_budget.admin_rate") * uplift,
                                flows.pooled[None, :] * 1e6 / 12.0, in_run)]

    # Continuing running costs after the run, at the last simulated year's monthly level.
    last = slice(max(m_run - 12, 0), m_run)
    share = _col(params, "horizon.continuing_cost_share")
    for cat in RUNNING_CATEGORIES:
        t = out[cat][0]
        level = t.when[:, last].mean(axis=1)                          # (K,)
        out[cat].append(Term(t.coef * level[None, :] * share, t.who, after,
                             per_sample_timing=True))

    # Transition costs, in year 0, for what an option changes over the do-minimum.
    transition: list[Term] = []
    if baseline is not None:
        d_clarity = max(flows.layer_clarity - baseline.layer_clarity, 0.0)
        transition.append(Term(rate * _col(params, "transition.review_hours") * d_clarity
                               * uplift, eye, np.repeat(one_off, n, axis=0)))
        d_inv = max(inv - baseline.monitoring_investment, 0.0)
        new_std = float(flows.common_data_standards and not baseline.common_data_standards)
        up_front = (_col(params, "monitoring.investment_at_full") * d_inv
                    + _col(params, "monitoring.standards_adoption") * new_std)
        transition.append(Term(up_front * uplift, mon_share, one_off))
    out["transition"] = transition or [Term(np.zeros((s, 1)), np.zeros((1, n)), one_off)]

    # Benefits: each month a target's achieved share gives units/12 outcome units.
    theme = flows.target_theme
    k = len(theme)
    size = (_table(params, "outcomes.units", THEMES)[:, theme]
            * _col(params, "outcomes.value_scale")
            * additionality_factor(params, counterfactual))           # (S, K) units/year
    fiscal = _table(params, "outcomes.fiscal", THEMES)[:, theme]
    cashable = _table(params, "outcomes.cashable", THEMES)[:, theme]
    weight = distributional_weight(params, choices)
    per_unit = {
        "fiscal_cashable": fiscal * cashable,
        "fiscal_non_cashable": fiscal * (1.0 - cashable),
        "economic": _table(params, "outcomes.economic", THEMES)[:, theme] * weight,
        "social": (_table(params, "outcomes.wellbeing", THEMES)[:, theme]
                   * _col(params, "outcomes.wellby_value") * weight),
    }
    to_agency = np.zeros((k, len(BENEFICIARIES)))
    for i, t in enumerate(theme):
        to_agency[i, BENEFICIARIES.index(choices[f"outcomes.agency.{THEMES[t]}"])] = 1.0
    to_residents = np.zeros((k, len(BENEFICIARIES)))
    to_residents[:, RESIDENTS] = 1.0
    achieved = flows.achieved[:, 1:]              # (K, M) end of month, earlier rounds kept
    for cat, value in per_unit.items():
        coef = size * value / 12.0                                    # (S, K) GBP per month
        who = to_agency if cat.startswith("fiscal") else to_residents
        out[cat] = [Term(coef, who, pad(achieved)),
                    Term(coef * achieved[:, -1][None, :], who, after, per_sample_timing=True)]
    return out


def monetise(flows: Flows, params: Params, choices: dict[str, str],
             detail: bool = False, horizon: int | None = None,
             counterfactual: str = "assumed", baseline: Flows | None = None) -> Money:
    """Price one run's flows under S assumption sets (every ``params`` value has shape (S,)).
    ``detail`` keeps (S, n|B, H) monthly flows per partner or beneficiary and category (for
    tables; S small). ``baseline``: the do-minimum run, for transition costs."""
    h = horizon if horizon is not None else horizon_months(flows, params)
    discount, social = discount_factors(params, choices, h)
    cost_pv, benefit_pv, cost_m, benefit_m, by = {}, {}, {}, {}, {}
    for cat, parts in terms(flows, params, choices, h, counterfactual, baseline).items():
        pv = sum(t.pv(social if cat == "social" else discount) for t in parts)
        total = sum(t.monthly() for t in parts)
        if cat in BENEFIT_CATEGORIES:
            benefit_pv[cat], benefit_m[cat] = pv, total
        else:
            cost_pv[cat], cost_m[cat] = pv, total
        if detail:
            by[cat] = sum(t.detail() for t in parts)
    public = np.array([k not in NON_PUBLIC_KINDS for k in flows.kinds])
    return Money(cost_pv, benefit_pv, discount, cost_m, benefit_m, public, by,
                 None if social is discount else social)


def detail_sums(flows: Flows, params: Params, choices: dict[str, str], horizon: int,
                counterfactual: str = "assumed", baseline: Flows | None = None
                ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """category -> (n or B, H) flows summed over the S draws, undiscounted and discounted."""
    discount, social = discount_factors(params, choices, horizon)
    out = {}
    for cat, parts in terms(flows, params, choices, horizon, counterfactual, baseline).items():
        sums = [t.detail_sums(social if cat == "social" else discount) for t in parts]
        out[cat] = (sum(u for u, _ in sums), sum(d for _, d in sums))
    return out


MEASURES = ("pv_costs", "pv_benefits", "pv_public_costs", "pv_fiscal", "pv_cashable",
            "payback_months")


def npsv_over_reps(flows_list: list[Flows], params: Params, choices: dict[str, str],
                   chunk: int = 512, counterfactual: str = "assumed",
                   baselines: list[Flows] | None = None,
                   horizon: int | None = None) -> dict[str, np.ndarray]:
    """(S, R) present values, NPSV and payback for every assumption set and run. ``baselines``
    (one do-minimum run per replication, the same streams) adds the transition costs."""
    s = n_draws(params)
    r = len(flows_list)
    out = {k: np.empty((s, r)) for k in MEASURES}
    for j, fl in enumerate(flows_list):
        base = baselines[j] if baselines is not None else None
        for lo in range(0, s, chunk):
            part = {p: np.asarray(v)[lo:lo + chunk] for p, v in params.items()}
            mny = monetise(fl, part, choices, counterfactual=counterfactual, baseline=base,
                           horizon=horizon)
            for k in MEASURES:
                out[k][lo:lo + chunk, j] = getattr(mny, k)
    out["npsv"] = out["pv_benefits"] - out["pv_costs"]
    return out
