"""Experiment validation and design generation: sizes, bounds, reproducibility."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lspsim.scenario import numeric_parameters
from lspsim.sweep import experiment_from_dict, load_experiment
from lspsim.sweep.designs import unit_sample
from lspsim.sweep.experiment import list_experiments


def exp(design: dict, parameters: dict, **kw) -> object:
    data = {"name": "t", "description": "test", "seed": 7, "months": 12, "design": design,
            "parameters": parameters, **kw}
    return experiment_from_dict(data, source="t.toml")


LEVERS = {"trust.initial": {"range": [0.2, 0.7]},
          "network.initial_strength": {"range": [0.1, 0.6]},
          "layers.strategic_per_year": {"range": [2, 6]},
          "leadership.chair_style": {"values": ["facilitative", "directive", "laissez_faire"]}}


def test_grid_is_the_full_product_in_order():
    e = exp({"kind": "grid"}, {"leadership.chair_style": {"values": ["directive", "facilitative"]},
                               "trust.initial": {"range": [0.2, 0.6], "steps": 3},
                               "layers.strategic_per_year": {"range": [2, 6], "steps": 5}})
    d = e.sample()
    assert d.n_points == 2 * 3 * 5
    assert d.values[0] == {"leadership.chair_style": "directive", "trust.initial": 0.2,
                           "layers.strategic_per_year": 2}
    assert d.values[-1] == {"leadership.chair_style": "facilitative", "trust.initial": 0.6,
                            "layers.strategic_per_year": 6}
    assert {v["layers.strategic_per_year"] for v in d.values} == {2, 3, 4, 5, 6}
    assert all(isinstance(v["layers.strategic_per_year"], int) for v in d.values)
    assert d.updates(1) == {"leadership.chair_style": "directive", "trust.initial": 0.2,
                            "layers.strategic_per_year": 3}
    assert e.n_runs == 30


@pytest.mark.parametrize(("kind", "n", "size"), [
    ("lhs", 50, lambda d: 50), ("sobol_sequence", 64, lambda d: 64),
    ("sobol", 64, lambda d: 64 * (d + 2)), ("morris", 6, lambda d: 6 * (d + 1))])
def test_sampling_designs_sizes_bounds_and_reproducibility(kind, n, size):
    e = exp({"kind": kind, "n": n}, LEVERS)
    d = e.sample()
    assert d.n_points == size(4)
    assert d.unit.shape == (d.n_points, 4)
    assert ((d.unit >= 0) & (d.unit <= 1)).all()
    t = d.table()
    assert t["trust.initial"].between(0.2, 0.7).all()
    assert t["network.initial_strength"].between(0.1, 0.6).all()
    assert set(t["layers.strategic_per_year"]) <= {2, 3, 4, 5, 6}
    assert set(t["leadership.chair_style"]) <= {"facilitative", "directive", "laissez_faire"}
    # the same experiment gives the same design; another seed a different one
    again = exp({"kind": kind, "n": n}, LEVERS).sample()
    assert np.array_equal(again.unit, d.unit) and again.values == d.values
    other = exp({"kind": kind, "n": n, "seed": 8}, LEVERS).sample()
    assert not np.array_equal(other.unit, d.unit)


def test_lhs_is_stratified_and_categories_are_drawn_evenly():
    d = exp({"kind": "lhs", "n": 30}, LEVERS).sample()
    for j in range(4):  # one point in each of the 30 strata of every coordinate
        assert sorted(np.floor(d.unit[:, j] * 30).astype(int)) == list(range(30))
    counts = {c: sum(v["leadership.chair_style"] == c for v in d.values)
              for c in ("facilitative", "directive", "laissez_faire")}
    assert counts == {"facilitative": 10, "directive": 10, "laissez_faire": 10}


def test_distributions_map_the_unit_interval():
    e = exp({"kind": "lhs", "n": 400}, {
        "trust.initial": {"range": [0.2, 0.8], "distribution": "triangular", "mode": 0.7},
        "trust.gain": {"distribution": "normal", "mean": 0.05, "sd": 0.02},
        "resources.need_share": {"range": [0.01, 0.5], "distribution": "loguniform"}})
    t = e.sample().table()
    assert t["trust.initial"].between(0.2, 0.8).all()
    assert abs(t["trust.initial"].mean() - (0.2 + 0.8 + 0.7) / 3) < 0.02
    assert t["trust.gain"].between(0, 1).all() and abs(t["trust.gain"].mean() - 0.05) < 0.005
    logs = np.log(t["resources.need_share"])
    assert abs(logs.mean() - (math.log(0.01) + math.log(0.5)) / 2) < 0.05


def test_glob_relative_ranges_and_bundles():
    e = exp({"kind": "morris", "n": 2}, {
        "trust.*": {"relative": 0.5, "exclude": ["trust.tolerance"]},
        "area": {"values": [{"structure.kind": "unitary", "structure.n_districts": 0},
                            {"structure.kind": "two_tier", "structure.n_districts": 3,
                             "leadership.chair_kind": "county_council"}],
                 "labels": ["unitary", "two_tier"]}})
    names = [f.name for f in e.factors]
    assert "trust.tolerance" not in names and "trust.gain" in names and names[-1] == "area"
    gain = next(f for f in e.factors if f.name == "trust.gain")
    assert (gain.low, gain.high) == pytest.approx((e.base.trust.gain * 0.5,
                                                   e.base.trust.gain * 1.5))
    d = e.sample()
    two = [p for p in range(d.n_points) if d.values[p]["area"] == "two_tier"]
    assert two and d.updates(two[0])["structure.n_districts"] == 3


def test_hash_is_stable_and_tracks_what_results_depend_on():
    a = exp({"kind": "lhs", "n": 8}, LEVERS)
    assert a.hash() == exp({"kind": "lhs", "n": 8}, LEVERS).hash()
    assert a.hash() == exp({"kind": "lhs", "n": 8}, LEVERS, description="other words").hash()
    assert a.hash() != exp({"kind": "lhs", "n": 8}, LEVERS, replications=2).hash()
    assert a.hash() != exp({"kind": "lhs", "n": 16}, LEVERS).hash()


def test_unit_samples_need_no_experiment():
    assert unit_sample("sobol", 3, 8, seed=1).shape == (8 * 5, 3)
    assert unit_sample("morris", 3, 4, seed=1, levels=4).shape == (16, 3)


def test_presets_are_valid_and_documented():
    presets = list_experiments()
    assert {"leadership_network", "two_tier_experience", "sobol_main_levers",
            "morris_all_levers"} <= set(presets)
    for name, path in presets.items():
        e = load_experiment(path)
        assert e.description and "\n" not in e.description.strip(), name
        assert str(e.n_runs) in e.description.replace(",", ""), f"{name}: state its run count"
    morris = load_experiment("morris_all_levers")
    numeric = set(numeric_parameters()) - {"months"}
    assert len(morris.factors) >= 0.6 * len(numeric)  # screening covers most numeric levers


def test_dry_run_prints_the_design_and_runs_nothing(tmp_path, capsys):
    from lspsim.cli import main

    assert main(["sweep", "leadership_network", "--dry-run", "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "16 points x 20 replications = 320 runs" in out and "leadership.chair_style" in out
    assert not (tmp_path / "o").exists()
