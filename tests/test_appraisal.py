"""Pricing model flows: hand-worked cases on a tiny partnership, invariants on real runs,
switching values, reproducibility and the comparison of two arrangements."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from lspsim.appraisal import (
    appraise,
    appraise_model,
    appraise_run,
    default_assumptions,
    flows_from_model,
    flows_from_replication,
    simulate,
)
from lspsim.appraisal.assumptions import money_paths
from lspsim.appraisal.evaluate import (
    BENEFICIARIES,
    central_params,
    choices_of,
    cost_shares,
    monetise,
    npsv_over_reps,
)
from lspsim.appraisal.flows import Flows
from lspsim.appraisal.uncertainty import (
    expected_npsv,
    incremental_npsv,
    ppf,
    sample,
    switching_values,
)
from lspsim.model import PartnershipModel
from lspsim.results import replication_rng, run
from lspsim.scenario import THEMES, load_scenario

A = default_assumptions()
CHOICES = choices_of(A)


def zero_params(**values: float) -> dict[str, np.ndarray]:
    """Every quantity 0 (so nothing is priced) apart from those given; discounting at 0%."""
    p = {k: np.zeros(1) for k in central_params(A)}
    p["distribution.area_income_ratio"] = np.array([1.0])
    for k, v in values.items():
        p[k.replace("__", ".")] = np.array([float(v)])
    return p


def tiny_flows(months: int = 12) -> Flows:
    """A council and a voluntary group; one strategic meeting in month 1; one target that
    progresses 1/12 a month and is met in month 12."""
    layer_meetings = np.zeros((3, months))
    layer_meetings[0, 0] = 1.0
    return Flows(
        months=months, partner_names=["council", "charity"],
        kinds=["unitary_council", "voluntary_community"],
        statutory=np.array([True, False]), is_council=np.array([True, False]),
        stake_in_success=np.array([0.8, 0.2]), stake_in_failure=np.array([0.9, 0.1]),
        budget=np.array([100.0, 1.0]), per_year=np.array([4.0, 8.0, 24.0]),
        layer_meetings=layer_meetings, seats=np.array([[1, 1, 1], [1, 0, 0]], dtype=bool),
        meeting_factor=1.0, duplicated=np.zeros(2), coordination_teams=np.zeros(2),
        pooled=np.zeros(2), aligned=np.zeros((2, months)), allocation_efficiency=1.0,
        monitoring_investment=0.5, common_data_standards=False,
        progress=np.linspace(0.0, 1.0, months + 1)[None, :],
        target_theme=np.array([THEMES.index("safer_communities")]),
        relevance=np.ones((1, 2)), chain_member=np.ones((1, 2)),
        meetings_held=layer_meetings.sum(axis=0))


# ---------------------------------------------------------------------------------------
# Hand-worked cases
# ---------------------------------------------------------------------------------------

def test_meeting_cost_by_hand() -> None:
    # One strategic meeting, two seats: 4 h x 1.5 people x (GBP 60 + GBP 30) = GBP 540.
    p = zero_params(**{"meetings.hours.strategic": 4, "meetings.people_per_seat.strategic": 1.5,
                       "meetings.hourly_cost.unitary_council": 60,
                       "meetings.hourly_cost.voluntary_community": 30,
                       "meetings.hourly_cost_scale": 1, "discounting.standard.years_0_30": 0.035})
    m = monetise(tiny_flows(), p, CHOICES)
    assert m.cost_pv["meetings_strategic"][0] == pytest.approx([360.0, 180.0])
    assert m.pv_costs[0] == pytest.approx(540.0)   # month 1 is not discounted
    assert m.npsv[0] == pytest.approx(-540.0)


def test_support_team_discounted_by_hand() -> None:
    # 2 FTE x GBP 36k = GBP 6,000 a month, paid by the council. Annual (Green Book) timing:
    # year 0 undiscounted, year 1 at 1/1.035.
    p = zero_params(**{"support_team.fte": 2, "support_team.cost_per_fte": 36000,
                       "discounting.standard.years_0_30": 0.035})
    m = monetise(tiny_flows(24), p, CHOICES)
    assert m.pv_costs[0] == pytest.approx(72000 + 72000 / 1.035, rel=1e-12)
    assert m.cost_pv["support_team"][0, 1] == 0.0
    equal = monetise(tiny_flows(24), p, CHOICES | {"support_team.paid_by": "equal"})
    assert equal.cost_pv["support_team"][0, 0] == pytest.approx(m.pv_costs[0] / 2)
    # Monthly timing ("start") discounts each month by its time in years.
    monthly = monetise(tiny_flows(), p, CHOICES | {"discounting.timing": "start"})
    v = 1.035 ** (-1 / 12)
    assert monthly.pv_costs[0] == pytest.approx(6000 * (1 - v ** 12) / (1 - v), rel=1e-12)


def test_monitoring_running_and_transition_by_hand() -> None:
    # Investment 0.5: half of GBP 24k a year to run. The one-off costs are transition costs,
    # counted only against a do-minimum: half of GBP 100k for the rise in investment from 0
    # and GBP 7k for adopting standards the do-minimum lacks.
    p = zero_params(**{"monitoring.investment_at_full": 100000,
                       "monitoring.running_at_full": 24000,
                       "monitoring.standards_adoption": 7000})
    m = monetise(tiny_flows(), p, CHOICES)
    assert m.pv_costs[0] == pytest.approx(12 * 1000)
    assert m.cost_pv["transition"].sum() == 0.0
    option = dataclasses.replace(tiny_flows(), common_data_standards=True)
    dm = dataclasses.replace(tiny_flows(), monitoring_investment=0.0)
    t = monetise(option, p, CHOICES, baseline=dm)
    assert t.cost_pv["transition"].sum() == pytest.approx(50000 + 7000)
    assert monetise(option, p, CHOICES, baseline=option).cost_pv["transition"].sum() == 0.0


def test_layer_redesign_transition_cost_by_hand() -> None:
    # Clarity 0.4 -> 0.9: 100 hours per partner per unit clarity x 0.5 = 50 hours each, at
    # GBP 60 and GBP 30 an hour, plus 10% optimism bias.
    p = zero_params(**{"transition.review_hours": 100,
                       "meetings.hourly_cost.unitary_council": 60,
                       "meetings.hourly_cost.voluntary_community": 30,
                       "meetings.hourly_cost_scale": 1, "costs.optimism_bias": 0.1})
    dm = dataclasses.replace(tiny_flows(), layer_clarity=0.4)
    option = dataclasses.replace(tiny_flows(), layer_clarity=0.9)
    m = monetise(option, p, CHOICES, baseline=dm)
    assert m.cost_pv["transition"][0] == pytest.approx([50 * 60 * 1.1, 50 * 30 * 1.1])
    # A fall in clarity costs nothing to make.
    assert monetise(dm, p, CHOICES, baseline=option).cost_pv["transition"].sum() == 0.0


OUTCOME = {"outcomes.units.safer_communities": 12, "outcomes.value_scale": 1,
           "outcomes.fiscal.safer_communities": 1000,
           "outcomes.cashable.safer_communities": 0.25,
           "outcomes.economic.safer_communities": 500,
           "outcomes.wellbeing.safer_communities": 0.1, "outcomes.wellby_value": 13000}


def test_each_outcome_valued_once_by_hand() -> None:
    # 12 units a year when fully achieved; achieved m/12 at the end of month m, so months
    # 1-12 give (1 + ... + 12)/12 = 6.5 units, and a year of persistence 12 more: 18.5 units.
    # Per unit: fiscal GBP 1,000 (a quarter cashable) to the police, economic GBP 500 and
    # 0.1 WELLBY x GBP 13,000 to residents. Undiscounted, no additionality adjustments.
    p = zero_params(**OUTCOME, **{"horizon.benefit_persistence": 1})
    m = monetise(tiny_flows(), p, CHOICES)
    police, residents = BENEFICIARIES.index("police"), BENEFICIARIES.index("residents")
    assert m.benefit_pv["fiscal_cashable"][0, police] == pytest.approx(18.5 * 250)
    assert m.benefit_pv["fiscal_non_cashable"][0, police] == pytest.approx(18.5 * 750)
    assert m.benefit_pv["economic"][0, residents] == pytest.approx(18.5 * 500)
    assert m.benefit_pv["social"][0, residents] == pytest.approx(18.5 * 1300)
    assert m.pv_benefits[0] == pytest.approx(18.5 * 2800)
    assert m.discount.shape[1] == 24
    # Half a year of persistence counts six months.
    half = monetise(tiny_flows(), p | {"horizon.benefit_persistence": np.array([0.5])}, CHOICES)
    assert half.pv_benefits[0] == pytest.approx(12.5 * 2800)
    # The fiscal benefit goes to the agency the rule names, nowhere else.
    other = monetise(tiny_flows(), p, CHOICES | {"outcomes.agency.safer_communities":
                                                 "central_government"})
    gov = BENEFICIARIES.index("central_government")
    assert other.benefit_pv["fiscal_cashable"][0, gov] == pytest.approx(18.5 * 250)
    assert other.benefit_pv["fiscal_cashable"][0, police] == 0.0


def test_wellbeing_on_the_health_schedule_and_the_lower_rate_test_by_hand() -> None:
    # Same outcome as above: 6.5 units in year 0, 12 units in year 1 (persistence). Standard
    # schedule 3.5% in year 1; health 1.5% (wellbeing only, when chosen); lower-rate test 3.0%.
    p = zero_params(**OUTCOME, **{"horizon.benefit_persistence": 1,
                                  "discounting.standard.years_0_30": 0.035,
                                  "discounting.health.years_0_30": 0.015,
                                  "discounting.lower_rate_test.years_0_30": 0.03})
    residents = BENEFICIARIES.index("residents")
    std = monetise(tiny_flows(), p, CHOICES | {"discounting.wellbeing_schedule": "standard"})
    assert std.benefit_pv["social"][0, residents] == pytest.approx(
        6.5 * 1300 + 12 * 1300 / 1.035, rel=1e-12)
    hl = monetise(tiny_flows(), p, CHOICES | {"discounting.wellbeing_schedule": "health"})
    assert hl.benefit_pv["social"][0, residents] == pytest.approx(
        6.5 * 1300 + 12 * 1300 / 1.015, rel=1e-12)
    # Only wellbeing moves to the health schedule; the economic benefit stays at 3.5%.
    assert hl.benefit_pv["economic"][0, residents] == pytest.approx(
        6.5 * 500 + 12 * 500 / 1.035, rel=1e-12)
    # Payback uses each category's own factors: the discounted net sums to the NPSV.
    assert hl.discounted_net_monthly.sum() == pytest.approx(hl.npsv[0], rel=1e-12)
    low = monetise(tiny_flows(), p, CHOICES | {"discounting.schedule": "lower_rate_test"})
    assert low.pv_benefits[0] == pytest.approx(6.5 * 2800 + 12 * 2800 / 1.03, rel=1e-12)


def test_additionality_split_by_hand() -> None:
    # Deadweight 0.5, leakage 0.1, displacement 0.2, substitution 0: against no partnership
    # (assumed) 0.5 x 0.9 x 0.8 = 0.36 of the gross outcome; against a simulated do-minimum
    # deadweight is not applied: 0.72.
    p = zero_params(**OUTCOME, **{"additionality.deadweight": 0.5,
                                  "additionality.leakage": 0.1,
                                  "additionality.displacement": 0.2})
    gross = 6.5 * 2800
    assert monetise(tiny_flows(), p, CHOICES).pv_benefits[0] == pytest.approx(0.36 * gross)
    sim = monetise(tiny_flows(), p, CHOICES, counterfactual="simulated")
    assert sim.pv_benefits[0] == pytest.approx(0.72 * gross)


def test_distributional_weights_by_hand() -> None:
    # Residents at half the UK median income, elasticity 1: weight 2 on residents' benefits,
    # none on the fiscal benefit.
    p = zero_params(**OUTCOME, **{"distribution.area_income_ratio": 0.5,
                                  "distribution.elasticity": 1})
    off = monetise(tiny_flows(), p, CHOICES)
    on = monetise(tiny_flows(), p, CHOICES | {"distribution.weighting": "on"})
    assert on.benefit_pv["social"].sum() == pytest.approx(2 * off.benefit_pv["social"].sum())
    assert on.benefit_pv["economic"].sum() == pytest.approx(2 * off.benefit_pv["economic"].sum())
    assert on.pv_fiscal[0] == pytest.approx(off.pv_fiscal[0])


def test_continuing_costs_by_hand() -> None:
    # GBP 1,000 a month over the 12 simulated months; outcomes counted a year longer, with
    # half of the last year's running cost continuing: 12 x GBP 500 more.
    p = zero_params(**{"support_team.fte": 1, "support_team.cost_per_fte": 12000,
                       "horizon.benefit_persistence": 1, "horizon.continuing_cost_share": 0.5})
    m = monetise(tiny_flows(), p, CHOICES)
    assert m.pv_costs[0] == pytest.approx(12000 + 6000)


def test_npsv_bcr_payback_by_hand() -> None:
    met = dataclasses.replace(tiny_flows(), progress=np.ones((1, 13)))
    p = zero_params(**{"support_team.fte": 1, "support_team.cost_per_fte": 12000,
                       "outcomes.units.safer_communities": 12, "outcomes.value_scale": 1,
                       "outcomes.fiscal.safer_communities": 2000})
    m = monetise(met, p, CHOICES)
    # Costs GBP 1,000 a month, benefits GBP 2,000 a month: pays back in month 1.
    assert m.npsv[0] == pytest.approx(12000)
    assert m.bcr[0] == pytest.approx(2.0)
    assert m.payback_months[0] == 1
    assert m.pv_public_costs[0] == pytest.approx(12000)   # the council pays
    assert m.pv_fiscal[0] == pytest.approx(24000) and m.pv_cashable[0] == 0.0
    p["monitoring.investment_at_full"] = np.array([10000.0])   # GBP 5,000 transition
    m = monetise(met, p, CHOICES, baseline=dataclasses.replace(met, monitoring_investment=0.0))
    # Cumulative net: -5000 + 1000 m >= 0 from month 5.
    assert m.payback_months[0] == 5


def test_optimism_bias_uplifts_costs_only() -> None:
    met = dataclasses.replace(tiny_flows(), progress=np.ones((1, 13)))
    p = zero_params(**{"support_team.fte": 1, "support_team.cost_per_fte": 12000,
                       "outcomes.units.safer_communities": 12, "outcomes.value_scale": 1,
                       "outcomes.fiscal.safer_communities": 2000, "costs.optimism_bias": 0.25})
    m = monetise(met, p, CHOICES)
    assert m.pv_costs[0] == pytest.approx(15000)
    assert m.pv_benefits[0] == pytest.approx(24000)


# ---------------------------------------------------------------------------------------
# Real runs
# ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def runs() -> list[Flows]:
    return simulate(load_scenario("default"), seed=2, replications=3, months=24)


def test_flows_read_the_model_consistently(runs: list[Flows]) -> None:
    sc = load_scenario("default").with_updates({"months": 24})
    model = PartnershipModel(sc, rng=replication_rng(2, 0)).run_months()
    series = model.series()
    f = runs[0]
    assert np.allclose(f.aligned.sum(axis=0), series["aligned_spend"][1:])
    assert np.allclose(f.layer_meetings.sum(axis=0), f.meetings_held)
    assert np.allclose(f.pooled.sum(), series["pooled_pot"][-1])
    assert np.all(np.diff(f.progress, axis=1) >= 0) and f.progress.max() <= 1.0
    res = run(sc, seed=2, replications=2)
    g = flows_from_replication(sc, 2, res.reps[1])
    assert np.array_equal(g.aligned, runs[1].aligned)
    assert np.array_equal(g.progress, runs[1].progress)


def test_appraisal_does_not_write_model_state() -> None:
    model = PartnershipModel("default", rng=5).run_months(12)
    before = {k: v.copy() for k, v in model.series().items()}
    progress, commitment = model.progress.copy(), model.commitment.copy()
    out = appraise_model(model)
    assert np.isfinite(out["npsv"])
    assert all(np.array_equal(before[k], v, equal_nan=True) for k, v in model.series().items())
    assert np.array_equal(model.progress, progress)
    assert np.array_equal(model.commitment, commitment)


def test_no_benefits_gives_minus_pv_of_costs(runs: list[Flows]) -> None:
    p = central_params(A)
    for k in p:
        if k.startswith("outcomes.units."):
            p[k] = np.zeros(1)
    for f in runs:
        m = monetise(f, p, CHOICES)
        assert m.pv_benefits[0] == 0.0
        assert m.pv_costs[0] > 0
        assert m.npsv[0] == pytest.approx(-m.pv_costs[0], rel=1e-12)


def test_scaling_every_money_value_scales_npsv(runs: list[Flows]) -> None:
    p = central_params(A)
    base = [monetise(f, p, CHOICES).npsv[0] for f in runs]
    scaled_p = {k: v * 3.0 if k in money_paths() else v for k, v in p.items()}
    for f, b in zip(runs, base, strict=True):
        # Model money in the same currency (the pooled pot) scales too.
        g = dataclasses.replace(f, pooled=f.pooled * 3.0)
        assert monetise(g, scaled_p, CHOICES).npsv[0] == pytest.approx(3.0 * b, rel=1e-10)
    assert len(money_paths()) > 25


def test_partner_split_adds_up(runs: list[Flows]) -> None:
    f = runs[0]
    m = monetise(f, central_params(A), CHOICES, detail=True)
    assert sum(v.sum() for v in m.cost_pv.values()) == pytest.approx(m.pv_costs[0])
    for rule in ("councils", "budget", "equal"):
        assert cost_shares(f, rule).sum() == pytest.approx(1.0)
    assert np.all(cost_shares(f, "councils")[~f.is_council] == 0)
    # Detailed monthly flows discount to the same present values.
    for cat, arr in m.detail.items():
        pv = (arr[0] * m.discount[0]).sum(axis=1)
        ref = m.cost_pv.get(cat, m.benefit_pv.get(cat))[0]
        assert np.allclose(pv, ref)


def test_two_tier_duplicated_meetings_are_priced() -> None:
    sc = load_scenario("default").with_updates({
        "structure.kind": "two_tier", "structure.n_districts": 3,
        "leadership.chair_kind": "county_council", "months": 12})
    f2 = simulate(sc, seed=1, replications=1)[0]
    f1 = simulate(load_scenario("default").with_updates({"months": 12}), 1, 1)[0]
    p = central_params(A)
    assert monetise(f2, p, CHOICES).cost_pv["meetings_duplicated"].sum() > 0
    assert monetise(f1, p, CHOICES).cost_pv["meetings_duplicated"].sum() == 0


def test_switching_values_put_back_give_zero_npsv(runs: list[Flows]) -> None:
    objective = expected_npsv(runs, CHOICES)
    central = central_params(A)
    scale = float(np.mean([monetise(f, central, CHOICES).pv_costs[0] for f in runs]))
    rows = switching_values(objective, A)
    found = [r for r in rows if r["switching_value"] is not None]
    assert any(r["method"] == "exact (linear)" for r in found)
    for r in found:
        p = dict(central)
        p[r["path"]] = np.array([r["switching_value"]])
        assert abs(objective(p)[0]) < 1e-6 * scale, r
    # Persistence is not linear in NPSV (it is piecewise): check it was solved by brentq
    # whenever a root exists in its range.
    pers = next(r for r in rows if r["path"] == "horizon.benefit_persistence")
    assert pers["method"] in ("brentq", "brentq: no root in range", "exact (linear)")


def test_incremental_switching_value_put_back(runs: list[Flows]) -> None:
    sc = load_scenario("default").with_updates({"months": 24, "layers.clarity": 0.3,
                                                "monitoring.common_data_standards": False})
    worse = simulate(sc, seed=2, replications=3)
    objective = incremental_npsv(worse, runs, CHOICES)
    rows = switching_values(objective, A, ["monitoring.standards_adoption",
                                           "meetings.hourly_cost_scale"])
    for r in rows:
        if r["switching_value"] is not None:
            p = central_params(A) | {r["path"]: np.array([r["switching_value"]])}
            assert abs(objective(p)[0]) < 1e-3


def test_switching_values_on_the_expected_value_put_back(runs: list[Flows]) -> None:
    """With the Monte Carlo's draws, a switching value makes the *expected* NPSV zero: fixed
    at it in every draw (the other inputs as drawn), the mean NPSV over draws and replications
    is zero by brute force; it differs from the modal-case switching value."""
    objective = expected_npsv(runs, CHOICES)
    draws = sample(A, 30, seed=3)
    paths = ["outcomes.value_scale", "meetings.hourly_cost_scale", "support_team.fte",
             "horizon.benefit_persistence"]
    rows = switching_values(objective, A, paths, draws=draws)
    modal = {r["path"]: r["switching_value"] for r in switching_values(objective, A, paths)}
    scale = float(np.mean([monetise(f, central_params(A), CHOICES).pv_costs[0] for f in runs]))
    found = [r for r in rows if r["switching_value"] is not None]
    assert found and all(r["basis"].startswith("expected value") for r in rows)
    for r in found:
        p = {k: np.asarray(v, dtype=float).copy() for k, v in draws.items()}
        p[r["path"]] = np.full(30, r["switching_value"])
        brute = npsv_over_reps(runs, p, CHOICES)["npsv"].mean()
        assert abs(brute) < 1e-6 * scale, r
    assert any(modal[r["path"]] is not None
               and abs(r["switching_value"] - modal[r["path"]]) > 0.01 * abs(modal[r["path"]])
               for r in found)


# ---------------------------------------------------------------------------------------
# Sampling, reproducibility, comparison
# ---------------------------------------------------------------------------------------

def test_distributions_quantiles() -> None:
    q = A.support_team.fte  # triangular(2, 3, 5)
    assert ppf(q, np.array([0.0, 1.0])) == pytest.approx([2.0, 5.0])
    ln = A.outcomes.value_scale  # lognormal, median 1
    assert ppf(ln, np.array([0.5]))[0] == pytest.approx(1.0)
    un = A.support_team.cost_per_fte
    assert ppf(un, np.array([0.5]))[0] == pytest.approx((un.low + un.high) / 2)
    draws = sample(A, 4000, seed=1)
    assert draws["support_team.fte"].min() >= 2.0 and draws["support_team.fte"].max() <= 5.0
    assert draws["support_team.fte"].mean() == pytest.approx(10 / 3, abs=0.05)
    assert np.all(draws["discounting.standard.years_0_30"] == 0.035)


def test_sampling_is_seeded_and_prefix_stable() -> None:
    a = sample(A, 100, seed=7)
    b = sample(A, 100, seed=7)
    c = sample(A, 50, seed=7)
    d = sample(A, 100, seed=8)
    for k in a:
        assert np.array_equal(a[k], b[k])
        assert np.array_equal(a[k][:50], c[k])
    assert not np.array_equal(a["support_team.fte"], d["support_team.fte"])


def test_appraise_is_reproducible_with_a_seed() -> None:
    kw = {"replications": 2, "samples": 60, "months": 12}
    r1 = appraise("default", seed=4, **kw).to_dict()
    r2 = appraise("default", seed=4, **kw).to_dict()
    r3 = appraise("default", seed=5, **kw).to_dict()
    assert json.dumps(r1, sort_keys=True) == json.dumps(r2, sort_keys=True)
    assert r1["result"]["monte_carlo"]["npsv"] != r3["result"]["monte_carlo"]["npsv"]
    mc = r1["result"]["monte_carlo"]
    assert mc["npsv"]["n"] == 120 and 0.0 <= mc["npsv"]["prob_positive"] <= 1.0
    assert mc["npsv"]["p5"] <= mc["npsv"]["p50"] <= mc["npsv"]["p95"]


def test_comparison_uses_common_random_numbers() -> None:
    # The do-minimum against itself: exactly zero, draw by draw, with no transition cost.
    same = appraise("default", seed=3, replications=2, samples=30, months=12, compare="default")
    inc = same.incremental
    assert inc is not None and np.all(inc["npsv"] == 0.0)
    assert same.comparison()["pv_transition_costs"] == 0.0
    assert same.comparison()["central_incremental_npsv"] == 0.0
    sc2 = load_scenario("default").with_updates({"layers.clarity": 0.95, "name": "clear"})
    res = appraise("default", seed=3, replications=2, samples=30, months=12, compare=sc2)
    comp = res.comparison()
    assert comp["option"] == "clear"
    # Paired draws: the increment is the per-draw difference of the two arrangements priced
    # against the simulated do-minimum (no deadweight) plus the transition costs.
    sim = res.base_simulated
    assert sim is not None
    assert res.comparison()["pv_transition_costs"] > 0   # clearer layers must be paid for
    assert np.all(res.incremental["pv_costs"] - (res.option.mc["pv_costs"] - sim["pv_costs"])
                  > 0)
    assert comp["incremental_npsv"]["n"] == 60
    # Same draws and streams as the base-only appraisal.
    alone = appraise("default", seed=3, replications=2, samples=30, months=12)
    assert np.array_equal(alone.base.mc["npsv"], res.base.mc["npsv"])


def test_appraise_run_matches_pipeline_central() -> None:
    sc = load_scenario("default").with_updates({"months": 12})
    res = run(sc, seed=9, replications=2)
    modal = appraise_run(res)
    full = appraise(sc, seed=9, replications=2, samples=10)
    assert modal["npsv"] == pytest.approx(full.to_dict()["result"]["modal_case"]["npsv"])


def test_flows_from_unrun_model_is_refused() -> None:
    with pytest.raises(ValueError):
        flows_from_model(PartnershipModel("default", rng=1))
