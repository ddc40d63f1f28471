"""The model's monthly schedule is written for speed (buffers updated in place, constants cached
per meeting pattern, an expectation by one matrix-vector product, links from a plan, the gossip
sum in single precision). These tests check it against a plain reading of the ODD: one month
computed from the model's state with the straightforward mechanism functions and the same
random draws must give the same state."""

import copy

import numpy as np
import pytest

import lspsim
from lspsim.mechanisms import commitment as commit
from lspsim.mechanisms import (
    delivery,
    layers,
    leadership,
    monitoring,
    network,
    resources,
    scrutiny,
    structure,
    trust,
)
from lspsim.model import PartnershipModel


def plain_month(m: PartnershipModel, month: int, u: np.ndarray, z_obs: np.ndarray,
                z_decide: np.ndarray) -> dict[str, np.ndarray]:
    """One month from the state of ``m`` (not modified), written as the ODD reads."""
    sc, n = m.scenario, m.n_partners
    T, ties, c = m.trust.copy(), m.ties.copy(), m.commitment.copy()
    # turnover
    leavers = np.flatnonzero(u < 1.0 - (1.0 - sc.network.turnover) ** (1.0 / 12.0))
    ties = network.break_ties(ties, leavers, sc.network.tie_loss_on_turnover)
    T = trust.reset_for_newcomers(T, leavers, sc.trust.initial, sc.network.tie_loss_on_turnover)
    # meetings
    meetings = layers.meetings_in_month(month, m.per_year)
    contact = layers.contact(meetings, m.co_members)
    burden = np.clip(layers.meeting_burden(meetings, m.seat_matrix, sc.layers.meeting_cost,
                                           sc.layers.clarity, m.extra_meetings)
                     + structure.coordination_burden(n, structure.n_tiers(m.kinds),
                                                     sc.structure.coordination_cost), 0, 0.95)
    eff_cap = m.capacity * (1.0 - burden)
    # monitoring
    mon = sc.monitoring
    maturity = monitoring.grow(m.maturity, mon.investment, mon.growth_rate, m.maturity_ceiling,
                               float(m.openness.mean()), float(m.data_quality.mean()))
    sd = monitoring.observation_sd(maturity, m.openness, sc.trust.observation_noise,
                                   layers.information_noise_factor(sc.layers.clarity))
    observed = np.clip(c + z_obs * sd, 0.0, 1.0)
    # trust: evidence (exclusion by the council read as a breach), weight, update, gossip
    evidence = trust.kept_evidence(observed, c, sc.trust.tolerance)
    evidence = evidence * np.where(m.is_council[None, :], m.voice[:, None] ** 0.5, 1.0)
    weight = np.clip(0.3 + 0.4 * (maturity * m.openness)[None, :]
                     + 0.3 * np.minimum(contact, 1.0), 0.0, 1.0)
    T = trust.update_trust(T, evidence, weight, sc.trust.gain, sc.trust.loss,
                           m.style["repair"])
    strength = ties.sum(axis=1, keepdims=True)
    heard = (ties @ T) / np.where(strength > 0, strength, 1.0)
    r = np.where(strength > 0, sc.trust.spread, 0.0)
    T = (1.0 - r) * T + r * heard
    np.fill_diagonal(T, 1.0)
    ties = network.update_ties(ties, contact, sc.network.tie_growth, sc.network.tie_decay,
                               m.style["networking"])
    # scrutiny
    s = sc.scrutiny
    pressure = scrutiny.fade(m.pressure, s.memory)
    if scrutiny.is_review_month(month, s.interval_months):
        pressure = scrutiny.review(pressure, observed, sc.leadership.aspiration,
                                   m.stake_in_failure, scrutiny.intensity(
                                       s.member_engagement, s.member_training,
                                       m.style["challenge"]))
    # commitment
    cc = sc.commitment
    belief = 1.0 - commit.DISTRUST_DISCOUNT * (1.0 - T) * (1.0 - maturity * m.openness)[None, :]
    np.fill_diagonal(belief, 0.0)
    expected = belief @ observed / (n - 1)
    expected = leadership.pulled_expectation(expected, sc.leadership.aspiration,
                                             m.style["pull"], m.voice)
    own = commit.own_preference(commit.own_incentive(m.stake_in_success, m.voice,
                                                     cc.return_on_commitment, cc.cost, burden),
                                cc.incentive_weight)
    target = commit.desired(m.slope, expected, own, s.sanction_strength * pressure,
                            cc.noise * z_decide)
    c = commit.adjust(c, target, cc.adjustment_rate * m.style["speed"])
    # delivery
    rs = sc.resources
    adequacy = resources.adequacy(
        resources.pooled_pot(m.budget, rs.pooled_share),
        resources.aligned(m.budget, c, rs.mainstream_alignment), m.chain_share,
        layers.allocation_efficiency(sc.layers.clarity),
        rs.need_share * float(m.budget.sum()) / len(m.progress))
    link = delivery.link_strength(m.chains, c * eff_cap, T, ties,
                                  m.data_quality * (0.5 + 0.5 * maturity))
    progress = m.progress + delivery.progress_step(link, resources.resource_factor(adequacy),
                                                   m.months_to_deliver)
    return {"trust": T, "ties": ties, "commitment": c, "observed": observed,
            "pressure": pressure, "maturity": np.array(maturity), "link": link,
            "progress": progress, "adequacy": adequacy, "effective_capacity": eff_cap}


@pytest.mark.parametrize("preset", ["default", "two_tier_county", "new_council_dominated",
                                    "confused_layers", "public_goods_punishment"])
def test_fast_schedule_equals_plain_formulas(preset):
    sc = lspsim.load_scenario(preset)
    m = PartnershipModel(sc, rng=5)
    checked = 0
    for month in range(1, 30):
        before = copy.deepcopy(m)
        m.step()
        u, z = m._draws  # the year's draws the step used
        slot = (month - 1) % 12
        want = plain_month(before, month, u[slot], z[slot, 0], z[slot, 1])
        for name, value in want.items():
            got = getattr(m, name)
            # Double precision throughout except the gossip sum (float32, rate x 1e-7)
            np.testing.assert_allclose(got, value, rtol=0, atol=1e-7,
                                       err_msg=f"{preset} month {month}: {name}")
        checked += 1
    assert checked == 29


def test_turnover_with_several_leavers_matches_fancy_indexing():
    rng = np.random.default_rng(0)
    T = rng.random((6, 6))
    np.fill_diagonal(T, 1.0)
    leavers = np.array([1, 4])
    k = 0.5 * 0.8
    want = T.copy()
    want[:, leavers] = (1 - k) * want[:, leavers] + k * 0.5
    want[leavers, :] = (1 - k) * want[leavers, :] + k * 0.5
    want[leavers, leavers] = 1.0
    np.testing.assert_allclose(trust.reset_for_newcomers(T, leavers, 0.5, 0.8), want,
                               rtol=0, atol=1e-15)
    ties = rng.random((6, 6))
    want = ties.copy()
    want[leavers, :] *= 0.2
    want[:, leavers] *= 0.2
    np.testing.assert_allclose(network.break_ties(ties, leavers, 0.8), want, rtol=0, atol=1e-15)


def test_expectation_by_matrix_vector_product_equals_belief_matrix():
    rng = np.random.default_rng(3)
    n = 9
    T, obs, vis = rng.random((n, n)), rng.random(n), rng.random(n)
    belief = 1.0 - commit.DISTRUST_DISCOUNT * (1.0 - T) * (1.0 - vis)[None, :]
    np.fill_diagonal(belief, 0.0)
    np.testing.assert_allclose(commit.expected_of_others(T, obs, vis), belief @ obs / (n - 1),
                               rtol=1e-12)
    np.fill_diagonal(T, 1.0)
    np.testing.assert_allclose(commit.expected_of_others_unit(T, obs, 1.0 - vis),
                               commit.expected_of_others(T, obs, vis), rtol=1e-12)


def test_links_from_a_plan_equal_link_strength():
    m = PartnershipModel("two_tier_county", rng=2).run_months(5)
    effort = m.commitment * m.effective_capacity
    out = np.full(m.chains.shape, np.inf)
    delivery.planned_link_strength(delivery.plan_links(m.chains, m.data_quality), effort,
                                   m.trust, m.ties, 0.8, out=out)
    np.testing.assert_allclose(out, delivery.link_strength(m.chains, effort, m.trust, m.ties,
                                                           m.data_quality * 0.8), rtol=1e-12)


@pytest.mark.parametrize("preset", ["default", "two_tier_county"])
def test_series_derived_from_the_records_equal_the_state_each_month(preset):
    """Model-level series are derived from the records when read: check them against plain
    computations on each month's state."""
    m = PartnershipModel(preset, rng=7)
    sc, n = m.scenario, m.n_partners
    ns, council = ~m.statutory, m.is_council
    want: dict[str, list[float]] = {k: [] for k in ("mean_trust", "mean_commitment",
                                                    "trust_in_council_non_statutory",
                                                    "network_density", "mean_tie_strength",
                                                    "targets_met", "mean_chain_strength",
                                                    "aligned_spend", "monitoring_maturity")}
    trust_in, tie_strength = [], []
    counts = np.zeros(m.chains.shape, dtype=int)
    for _month in range(1, 16):
        m.step()
        counts[np.arange(len(m.chains)), m.link.argmin(axis=1)] += 1
        off = ~np.eye(n, dtype=bool)
        want["mean_trust"].append(m.trust[off].mean())
        want["mean_commitment"].append(m.commitment.mean())
        want["trust_in_council_non_statutory"].append(m.trust[np.ix_(ns, council)].mean())
        want["network_density"].append((m.ties[off] >= sc.network.tie_threshold).mean())
        want["mean_tie_strength"].append(m.ties[off].mean())
        want["targets_met"].append((m.progress >= 1.0).mean())
        want["mean_chain_strength"].append(np.min(m.link, axis=1).mean())
        want["aligned_spend"].append(m.aligned.sum())
        want["monitoring_maturity"].append(m.maturity)
        trust_in.append((m.trust.sum(axis=0) - 1.0) / (n - 1))
        tie_strength.append(m.ties.sum(axis=1))
    series = m.series()
    for name, values in want.items():
        np.testing.assert_allclose(series[name][1:], values, rtol=1e-12, atol=1e-12,
                                   err_msg=name)
    ps = m.partner_series()
    np.testing.assert_allclose(ps[1:, 1], trust_in, rtol=1e-12)
    np.testing.assert_allclose(ps[1:, 5], tie_strength, rtol=1e-12)
    np.testing.assert_array_equal(m.weakest_count, counts)
