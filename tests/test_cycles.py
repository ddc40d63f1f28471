"""The feedback loop and its time structure (issue 12): LAA rounds, met targets freeing their
money, the small-wins loop, capacity-bounded commitment and the spin-up from history."""

import numpy as np
import pytest

import lspsim
from lspsim.mechanisms import commitment as commit
from lspsim.mechanisms import cycles, delivery
from lspsim.model import PartnershipModel
from lspsim.stats import lower_bound


def model(updates: dict | None = None, seed: int = 1, preset: str = "default"):
    return PartnershipModel(lspsim.load_scenario(preset, updates or {}), rng=seed)


# ----------------------------------------------------------------------------- formulas
def test_spinup_is_whole_years_of_history_up_to_the_cap():
    assert cycles.spinup_months(10, 24) == 24
    assert cycles.spinup_months(1.5, 24) == 12
    assert cycles.spinup_months(0.9, 24) == 0
    assert cycles.spinup_months(30, 30) == 24  # rounded down to whole years
    assert cycles.spinup_months(30, 0) == 0


def test_pace_gap_is_progress_against_the_share_of_the_round_gone():
    gap = cycles.pace_gap(np.array([0.0, 0.5, 1.4]), 18, 36)
    np.testing.assert_allclose(gap, [-0.5, 0.0, 0.5])


def test_rounds_open_every_round_months_only_when_renewed():
    assert cycles.opens_round(37, 1, 36, True)
    assert not cycles.opens_round(36, 1, 36, True)
    assert not cycles.opens_round(37, 1, 36, False)
    assert cycles.horizon(1, -23, 36, True, 120) == 36
    assert cycles.horizon(-23, -23, 36, False, 120) == 24  # the spin-up's round
    assert cycles.horizon(1, -23, 36, False, 120) == 120   # the run's


def test_round_difficulty_is_its_own_reproducible_stream():
    a = cycles.round_difficulty(7, 2, 0.3, 12)
    np.testing.assert_array_equal(a, cycles.round_difficulty(7, 2, 0.3, 12))
    assert not np.allclose(a, cycles.round_difficulty(7, 3, 0.3, 12))
    np.testing.assert_array_equal(cycles.round_difficulty(7, 3, 0.0, 4), np.ones(4))


def test_shared_and_seen_gaps_average_the_chains_partners_share():
    m = np.array([[1, 1, 0], [0, 1, 1]], dtype=float)  # (K=2, n=3)
    gap = np.array([0.4, -0.2])
    shared = cycles.shared_gap(gap, m, 0.5)
    assert shared[0, 1] == pytest.approx(0.5 * 0.4)    # only target 0 together
    assert shared[0, 2] == 0.0                          # no chain in common
    assert shared[1, 1] == pytest.approx(0.5 * 0.1)     # both its chains
    np.testing.assert_allclose(cycles.seen_gap(gap, m, 0.5), shared.diagonal())


def test_wins_raise_trust_losses_lower_it_and_the_fast_form_agrees():
    rng = np.random.default_rng(0)
    T = rng.random((5, 5))
    np.fill_diagonal(T, 1.0)
    S = rng.uniform(-1, 1, (5, 5))
    plain = cycles.wins_trust(T, S, 0.3)
    off = ~np.eye(5, dtype=bool)
    assert np.all(plain[off][S[off] > 0] > T[off][S[off] > 0])
    assert np.all(plain[off][S[off] < 0] < T[off][S[off] < 0])
    assert plain.min() >= 0 and plain.max() <= 1
    # the planned form updates only pairs sharing a chain, and agrees with the plain one
    mem = (rng.random((4, 5)) < 0.5).astype(float)
    gap = rng.uniform(-1, 1, 4)
    want = cycles.wins_trust(T, cycles.shared_gap(gap, mem, 0.7), 0.3)
    got = cycles.wins_trust_planned(T.copy(), cycles.plan_wins(mem), 0.7 * gap, 0.3)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)


def test_freed_share_is_the_chain_share_of_the_open_targets():
    rng = np.random.default_rng(2)
    mem = (rng.random((6, 8)) < 0.5).astype(float)
    open_ = np.array([True, False, True, True, False, True])
    want = delivery.chain_share(mem * open_[:, None])
    got = delivery.chain_share(mem) * delivery.freed_share(mem, open_)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)
    assert got[~open_].sum() == 0


def test_commitment_is_bounded_by_spare_capacity():
    burden = np.array([0.1, 0.6])
    out = commit.desired(np.ones(2), np.ones(2), np.ones(2), np.zeros(2), np.zeros(2),
                         commit.spare_capacity(burden))
    np.testing.assert_allclose(out, [0.9, 0.4])


def test_efficacy_scales_the_expected_return():
    base = commit.own_incentive(np.array([0.8]), np.array([1.0]), 1.5, 0.7, np.array([0.2]))
    ahead = commit.own_incentive(np.array([0.8]), np.array([1.0]), 1.5, 0.7, np.array([0.2]),
                                 np.array([0.3]), 1.0)
    assert ahead[0] == pytest.approx(base[0] + 0.8 * 1.5 * 0.3)


# ----------------------------------------------------------------------------- the model
def test_targets_renew_each_round_and_met_targets_stop():
    m = model({"months": 80}, seed=2)
    m.run_months()
    prog = m.progress_series()
    assert np.all(prog[37] < prog[36].max())      # a new round: progress restarted
    assert np.all(prog[37] < 0.35)  # one month of the new round
    s = m.series()
    assert s["laa_round"][36] == 1 and s["laa_round"][37] == 2 and s["laa_round"][80] == 3
    assert s["targets_met_round_end"][36] == s["targets_met"][36]
    assert s["targets_met_round_end"][72] == s["targets_met"][72]
    assert np.isnan(s["targets_met_round_end"][35])
    # a met target stops: at most one month's overshoot, then flat until its round ends
    for k in range(prog.shape[1]):
        hit = np.flatnonzero(prog[1:37, k] >= 1.0)
        if hit.size:
            first = hit[0] + 1
            assert np.all(prog[first:37, k] == prog[first, k])
    rounds = m.rounds()
    assert [r["round"] for r in rounds] == [1, 2, 3]
    assert [r["complete"] for r in rounds] == [True, True, False]


def test_new_rounds_draw_new_difficulty_and_keep_the_chains():
    m = model({"months": 40}, seed=3)
    before, chains = m.months_to_deliver.copy(), m.chains.copy()
    m.run_months()
    assert not np.allclose(before, m.months_to_deliver)
    np.testing.assert_array_equal(chains, m.chains)


def test_targets_set_once_when_rounds_are_off():
    m = model({"months": 80, "mechanisms.laa_rounds": "off"}, seed=2)
    m.run_months()
    prog = m.progress_series()
    assert np.all(np.diff(prog, axis=0) >= 0)
    assert m.series()["laa_round"][80] == 1


def test_spinup_runs_history_without_recording_or_advancing_steps():
    m = model(seed=4)
    assert m.steps == 0 and m.derived.spinup == 24 and m.first_month == -23
    assert len(m.series()["mean_trust"]) == 1
    assert m.round_index == 1 and m.round_start == 1 and np.all(m.progress == 0)
    assert m.weakest_count.sum() == 0
    again = model(seed=4)
    np.testing.assert_array_equal(m.trust, again.trust)
    off = model({"mechanisms.spin_up": "off"}, seed=4)
    assert off.derived.spinup == 0 and off.first_month == 1
    new = model({"structure.years_of_joint_working": 0}, seed=4)
    assert new.derived.spinup == 0


def test_spinup_starts_trust_on_the_models_own_path():
    # Without the spin-up, trust falls from the history-built start with nothing changing;
    # with it, month 0 is already on the path the dynamics keep (paired seeds, 36 months;
    # 40 pairs: with the area's ties kept up outside the partnership the start drifts less,
    # about 0.05 of trust rather than 0.1, and 12 pairs no longer resolve it).
    def drift(updates):
        out = []
        for seed in range(40):
            t = model({"months": 36, **updates}, seed=seed).run_months().series()["mean_trust"]
            out.append(t[36] - t[0])
        return np.array(out)

    with_spin, without = drift({}), drift({"mechanisms.spin_up": "off"})
    mean, lower = lower_bound(np.abs(without) - np.abs(with_spin))
    assert lower > 0, (mean, lower)


def test_overloaded_partners_cannot_commit_beyond_spare_capacity():
    # Commitment moves part of the way to a desired level bounded by 1 - burden, so it never
    # rises above both last month's level and this month's spare capacity.
    m = model({"layers.meeting_cost": 0.2, "structure.coordination_cost": 0.05}, seed=5)
    for _ in range(24):
        before = m.commitment.copy()
        m.step()
        assert np.all(m.commitment <= np.maximum(before, 1.0 - m.burden) + 1e-12)
    assert np.all(m.commitment < 0.1)  # overloaded: nearly all capacity goes on meetings
    free = model({"layers.meeting_cost": 0.2, "structure.coordination_cost": 0.05,
                  "mechanisms.capacity_limit": "off"}, seed=5).run_months(24)
    assert free.commitment.mean() > 2 * m.commitment.mean()


def test_small_wins_move_trust_with_progress_against_pace():
    # Same seed, same draws: easy targets put chains ahead of pace (trust up), hard ones
    # behind (trust down), against the same runs with the loop off.
    def trust_with(months_to_deliver, form):
        t = model({"months": 24, "delivery.months_to_deliver": months_to_deliver,
                   "mechanisms.small_wins": form}, seed=6).run_months().series()["mean_trust"]
        return t[24]

    assert trust_with(6.0, "trust_only") > trust_with(6.0, "off")
    assert trust_with(60.0, "trust_only") < trust_with(60.0, "off")


def test_efficacy_follows_the_pace_seen():
    ahead = model({"months": 24, "delivery.months_to_deliver": 6.0}, seed=7).run_months()
    behind = model({"months": 24, "delivery.months_to_deliver": 60.0}, seed=7).run_months()
    assert ahead.series()["mean_efficacy"][24] > 0 > behind.series()["mean_efficacy"][24]
    only_trust = model({"months": 24, "mechanisms.small_wins": "trust_only"}, seed=7)
    assert np.all(only_trust.run_months().efficacy == 0)
