"""The appraisal's economics: each outcome and each pound counted once (against an independent
ledger), the counterfactual by simulation, the statistics (expected values, ratio of means, a
standard error checked by brute force), sensitivities, the workbook and the README example."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from lspsim.appraisal import appraise, default_assumptions, load_assumptions, simulate
from lspsim.appraisal.assumptions import AGENCIES
from lspsim.appraisal.evaluate import (
    BENEFICIARIES,
    BENEFIT_CATEGORIES,
    central_params,
    choices_of,
    monetise,
)
from lspsim.appraisal.report import write_outputs
from lspsim.appraisal.uncertainty import crossed_standard_error, incremental_npsv
from lspsim.scenario import PARTNER_KINDS, THEMES, load_scenario

ROOT = Path(__file__).resolve().parent.parent
A = default_assumptions()
CHOICES = choices_of(A)


@pytest.fixture(scope="module")
def pair() -> tuple[list, list]:
    """A do-minimum (confused layers, no standards) and an option, same streams."""
    dm = load_scenario("default").with_updates({"months": 18, "layers.clarity": 0.4,
                                                "monitoring.common_data_standards": False})
    opt = dm.with_updates({"layers.clarity": 0.9, "monitoring.common_data_standards": True,
                           "name": "better"})
    return simulate(dm, 4, 3), simulate(opt, 4, 3)


def undiscounted(params: dict) -> dict:
    return params | {k: np.zeros(1) for k in params if k.startswith("discounting.")}


def test_ledger_each_outcome_and_each_pound_once(pair: tuple[list, list]) -> None:
    """Rebuild the appraisal from a ledger written independently of evaluate.py: one row per
    target-month of outcome (units achieved x value per unit, split by who gains) and one row
    per pound of cost; the categories must add up to it exactly."""
    f = pair[0][0]
    p = undiscounted(central_params(A))
    m = monetise(f, p, CHOICES)
    v = {k: float(x[0]) for k, x in p.items()}
    net = ((1 - v["additionality.deadweight"]) * (1 - v["additionality.leakage"])
           * (1 - v["additionality.displacement"]) * (1 - v["additionality.substitution"]))
    persist_months = v["horizon.benefit_persistence"] * 12
    ledger = {(c, b): 0.0 for c in BENEFIT_CATEGORIES for b in BENEFICIARIES}
    for k, t in enumerate(f.target_theme):
        theme = THEMES[t]
        units = v[f"outcomes.units.{theme}"] * v["outcomes.value_scale"] * net
        achieved = f.achieved[k, 1:].sum() + f.achieved[k, -1] * persist_months
        unit_count = units / 12 * achieved
        fiscal = v[f"outcomes.fiscal.{theme}"]
        cash = v[f"outcomes.cashable.{theme}"]
        agency = CHOICES[f"outcomes.agency.{theme}"]
        ledger[("fiscal_cashable", agency)] += unit_count * fiscal * cash
        ledger[("fiscal_non_cashable", agency)] += unit_count * fiscal * (1 - cash)
        ledger[("economic", "residents")] += unit_count * v[f"outcomes.economic.{theme}"]
        ledger[("social", "residents")] += (unit_count * v[f"outcomes.wellbeing.{theme}"]
                                            * v["outcomes.wellby_value"])
    for (cat, who), amount in ledger.items():
        got = m.benefit_pv[cat][0, BENEFICIARIES.index(who)]
        assert got == pytest.approx(amount, rel=1e-9, abs=1e-6), (cat, who)
    assert m.pv_benefits[0] == pytest.approx(sum(ledger.values()), rel=1e-12)
    # No organisation is credited with residents' wellbeing or economic gains.
    for cat in ("economic", "social"):
        assert np.all(np.delete(m.benefit_pv[cat][0], BENEFICIARIES.index("residents")) == 0)
    # Costs: each pound once, partner by partner: the run's months, then the last year's
    # monthly level for the continuing months, all with optimism bias.
    uplift = 1 + v["costs.optimism_bias"]
    cont = persist_months * v["horizon.continuing_cost_share"]
    last = slice(f.months - 12, f.months)
    layers = ("strategic", "executive", "operational")
    hp = [v[f"meetings.hours.{x}"] * v[f"meetings.people_per_seat.{x}"] for x in layers]
    w = f.per_year / f.per_year.sum()
    expected = {c: 0.0 for c in m.cost_pv}
    for i, kind in enumerate(f.kinds):
        rate = v[f"meetings.hourly_cost.{kind}"] * v["meetings.hourly_cost_scale"]
        for j, x in enumerate(layers):
            held = f.seats[i, j] * f.layer_meetings[j] * f.meeting_factor
            expected[f"meetings_{x}"] += (held.sum() + held[last].mean() * cont) * hp[j] * rate
        dup = f.duplicated[i] * f.meeting_factor * float(np.dot(hp, w)) * rate
        expected["meetings_duplicated"] += dup * (f.months + cont)
        expected["coordination"] += (f.coordination_teams[i] * v["coordination.team_cost"] / 12
                                     * (f.months + cont))
        expected["pooled_admin"] += (f.pooled[i] * 1e6 * v["pooled_budget.admin_rate"] / 12
                                     * (f.months + cont))
    expected["support_team"] = (v["support_team.fte"] * v["support_team.cost_per_fte"] / 12
                                * (f.months + cont))
    expected["monitoring"] = (f.monitoring_investment * v["monitoring.running_at_full"] / 12
                              * (f.months + cont))
    for cat, amount in expected.items():
        assert m.cost_pv[cat].sum() == pytest.approx(amount * uplift, rel=1e-9), cat
    assert m.pv_costs[0] == pytest.approx(sum(expected.values()) * uplift, rel=1e-12)


def test_delivery_money_is_not_counted_again(pair: tuple[list, list]) -> None:
    """Aligned mainstream spend buys the progress that is valued: it is not also a benefit
    (or a cost), so scaling it in the flows leaves the appraisal unchanged."""
    f = pair[0][0]
    p = central_params(A)
    a = monetise(f, p, CHOICES)
    b = monetise(dataclasses.replace(f, aligned=f.aligned * 10.0), p, CHOICES)
    assert a.pv_costs[0] == b.pv_costs[0] and a.pv_benefits[0] == b.pv_benefits[0]
    assert set(a.benefit_pv) == set(BENEFIT_CATEGORIES)


def test_deadweight_is_not_applied_to_a_simulated_difference(pair: tuple[list, list]) -> None:
    dm, opt = pair
    objective = incremental_npsv(dm, opt, CHOICES)
    p = central_params(A)
    low = objective(p | {"additionality.deadweight": np.array([0.0])})[0]
    high = objective(p | {"additionality.deadweight": np.array([0.9])})[0]
    assert low == high
    # ... while leakage (outside the model) still reduces the increment's benefits.
    leak = objective(p | {"additionality.leakage": np.array([0.9])})[0]
    assert leak != low


def test_crossed_standard_error_against_brute_force() -> None:
    """Draw x replication tables x[s, r] = a_s + b_r + e_sr, the whole Monte Carlo repeated
    3000 times with fresh draws and fresh replications: the spread of the grand means is the
    true standard error; the estimate from one table must match it on average, and the naive
    sd / sqrt(S R) must not."""
    rng = np.random.default_rng(20261130)
    s, r, reps = 40, 5, 3000
    means, estimates, naive = [], [], []
    for _ in range(reps):
        x = (3.0 * rng.standard_normal((s, 1)) + 2.0 * rng.standard_normal((1, r))
             + 1.0 * rng.standard_normal((s, r)))
        means.append(x.mean())
        estimates.append(crossed_standard_error(x))
        naive.append(x.std(ddof=1) / np.sqrt(s * r))
    true = float(np.std(means, ddof=1))
    # Analytic: sqrt(9/40 + 4/5 + 1/200) = 1.0149
    assert true == pytest.approx(np.sqrt(9 / 40 + 4 / 5 + 1 / 200), rel=0.05)
    assert float(np.sqrt(np.mean(np.square(estimates)))) == pytest.approx(true, rel=0.06)
    assert float(np.mean(naive)) < 0.5 * true


def test_crossed_standard_error_by_hand() -> None:
    # Rows differ only: x = [[1, 1], [3, 3]]; the draws' means 1 and 3, SE = sd/sqrt(2) = 1.
    assert crossed_standard_error(np.array([[1.0, 1.0], [3.0, 3.0]])) == pytest.approx(1.0)
    # Columns differ only: the same by symmetry.
    assert crossed_standard_error(np.array([[1.0, 3.0], [1.0, 3.0]])) == pytest.approx(1.0)


@pytest.fixture(scope="module")
def result():
    return appraise("appraisal/today", seed=2, replications=2, samples=40, months=18,
                    options=["appraisal/clearer-layers", "appraisal/common-standards"])


def test_central_case_is_the_expected_value(result) -> None:
    d = result.to_dict()
    mc = result.base.mc
    c = d["result"]["central"]
    assert c["npsv"] == pytest.approx(mc["npsv"].mean())
    assert c["bcr"] == pytest.approx(mc["pv_benefits"].mean() / mc["pv_costs"].mean())
    assert c["npsv_mc_se"] == pytest.approx(crossed_standard_error(mc["npsv"]))
    assert "modal_case" in d["result"] and "label" in d["result"]["modal_case"]
    # The expected annual flows discount to the expected present values.
    pv = sum(v.sum() for k, v in result.base.detail.discounted.items()
             if k in BENEFIT_CATEGORIES)
    assert pv == pytest.approx(c["pv_benefits"], rel=1e-9)


def test_options_table_carries_transition_costs_and_conventions(result) -> None:
    d = result.to_dict()
    rows = d["summary_table"]
    assert [r["arrangement"] for r in rows] == ["today", "clearer_layers", "common_standards",
                                               "clearer_layers", "common_standards"]
    for comp in d["comparisons"]:
        assert comp["pv_transition_costs"] > 0
        assert comp["incremental"]["npsv"] == pytest.approx(
            float(np.mean(result.options[[o.name for o in result.options].index(
                comp["option"])].inc["npsv"])))
    assert "ratio of means" in d["conventions"]["bcr"]
    assert "public bodies" in d["conventions"]["financial_return"]
    assert set(d["result"]["non_monetised_end_state"]) >= {"mean_trust", "targets_met"}


def test_incremental_payback_and_expected_switching_values(result) -> None:
    d = result.to_dict()
    assert "not a pass/fail test" in d["conventions"]["bcr_use"]
    assert "expected" in d["conventions"]["switching_values"]
    for comp in d["comparisons"]:
        pb = comp["incremental_payback_years"]
        # Payback within the period exactly when the expected extra NPSV is not negative
        # (the cumulative discounted net at the horizon is that NPSV).
        assert (pb is not None) == (comp["incremental"]["npsv"] >= 0)
        if pb is not None:
            assert 0 < pb <= result.options[0].inc_detail.flows["economic"].shape[1] / 12
        assert all(s["basis"].startswith("expected value") for s in comp["switching_values"])
    assert all(s["basis"].startswith("expected value") for s in d["switching_values"])


def test_tornado_covers_every_uncertain_input_and_the_sensitivities(result) -> None:
    paths = {r["path"] for r in result.tornado}
    assert set(A.uncertain()) <= paths
    assert {"discounting.schedule", "discounting.wellbeing_schedule", "costs.optimism_bias",
            "distribution.weighting"} <= paths
    assert any(p.startswith("meetings.hourly_cost.") for p in A.uncertain())
    assert any(p.startswith("outcomes.units.") for p in A.uncertain())
    cases = [r["case"] for r in result.sensitivities]
    assert any("lower-rate" in c for c in cases) and any("optimism" in c for c in cases)
    assert any("appraisal period" in c for c in cases)
    assert any("distributional" in c for c in cases)
    lower = next(r for r in result.sensitivities if "lower-rate" in r["case"])
    central = result.sensitivities[0]
    assert lower["do_minimum_npsv"] != central["do_minimum_npsv"]


def test_price_base_year_conversion(tmp_path: Path) -> None:
    """A value in 2015 prices, with a 2015 index of 75 laid over the default HM Treasury
    series (2019 = 81.1085, 2024 = 100), is 81.1085/75 times larger in 2019 prices; the
    sensitivity table then offers the 2015 and 2024 price bases too."""
    f = tmp_path / "a.toml"
    f.write_text('[appraisal.prices]\ndeflator = { "2015" = 75.0 }\n'
                 '[appraisal.support_team]\ncost_per_fte = { value = 45000.0, '
                 'unit = "GBP/FTE/year", price_year = 2015, source = "test" }\n')
    a = load_assumptions(f)
    assert a.prices.deflator["2015"] == 75.0 and a.prices.deflator["2019"] == 81.1085
    assert a.central()["support_team.cost_per_fte"] == pytest.approx(45000.0 * 81.1085 / 75.0)
    from lspsim.appraisal.pipeline import sensitivity_cases
    labels = [label for label, _, _ in sensitivity_cases(a)]
    assert any("price base year 2015" in x for x in labels)
    assert any("price base year 2024 (deflator x1.233)" in x for x in labels)


def test_sourced_employment_value_in_base_year_prices() -> None:
    """HM Treasury (2014) / New Economy: GBP 9,234 (DWP) + GBP 566 (NHS) a person-year, taken
    in 2014 prices, is 9,800 x 81.1085 / 74.6524 = GBP 10,647.53 in 2019 prices."""
    a = default_assumptions()
    q = a.outcomes.fiscal.economy_skills
    assert (q.value, q.price_year, q.illustrative) == (9800.0, 2014, False)
    assert "9,234" in q.source and "566" in q.source
    assert a.central()["outcomes.fiscal.economy_skills"] == pytest.approx(10647.53, abs=0.01)
    # Every money quantity carries a price year with a deflator index; the rest say so.
    for path, qq in a.quantities().items():
        if qq.unit.startswith("GBP"):
            assert str(qq.price_year) in a.prices.deflator, path
    assert "GDP deflators" in a.prices.deflator_source


def test_agencies_are_public_bodies() -> None:
    assert "central_government" in AGENCIES
    assert not {"voluntary_community", "business"} & set(AGENCIES)
    assert set(AGENCIES) - {"central_government"} <= set(PARTNER_KINDS)


def test_workbook_layout(result, tmp_path: Path) -> None:
    out = write_outputs(result, tmp_path / "out")
    wb = load_workbook(out / "appraisal.xlsx", read_only=True)
    names = wb.sheetnames
    assert names[0] == "Summary"
    assert {"today vs none", "clearer_layers vs today", "common_standards vs today",
            "Assumptions", "Sensitivities", "Switching values", "Tornado"} <= set(names)
    ws = wb["today vs none"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[2]
    assert header[:4] == ("flow", "category", "who", "year 0")
    assert header[-1] == "present value"
    net = next(r for r in rows if r[0] == "net benefit")
    assert net[-1] == pytest.approx(result.to_dict()["result"]["central"]["npsv"], rel=1e-9)
    costs = {r[2] for r in rows if r[0] == "cost"}
    assert costs <= set(result.base.flows[0].partner_names)
    gains = {r[2] for r in rows if r[0] == "benefit"}
    assert gains <= set(BENEFICIARIES)
    trans = [r for r in list(wb["clearer_layers vs today"].iter_rows(values_only=True))
             if r[1] == "transition"]
    assert trans and all(r[3] > 0 and not any(r[4:-1]) for r in trans)  # year 0 only
    assumptions = list(wb["Assumptions"].iter_rows(values_only=True))
    assert assumptions[0][:3] == ("path", "value", "unit")
    assert len(assumptions) - 1 == len(A.quantities())


def test_readme_example_is_current() -> None:
    """The README's appraisal lines and the record behind its figures match a fresh run of
    docs/regenerate_appraisal.py's example (1000 draws x 10 replications, a few seconds)."""
    spec = importlib.util.spec_from_file_location("regen", ROOT / "docs" /
                                                  "regenerate_appraisal.py")
    regen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(regen)
    res = regen.run_example()
    assert regen.readme_block(res) in (ROOT / "README.md").read_text()
    recorded = json.loads((ROOT / "docs" / "img" / "appraisal-example.json").read_text())
    fresh = json.loads(json.dumps(regen.record(res)))
    assert recorded["command"] == fresh["command"]
    # Not to the last bit: OpenBLAS picks its kernels by CPU, so a record made on an Intel
    # AVX-512 machine differs by up to 1e-8 relative on an AMD Zen one (regenerate_readme's
    # DRAWN_RTOL); a change to the model or the appraisal moves these far more.
    for old, new in zip(recorded["summary_table"], fresh["summary_table"], strict=True):
        for k, v in new.items():
            assert old[k] == (pytest.approx(v, rel=1e-6) if isinstance(v, float) else v), k
    assert regen.assumptions_block() in (ROOT / "docs" / "appraisal.md").read_text()
    for name in ("appraisal-tornado.png", "appraisal-npsv.png"):
        assert (ROOT / "docs" / "img" / name).stat().st_size > 10_000


def test_renewed_rounds_keep_what_earlier_rounds_achieved() -> None:
    """Progress restarts at 0 when an LAA round renews its targets; the outcome achieved does
    not: a met target's improvement stays made and the next target adds to it."""
    from lspsim.appraisal.flows import achieved_outcome

    progress = np.array([[0.0, 0.5, 1.0, 1.0, 0.2, 0.6],
                         [0.0, 0.3, 0.6, 0.9, 0.1, 0.3]])
    rounds = np.array([1, 1, 1, 1, 2, 2])
    got = achieved_outcome(progress, rounds)
    np.testing.assert_allclose(got, [[0.0, 0.5, 1.0, 1.0, 1.2, 1.6],
                                     [0.0, 0.3, 0.6, 0.9, 1.0, 1.2]])
    # with the rounds off (one round) it is the progress, capped at 1
    np.testing.assert_allclose(achieved_outcome(progress * 2, np.ones(6)),
                               np.minimum(progress * 2, 1.0))
