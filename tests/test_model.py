"""The Mesa model: agents, schedule, determinism and records."""

import mesa
import numpy as np
import pytest

import lspsim
from lspsim.model import SERIES, PartnershipModel
from lspsim.results import replication_rng, run, run_replication


def test_partners_are_mesa_agents_reading_model_arrays():
    m = PartnershipModel("default", rng=1)
    assert isinstance(m, mesa.Model)
    partners = list(m.agents)
    assert len(partners) == m.n_partners == 10
    assert all(isinstance(a, lspsim.PartnerOrganisation) for a in partners)
    council = m.partners[0]
    assert council.kind == "unitary_council" and council.seats["strategic"]
    m.step()
    assert council.commitment == m.commitment[0]
    assert council.trust_in(m.partners[1]) == m.trust[0, 1]


def test_step_advances_one_month_and_records():
    m = PartnershipModel("default", rng=1)
    m.step()
    m.step()
    assert m.steps == 2
    s = m.series()
    assert set(s) == set(SERIES) and len(s["mean_trust"]) == 3
    assert np.all(np.isfinite(s["mean_trust"]))


def test_model_runs_past_the_scenarios_months():
    m = PartnershipModel(lspsim.load_scenario("default", {"months": 3}), rng=1)
    m.run_months(10)
    assert len(m.series()["mean_trust"]) == 11 and np.isfinite(m.series()["mean_trust"][-1])


def test_same_seed_same_outputs_bit_for_bit():
    a = run("two_tier_county", seed=5, replications=2)
    b = run("two_tier_county", seed=5, replications=2)
    assert a.timeseries.equals(b.timeseries)
    assert a.partners.equals(b.partners)
    c = run("two_tier_county", seed=6, replications=2)
    assert not a.timeseries.equals(c.timeseries)


def test_replication_stream_independent_of_how_many_run():
    sc = lspsim.load_scenario("default")
    alone = run_replication(sc, 3, 2)
    batch = run(sc, seed=3, replications=4).reps[2]
    for name in SERIES:
        assert np.array_equal(alone.series[name], batch.series[name], equal_nan=True), name
    # and it is the SeedSequence spawn stream
    a = replication_rng(3, 2).random(3)
    b = np.random.default_rng(np.random.SeedSequence(3).spawn(4)[2]).random(3)
    assert np.array_equal(a, b)


def test_no_global_random_state_is_used():
    np.random.seed(0)  # noqa: NPY002 - checking that legacy global state is not used
    a = run("default", seed=1).timeseries
    np.random.seed(999)  # noqa: NPY002
    b = run("default", seed=1).timeseries
    assert a.equals(b)


@pytest.mark.parametrize("preset", ["default", "mature_unitary", "two_tier_county",
                                    "new_council_dominated", "confused_layers",
                                    "poor_data_standards"])
def test_presets_run_and_stay_in_bounds(preset):
    m = PartnershipModel(preset, rng=0).run_months()
    assert np.all((m.commitment >= 0) & (m.commitment <= 1))
    assert np.all((m.trust >= 0) & (m.trust <= 1)) and np.all((m.ties >= 0) & (m.ties <= 1))
    assert 0 <= m.maturity <= 1 and np.all(m.progress >= 0)


def test_weakest_links_name_real_chain_members():
    m = PartnershipModel("default", rng=2).run_months()
    for w in m.weakest_links():
        assert w["weakest_from"] in w["chain"]
        assert 0 < w["weakest_share_of_months"] <= 1


def test_summary_has_metrics_with_intervals_and_partner_stakes():
    s = run("default", seed=1, replications=4).summary
    for key in ("target_achievement", "mean_trust", "mean_commitment", "network_density",
                "monitoring_maturity"):
        assert s[key]["ci95"][0] <= s[key]["mean"] <= s[key]["ci95"][1]
    p = s["partners"][0]
    assert {"stake_in_success", "stake_in_failure", "gain", "contribution_gbp_m"} <= set(p)


def test_large_partnership_runs():
    sc = lspsim.load_scenario("default", {"structure.n_voluntary": 300, "months": 3})
    m = PartnershipModel(sc, rng=1).run_months()
    assert m.n_partners == 308


def test_blas_runs_one_thread_so_large_runs_do_not_depend_on_the_process():
    from threadpoolctl import threadpool_info

    import lspsim.model  # noqa: F401

    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    assert blas and all(p["num_threads"] == 1 for p in blas)


# -- replacing the scenario mid-run (events: a new chair, new data standards, a budget cut) --
REPLACEMENTS = {
    "no common data standards": {"monitoring.common_data_standards": False},
    "a directive chair": {"leadership.chair_style": "directive",
                          "leadership.council_dominance": 0.8},
    "other structural constants": {"delivery.tie_floor": 0.1, "trust.weight_base": 0.6,
                                   "layers.burden_cap": 0.4, "commitment.conditional_slope": 1.0,
                                   "leadership.styles.facilitative.pull": 0.6},
}


@pytest.mark.parametrize("change", sorted(REPLACEMENTS))
def test_replaced_scenario_is_taken_whole(change):
    """After ``model.scenario`` is replaced, every parameter-derived quantity equals that of a
    fresh model of the new scenario with the same seed (changes that leave the initial draws
    alone, so the draws are the same too)."""
    from lspsim.model import Derived, Schedule

    base = lspsim.load_scenario("default")
    new = base.with_updates(REPLACEMENTS[change])
    m = PartnershipModel(base, rng=4).run_months(12)
    m.scenario = new
    m.step()
    fresh = PartnershipModel(new, rng=4)
    for name in Derived.__slots__:
        got, want = getattr(m.derived, name), getattr(fresh.derived, name)
        if isinstance(want, np.ndarray):
            np.testing.assert_array_equal(got, want, err_msg=name)
        else:
            assert got == want, name
    for name in Schedule._fields:
        got, want = getattr(m._schedule, name), getattr(fresh._schedule, name)
        for g, w in zip(got if name == "links" else [got],
                        want if name == "links" else [want], strict=True):
            np.testing.assert_array_equal(g, w, err_msg=name)
    for name in ("budget", "slope", "months_to_deliver", "seat_matrix", "co_members", "voice"):
        np.testing.assert_array_equal(getattr(m, name), getattr(fresh, name), err_msg=name)


def test_no_common_standards_mid_run_lowers_the_ceiling_as_in_a_fresh_model():
    m = PartnershipModel("default", rng=2).run_months(6)
    assert m.maturity_ceiling == 1.0
    m.scenario = m.scenario.with_updates({"monitoring.common_data_standards": False})
    m.run_months(6)
    fresh = PartnershipModel(m.scenario, rng=2)
    assert m.maturity_ceiling == fresh.maturity_ceiling == 0.45


def test_after_a_replacement_the_fast_schedule_still_equals_the_reference():
    from lspsim.reference import ReferenceRun, State

    m = PartnershipModel("two_tier_county", rng=8).run_months(18)
    m.scenario = m.scenario.with_updates({"leadership.chair_style": "laissez_faire",
                                          "resources.pooled_share": 0.05,
                                          "monitoring.common_data_standards": False})
    m.run_months(6)
    ref = ReferenceRun(m)
    for _ in range(12):
        m.step()
        want = ref.step()
        for name in State.__dataclass_fields__:
            np.testing.assert_allclose(getattr(m, name), getattr(want, name), rtol=0, atol=1e-7,
                                       err_msg=name)


@pytest.mark.parametrize("updates, says", [
    ({"structure.n_voluntary": 5}, "not its partners"),
    ({"delivery.n_targets": 3}, "delivery.n_targets"),
])
def test_replacing_partners_or_chains_mid_run_is_refused_clearly(updates, says):
    m = PartnershipModel("default", rng=1).run_months(2)
    m.scenario = m.scenario.with_updates(updates)
    with pytest.raises(ValueError, match=says):
        m.step()


@pytest.mark.parametrize("preset", ["default", "two_tier_county"])
def test_replacing_the_scenario_by_an_equal_one_mid_year_changes_nothing(preset):
    """Re-deriving is complete and leaves the random stream alone: a run whose scenario is
    replaced by an equal (but new) object in month 7 is bit-identical to one left alone."""
    a = PartnershipModel(preset, rng=6).run_months(7)
    b = PartnershipModel(preset, rng=6).run_months(7)
    b.scenario = lspsim.load_scenario(preset, {"months": b.scenario.months})
    assert b.scenario == a.scenario and b.scenario is not a.scenario
    _assert_same_run_on(a, b, 20)


def _assert_same_run_on(a, b, months):
    """Run both models on ``months`` and require the same series, partner series and trust."""
    a.run_months(months)
    b.run_months(months)
    for name, values in a.series().items():
        np.testing.assert_array_equal(b.series()[name], values, err_msg=name)
    np.testing.assert_array_equal(b.partner_series(), a.partner_series())
    np.testing.assert_array_equal(b.trust, a.trust)


def test_executive_steering_matches_the_plain_formula_even_where_chains_read_no_need():
    from lspsim.mechanisms import layers

    m = PartnershipModel(lspsim.load_scenario("two_tier_county"), rng=2)
    m.run_months(6)
    sch, k = m._schedule, len(m.progress)
    for signal in (np.full(k, 1.0 / k), np.eye(k)[0], np.linspace(0.0, 1.0, k) / np.linspace(
            0.0, 1.0, k).sum()):
        matrix, base = m._steering(signal)
        want = layers.steered_money(sch.pot, sch.aligned_per_commitment * m.commitment,
                                    m._membership, m.chain_share, signal, sch.steered) / sch.need
        np.testing.assert_allclose(matrix @ m.commitment + base, want, rtol=1e-12)


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_copied_model_runs_on_as_the_original(how):
    # The schedule keeps state in stacked arrays with views into them (trust and ties,
    # commitment and observation, pressure and fines); a copy must keep them joined.
    import copy
    import pickle

    a = PartnershipModel("default", rng=3)
    a.run_months(7)
    b = copy.deepcopy(a) if how == "deepcopy" else pickle.loads(pickle.dumps(a))
    _assert_same_run_on(a, b, 20)
    np.testing.assert_array_equal(b.ties, a.ties)
