"""Scheduled events: validated like any field, applied by the model at the start of their
month in every mode, exactly reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from lspsim.cli import main as cli_main
from lspsim.errors import InputError
from lspsim.events import PREPARED, active, prepared_for, scenario_in_force, with_events
from lspsim.model import PartnershipModel
from lspsim.results import replication_rng, run_replication
from lspsim.scenario import Event, load_scenario, validate_scenario


@pytest.fixture(scope="module")
def default():
    return load_scenario("default")


def _run(sc, seed=1, months=None):
    m = PartnershipModel(sc, rng=replication_rng(seed, 0))
    return m.run_months(months)


def _equal(a, b, upto=None):
    return all(np.array_equal(a[k][:upto], b[k][:upto], equal_nan=True) for k in a)


def test_an_event_changes_the_run_from_its_month_on_only(default) -> None:
    base = _run(default).series()
    for prepared in prepared_for(default).values():
        sc = with_events(default, [prepared.event(default, 12)])
        s = _run(sc).series()
        # Months 0-11 (the record before month 12's step) are identical, month 12 on not.
        assert _equal(base, s, 12), prepared.key
        assert not _equal(base, s), prepared.key


def test_same_seed_and_events_reproduce_exactly(default) -> None:
    events = [p.event(default, m) for p, m in zip(PREPARED[:3], (5, 9, 20), strict=True)]
    sc = with_events(default, events)
    assert _equal(_run(sc, 4).series(), _run(sc, 4).series())
    # ... through the file a run writes beside its results, too.
    again = validate_scenario(__import__("tomllib").loads(sc.to_toml()), "scenario.toml")
    assert again == sc
    assert _equal(_run(again, 4).series(), _run(sc, 4).series())


def test_a_temporary_event_reverts(default) -> None:
    ev = Event(month=6, label="x", changes={"leadership.chair_style": "directive"}, lasts=3)
    sc = with_events(default, [ev])
    assert active(sc.events, 5) == () and active(sc.events, 6) == (0,)
    assert active(sc.events, 8) == (0,) and active(sc.events, 9) == ()
    assert scenario_in_force(sc, 7).leadership.chair_style == "directive"
    assert scenario_in_force(sc, 9) is sc
    cache: dict = {}
    assert scenario_in_force(sc, 7, cache) is scenario_in_force(sc, 8, cache)


def test_later_event_overrides_an_earlier_one(default) -> None:
    evs = [Event(month=3, changes={"leadership.council_dominance": 0.9}),
           Event(month=8, changes={"leadership.council_dominance": 0.1})]
    sc = with_events(default, evs)
    assert scenario_in_force(sc, 5).leadership.council_dominance == 0.9
    assert scenario_in_force(sc, 8).leadership.council_dominance == 0.1


def test_events_from_a_toml_file_run_in_the_cli(tmp_path, default) -> None:
    path = tmp_path / "turbulent.toml"
    path.write_text('name = "turbulent"\nmonths = 24\nseed = 3\n\n[[events]]\nmonth = 10\n'
                    'label = "A new chair"\nchanges = { leadership.chair_style = "directive" }\n')
    sc = load_scenario(path)
    assert sc.events[0].changes == {"leadership.chair_style": "directive"}
    rep = run_replication(sc, 3, 0)
    plain = run_replication(sc.with_updates({"events": []}), 3, 0)
    assert _equal(rep.series, plain.series, 10) and not _equal(rep.series, plain.series)
    assert cli_main(["run", str(path), "--replications", "2", "--out",
                     str(tmp_path / "out")]) == 0
    written = load_scenario(tmp_path / "out" / "scenario.toml")
    assert written.events == sc.events


@pytest.mark.parametrize("changes, field, allowed", [
    ({"leadership.no_such": 1}, "events.0.changes.leadership.no_such", "known parameter"),
    ({"delivery.n_targets": 3}, "events.0.changes.delivery.n_targets", "fixed when it is built"),
    ({"kinds.health.budget": 3.0}, "events.0.changes.kinds.health.budget", "fixed"),
    ({"leadership.council_dominance": 3}, "events.0.changes.leadership.council_dominance",
     "less than or equal to 1"),
    ({"leadership.chair_style": "tyrant"}, "events.0.changes.leadership.chair_style",
     "facilitative"),
])
def test_bad_events_are_input_errors_naming_the_field(tmp_path, changes, field, allowed) -> None:
    path = tmp_path / "bad.toml"
    body = ", ".join(f'"{k}" = {v!r}'.replace("'", '"') for k, v in changes.items())
    path.write_text(f"[[events]]\nmonth = 4\nchanges = {{ {body} }}\n")
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert exc.value.field == field and allowed in exc.value.allowed
    assert exc.value.source == str(path)


def test_bad_event_month_is_refused(tmp_path, capsys) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[events]]\nmonth = 0\nchanges = { "trust.loss" = 0.3 }\n')
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "events.0.month" in err and "greater than or equal to 1" in err


def test_breach_of_trust_lowers_trust_in_that_partner(default) -> None:
    """Over 12 paired seeds (common random numbers), the others' trust in the health body at
    the end is lower after its breach, by more than twice the standard error."""
    breach = prepared_for(default)["breach_health"]
    sc = with_events(default, [breach.event(default, 12)])
    diffs = []
    for seed in range(12):
        a, b = _run(default, seed), _run(sc, seed)
        h = a.kinds.index("health")
        others = [i for i in range(a.n_partners) if i != h]
        diffs.append(b.trust[others, h].mean() - a.trust[others, h].mean())
    d = np.array(diffs)
    assert d.mean() + 2 * d.std(ddof=1) / np.sqrt(d.size) < 0, d


def test_events_run_in_sweeps(tmp_path) -> None:
    import pandas as pd

    from lspsim.sweep import run_sweep

    scen = tmp_path / "turbulent.toml"
    body = 'name = "turbulent"\nmonths = 16\nseed = 3\n'
    scen.write_text(body + '\n[[events]]\nmonth = 8\nlabel = "A new chair"\n'
                    'changes = { "leadership.chair_style" = "directive" }\n')
    (tmp_path / "calm.toml").write_text(body)
    series = {}
    for name in ("turbulent", "calm"):
        exp = tmp_path / f"{name}-exp.toml"
        exp.write_text(f'name = "{name}"\ndescription = "x"\nscenario = "{tmp_path / name}.toml"'
                       '\nseed = 5\nreplications = 2\nseries = ["mean_trust"]\n\n[design]\n'
                       'kind = "grid"\n\n[parameters]\n'
                       '"leadership.council_dominance" = { values = [0.2, 0.8] }\n')
        run_sweep(exp, tmp_path / name, workers=0)
        series[name] = pd.read_parquet(tmp_path / name / "series.parquet")
    a, b = series["turbulent"], series["calm"]
    keys = [c for c in a.columns if c != "mean_trust"]
    merged = a.merge(b, on=keys, suffixes=("_ev", "_calm"))
    assert len(merged) == len(a) == len(b)
    before = merged[merged["month"] < 8]
    after = merged[merged["month"] >= 8]
    assert (before["mean_trust_ev"] == before["mean_trust_calm"]).all()
    assert (after["mean_trust_ev"] != after["mean_trust_calm"]).any()
