"""One translation of schema errors (lspsim.errors.from_validation_error) for scenarios,
experiments and appraisal assumptions (tests/test_appraisal_cli.py): the same wording for the
same kind of mistake."""

import pytest

from lspsim.errors import InputError
from lspsim.scenario import load_scenario
from lspsim.sweep.experiment import experiment_from_dict

EXP = {"name": "x", "description": "d", "parameters": {"trust.gain": {"range": [0.02, 0.05]}}}


def _error(fn, *args) -> InputError:
    with pytest.raises(InputError) as info:
        fn(*args)
    return info.value


@pytest.mark.parametrize("make", [
    lambda: _error(load_scenario, "default", {"trust.gain": -1.0}),
    lambda: _error(experiment_from_dict, {**EXP, "replications": 0}),
])
def test_a_bound_reads_the_same_everywhere(make):
    err = make()
    assert err.allowed.startswith("input should be greater than"), err
    assert err.value is not None


def test_extra_fields_and_error_counts():
    e = _error(experiment_from_dict, {**EXP, "replicates": 3, "seeds": 2})
    assert e.field == "replicates" and e.allowed.startswith("no such field (see docs/sweeps.md")
    assert e.allowed.endswith("(and 1 more)")
    m = _error(experiment_from_dict, {"name": "x", "parameters": {}})
    assert m.field == "description" and m.value is None and m.allowed == "this field is required"
