"""The Scenario schema: presets, dotted paths, TOML round trip and bad input."""

import math

import pytest

import lspsim
from lspsim.errors import InputError
from lspsim.scenario import (
    Scenario,
    list_presets,
    load_scenario,
    numeric_parameters,
    parameter_paths,
    parse_set,
    partner_kinds,
)

PRESETS = ["default", "mature_unitary", "two_tier_county", "new_council_dominated",
           "confused_layers", "poor_data_standards"]


@pytest.mark.parametrize("name", PRESETS)
def test_presets_load_and_describe_themselves(name):
    presets = list_presets()
    assert name in presets
    assert len(presets[name].split()) >= 10, "each preset has a plain-English description"
    sc = load_scenario(name)
    assert sc.name == name


def test_partial_kind_override_keeps_the_kinds_other_defaults():
    sc = load_scenario("poor_data_standards")
    assert sc.kinds.police.openness == 0.3
    assert sc.kinds.police.themes == ["safer_communities"]  # not the generic default
    assert sc.kinds.police.budget == Scenario().kinds.police.budget


def test_defaults_are_unequal_the_way_real_ones_are():
    k = Scenario().kinds
    assert k.unitary_council.stake_in_failure == max(
        getattr(k, f).stake_in_failure for f in type(k).model_fields)
    assert k.voluntary_community.budget < k.police.budget < k.unitary_council.budget
    assert k.voluntary_community.stake_in_success > k.health.stake_in_success
    assert not k.voluntary_community.statutory and not k.business.statutory


def test_two_tier_composition():
    sc = load_scenario("two_tier_county")
    kinds = partner_kinds(sc)
    assert kinds[0] == "county_council"
    assert kinds.count("district_council") == sc.structure.n_districts == 6


def test_toml_round_trip_is_exact(tmp_path):
    sc = load_scenario("two_tier_county", {"trust.gain": 0.0123, "leadership.chair_style":
                                           "directive"})
    p = tmp_path / "s.toml"
    p.write_text(sc.to_toml())
    assert load_scenario(p) == sc


@pytest.mark.parametrize("preset", ["default", "two_tier_county", "new_council_dominated"])
def test_changed_only_toml_is_small_and_reloads_the_same_scenario(tmp_path, preset):
    sc = load_scenario(preset, {"trust.gain": 0.0123})
    short, full = sc.to_toml(changed_only=True), sc.to_toml()
    assert len(short) < len(full) / 3 and "gain = 0.0123" in short
    p = tmp_path / "s.toml"
    p.write_text(short)
    assert load_scenario(p) == sc


def test_parameter_paths_cover_every_leaf_with_description():
    paths = parameter_paths()
    assert "leadership.chair_style" in paths and "kinds.police.openness" in paths
    for path, info in paths.items():
        assert info.description, path
    num = numeric_parameters()
    lo, hi, unit, _ = num["resources.pooled_share"]
    assert (lo, hi) == (0.0, 0.5) and unit


def test_set_values_are_read_as_toml():
    assert parse_set(["trust.gain=0.1", "leadership.chair_style=directive",
                      "monitoring.common_data_standards=false"]) == {
        "trust.gain": 0.1, "leadership.chair_style": "directive",
        "monitoring.common_data_standards": False}


@pytest.mark.parametrize("text, field, allowed", [
    ("[trust]\ngain = 2.0\n", "trust.gain", "less than or equal to 1"),
    ("[trust]\ngain = nan\n", "trust.gain", "finite"),
    ("[trust]\ngian = 0.1\n", "trust.gian", "no such field"),
    ("[leadership]\nchair_style = 'bossy'\n", "leadership.chair_style", "facilitative"),
    ("[structure]\nn_voluntary = 'many'\n", "structure.n_voluntary", "integer"),
    ("[structure]\nkind = 'two_tier'\n", "structure", "n_districts"),
    ("months = 0\n", "months", "greater than or equal to 1"),
    ("[trust\ngain = 1\n", "(TOML syntax)", "valid TOML"),
])
def test_bad_files_give_one_located_message(tmp_path, text, field, allowed):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(InputError) as e:
        load_scenario(p)
    msg = str(e.value)
    assert str(p) in msg and field in msg and allowed in msg, msg


def test_missing_file_and_unknown_preset():
    with pytest.raises(InputError, match="existing TOML"):
        load_scenario("no/such/file.toml")
    with pytest.raises(InputError, match="preset name"):
        load_scenario("no_such_preset")


@pytest.mark.parametrize("item, field", [
    ("trust.gain=nan", "trust.gain"), ("trust.gain=inf", "trust.gain"),
    ("trust.nope=1", "trust.nope"), ("network.turnover=-0.1", "network.turnover"),
    ("nodots", "nodots"),
])
def test_bad_set_values(item, field):
    with pytest.raises(InputError) as e:
        load_scenario("default", parse_set([item]))
    assert field in str(e.value) and "--set" in str(e.value)


def test_nan_never_reaches_the_model():
    with pytest.raises(InputError):
        Scenario().with_updates({"resources.pooled_share": math.nan})


def test_public_api():
    assert lspsim.__version__
    assert isinstance(lspsim.load_scenario("default"), lspsim.Scenario)


def test_get_reads_a_dotted_path():
    sc = load_scenario("two_tier_county")
    assert sc.get("structure.n_districts") == 6
    assert sc.get("kinds.police.themes") == ["safer_communities"]


def test_structural_constants_are_levers_like_any_other():
    """Every constant moved into the schema is reachable by --set, with_updates (sweeps, the
    app) and the numeric bounds sweeps and sensitivity analysis read."""
    from lspsim.scenario import evidence_status

    # Rival forms in [mechanisms] carry an evidence status too, but they are choices, not
    # numbers: the numeric constants are checked here.
    structural = [p for p, info in parameter_paths().items()
                  if (info.json_schema_extra or {}).get("evidence")
                  and not p.startswith("mechanisms.")]
    assert len(structural) >= 60
    assert "leadership.styles.facilitative.pull" in structural
    num = numeric_parameters()
    base = Scenario()
    for path in structural:
        if path.startswith("mechanisms."):  # a choice of form, not a number (Mechanisms)
            assert path not in num and evidence_status(path) == "assumed"
            continue
        lo, hi, _, _ = num[path]
        value = (lo + hi) / 2
        sc = base.with_updates(parse_set([f"{path}={value}"]))
        assert sc.get(path) == pytest.approx(value), path
        assert evidence_status(path) == "assumed"
