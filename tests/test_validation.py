"""Validation checks at reduced size, so CI keeps docs/validation.md honest.

Every check in ``lspsim.validation`` is re-run here with fewer replications and hypercube points
and its claim asserted with its statistical margin (a 95% interval on the claimed side of 0, or
a robustness share not significantly below the 80% target). Checks that FAIL in the committed
report are marked ``xfail(strict=True)``: if the model changes so that one starts passing, the
test fails until the report is regenerated and the mark removed.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from lspsim.cli import main
from lspsim.model import PartnershipModel
from lspsim.scenario import (
    ASSUMED,
    Scenario,
    evidence_status,
    load_scenario,
    numeric_parameters,
    parameter_paths,
)
from lspsim.validation import (
    ABLATIONS,
    LHS_PARAMETERS,
    PAIRS,
    PG_CRITERIA,
    ROBUST_SHARE,
    AblationRow,
    Config,
    Robustness,
    ablations_for,
    breach_fall_and_recovery,
    lhs_points,
    lhs_ranges,
    measure_level,
    mechanism_switches,
    months_to_half,
    paired_effect,
    render_markdown,
    run_validation,
    write_docs,
)
from lspsim.validation.findings import Check, _carried_by, carrying_mechanisms

REDUCED = Config(replications=24, lhs_points=6, lhs_replications=8, ablation_replications=16)
# Small effects need more pairs than REDUCED gives: re-measured alone with this many.
POWERED = {"c.1": 200, "d1.1": 200, "d1.2": 200}
# Checks that fail in the full report (docs/validation.md) on what this test measures (the
# effect, and its sign over the hypercube); see the report for why. P1: round 1 below the
# laboratory's band. (d1.2 fails there as carried by one constant, which this test does not
# measure.)
KNOWN_FAILURES = {"P1"}


@pytest.fixture(scope="module")
def results():
    return run_validation(REDUCED, workers=1)


def _ids() -> list[str]:
    ids = list(PG_CRITERIA) + ["f1", "g", "h1", "h2"]
    for p in PAIRS:
        ids += [p.id] if len(p.metrics) == 1 else [f"{p.id}.{j}" for j in
                                                    range(1, len(p.metrics) + 1)]
    return ids


def _marked(cid: str):
    if cid in KNOWN_FAILURES:
        return pytest.param(cid, marks=pytest.mark.xfail(strict=True, reason="FAIL in report"))
    return cid


@pytest.mark.ensemble
@pytest.mark.parametrize("cid", [_marked(c) for c in _ids()])
def test_check_holds_with_its_margin(results, cid):
    c = results.check(cid)
    if cid in POWERED:
        pair, j = cid.split(".")
        metric = next(p for p in PAIRS if p.id == pair).metrics[int(j) - 1]
        c.effect, c.lo, c.hi = paired_effect(pair, metric, POWERED[cid])
        c.effect_ok = c.lo > 0
    assert c.effect_ok, f"{cid}: {c.measure} = {c.effect:.4f} [{c.lo:.4f}, {c.hi:.4f}]"
    if c.robustness is not None:
        n = REDUCED.lhs_points
        holds = round(c.robustness * n)
        # Not significantly below the target share (one-sided binomial test at 5%).
        assert stats.binom.cdf(holds, n, ROBUST_SHARE) > 0.05, (
            f"{cid}: the effect has the claimed sign at only {holds} of {n} points")


def test_every_check_is_reported(results):
    assert sorted(c.id for c in results.checks) == sorted(_ids())
    md = render_markdown(results)
    for c in results.checks:
        assert f"| {c.id} | {c.title} |" in md
        assert f"### {c.id} {c.title}: {'PASS' if c.passed else 'FAIL'}" in md
    assert "FAIL" in md or all(c.passed for c in results.checks)


def test_public_goods_presets_are_a_four_player_game():
    sc = load_scenario("public_goods")
    model = PartnershipModel(sc, rng=1)
    assert model.n_partners == 4
    for field in ("stake_in_success", "stake_in_failure", "capacity", "openness",
                  "data_quality"):
        values = getattr(model, field)
        assert np.all(values == values[0]), field
    assert sc.commitment.return_on_commitment == 0.4 and sc.commitment.cost == 1.0
    assert sc.months == 10 and sc.structure.years_of_joint_working == 0
    assert model.burden.max() == 0.0, "no meeting or coordination cost"
    assert model.maturity == 1.0 and sc.trust.observation_noise == 0.0


# The punishment preset is the game plus one event: tests/test_lab.py.


def _schema_range(path: str) -> tuple[float, float]:
    """Read independently of plausible_range: the field's metadata, else its ge/le bounds."""
    info = parameter_paths()[path]
    plausible = (info.json_schema_extra or {}).get("plausible")
    return tuple(plausible) if plausible else numeric_parameters()[path][:2]


def test_hypercube_ranges_are_the_schemas():
    ranges = lhs_ranges()
    assert list(ranges) == list(LHS_PARAMETERS)
    defaults = Scenario()
    for p, (lo, hi) in ranges.items():
        assert (lo, hi) == _schema_range(p), p
        hard = numeric_parameters()[p]
        assert hard[0] <= lo < hi <= hard[1], p
        # the default sits inside the range it is varied over (the old hand-written ranges of
        # tie_growth and growth_rate were labelled with the wrong defaults)
        section, name = p.split(".")
        assert lo <= getattr(getattr(defaults, section), name) <= hi, p
    # the structural constants that carry findings b, c and e are varied
    for p in ("structure.duplication_share", "structure.inter_tier_tie_factor",
              "structure.district_lsp_share", "structure.district_overlap",
              "structure.district_agenda_weight", "layers.steered_share",
              "scrutiny.challenge_cost", "trust.wins_rate", "commitment.efficacy_weight"):
        assert p in ranges


def test_hypercube_is_seeded_and_latin():
    a, b = lhs_points(8), lhs_points(8)
    assert a == b
    for p, (lo, hi) in lhs_ranges().items():
        xs = [pt[p] for pt in a]
        assert lo <= min(xs) and max(xs) <= hi
        # Latin: one point in each of the 8 strata.
        assert sorted(np.floor((np.array(xs) - lo) / (hi - lo) * 8).astype(int)) == list(range(8))


def test_robustness_separates_replication_noise_from_parameters():
    rng = np.random.default_rng(0)
    noise_only = 1.0 + rng.normal(0, 1, (20, 50))
    params_only = np.repeat(np.linspace(-1, 3, 20)[:, None], 50, axis=1)
    r1, r2 = Robustness.of(noise_only), Robustness.of(params_only)
    assert r1.noise_share > 0.8 and r2.noise_share == pytest.approx(0.0, abs=1e-12)
    assert r2.sign_share == r2.ci_share == np.mean(np.linspace(-1, 3, 20) > 0)
    assert r1.sign_share == 1.0 and r1.ci_share == 1.0  # mean 1, sd 1, 50 replications
    assert r2.true_sign_share == r2.sign_share  # no noise: nothing to remove


def test_robustness_removes_replication_noise_from_the_sign_share():
    rng = np.random.default_rng(3)
    # a small effect that does not depend on the parameters, measured with noise 4x its size
    small = 0.02 + rng.normal(0, 0.08, (32, 16))
    r = Robustness.of(small)
    assert r.sign_share < 0.95 and r.noise_share > 0.9  # raw means: wrong sign from noise
    assert r.true_sign_share == 1.0  # once noise is removed, the sign holds everywhere
    # an effect whose sign the parameters change keeps its sign changes
    turns = np.linspace(-1, 1, 32)[:, None] + 0.02 + rng.normal(0, 0.08, (32, 16))
    t = Robustness.of(turns)
    assert abs(t.true_sign_share - 0.5) <= 0.1 and abs(t.sign_share - 0.5) <= 0.1


def test_robustness_names_the_parameter_the_effect_follows():
    points = lhs_points(32)
    names = list(points[0])
    driver, other = names[0], names[1]
    rng = np.random.default_rng(1)
    # the effect falls with one parameter and is noise otherwise: its sign follows that one
    slope = np.array([p[driver] for p in points])
    x = (slope.mean() - slope)[:, None] + rng.normal(0, 1e-3, (32, 4))
    r = Robustness.of(x, points)
    assert r.drivers[0][0] == driver and r.drivers[0][1] < -0.9
    assert other not in dict(r.drivers)
    assert Robustness.of(x).drivers == ()  # without the points, nothing is named
    flat = rng.normal(0, 1, (32, 4))
    assert all(abs(rho) >= 0.4 for _, rho in Robustness.of(flat, points).drivers)


def test_breach_fall_and_recovery_from_series():
    base = np.full(40, 0.5)
    breach = base.copy()
    breach[12:16] -= [0.1, 0.2, 0.3, 0.4]  # falls to a low point in 4 months (11 -> 15)
    breach[16:] -= 0.4 - 0.05 * np.arange(1, 25).clip(max=8)  # recovers 0.05 a month
    fall, recovery = breach_fall_and_recovery(breach, base, start=12, months=6)
    assert fall == pytest.approx(0.4) and recovery == pytest.approx(0.2)


def test_months_to_half():
    m = 0.2 + 0.8 * (1 - np.exp(-np.arange(100) / 30.0))
    assert months_to_half(m) == np.ceil(30 * np.log(2))
    assert months_to_half(np.full(10, 0.2)) == np.inf


def test_results_do_not_depend_on_worker_count():
    tiny = Config(replications=3, lhs_points=2, lhs_replications=2, ablation_replications=3)
    one, two = run_validation(tiny, workers=1), run_validation(tiny, workers=2)
    for a, b in zip(one.checks, two.checks, strict=True):
        assert (a.id, a.effect, a.lo, a.hi, a.robust, a.carried_by) == (
            b.id, b.effect, b.lo, b.hi, b.robust, b.carried_by)
    for a, b in zip(one.ablations, two.ablations, strict=True):
        assert (a.check, a.label, a.effect, a.lo, a.hi) == (b.check, b.label, b.effect, b.lo, b.hi)


def test_docs_are_written_whole(results, tmp_path):
    path = write_docs(results, tmp_path / "docs")
    assert path.read_text().startswith("# Validation")
    imgs = sorted(p.name for p in (tmp_path / "docs" / "img").iterdir())
    assert imgs and all(n.startswith("validation-") and n.endswith(".png") for n in imgs)
    for n in imgs:
        assert f"img/{n}" in path.read_text()
    assert not [p for p in (tmp_path / "docs").iterdir() if p.name.startswith(".")]
    import csv

    with (tmp_path / "docs" / "validation-ablations.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(results.ablations) > 0
    assert {r["check"] for r in rows} == {a.check for a in results.ablations}
    with (tmp_path / "docs" / "validation-checks.csv").open() as fh:
        assert [r["check"] for r in csv.DictReader(fh)] == [c.id for c in results.checks]


@pytest.mark.parametrize("argv", [["--replications", "1"], ["--workers", "0"]])
def test_bad_input_exits_2(argv, tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["validation", "--out", str(out), *argv]) == 2
    err = capsys.readouterr().err
    assert argv[0] in err and "Traceback" not in err
    assert not out.exists(), "nothing written on bad input"


def test_a_reduced_run_never_replaces_the_committed_report(results, tmp_path, monkeypatch):
    import lspsim.validation.cli as vcli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(vcli, "run_validation", lambda cfg, workers, progress: results)
    assert main(["validation", "--quick", "--workers", "1"]) == 0
    assert (tmp_path / "out" / "validation-quick" / "validation.md").is_file()
    assert main(["validation", "--replications", "10", "--workers", "1"]) == 0
    assert not (tmp_path / "docs").exists()
    # only when asked for explicitly
    assert main(["validation", "--quick", "--workers", "1", "--out", "docs"]) == 0
    assert (tmp_path / "docs" / "validation.md").is_file()


# ------------------------------------------------------------------------------------------
# Ablations
# ------------------------------------------------------------------------------------------
def test_mechanism_switches_are_enumerated_from_the_schema():
    from typing import Literal

    from pydantic import BaseModel

    class Constructed(BaseModel):
        punishment: Literal["payoff_cost", "push", "off"] = "payoff_cost"
        tiers: Literal["voice", "cost"] = "voice"  # no "off": not ablated
        history: Literal["spin_up", "off"] = "spin_up"

    assert mechanism_switches(Constructed) == ["mechanisms.punishment", "mechanisms.history"]
    rows = ablations_for("c", switches=mechanism_switches(Constructed))
    assert [r[2] for r in rows[:2]] == [{"mechanisms.punishment": "off"},
                                        {"mechanisms.history": "off"}]
    # the real section: every switch found accepts "off", and every finding ablates it
    for sw in mechanism_switches():
        load_scenario("default", {sw: "off"})
        for p in PAIRS:
            assert any(r[2] == {sw: "off"} for r in ablations_for(p.id))


def test_declared_ablations_name_schema_parameters_at_valid_neutral_values():
    paths = parameter_paths()
    for pid, abls in ABLATIONS.items():
        assert pid in {p.id for p in PAIRS} | {"f1", "g", "h1", "h2"}
        for ab in abls:
            for path in ab.updates:
                assert path in paths, f"{pid}: {path} is not in the schema"
            load_scenario("default", ab.updates)  # the neutral value is inside the bounds
    for p in PAIRS:
        assert p.id in ABLATIONS, f"finding {p.id} declares no ablation"


def test_switching_off_what_carries_a_finding_changes_its_effect():
    # Finding c (layers): with its mechanism switched off (mechanisms.layers; its one parameter
    # at its neutral value gives the same runs), the effect changes (paired per replication:
    # the change's 95% CI excludes 0).
    from lspsim.validation.findings import Runner, _diffs, _pair_tasks

    pair = next(p for p in PAIRS if p.id == "c")
    off = next(r for r in ablations_for("c") if r[1] == "mechanisms.layers = off")[2]
    on_t, off_t = _pair_tasks(pair, 20, 2009, {}, False), _pair_tasks(pair, 20, 2009, off, False)
    runner = Runner(1)
    runner.run(on_t[0] + on_t[1] + off_t[0] + off_t[1])
    change = _diffs(runner, on_t, "mean_target_progress") - _diffs(runner, off_t,
                                                                   "mean_target_progress")
    half = stats.t.ppf(0.975, change.size - 1) * change.std(ddof=1) / np.sqrt(change.size)
    assert change.mean() - half > 0, (change.mean(), half)


def test_carried_by_names_only_a_single_unevidenced_constant_that_kills_the_effect():
    base = (0.1, 0.05, 0.15)

    def row(updates, evidence, lo, kind="parameter", b=base):
        return AblationRow("x", "m", kind, "l", updates, evidence, 10, lo + 0.01, lo, lo + 0.02, b)

    rows = [row({"a.b": 0.0}, ASSUMED, -0.01),                   # vanishes: carried
            row({"a.c": 1.0}, ASSUMED, 0.02),                    # holds
            row({"a.d": 0.0}, "sourced: X", -0.05),              # vanishes but sourced
            row({"a.e": 0.0, "a.f": 0.0}, ASSUMED, -0.05),       # two constants at once
            row({"a.g": 0.0, "a.h": 0.0}, "", -0.05, "all"),
            row({"mechanisms.x": "off"}, ASSUMED, -0.05, "mechanism")]  # a mechanism
    assert _carried_by(rows) == ["a.b = 0.0"]
    assert carrying_mechanisms(rows) == ["mechanisms.x"]
    # an effect that does not hold to begin with is not "carried" by anything
    assert _carried_by([row({"a.b": 0.0}, ASSUMED, -0.01, b=(0.01, -0.02, 0.04))]) == []
    assert evidence_status("structure.history_timescale") == ASSUMED


def test_a_carrying_constant_is_shown_in_the_other_findings_tables_too():
    from lspsim.validation.report import _check_block

    base = (0.1, 0.05, 0.15)

    def row(check, updates, lo):
        return AblationRow(check, "m", "parameter", "l", updates, ASSUMED, 10, lo + 0.01, lo,
                           lo + 0.02, base)

    c = Check("d1.2", "t", "c", "s", "m", 0.1, 0.05, 0.15, True, carried_by=["a.b = 0.0"])
    rows = [row("d1.2", {"a.b": 0.0}, -0.01), row("a.1", {"a.b": 0.0}, 0.03),
            row("b.1", {"a.b": 0.5}, 0.03), row("b.2", {"a.c": 0.0}, 0.03)]
    text = "\n".join(_check_block(c, rows))
    assert "a.1 40% left (holds)" in text  # the same setting in another finding's table
    assert "b.1" not in text and "b.2" not in text  # another value, another constant
    assert "elsewhere" not in "\n".join(_check_block(c, rows[:1]))  # none elsewhere


def test_a_finding_carried_by_one_constant_fails_in_the_report(results):
    c = next(c for c in results.checks if c.robustness is not None)
    saved = (c.carried_by, c.effect_ok)
    try:
        c.carried_by, c.effect_ok = ["structure.duplication_share = 0.0"], True
        assert not c.passed
        md = render_markdown(results)
        assert f"`{c.carried_by[0]}`" in md
    finally:
        c.carried_by, c.effect_ok = saved


def test_every_paired_finding_has_its_ablation_table(results):
    md = render_markdown(results)
    for p in PAIRS:
        for j in range(1, len(p.metrics) + 1):
            cid = p.id if len(p.metrics) == 1 else f"{p.id}.{j}"
            rows = [a for a in results.ablations if a.check == cid]
            assert rows and f"### Ablation {cid} " in md
            assert all(np.isfinite(a.effect) for a in rows if a.updates)


# ------------------------------------------------------------------------------------------
# Checks measured from runs can fail
# ------------------------------------------------------------------------------------------
def test_monitoring_check_fails_when_maturity_comes_fast():
    mean, lo, hi = measure_level("f1", 2, updates={"monitoring.growth_rate": 1.0})
    assert hi < 24, (mean, lo, hi)


def test_money_check_fails_when_little_mainstream_spend_is_aligned():
    mean, lo, hi = measure_level("g", 6, updates={"resources.mainstream_alignment": 0.01})
    assert hi < 0.5, (mean, lo, hi)


def test_breach_check_fails_when_no_breach_can_be_seen():
    # with a tolerance of the whole range every shortfall reads as kept: no fall, no check
    mean, lo, hi = measure_level("h1", 6, updates={"trust.tolerance": 1.0})
    assert not lo > 0, (mean, lo, hi)
