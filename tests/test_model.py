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
