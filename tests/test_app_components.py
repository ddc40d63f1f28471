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
    plain_label,
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
        assert spec.label == plain_label(info.description)
        assert ".md" not in spec.label and ".md" not in spec.help
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
        assert "." not in spec.path or spec.path not in spec.help
        assert spec.expert_help.endswith(spec.path)


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
def _page():
    from lspsim.app.app import Page

    return solara.render(Page(), handle_error=False)[1]


def _month(rc) -> str:
    return rc.find(v.Html, class_="lsp-month").widget.children[0]


def _all_html(rc) -> list[str]:
    from solara.widgets.widgets import HTML

    return [x.unsafe_innerHTML or "" for x in rc.find(HTML).widgets]


def _charts(rc) -> list[str]:
    return [h for h in _all_html(rc) if h.startswith("<svg")]


def _typed_box(rc, path: str, whatif: bool = False):
    """The typed-value box of the numeric control for ``path`` (baseline levers come first)."""
    numeric = [c.path for c in main_controls() if c.kind in ("int", "float")]
    return rc.find(v.TextField, class_="lsp-typed").widgets[
        numeric.index(path) + (len(numeric) if whatif else 0)]


def _html(rc, css_class: str) -> str:
    found = [x for x in _all_html(rc) if css_class in x]
    assert len(found) == 1, css_class
    return found[0]


def _refusals(rc) -> list[str]:
    return [x.children[0] for x in rc.find(v.Html, class_="lsp-refused").widgets]


def _click(rc, css_class: str) -> None:
    rc.find(v.Btn, class_=css_class).widget.click()


def _steps(rc, n: int) -> None:
    for _ in range(n):
        _click(rc, "lsp-step")


def _tab(rc, index: int) -> None:
    rc.find(v.Tabs).widget.v_model = index


def test_page_renders_and_step_redraws_the_charts() -> None:
    rc = _page()
    assert _month(rc).startswith("Month 0 of")
    before = _charts(rc)
    assert len(before) == 5  # the network and four time series
    _steps(rc, 1)
    assert _month(rc).startswith("Month 1 of")
    after = _charts(rc)
    assert all(a != b for a, b in zip(before, after, strict=True))
    _click(rc, "lsp-reset")
    assert _month(rc).startswith("Month 0 of")


def test_chart_text_is_at_least_14_px() -> None:
    import re

    rc = _page()
    _steps(rc, 2)
    for chart in _charts(rc):
        sizes = [int(x) for x in re.findall(r'font-size="(\d+)"', chart)]
        assert sizes and min(sizes) >= 14


def test_two_sessions_have_independent_models() -> None:
    first, second = _page(), _page()
    _steps(first, 3)
    assert _month(first).startswith("Month 3")
    assert _month(second).startswith("Month 0")


def test_bad_typed_value_is_refused_and_a_good_one_restarts_the_run() -> None:
    rc = _page()
    _steps(rc, 1)
    box = _typed_box(rc, "leadership.council_dominance")
    box.v_model = "7"
    box.fire_event("keyup.enter", None)
    assert any("less than or equal to 1" in r for r in _refusals(rc))
    assert _month(rc).startswith("Month 1")  # a refused value changes nothing
    box = _typed_box(rc, "delivery.n_targets")
    box.v_model = "5"
    box.fire_event("keyup.enter", None)
    assert _month(rc).startswith("Month 0")
    _tab(rc, 2)
    chains = _html(rc, "lsp-chains")
    assert chains.count("<tr>") == 5 + 1  # one row per target, and the header
    assert not any("n_targets" in r for r in _refusals(rc))


def test_seed_changes_the_run_and_a_negative_seed_is_refused() -> None:
    rc = _page()
    seed_box = rc.find(v.TextField, class_="lsp-seed").widget
    first = _charts(rc)[0]
    seed_box.v_model = "-3"
    seed_box.fire_event("keyup.enter", None)
    assert any("seed" in r.lower() and "greater than or equal to 0" in r for r in _refusals(rc))
    seed_box.v_model = "12345"
    seed_box.fire_event("keyup.enter", None)
    assert not _refusals(rc)
    assert _charts(rc)[0] != first  # another seed, another network


def test_preset_menu_is_in_plain_words_without_research_presets() -> None:
    from lspsim.app.app import plain_name, research_only

    rc = _page()
    menu = rc.find(v.Select, class_="lsp-preset").widget
    presets = list_presets()
    trainer = [k for k in presets if not research_only(k)]
    assert menu.items == [plain_name(k, presets[k]) for k in trainer]
    assert not any("public" in x.lower() or "_" in x for x in menu.items)
    assert len(set(menu.items)) == len(menu.items)
    rc.find(v.Switch, class_="lsp-expert").widget.v_model = True
    assert len(rc.find(v.Select, class_="lsp-preset").widget.items) == len(presets)
    assert any("dotted" not in h and "leadership.chair_style" in h
               for h in [x.children[0] for x in rc.find(v.Html, class_="lsp-help").widgets])


def test_no_text_on_the_page_names_a_file_the_user_does_not_have() -> None:
    rc = _page()
    _steps(rc, 3)
    texts = _all_html(rc) + [str(x.children) for x in rc.find(v.Html).widgets]
    texts += [str(getattr(x, "label", "")) for x in rc.find(v.Select).widgets]
    for t in texts:
        assert ".md" not in t, t


def test_preset_switch_takes_effect() -> None:
    from lspsim.app.app import plain_name
    from lspsim.scenario import partner_kinds

    presets = list_presets()
    sizes = {name: len(partner_kinds(load_scenario(name))) for name in presets
             if not name.startswith("public_goods")}
    other = max(sizes, key=sizes.get)
    rc = _page()
    _steps(rc, 1)
    _tab(rc, 3)
    assert _html(rc, "lsp-layers").count("<tr>") == sizes["default"] + 1
    rc.find(v.Select, class_="lsp-preset").widget.v_model = plain_name(other, presets[other])
    assert _month(rc) == f"Month 0 of {load_scenario(other).months}"
    assert _html(rc, "lsp-layers").count("<tr>") == sizes[other] + 1


def test_comparing_does_not_reset_the_run_and_says_what_differs() -> None:
    rc = _page()
    _steps(rc, 5)
    net_before = _charts(rc)[0]
    rc.find(v.Switch, class_="lsp-compare").widget.v_model = True
    assert _month(rc).startswith("Month 5 of")  # the run carried on where it was
    assert _charts(rc)[0] == net_before
    numeric = [c for c in main_controls() if c.kind in ("int", "float")]
    assert len(rc.find(v.TextField, class_="lsp-typed").widgets) == 2 * len(numeric)
    box = _typed_box(rc, "monitoring.investment", whatif=True)
    box.v_model = "0"
    box.fire_event("keyup.enter", None)
    assert _month(rc).startswith("Month 5 of")
    text = _html(rc, "lsp-outcomes")
    assert "what-if" in text
    _steps(rc, 3)
    assert _month(rc).startswith("Month 8 of")
    assert "After 8 months" in " ".join(x.children[0] for x in rc.find(v.Html, tag="p").widgets
                                        if x.children and isinstance(x.children[0], str)) \
        or "After 8 months" in "".join(_all_html(rc))
    # the legend says which lines are the what-if, above the plot, once per chart
    assert all("dashed: the what-if" in c for c in _charts(rc)[1:])
    rc.find(v.Switch, class_="lsp-compare").widget.v_model = False
    assert _month(rc).startswith("Month 8 of")


def test_firing_an_event_marks_the_charts_and_changes_the_run_from_next_month() -> None:
    from lspsim.events import PREPARED

    rc = _page()
    _steps(rc, 6)
    choice = rc.find(v.Select, class_="lsp-event-choice").widget
    assert PREPARED[0].label in choice.items
    choice.v_model = PREPARED[0].label
    _click(rc, "lsp-fire")
    series = _charts(rc)[1:]
    assert all('class="lsp-event-mark" data-month="7"' in c for c in series)
    assert any("Events:" in h or "month 7" in h for h in _all_html(rc))
    _steps(rc, 4)
    assert all('opacity="1"' in c.split('lsp-event-mark')[1][:60] for c in _charts(rc)[1:])


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


# --------------------------------------------------------------------- events, replay, sessions
def _fire_some(run, sc):
    from lspsim.events import prepared_for

    p = prepared_for(sc)
    for _ in range(7):
        run.step()
    run.fire(p["new_chair"].label, p["new_chair"].changes(sc))
    for _ in range(6):
        run.step()
    run.fire(p["election"].label, p["election"].changes(sc), p["election"].lasts)
    for _ in range(9):
        run.step()


def test_events_fired_live_equal_a_rerun_from_the_seed_with_the_log(default) -> None:
    from lspsim.events import with_events

    run = AppRun(default, 5)
    _fire_some(run, default)
    assert [ev.month for ev in run.fired] == [8, 14]
    again = PartnershipModel_run(with_events(default, run.fired), 5, run.month)
    for key, values in run.base.series().items():
        np.testing.assert_array_equal(values, again[key], err_msg=key)


def PartnershipModel_run(sc, seed, months):
    return run_replication(sc, seed, 0, months=months).series


def test_going_back_and_replaying_returns_to_the_same_state(default) -> None:
    run = AppRun(default, 5, default.with_updates({"layers.clarity": 0.3}),
                 {"layers.clarity": (0.8, 0.3)})
    _fire_some(run, default)
    month = run.month
    before = {k: v.copy() for k, v in run.base.series().items()}
    alt_before = run.alt.series()["mean_trust"].copy()
    chains = run.chains_html()
    run.goto(10)
    assert run.month == 10 and run.alt.steps == 10
    for key, values in run.base.series().items():
        np.testing.assert_array_equal(values, before[key][:11], err_msg=key)
    while run.month < month:
        run.step()
    for key, values in run.base.series().items():
        np.testing.assert_array_equal(values, before[key], err_msg=key)
    np.testing.assert_array_equal(run.alt.series()["mean_trust"], alt_before)
    assert run.chains_html() == chains


def test_forgetting_later_events_replays_without_them(default) -> None:
    run = AppRun(default, 5)
    _fire_some(run, default)
    run.goto(10)
    assert run.forget_after() == 1 and [ev.month for ev in run.fired] == [8]
    assert [mk.month for mk in run.event_marks()] == [8]


def test_a_what_if_joins_at_the_current_month_without_touching_the_run(default) -> None:
    run = AppRun(default, 2)
    for _ in range(9):
        run.step()
    before = run.base.series()["mean_trust"].copy()
    model = run.base
    alt = default.with_updates({"leadership.chair_style": "directive"})
    run.set_whatif(alt, {"leadership.chair_style": ("facilitative", "directive")})
    assert run.base is model and run.alt.steps == 9
    np.testing.assert_array_equal(run.base.series()["mean_trust"], before)
    fresh = run_replication(alt, 2, 0, months=9).series
    np.testing.assert_array_equal(run.alt.series()["mean_trust"], fresh["mean_trust"])
    run.set_whatif(None)
    assert run.alt is None and run.month == 9


def test_session_file_saves_and_reopens_the_same_run(default, tmp_path) -> None:
    from lspsim.app.app import read_session

    run = AppRun(default, 11)
    _fire_some(run, default)
    text = run.session_toml()
    assert len(text) < 5000 and "events = [" in text and f"# month = {run.month}" in text
    sc, month = read_session(text.encode(), "saved.toml")
    assert month == run.month and sc.seed == 11 and sc.events == run.fired
    reopened = AppRun(sc, sc.seed, month=month)
    for key, values in run.base.series().items():
        np.testing.assert_array_equal(reopened.base.series()[key], values, err_msg=key)
    # ... and the file is an ordinary scenario: `lspsim run` reproduces the run
    path = tmp_path / "saved.toml"
    path.write_text(text)
    rep = run_replication(load_scenario(path), 11, 0, months=month)
    np.testing.assert_array_equal(rep.series["mean_trust"], run.base.series()["mean_trust"])


def test_a_bad_session_file_is_refused_with_a_message() -> None:
    from lspsim.app.app import read_session

    with pytest.raises(InputError) as exc:
        read_session(b"months = -4\n", "broken.toml")
    assert exc.value.field == "months" and exc.value.source == "broken.toml"


def test_debrief_states_turning_points_event_effects_and_questions(default) -> None:
    from lspsim.app.debrief import RECOMMENDATIONS, debrief

    run = AppRun(default, 5)
    _fire_some(run, default)
    for _ in range(10):
        run.step()
    d = debrief(run)
    trust = run.base.series()["mean_trust"]
    assert d.turning_points and any(p.startswith("Trust") for p in d.turning_points)
    # the largest fall it names is the largest 3-month fall in the series
    falls = trust[3:] - trust[:-3]
    a = int(np.argmin(falls))
    if falls[a] < -0.02:
        assert f"between month {a} and month {a + 3}" in d.turning_points[0]
    assert len(d.event_effects) == 2 and d.event_effects[0].startswith("Event 1 (A new chair")
    assert d.held_back and d.held_back[0].startswith("Most often holding the chains back")
    recs = {r for r, _ in RECOMMENDATIONS.values()}
    assert 3 <= len(d.questions) <= 4 and all(r in recs for r, _ in d.questions)


def test_event_effect_is_zero_for_an_event_that_changes_nothing(default) -> None:
    """Common random numbers: an event setting a lever to the value it already has leaves the
    run exactly as it was, so the debrief reports no effect at all."""
    from lspsim.app.debrief import debrief

    run = AppRun(default, 3)
    for _ in range(5):
        run.step()
    run.fire("Nothing really", {"leadership.chair_style": default.leadership.chair_style})
    for _ in range(10):
        run.step()
    plain = run_replication(default, 3, 0, months=15).series
    np.testing.assert_array_equal(run.base.series()["mean_trust"], plain["mean_trust"])
    assert "(+0.00)" in debrief(run).event_effects[0]


def test_briefing_is_self_contained_html(default) -> None:
    import re

    from lspsim.app.briefing import briefing_html

    run = AppRun(default, 5, default.with_updates({"layers.clarity": 0.3}),
                 {"layers.clarity": (0.8, 0.3)})
    _fire_some(run, default)
    page = briefing_html(run)
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 5
    assert not re.search(r"(src|href)\s*=|<script|<link|@import|url\(", page, re.I)
    assert "@page { size: A4" in page
    for words in ("What happened", "Beside the what-if", "Turning points",
                  "Questions for discussion", "A new chair"):
        assert words in page
    assert ".md" not in page


def test_lever_changes_can_be_events_that_do_not_restart_the_run() -> None:
    rc = _page()
    rc.find(v.Switch, class_="lsp-lever-events").widget.v_model = True
    _steps(rc, 3)
    box = _typed_box(rc, "leadership.council_dominance")
    box.v_model = "0.9"
    box.fire_event("keyup.enter", None)
    assert _month(rc).startswith("Month 3 of")  # no restart
    assert not _refusals(rc)
    assert _typed_box(rc, "leadership.council_dominance").v_model == "0.9"  # next month's value
    series = _charts(rc)[1:]
    assert all('class="lsp-event-mark" data-month="4"' in c for c in series)
    # a parameter fixed when the partnership is built cannot be an event
    box = _typed_box(rc, "delivery.n_targets")
    box.v_model = "5"
    box.fire_event("keyup.enter", None)
    assert any("fixed when it is built" in r and "targets" in r and "events." not in r
               for r in _refusals(rc))
    assert _month(rc).startswith("Month 3 of")


def test_chart_legends_sit_above_the_plot_so_they_never_cover_a_line(default) -> None:
    import re

    alt = default.with_updates({"leadership.council_dominance": 0.9})
    run = AppRun(default, 1, alt, {"leadership.council_dominance": (0.3, 0.9)})
    for _ in range(12):
        run.step()
    for chart in run.series_svgs():
        frame = re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" '
                           r'fill="none"', chart)[-1]
        top = float(frame[0])
        legend_y = [float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)" fill="#333"',
                                                 chart)]
        assert len(legend_y) == 3  # two lines and "dashed: the what-if"
        assert max(legend_y) < top
        line_y = [float(p.split(",")[1]) for pts in re.findall(r'points="([^"]+)"', chart)
                  for p in pts.split()]
        assert line_y and min(line_y) >= top


# --------------------------------------------------------------------- the expert view
def _widgets_with_class(root, cls: str) -> list:
    """Every widget under ``root`` whose class list holds ``cls`` (solara adds its own)."""
    from ipywidgets import Widget

    out, todo = [], [root]
    while todo:
        w = todo.pop(0)
        if cls in (getattr(w, "class_", None) or "").split():
            out.append(w)
        todo.extend(c for c in (getattr(w, "children", None) or []) if isinstance(c, Widget))
    return out


def _expert_on(rc) -> None:
    rc.find(v.Switch, class_="lsp-expert").widget.v_model = True


def _expert_paths(rc) -> list[str]:
    params = _widgets_with_class(rc.find(v.Html, class_="lsp-params").widget, "lsp-param")
    return [next(c for c in w.class_.split() if c.startswith("lsp-p-"))[6:].replace("--", ".")
            for w in params]


def _param(rc, path: str):
    from lspsim.app.controls import expert_sections

    css = next(e.css for es in expert_sections().values() for e in es if e.path == path)
    (found,) = _widgets_with_class(rc.find(v.Html, class_="lsp-params").widget, css)
    return found


def _type_param(rc, path: str, text: str) -> None:
    (box,) = _widgets_with_class(_param(rc, path), "lsp-typed")
    box.v_model = text
    box.fire_event("keyup.enter", None)


def _find_param(rc, text: str) -> None:
    rc.find(v.TextField, class_="lsp-param-filter").widget.v_model = text


def test_expert_view_lists_every_schema_parameter_with_unit_range_and_evidence() -> None:
    from lspsim.app.controls import fmt
    from lspsim.scenario import evidence_status

    rc = _page()
    assert not rc.find(v.Html, class_="lsp-params").widgets  # not in the trainers' view
    _expert_on(rc)
    assert _expert_paths(rc) == []  # sections start closed
    top = {p.split(".")[0] if "." in p else "general" for p in parameter_paths()}
    n = len(rc.find(v.Btn, class_="lsp-param-section").widgets)
    assert n == len(top)
    for k in range(n):  # open every section (each click re-renders: find the button again)
        rc.find(v.Btn, class_="lsp-param-section").widgets[k].click()
    listed = _expert_paths(rc)
    assert len(listed) == len(set(listed))
    assert set(listed) == set(parameter_paths()) - {"seed"}  # the seed has its own box
    numeric = numeric_parameters()
    assert set(numeric) <= set(listed)
    for path, (lo, hi, _unit, _) in numeric.items():
        help_line = " ".join(t.children[0] for t in
                             _widgets_with_class(_param(rc, path), "lsp-help"))
        assert f"{fmt(lo)} to {fmt(hi)}" in help_line, path
        assert path in help_line
        status = evidence_status(path)
        assert status.split(":")[0] in ("sourced", "assumed") and help_line.endswith(status)
    # the filter finds by words in the path, label or evidence status
    _find_param(rc, "contact weight")
    assert "trust.weight_contact" in _expert_paths(rc)
    assert all("contact" in p or "contact" in _param(rc, p).children[0].children[0].lower()
               for p in _expert_paths(rc))
    _find_param(rc, "sourced")
    assert set(_expert_paths(rc)) == {p for p in listed
                                      if evidence_status(p).startswith("sourced")}


def test_a_structural_constant_in_the_expert_view_validates_and_restarts_the_run() -> None:
    plain_run = _page()
    _steps(plain_run, 12)
    rc = _page()
    _expert_on(rc)
    _find_param(rc, "trust.weight_contact")
    _steps(rc, 3)
    _type_param(rc, "trust.weight_contact", "7")
    (refused,) = _refusals(rc)
    assert "7" in refused and "less than or equal to 1" in refused
    assert "meeting" in refused  # names the parameter by its label
    assert _month(rc).startswith("Month 3 of")  # a refused value changes nothing
    _type_param(rc, "trust.weight_contact", "1")
    assert not _refusals(rc)
    assert _month(rc).startswith("Month 0 of")  # a change restarts, as a main lever does
    (box,) = _widgets_with_class(_param(rc, "trust.weight_contact"), "lsp-typed")
    assert box.v_model == "1"
    _steps(rc, 12)
    assert _charts(rc) != _charts(plain_run)


def test_a_leadership_style_value_fires_as_an_event_when_changes_are_events() -> None:
    plain_run = _page()
    _steps(plain_run, 12)
    rc = _page()
    rc.find(v.Switch, class_="lsp-lever-events").widget.v_model = True
    _expert_on(rc)
    _find_param(rc, "styles facilitative pull")  # the default chair's style
    assert _expert_paths(rc) == ["leadership.styles.facilitative.pull"]
    _steps(rc, 3)
    _type_param(rc, "leadership.styles.facilitative.pull", "1")
    assert not _refusals(rc)
    assert _month(rc).startswith("Month 3 of")  # no restart: an event from next month
    assert all('class="lsp-event-mark" data-month="4"' in c for c in _charts(rc)[1:])
    _steps(rc, 9)
    assert _charts(rc)[1:] != _charts(plain_run)[1:]
    # a structural constant fixed when the partnership is built is refused as an event
    _find_param(rc, "commitment.conditional_share")
    _type_param(rc, "commitment.conditional_share", "0.9")
    assert any("fixed when it is built" in r for r in _refusals(rc))


def test_going_back_and_comparing_leave_no_model_alive(default) -> None:
    """Mesa 3.3 keeps every model alive unless released: replay, what-ifs and the debrief
    build many; the ones replaced are freed, and close() frees the rest."""
    import gc

    from lspsim.model import PartnershipModel

    def alive() -> int:
        gc.collect()
        return sum(isinstance(o, PartnershipModel) for o in gc.get_objects())

    before = alive()
    run = AppRun(default, 3)
    for month in (4, 2, 6, 1):
        run.goto(month)
        run.set_whatif(default.with_updates({"leadership.chair_style": "directive"}))
    run.set_whatif(None)
    run.close()
    del run
    assert alive() == before
