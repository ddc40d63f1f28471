"""Unit tests, one group per mechanism module: each is a pure function over arrays."""

import numpy as np
import pytest

from lspsim.mechanisms import (
    commitment,
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
from lspsim.scenario import Scenario

RNG = np.random.default_rng
S = Scenario()  # the schema's defaults for the structural constants
D = S.commitment.distrust_discount
INITIAL_TRUST = dict(mature_level=S.trust.mature_level, history_pull=S.trust.history_pull,
                     tie_bonus=S.trust.tie_bonus, spread=S.trust.initial_spread,
                     cross_tier_share=S.trust.cross_tier_share)
INITIAL_TIES = dict(history_density_pull=S.network.history_density_pull,
                    history_strength_gain=S.network.history_strength_gain,
                    concentration=S.network.tie_concentration)
LINK = dict(effort_half=S.delivery.effort_half, handover_exponent=S.delivery.handover_exponent,
            tie_floor=S.delivery.tie_floor, info_exponent=S.delivery.info_exponent)
VOICE = dict(statutory_exposure=S.leadership.statutory_exposure,
             exclusion_weight=S.leadership.exclusion_weight,
             outsider_weight=S.leadership.outsider_weight, floor=S.leadership.voice_floor)


# -- commitment -------------------------------------------------------------------------
def test_conditional_cooperators_follow_what_they_expect():
    slope = np.array([0.85, 0.85])
    own = np.array([0.2, 0.2])
    low = commitment.desired(slope, np.array([0.1, 0.1]), own, np.zeros(2), np.zeros(2))
    high = commitment.desired(slope, np.array([0.9, 0.9]), own, np.zeros(2), np.zeros(2))
    assert np.all(high > low)


def test_imperfect_conditional_cooperation_decays_without_sanctions():
    c = np.full(4, 0.5)
    trust_ = np.ones((4, 4))
    own = commitment.own_preference(np.full(4, 1.0 * 0.4 - 1.0), 5.0)  # MPCR 0.4
    for _ in range(10):
        exp = commitment.expected_of_others(trust_, c, np.zeros(4), D)
        c = commitment.adjust(c, commitment.desired(np.full(4, 0.85), exp, own, np.zeros(4),
                                                    np.zeros(4)), 0.5)
    assert c.mean() < 0.3


def test_own_preference_rises_with_stake_and_falls_with_burden():
    lo = commitment.own_incentive(np.array([0.2]), np.ones(1), 1.5, 0.7, np.zeros(1))
    hi = commitment.own_incentive(np.array([0.9]), np.ones(1), 1.5, 0.7, np.zeros(1))
    busy = commitment.own_incentive(np.array([0.9]), np.ones(1), 1.5, 0.7, np.full(1, 0.5))
    assert hi > lo and busy < hi
    assert commitment.own_preference(hi, 5) > commitment.own_preference(lo, 5)


def test_distrust_discounts_expectations():
    obs = np.array([0.6, 0.6, 0.6])
    visibility = np.zeros(3)
    full = commitment.expected_of_others(np.ones((3, 3)), obs, visibility, D)
    none = commitment.expected_of_others(np.zeros((3, 3)), obs, visibility, D)
    assert np.allclose(full, 0.6) and np.all(none < full)
    # what monitoring shows plainly needs no trust to be believed
    seen = commitment.expected_of_others(np.zeros((3, 3)), obs, np.ones(3), D)
    assert np.allclose(seen, 0.6)


# -- trust ------------------------------------------------------------------------------
def test_trust_falls_faster_after_breach_than_it_rises():
    t0 = np.full((2, 2), 0.5)
    w = np.ones((2, 2))
    up, down = t0.copy(), t0.copy()
    for _ in range(6):
        up = trust.update_trust(up, np.ones((2, 2)), w, 0.04, 0.18, 0.0)
        down = trust.update_trust(down, np.zeros((2, 2)), w, 0.04, 0.18, 0.0)
    assert (0.5 - down[0, 1]) > 2 * (up[0, 1] - 0.5)


def test_repair_softens_loss():
    t0 = np.full((2, 2), 0.6)
    hard = trust.update_trust(t0, np.zeros((2, 2)), np.ones((2, 2)), 0.04, 0.2, 0.0)
    soft = trust.update_trust(t0, np.zeros((2, 2)), np.ones((2, 2)), 0.04, 0.2, 0.5)
    assert soft[0, 1] > hard[0, 1]


def test_a_tie_cushions_a_breach_in_proportion_to_its_strength():
    t0 = np.full((3, 3), 0.6)
    np.fill_diagonal(t0, 1.0)
    ties = np.array([[0, 1.0, 0.0], [1.0, 0, 0.5], [0.0, 0.5, 0]])
    breach, w = np.zeros((3, 3)), np.ones((3, 3))
    plain = trust.update_trust(t0, breach, w, 0.04, 0.2, 0.0)
    cushioned = trust.update_trust(t0, breach, w, 0.04, 0.2, 0.0, ties=ties, forgiveness=0.5)
    # the loss is 0.2 (1 - 0.5 tie) T: halved by a full tie, a quarter off for a half tie,
    # unchanged for no tie
    assert 0.6 - plain[0, 1] == pytest.approx(0.2 * 0.6)
    assert 0.6 - cushioned[0, 1] == pytest.approx(0.5 * 0.2 * 0.6)
    assert 0.6 - cushioned[1, 2] == pytest.approx(0.75 * 0.2 * 0.6)
    assert cushioned[0, 2] == pytest.approx(plain[0, 2])
    # kept faith gains as before: a tie forgives, it does not flatter
    kept = np.ones((3, 3))
    np.testing.assert_allclose(
        trust.update_trust(t0, kept, w, 0.04, 0.2, 0.0, ties=ties, forgiveness=0.5),
        trust.update_trust(t0, kept, w, 0.04, 0.2, 0.0), rtol=0, atol=1e-15)
    # forgiveness 0 is the plain update, bit for bit
    np.testing.assert_array_equal(
        trust.update_trust(t0, breach, w, 0.04, 0.2, 0.0, ties=ties, forgiveness=0.0), plain)


def test_history_raises_and_tier_prehistory_lowers_initial_trust():
    ties = np.zeros((4, 4))
    cross = np.zeros((4, 4), dtype=bool)
    cross[0, 1] = cross[1, 0] = True
    new = trust.initial_trust(RNG(1), 0.45, 0.0, ties, cross, 1.0, **INITIAL_TRUST)
    old = trust.initial_trust(RNG(1), 0.45, 0.95, ties, cross, 1.0, **INITIAL_TRUST)
    tiers = trust.initial_trust(RNG(1), 0.45, 0.95, ties, cross, 0.5, **INITIAL_TRUST)
    assert old[2, 3] > new[2, 3]
    assert tiers[0, 1] < old[0, 1] and tiers[2, 3] == old[2, 3]


def test_evidence_is_reciprocal():
    # Both commit 0.8; partner 1 is seen doing 0.2: a breach in 0's eyes, not the reverse.
    e = trust.kept_evidence(np.array([0.8, 0.2]), np.array([0.8, 0.8]), 0.1, 0.05)
    assert e[0, 1] < 0.01 and e[1, 0] > 0.8
    lenient = trust.kept_evidence(np.array([0.8, 0.2]), np.array([0.8, 0.8]), 0.7, 0.05)
    assert lenient[0, 1] > 0.5


def test_trust_spreads_along_ties_only():
    t = np.array([[1, 0.9, 0.9], [0.1, 1, 0.1], [0.5, 0.5, 1.0]])
    ties = np.array([[0, 1.0, 0], [1.0, 0, 0], [0, 0, 0]])
    out = trust.gossip(t, ties, 0.5)
    assert out[1, 2] > t[1, 2]  # partner 1 hears partner 0's high view of 2
    assert np.array_equal(out[2, :2], t[2, :2])  # partner 2 has no ties
    np.testing.assert_allclose(trust.spread(t, ties, 0.5), out, rtol=0, atol=1e-7)


# -- network ----------------------------------------------------------------------------
def test_ties_grow_with_meetings_and_decay_without():
    ties = np.full((2, 2), 0.3)
    np.fill_diagonal(ties, 0)
    met = network.update_ties(ties, np.full((2, 2), 2.0), 0.05, 0.03, 1.0)
    alone = network.update_ties(ties, np.zeros((2, 2)), 0.05, 0.03, 1.0)
    assert met[0, 1] > 0.3 > alone[0, 1]


def test_relationships_kept_up_outside_the_partnership_hold_ties_up():
    start = np.array([[0, 0.8, 0.0], [0.8, 0, 0.1], [0.0, 0.1, 0]])
    board = np.full((3, 3), 0.1)  # a board meeting a quarter, nothing else
    np.fill_diagonal(board, 0)
    contact = network.with_outside(board, start, 1.0)
    np.testing.assert_allclose(contact, board + start)
    assert network.with_outside(board, start, 0.0) is board
    # ten years on: a pair that knew each other keeps a tie the board alone would not sustain
    kept, alone = start.copy(), start.copy()
    for _ in range(120):
        kept = network.update_ties(kept, contact, 0.03, 0.015, 1.0)
        alone = network.update_ties(alone, board, 0.03, 0.015, 1.0)
    assert kept[0, 1] > 2 * alone[0, 1]
    assert kept[0, 2] == pytest.approx(alone[0, 2])  # strangers outside: the board's level


def test_turnover_breaks_ties_and_rate_matches():
    ties = np.ones((3, 3))
    out = network.break_ties(ties, np.array([1]), 0.8)
    assert out[0, 1] == pytest.approx(0.2) and out[0, 2] == 1.0
    events = sum(network.leavers(RNG(k).random(100), 0.3).size for k in range(120))
    assert events / (100 * 10) == pytest.approx(0.3, abs=0.05)  # 120 months = 10 years


def test_initial_ties_symmetric_and_history_adds_ties():
    cross = np.zeros((30, 30), dtype=bool)
    new = network.initial_ties(RNG(1), 30, 0.2, 0.3, 0.0, cross, 0.5, **INITIAL_TIES)
    old = network.initial_ties(RNG(1), 30, 0.2, 0.3, 0.95, cross, 0.5, **INITIAL_TIES)
    assert np.array_equal(new, new.T)
    assert (old >= 0.2).sum() > (new >= 0.2).sum()  # more pairs with a tie


# -- leadership -------------------------------------------------------------------------
def test_dominance_and_directive_style_silence_non_statutory_first():
    council = np.array([True, False, False])
    statutory = np.array([True, True, False])
    chair = np.array([True, False, False])
    styles = S.leadership.styles
    fac = leadership.voice(council, statutory, chair, styles.facilitative.inclusion, 0.1,
                           **VOICE)
    dom = leadership.voice(council, statutory, chair, styles.directive.inclusion, 0.9, **VOICE)
    assert fac[0] == dom[0] == 1.0
    assert dom[2] < dom[1] < 1.0 and fac[2] > dom[2]


def test_chair_pulls_toward_aspiration_in_proportion_to_voice():
    out = leadership.pulled_expectation(np.array([0.2, 0.2]), 0.8, 0.5, np.array([1.0, 0.1]))
    assert out[0] > out[1] > 0.2


def test_style_blend():
    styles = S.leadership.styles
    s = leadership.effective_style(styles, "facilitative", "directive", 1.0)
    assert s == styles.facilitative.model_dump()
    half = leadership.effective_style(styles, "facilitative", "directive", 0.5)
    assert half["pull"] == pytest.approx((styles.facilitative.pull + styles.directive.pull) / 2)


# -- structure --------------------------------------------------------------------------
def test_coordination_rises_with_partners_not_tiers():
    assert structure.coordination_burden(20, 0.008) > structure.coordination_burden(10, 0.008)
    assert structure.coordination_burden(200, 0.008) < 1.0
    # No tier factor: the cost knows only how many partners there are (issue 12).
    import inspect
    assert "tier" not in inspect.signature(structure.coordination_burden).parameters


def test_district_lsps_compete_for_the_same_representatives_time():
    extra = structure.duplicated_meetings(["county_council", "district_council", "police",
                                           "voluntary_community"], 4, 0.5, 0.25, 3.0)
    # county-wide partners: half of each of 4 district LSPs' 3 meetings a month; a district:
    # a quarter of its own LSP's; a local voluntary body: none
    assert extra.tolist() == [6.0, 0.75, 6.0, 0.0]


def test_district_priorities_weigh_less_in_the_county_agenda():
    w = structure.tier_agenda_weight(np.array([1, 2, 0], dtype=np.int8), 0.4)
    assert w.tolist() == [1.0, 0.4, 1.0]


def test_agenda_follows_whose_priorities_are_heard():
    themes = ("a", "b", "c")
    prio = leadership.priorities([["a", "b", "c"], ["a"], ["c"]], themes)
    assert np.allclose(prio.sum(axis=1), 1.0)
    equal = leadership.agenda_stake(prio, np.ones(3))
    assert np.allclose(equal, 1.0)  # an equal say serves everyone alike
    # the council (all themes) and the partner holding "a" heard; the one holding "c" not
    tilted = leadership.agenda_stake(prio, np.array([1.0, 1.0, 0.1]))
    assert tilted[2] < 1.0 < tilted[1]
    assert np.allclose(leadership.agenda(prio, np.array([1.0, 1.0, 0.1])).sum(), 1.0)
    # the payoff share is capped at the whole stake; the rival forms
    share = leadership.payoff_share("agenda", np.ones(3), tilted)
    assert share[1] == 1.0 and share[2] == tilted[2]
    assert leadership.payoff_share("evidence_multiplier", np.full(3, 0.3), tilted).tolist() == [
        0.3] * 3
    assert leadership.payoff_share("off", np.full(3, 0.3), tilted).tolist() == [1.0] * 3


def test_councils_are_judged_on_what_they_do_for_each_partner():
    seen = leadership.delivered_for(np.array([0.8]), np.array([1.3, 0.5]))
    assert seen[:, 0].tolist() == [0.8, 0.4]
    e = leadership.kept_evidence_seen(seen, np.array([0.6, 0.6]), 0.1, 0.05)
    want = trust.kept_evidence(np.array([0.8]), np.array([0.6]), 0.1, 0.05)[0, 0]
    assert e[0, 0] == pytest.approx(want) and e[1, 0] < e[0, 0]


def test_evidence_multiplier_spares_statutory_partners():
    f = leadership.exclusion_factor(np.array([0.25, 0.25]), 0.5, np.array([True, False]))
    assert f.tolist() == [1.0, 0.5]


# -- layers -----------------------------------------------------------------------------
def test_meetings_follow_table_8_rhythms():
    per_year = np.array([4.0, 8.0, 24.0])
    year = sum(layers.meetings_in_month(m, per_year) for m in range(1, 13))
    assert year.tolist() == [4.0, 8.0, 24.0]


def test_confusion_costs_capacity_and_information():
    seats = np.ones((2, 3), dtype=bool)
    m = np.array([1.0, 1.0, 2.0])
    clear = layers.meeting_burden(m, seats, 0.02, 1.0, np.zeros(2), 1.5)
    muddled = layers.meeting_burden(m, seats, 0.02, 0.2, np.zeros(2), 1.5)
    assert np.all(muddled > clear)
    assert layers.information_noise_factor(0.2, 2.0) > layers.information_noise_factor(1.0, 2.0)
    assert layers.allocation_efficiency(0.2, 0.4) < layers.allocation_efficiency(1.0, 0.4) == 1.0
    assert layers.burden(np.array([0.5, 1.2]), 0.1, 0.95).tolist() == [0.6, 0.95]


def test_fixed_confusion_multipliers_act_only_in_their_own_form():
    assert layers.multiplier_clarity("multipliers", 0.2) == 0.2
    assert layers.multiplier_clarity("information", 0.2) == 1.0
    assert layers.multiplier_clarity("off", 0.2) == 1.0


def test_confused_executive_steers_money_on_activity_not_outcomes():
    gap = np.array([0.0, 0.2, 0.8])       # target 0 is met, target 2 lags
    activity = np.array([0.6, 0.3, 0.1])  # but the busiest chain is target 0's
    clear = layers.executive_signal(gap, activity, 1.0)
    muddled = layers.executive_signal(gap, activity, 0.2)
    assert clear.sum() == pytest.approx(1.0) and muddled.sum() == pytest.approx(1.0)
    assert clear.argmax() == 2 and muddled.argmax() == 0
    assert np.allclose(layers.executive_signal(np.zeros(3), np.zeros(3), 0.5), 1 / 3)
    need = layers.outcome_need(np.array([0.0, 0.5, 0.9, 1.2]))
    assert need.tolist() == pytest.approx([0.0, 0.25, 0.09, 0.0])  # met targets need nothing
    membership = np.array([[1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])  # (K=3, n=2)
    share = delivery.chain_share(membership)
    aligned = np.array([6.0, 4.0])
    for signal in (clear, muddled):
        money = layers.steered_money(3.0, aligned, membership, share, signal, 0.7)
        assert money.sum() == pytest.approx(13.0)  # nothing lost: it goes somewhere
    to_laggard = layers.steered_money(3.0, aligned, membership, share, clear, 0.7)[2]
    assert to_laggard > layers.steered_money(3.0, aligned, membership, share, muddled, 0.7)[2]
    even = layers.steered_money(3.0, aligned, membership, share, clear, 0.0)
    assert np.allclose(even, 1.0 + share @ aligned)


def test_the_executive_reads_outcomes_as_far_as_they_are_routed_and_exist():
    assert layers.outcome_share(0.8, 1.0) == pytest.approx(0.8)
    assert layers.outcome_share(0.8, 0.5) == pytest.approx(0.4)
    assert layers.outcome_share(0.0, 1.0) == 0.0


# -- monitoring -------------------------------------------------------------------------
def test_outcomes_are_seen_partly_without_shared_monitoring():
    assert monitoring.outcome_visibility(0.0, 0.5) == pytest.approx(0.5)
    assert monitoring.outcome_visibility(1.0, 0.5) == pytest.approx(1.0)
    assert monitoring.outcome_visibility(0.4, 1.0) == pytest.approx(1.0)  # needs no monitoring
    assert monitoring.outcome_visibility(0.4, 0.0) == pytest.approx(0.4)  # only through it
    seen = [monitoring.outcome_visibility(m, 0.3) for m in (0.1, 0.45, 1.0)]
    assert seen == sorted(seen)


def test_maturity_takes_years_and_standards_raise_the_ceiling():
    def years_to(level, standards):
        m, months = 0.05, 0
        while m < level and months < 600:
            m = monitoring.grow(m, monitoring.growth(0.5, 0.03, 0.55, 0.55, 0.5),
                                monitoring.ceiling(standards, 0.45))
            months += 1
        return months
    assert years_to(0.5, True) >= 24  # at least two years to half-way
    assert years_to(0.5, False) == 600  # never without common standards


def test_observation_error_shrinks_with_maturity_and_openness():
    sd = monitoring.observation_sd(0.8, np.array([0.2, 0.9]), 0.15, 1.0)
    assert sd[1] < sd[0]
    assert monitoring.observation_sd(0.0, np.array([0.9]), 0.15, 1.0)[0] == pytest.approx(0.15)


# -- scrutiny ---------------------------------------------------------------------------
def test_scrutiny_presses_shortfalls_in_proportion_to_stake_in_failure():
    p = scrutiny.review(np.zeros(3), np.array([0.2, 0.2, 0.9]), 0.8, np.array([0.9, 0.2, 0.9]),
                        1.0)
    assert p[0] > p[1] > 0 and p[2] == 0
    assert scrutiny.intensity(0.8, 1.0, 1.0, 0.3) > scrutiny.intensity(0.8, 0.0, 1.0, 0.3)
    assert scrutiny.fade(p, 0.5)[0] == pytest.approx(p[0] / 2)


def test_punishment_costs_the_punished_and_the_punisher():
    rate = scrutiny.review_fines(np.zeros(3), np.array([0.5, 0.9, 0.2]), 0.8,
                                 np.array([1.0, 1.0, 0.5]), 0.3, 2.0)
    assert rate.tolist() == pytest.approx([0.6, 0.0, 0.3])  # found short: fined per unit
    fines = scrutiny.fines_imposed(rate, np.array([0.5, 0.9, 0.2]), 0.8)
    assert fines.tolist() == pytest.approx([0.18, 0.0, 0.18])
    load = scrutiny.challenge_load(fines, np.array([1.0, 0.5, 0.5]), 0.33)
    # each unit of sanction costs 0.33 of capacity, shared by voice
    assert load.sum() == pytest.approx(0.33 * 0.36) and load[0] == pytest.approx(2 * load[1])
    base = np.full(3, -0.6)
    inc = scrutiny.fined_incentive(base, rate, load, 1.0)
    assert inc[0] > base[0]          # the punished: each unit withheld now costs a fine
    assert inc[1] < base[1]          # the punisher, not fined: challenge takes capacity


# -- resources --------------------------------------------------------------------------
def test_alignment_moves_more_money_than_the_pot():
    budgets = np.array([450.0, 180.0, 500.0, 3.0])
    c = np.full(4, 0.5)
    pot_doubled = resources.pooled_pot(budgets, 0.04) - resources.pooled_pot(budgets, 0.02)
    align_doubled = (resources.aligned(budgets, c, 0.2) - resources.aligned(budgets, c, 0.1)).sum()
    assert align_doubled > pot_doubled
    f = resources.resource_factor(np.array([0.0, 1.0, 100.0]), 2.0)
    assert f[0] == 0 and f[1] == 1 and f[2] < 2
    f3 = resources.resource_factor(np.array([1.0, 1e6]), 3.0)
    assert f3[0] == 1 and 2.9 < f3[1] < 3


# -- delivery ---------------------------------------------------------------------------
def test_weakest_link_limits_progress():
    chains = np.array([[0, 1, 2, -1]])
    effort = np.array([0.5, 0.5, 0.5])
    trust_ = np.ones((3, 3))
    ties = np.ones((3, 3))
    info = np.ones(3)
    strong = delivery.link_strength(chains, effort, trust_, ties, info, **LINK)
    weak_effort = effort.copy()
    weak_effort[1] = 0.01
    weak = delivery.link_strength(chains, weak_effort, trust_, ties, info, **LINK)
    assert np.isinf(strong[0, 3])
    assert weak[0].argmin() == 1
    p_strong = delivery.progress_step(strong, np.ones(1), np.full(1, 10.0))
    p_weak = delivery.progress_step(weak, np.ones(1), np.full(1, 10.0))
    assert p_weak[0] < p_strong[0]
    low_trust = trust_.copy()
    low_trust[0, 1] = 0.05
    assert delivery.link_strength(chains, effort, low_trust, ties, info,
                                  **LINK)[0, 0] < strong[0, 0]


def test_chains_are_led_by_councils_and_cross_tiers_in_two_tier_areas():
    kinds = ["county_council", "district_council", "district_council", "police", "health",
             "voluntary_community"]
    from lspsim.scenario import Scenario
    k = Scenario().kinds
    themes = [getattr(k, x).themes for x in kinds]
    chains, tt = delivery.build_chains(RNG(0), kinds, themes, np.ones(6), 6, 3)
    for chain in chains:
        members = chain[chain >= 0]
        assert len(set(members.tolist())) == len(members)
        assert kinds[members[0]].endswith("council")
    housing = tt.index("housing_environment")
    assert kinds[chains[housing][0]] == "district_council"


# -- every constant is a parameter ---------------------------------------------------------
def test_mechanism_modules_hold_no_numeric_constants():
    """Constants that shape behaviour live in the Scenario schema, not in module globals (the
    layer indices STRATEGIC, EXECUTIVE, OPERATIONAL are names, not quantities)."""
    import ast
    from pathlib import Path

    import lspsim.mechanisms as pkg

    found = []
    for path in Path(pkg.__file__).parent.glob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                value = node.value
                numbers = [n for n in ast.walk(value) if isinstance(n, ast.Constant)
                           and isinstance(n.value, int | float) and not isinstance(n.value, bool)]
                names = [t.id for t in (node.targets if isinstance(node, ast.Assign)
                                        else [node.target]) if isinstance(t, ast.Name)]
                names += [e.id for t in getattr(node, "targets", []) if isinstance(t, ast.Tuple)
                          for e in t.elts if isinstance(e, ast.Name)]
                if numbers and set(names) - {"STRATEGIC", "EXECUTIVE", "OPERATIONAL"}:
                    found.append(f"{path.name}: {names}")
    assert not found, found


def test_beliefs_move_partly_toward_what_is_seen():
    prev, seen = np.array([0.2, np.nan, 0.8]), np.array([0.6, 0.5, 0.4])
    np.testing.assert_allclose(commitment.update_belief(prev, seen, 0.25), [0.3, 0.5, 0.7])
    np.testing.assert_array_equal(commitment.update_belief(prev, seen, 1.0), seen)
    # repeated sights of the same thing: the gap shrinks by (1 - rate) each decision
    b = np.array([0.0])
    for _ in range(3):
        b = commitment.update_belief(b, np.array([1.0]), 0.5)
    assert b[0] == pytest.approx(1 - 0.5 ** 3)
