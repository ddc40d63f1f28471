"""The quantitative lab patterns: statistics computed correctly on constructed data, the
public-goods mapping (round r is the model's r-th decision), and the patterns measured on the
model independently of the worker count."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

from lspsim.model import PartnershipModel
from lspsim.scenario import load_scenario, presets_dir
from lspsim.validation import lab


def _others_prev(c: np.ndarray, i: int) -> np.ndarray:
    n = c.shape[1]
    return (c[:-1].sum(axis=1) - c[:-1, i]) / (n - 1)


def test_slope_recovers_a_constructed_conditional_co_operator():
    rng = np.random.default_rng(3)
    c = np.zeros((11, 4))
    c[0] = 0.5
    for t in range(1, 11):
        c[t, 1:] = rng.uniform(0, 1, 3)
        c[t, 0] = 0.1 + 0.6 * (c[t - 1, 1:].mean())
    s = lab.slopes(c)
    assert s[0] == pytest.approx(0.6, abs=1e-12)
    # an independent check of the others: np.polyfit on the same pairs
    for i in range(1, 4):
        assert s[i] == pytest.approx(np.polyfit(_others_prev(c, i), c[1:, i], 1)[0], abs=1e-10)


def test_slope_is_undefined_when_the_others_never_vary():
    c = np.full((11, 4), 0.5)
    c[1:, 0] = np.linspace(0, 1, 10)
    s = lab.slopes(c)
    assert np.isnan(s[0])  # player 0's others are constant: no slope


def test_group_statistics_on_constructed_games():
    none = np.zeros((11, 4))
    none[0] = 0.5
    pattern = 0.5 * 0.8 ** np.arange(11)
    none[:, 0] = pattern  # falls with the others: a conditional co-operator
    none[:, 1] = pattern
    none[:, 2] = pattern
    none[1:, 3] = 0.0  # gives nothing in every round: a free rider
    pun = np.full((11, 4), 0.7)
    pun[1] = 0.3
    g = lab.group_statistics(none, pun)
    assert g["round1"] == pytest.approx(0.75 * 0.4)
    assert g["round10"] == pytest.approx(0.75 * 0.5 * 0.8 ** 10)
    assert g["pun_round1"] == pytest.approx(0.3) and g["pun_round10"] == pytest.approx(0.7)
    assert g["free_rider_share"] == 0.25
    assert g["cc_share"] == 0.75
    m = lab.summarise([g, {**g, "round1": 0.5, "round10": 0.1}])
    assert m["decay_ratio"] == pytest.approx((g["round10"] + 0.1) / (g["round1"] + 0.5))
    assert m["pun_rise"] == pytest.approx(0.4)


def test_bands_and_distance():
    p = lab.pattern("L1")
    assert p.band == (0.4, 0.6) and p.holds(0.5) and not p.holds(0.3)
    assert p.distance(0.5) == 0 and p.distance(0.3) == pytest.approx(0.5)
    assert p.distance(float("nan")) == float("inf")
    inside = {q.key: sum(q.band) / 2 for q in lab.CALIBRATED}
    assert lab.distance(inside) == 0.0
    assert lab.distance({**inside, "round1": 0.3, "round10": 0.3}) == pytest.approx(
        np.hypot(0.5, 1.0))
    # every pattern is fixed with a source, a level and a proper band
    for q in lab.PATTERNS:
        assert q.source and q.level in ("group", "individual", "partnership")
        assert q.band[0] < q.band[1]


def test_first_decision_is_fresh_and_punishment_follows_round_one():
    sc = load_scenario("public_goods")
    model = PartnershipModel(sc, rng=1)
    assert model.derived.adjust_rate == 1.0  # month 1 is a decision, not half an adjustment
    pun = load_scenario("public_goods_punishment")
    for k in range(3):
        g = lab.play(sc, 2000, k)
        assert g["pun_round1"] == g["round1"]  # nobody is punished for the belief
    assert [e.month for e in pun.events] == [2]


def test_punishment_preset_is_the_game_plus_one_event():
    def load(name):
        with (presets_dir() / f"{name}.toml").open("rb") as fh:
            data = tomllib.load(fh)
        for k in ("name", "description", "events"):
            data.pop(k, None)
        return data

    assert load("public_goods") == load("public_goods_punishment")
    ev = load_scenario("public_goods_punishment").events
    assert len(ev) == 1 and ev[0].changes == {"scrutiny.member_engagement": 1.0}
    assert load_scenario("public_goods").scrutiny.member_engagement == 0.0
    assert lab.punished(load_scenario("public_goods")).events == ev


def test_lab_game_refuses_a_short_game():
    with pytest.raises(ValueError, match="10 rounds"):
        lab.play(load_scenario("public_goods", {"months": 5}), 1)


def test_measure_does_not_depend_on_workers():
    a = lab.measure(groups=8, workers=1, monitoring_reps=1)
    b = lab.measure(groups=8, workers=2, monitoring_reps=1)
    assert a.stats == b.stats
    assert len(a.rows()) == len(lab.PATTERNS)
    md = "\n".join(lab.markdown(a))
    for p in lab.PATTERNS:
        assert f"| {p.id} {p.name} |" in md


def test_sticky_beliefs_slow_the_decay_of_contributions():
    # Over 30 groups (paired: same seeds), round 10 keeps more of round 1 when beliefs move
    # partly (commitment.belief_rate < 1) than when each round's belief is what was just seen.
    from lspsim.stats import paired_effect

    sticky, fresh = (load_scenario("public_goods", {"commitment.belief_rate": r})
                     for r in (0.3, 1.0))
    a = [lab.play(sticky, 2000, k) for k in range(30)]
    b = [lab.play(fresh, 2000, k) for k in range(30)]
    # the first decision is the same
    assert all(x["round1"] == y["round1"] for x, y in zip(a, b, strict=True))
    mean, lo, _ = paired_effect([g["round10"] for g in a], [g["round10"] for g in b])
    assert lo > 0.02, (mean, lo)
