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
from lspsim.scenario import load_scenario, numeric_parameters
from lspsim.validation import (
    LHS_RANGES,
    PAIRS,
    PG_CRITERIA,
    ROBUST_SHARE,
    Config,
    lhs_points,
    months_to_half,
    paired_effect,
    render_markdown,
    run_validation,
    trust_kernel,
    write_docs,
)

REDUCED = Config(replications=24, lhs_points=6, lhs_replications=4)
# Small effects need more pairs than REDUCED gives: re-measured alone with this many.
POWERED = {"d1.2": 100}
# Checks that fail in the full report (docs/validation.md); see the report for why.
KNOWN_FAILURES = {"P1"}


@pytest.fixture(scope="module")
def results():
    return run_validation(REDUCED, workers=1)


def _ids() -> list[str]:
    ids = list(PG_CRITERIA) + ["f1", "h1", "h2"]
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


def test_hypercube_is_seeded_and_inside_the_schema():
    a, b = lhs_points(8), lhs_points(8)
    assert a == b
    bounds = numeric_parameters()
    for p, (lo, hi, _) in LHS_RANGES.items():
        xs = [pt[p] for pt in a]
        assert bounds[p][0] <= min(xs) and max(xs) <= bounds[p][1]
        assert lo <= min(xs) and max(xs) <= hi
        # Latin: one point in each of the 8 strata.
        assert sorted(np.floor((np.array(xs) - lo) / (hi - lo) * 8).astype(int)) == list(range(8))


def test_trust_kernel_falls_faster_only_when_loss_exceeds_gain():
    up, down = trust_kernel(0.04, 0.18)
    assert up[-1] > up[0] > down[-1]
    assert (up[0] - down[-1]) > (up[-1] - up[0])
    up, down = trust_kernel(0.18, 0.04)  # reversed rates: the asymmetry reverses
    assert (up[0] - down[-1]) < (up[-1] - up[0])


def test_months_to_half():
    m = 0.2 + 0.8 * (1 - np.exp(-np.arange(100) / 30.0))
    assert months_to_half(m) == np.ceil(30 * np.log(2))
    assert months_to_half(np.full(10, 0.2)) == np.inf


def test_results_do_not_depend_on_worker_count():
    tiny = Config(replications=3, lhs_points=2, lhs_replications=2)
    one, two = run_validation(tiny, workers=1), run_validation(tiny, workers=2)
    for a, b in zip(one.checks, two.checks, strict=True):
        assert (a.id, a.effect, a.lo, a.hi, a.robustness) == (b.id, b.effect, b.lo, b.hi,
                                                               b.robustness)


def test_docs_are_written_whole(results, tmp_path):
    path = write_docs(results, tmp_path / "docs")
    assert path.read_text().startswith("# Validation")
    imgs = sorted(p.name for p in (tmp_path / "docs" / "img").iterdir())
    assert imgs and all(n.startswith("validation-") and n.endswith(".png") for n in imgs)
    for n in imgs:
        assert f"img/{n}" in path.read_text()
    assert not [p for p in (tmp_path / "docs").iterdir() if p.name.startswith(".")]


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
