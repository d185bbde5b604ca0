"""The ``>>>`` examples in the docstrings of the front doors run and print what they say.

Only these objects' docstrings (found through ``krtheory``'s public names, wherever their modules
live), so the run imports no more than the examples need."""

import doctest

import pytest

import krtheory

FRONT_DOORS = ("Problem", "Link", "min_l1", "min_l2", "Claim", "dual_trajectory", "measure_thresholds")


@pytest.mark.parametrize("name", FRONT_DOORS)
def test_docstring_examples_run(name):
    tests = [t for t in doctest.DocTestFinder().find(getattr(krtheory, name), name, globs={}) if t.examples]
    assert tests, f"{name} has no >>> example"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = []
    for test in tests:
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
