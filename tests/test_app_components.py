"""The trainers' app without a browser: schema-generated controls, the runs behind the page,
captions, export, and the page itself rendered with solara's test renderer."""

from __future__ import annotations

import io
import typing

import numpy as np
import pytest

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")

from lspsim.app import cli as app_cli  # noqa: E402
from lspsim.app import story  # noqa: E402
from lspsim.app.controls import (  # noqa: E402
    MAIN_LEVERS,
    control_spec,
    current_value,
    main_controls,
    parse_typed,
    try_updates,
)
from lspsim.app.runs import AppRun  # noqa: E402
from lspsim.cli import main as cli_main  # noqa: E402
from lspsim.errors import InputError  # noqa: E402
from lspsim.results import run_replication  # noqa: E402
from lspsim.scenario import (  # noqa: E402
    list_presets,
    load_scenario,
    numeric_parameters,
    parameter_paths,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def default():
    return load_scenario("default")


# --------------------------------------------------------------------- controls from the schema
def test_controls_take_labels_ranges_and_kinds_from_the_schema() -> None:
    fields, numeric = parameter_paths(), numeric_parameters()
    for spec in main_controls():
        info = fields[spec.path]
        assert spec.label == info.description
        if typing.get_origin(info.annotation) is typing.Literal:
            assert spec.kind == "select"
            assert spec.choices == typing.get_args(info.annotation)
        elif info.annotation is bool:
            assert spec.kind == "bool"
        else:
            lo, hi, unit, _ = numeric[spec.path]
            assert (spec.low, spec.high, spec.unit) == (lo, hi, unit)
            assert spec.kind == ("int" if info.annotation is int else "float")
            assert 0 < spec.step <= (hi - lo) / 10
        assert spec.path in spec.help


def test_every_main_lever_is_a_real_path_and_has_a_default(default) -> None:
    assert len(set(MAIN_LEVERS)) == len(MAIN_LEVERS)
    for path in MAIN_LEVERS:
        current_value(default, path)


def test_unknown_or_unshowable_paths_are_input_errors() -> None:
    with pytest.raises(InputError):
        control_spec("leadership.no_such_thing")
    with pytest.raises(InputError):
        control_spec("structure.statutory_partners")  # a list: not a control


def test_typed_text_that_is_not_a_number_is_refused() -> None:
    spec = control_spec("leadership.council_dominance")
    assert parse_typed(spec, " 0.25 ") == 0.25
    with pytest.raises(InputError) as exc:
        parse_typed(spec, "a lot")
    assert exc.value.field == "leadership.council_dominance"
    n = control_spec("delivery.n_targets")
    assert parse_typed(n, "12") == 12
    with pytest.raises(InputError):
        parse_typed(n, "2.5")


def test_out_of_range_values_are_refused_with_a_message_not_raised(default) -> None:
    sc, msg = try_updates(default, {"leadership.council_dominance": 1.5})
    assert sc is None
    assert "top table" in msg and "1.5" in msg and "less than or equal to 1" in msg
    sc, msg = try_updates(default, {"leadership.chair_style": "tyrannical"})
    assert sc is None and "facilitative" in msg
    sc, msg = try_updates(default, {"leadership.council_dominance": 0.9})
    assert msg is None and sc.leadership.council_dominance == 0.9


# --------------------------------------------------------------------- runs behind the page
def test_app_run_is_replication_zero_of_the_cli_run(default) -> None:
    run = AppRun(default, seed=7)
    for _ in range(12):
        run.step()
    rep = run_replication(default, 7, 0, months=12)
    for key, values in rep.series.items():
        np.testing.assert_array_equal(run.base.series()[key], values, err_msg=key)


def test_what_if_steps_in_step_and_differs_only_through_its_levers(default) -> None:
    same = AppRun(default, 3, default.with_updates({}), {})
    alt_sc = default.with_updates({"leadership.council_dominance": 0.95,
                                   "monitoring.investment": 0.0})
    diff = AppRun(default, 3, alt_sc, {"monitoring.investment": (0.5, 0.0)})
    for _ in range(10):
        same.step()
        diff.step()
    assert same.alt.steps == same.base.steps == diff.alt.steps == 10
    for key in same.base.series():
        np.testing.assert_array_equal(same.base.series()[key], same.alt.series()[key])
    assert not np.array_equal(diff.base.series()["monitoring_maturity"],
                              diff.alt.series()["monitoring_maturity"])


def test_network_layout_stays_put_while_the_picture_changes(default) -> None:
    run = AppRun(default, 1)
    pos = run.pos.copy()
    first = run.network_png()
    series_first = run.series_png()
    for _ in range(3):
        run.step()
    assert np.array_equal(pos, run.pos)
    assert run.network_png() != first
    assert run.series_png() != series_first
    assert first.startswith(PNG_MAGIC)


def test_stepping_past_the_scenario_end_widens_the_month_axis(default) -> None:
    run = AppRun(default.with_updates({"months": 3}), 1)
    for _ in range(5):
        run.step()
    run.series_png()
    assert run._ser.parts["axes"][0, 0].get_xlim()[1] == 5.5


def test_export_csv_has_every_month_and_the_what_ifs_columns(default) -> None:
    import pandas as pd

    alt = default.with_updates({"leadership.chair_style": "directive"})
    run = AppRun(default, 2, alt, {"leadership.chair_style": ("facilitative", "directive")})
    for _ in range(4):
        run.step()
    text = run.series_csv()
    assert text.startswith("# lspsim app export") and "seed 2" in text
    df = pd.read_csv(io.StringIO(text), comment="#")
    assert list(df["month"]) == [0, 1, 2, 3, 4]
    assert "whatif_mean_trust" in df and "mean_trust" in df
    np.testing.assert_allclose(df["mean_trust"], run.base.series()["mean_trust"])
    png = run.charts_png()
    assert png.startswith(PNG_MAGIC)


def test_chains_table_marks_one_weakest_link_per_target(default) -> None:
    run = AppRun(default, 1)
    for _ in range(2):
        run.step()
    html = run.chains_html()
    assert html.count("color:#b00020") == len(run.base.progress)
    assert html.count("<tr>") == len(run.base.progress) + 1
    assert "strategic" in run.layers_html()


# --------------------------------------------------------------------- captions
def test_caption_states_what_the_model_shows(default) -> None:
    run = AppRun(default, 1)
    assert "Month 0" in story.caption(run.base)[0]
    for _ in range(8):
        run.step()
    lines = story.caption(run.base)
    met = int((run.base.progress >= 1).sum())
    assert lines[0].startswith(f"Month 8 of {default.months}: {met} of ")
    trend = story.trend(run.base.series()["mean_trust"])
    assert f"Trust is {story.direction(trend)}" in lines[1]
    i, count = story.weakest_partner(run.base)
    assert any(run.base.partner_names[i] in line and f"in {count} of" in line for line in lines)


def test_comparison_words_agree_with_the_numbers(default) -> None:
    alt = default.with_updates({"commitment.cost": 1.6, "leadership.chair_style": "laissez_faire"})
    run = AppRun(default, 4, alt, {"commitment.cost": (0.7, 1.6)})
    for _ in range(24):
        run.step()
    lines = story.compare_words(run.base, run.alt, run.changes)
    assert "instead of 0.7" in lines[0]
    met_b, met_a = (int((m.progress >= 1).sum()) for m in (run.base, run.alt))
    expected = ("the same" if met_a == met_b else "more" if met_a > met_b else "fewer")
    assert expected in lines[1]
    b = run.base.series()["mean_commitment"][-1]
    a = run.alt.series()["mean_commitment"][-1]
    line = next(x for x in lines if x.startswith("Commitment"))
    assert story.direction(a - b, "higher", "lower", "about the same") in line


# --------------------------------------------------------------------- the page
@solara.component
def _InLayout():
    """The page as `solara run` shows it: inside an AppLayout, so the sidebar renders too."""
    from lspsim.app.app import Page

    with solara.AppLayout():
        Page()


def _page():
    return solara.render(_InLayout(), handle_error=False)[1]


def _month(rc) -> str:
    return rc.find(v.Html, class_="lsp-month").widget.children[0]


def _images(rc) -> list[bytes]:
    import ipywidgets as w

    return [bytes(x.value) for x in rc.find(w.Image).widgets]


def _typed_box(rc, path: str):
    """The typed-value box of the numeric control for ``path`` (baseline levers come first)."""
    numeric = [c.path for c in main_controls() if c.kind in ("int", "float")]
    return rc.find(v.TextField, class_="lsp-typed").widgets[numeric.index(path)]


def _html(rc, css_class: str) -> str:
    from solara.widgets.widgets import HTML

    found = [x.unsafe_innerHTML for x in rc.find(HTML).widgets
             if css_class in (getattr(x, "unsafe_innerHTML", None) or "")]
    assert len(found) == 1
    return found[0]


def _refusals(rc) -> list[str]:
    return [x.children[0] for x in rc.find(v.Html, class_="lsp-refused").widgets]


def test_page_renders_and_step_redraws_the_charts() -> None:
    rc = _page()
    assert _month(rc).startswith("Month 0 of")
    before = _images(rc)
    assert len(before) == 2
    rc.find(v.Btn, class_="lsp-step").widget.click()
    assert _month(rc).startswith("Month 1 of")
    after = _images(rc)
    assert all(a != b for a, b in zip(before, after, strict=True))
    rc.find(v.Btn, class_="lsp-reset").widget.click()
    assert _month(rc).startswith("Month 0 of")


def test_two_sessions_have_independent_models() -> None:
    first, second = _page(), _page()
    for _ in range(3):
        first.find(v.Btn, class_="lsp-step").widget.click()
    assert _month(first).startswith("Month 3")
    assert _month(second).startswith("Month 0")


def test_bad_typed_value_is_refused_and_a_good_one_restarts_the_run() -> None:
    rc = _page()
    rc.find(v.Btn, class_="lsp-step").widget.click()
    box = _typed_box(rc, "leadership.council_dominance")
    box.v_model = "7"
    box.fire_event("keyup.enter", None)
    assert any("less than or equal to 1" in r for r in _refusals(rc))
    assert _month(rc).startswith("Month 1")  # a refused value changes nothing
    box = _typed_box(rc, "delivery.n_targets")
    box.v_model = "5"
    box.fire_event("keyup.enter", None)
    assert _month(rc).startswith("Month 0")
    chains = _html(rc, "lsp-chains")
    assert chains.count("<tr>") == 5 + 1  # one row per target, and the header
    assert not any("n_targets" in r for r in _refusals(rc))


def test_seed_changes_the_run_and_a_negative_seed_is_refused() -> None:
    rc = _page()
    seed_box = rc.find(v.TextField, class_="lsp-seed").widget
    first = _html(rc, "lsp-chains")
    seed_box.v_model = "-3"
    seed_box.fire_event("keyup.enter", None)
    assert any("seed" in r.lower() and "greater than or equal to 0" in r for r in _refusals(rc))
    seed_box.v_model = "12345"
    seed_box.fire_event("keyup.enter", None)
    assert not _refusals(rc)
    for _ in range(2):
        rc.find(v.Btn, class_="lsp-step").widget.click()
    assert _html(rc, "lsp-chains") != first


def test_preset_switch_and_comparison_take_effect() -> None:
    from lspsim.model import PartnershipModel
    from lspsim.scenario import partner_kinds

    presets = list_presets()
    sizes = {name: len(partner_kinds(load_scenario(name))) for name in presets}
    other = max(sizes, key=sizes.get)
    if sizes[other] == sizes["default"]:
        pytest.skip("no preset differs from the default in its number of partners")
    rc = _page()
    rc.find(v.Btn, class_="lsp-step").widget.click()
    assert _html(rc, "lsp-layers").count("<tr>") == sizes["default"] + 1
    rc.find(v.Select, label="Partnership (preset scenario)").widget.v_model = other
    assert _month(rc) == f"Month 0 of {load_scenario(other).months}"
    assert _html(rc, "lsp-layers").count("<tr>") == sizes[other] + 1
    assert PartnershipModel(load_scenario(other), rng=0).n_partners == sizes[other]

    rc.find(v.Switch, class_="lsp-compare").widget.v_model = True
    numeric = [c for c in main_controls() if c.kind in ("int", "float")]
    assert len(rc.find(v.TextField, class_="lsp-typed").widgets) == 2 * len(numeric)
    box = rc.find(v.TextField, class_="lsp-typed").widgets[
        len(numeric) + [c.path for c in numeric].index("monitoring.investment")]
    box.v_model = "0"
    box.fire_event("keyup.enter", None)
    for _ in range(3):
        rc.find(v.Btn, class_="lsp-step").widget.click()
    card = rc.find(v.Card, class_="ma-0 lsp-comparison")
    assert card.widgets
    assert "what-if" in _html(rc, "lsp-outcomes")


def test_lever_control_accepts_good_and_refuses_bad_values(default) -> None:
    from lspsim.app.controls import LeverControl

    seen = []

    @solara.component
    def Harness():
        value = solara.use_reactive(0.3)

        def on_value(x):
            _, msg = try_updates(default, {"leadership.council_dominance": x})
            if msg is None:
                value.set(x)
                seen.append(x)
            return msg

        LeverControl(control_spec("leadership.council_dominance"), value.value, on_value)

    _, rc = solara.render(Harness(), handle_error=False)
    text = rc.find(v.TextField, class_="lsp-typed").widget
    text.v_model = "0.75"
    text.fire_event("keyup.enter", None)
    assert seen == [0.75]
    text.v_model = "1.5"
    text.fire_event("keyup.enter", None)
    assert seen == [0.75]
    assert "less than or equal to 1" in rc.find(v.Html, class_="lsp-refused").widget.children[0]
    text.v_model = "lots"
    text.fire_event("keyup.enter", None)
    assert "a number" in rc.find(v.Html, class_="lsp-refused").widget.children[0]


def test_every_preset_builds_a_run_and_a_caption() -> None:
    for name in list_presets():
        run = AppRun(load_scenario(name), 1)
        run.step()
        assert story.caption(run.base)
        assert run.network_png().startswith(PNG_MAGIC)


# --------------------------------------------------------------------- the command
def test_app_command_binds_to_localhost_offline_by_default(capsys) -> None:
    from lspsim.cli import build_parser

    args = build_parser().parse_args(["app"])
    assert (args.host, args.port) == ("127.0.0.1", 8765)
    cmd = app_cli.server_command(args.host, args.port)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and "--production" in cmd
    env = app_cli.offline_env({})
    assert env["SOLARA_ASSETS_PROXY"] == "True"
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


@pytest.mark.parametrize("argv", [["app", "--port", "70000"], ["app", "--host", "a b"]])
def test_app_command_refuses_bad_arguments(argv, capsys) -> None:
    assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("lspsim: error: --") and "Traceback" not in err
