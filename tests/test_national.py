"""The national ensemble: England's 150 LAA areas of 2008 and their summary."""

from __future__ import annotations

import pytest
import sweep_evaluators as ev

from lspsim.cli import main
from lspsim.errors import InputError
from lspsim.scenario import read_toml
from lspsim.sweep import experiment_from_dict, load_experiment, national, run_sweep


def test_the_areas_are_englands_150_of_2008():
    a = national.load_areas()
    assert len(a) == 150 and a["name"].is_unique
    counts = a["type"].value_counts().to_dict()
    assert counts == {"shire_county": 34, "metropolitan_district": 36, "london_borough": 33,
                      "unitary": 46, "isles_of_scilly": 1}
    two = a[a["type"] == "shire_county"].set_index("name")["districts"]
    assert two.sum() == 238  # districts in the two-tier counties before April 2009
    assert two["Lancashire"] == 12 and two["Kent"] == 12 and two["Cheshire"] == 6
    assert (a.loc[a["type"] != "shire_county", "districts"] == 0).all()
    assert a[a["type"] == "metropolitan_district"]["group"].nunique() == 6


def test_the_experiment_file_is_generated_from_the_areas_file():
    path = national.areas_file().parent.parent / "national_ensemble.toml"
    assert path.read_text() == national.render_experiment(national.load_areas()), (
        "regenerate: python -c 'from lspsim.sweep import national; national.write_experiment()'")
    exp = load_experiment("national_ensemble")
    d = exp.sample()
    assert d.n_points == 150
    kent = d.values.index({"area": "Kent"})
    assert d.updates(kent) == {"structure.kind": "two_tier", "structure.n_districts": 12}


def test_bad_areas_file_is_a_located_input_error(tmp_path):
    p = tmp_path / "a.toml"
    p.write_text('[[area]]\nname = "X"\ntype = "shire_county"\ndistricts = 0\n')
    with pytest.raises(InputError, match=r"area\[0\]\.districts"):
        national.load_areas(p)
    p.write_text('[[area]]\nname = "X"\ntype = "county"\ndistricts = 2\n')
    with pytest.raises(InputError, match=r"area\[0\]\.type"):
        national.load_areas(p)


def test_summary_separates_best_from_worst(tmp_path, capsys):
    data = read_toml(national.areas_file().parent.parent / "national_ensemble.toml")
    data["replications"] = 3
    exp = experiment_from_dict(data, source="national_ensemble.toml")
    run_sweep(exp, tmp_path / "sw", workers=0, evaluator=ev.by_districts)
    assert main(["national", str(tmp_path / "sw")]) == 0
    out = capsys.readouterr().out
    assert "150 areas x 3 replications" in out
    res = national.summarise(tmp_path / "sw", write=False)
    sep = res.separation.set_index("areas")
    # the planted effect: the worst areas are the counties with the most districts
    assert sep.loc["best", "two_tier_share"] == 0
    assert sep.loc["worst", "two_tier_share"] == 1 and sep.loc["worst", "mean_districts"] >= 8
    worst = res.areas.tail(3)["name"].tolist()
    assert set(worst) <= {"Essex", "Kent", "Lancashire", "Hampshire", "Surrey"}
    bt = res.by_type.set_index("type")
    assert bt.loc["shire_county", "mean"] < bt.loc["unitary", "mean"]
    assert any("share one scenario" in line for line in res.lines)
    for f in ("summary.md", "areas.csv", "by_type.csv", "best_vs_worst.csv",
              "spread_target_achievement.png"):
        assert (tmp_path / "sw" / "national" / f).is_file()
