"""The Python API as a hostile user calls it: every bad argument to a public verb or noun raises
a KRTheoryError subclass naming the problem (never an AttributeError or TypeError from deep
inside), and quickly."""

import time

import pytest

import krtheory as k
from krtheory.errors import KRTheoryError

EXAMPLE = ("examples/X.csv", "examples/y.csv")


def _problem():
    return k.Problem.from_files(*EXAMPLE)


def _link(d=None):
    return k.implicit_link("diagonal", 2, "1", None, d or _problem().d)


BAD_CALLS = {
    "Problem of None": lambda: k.Problem(None, None),
    "Problem of a string": lambda: k.Problem("abc", ["1"]),
    "Problem with an object cell": lambda: k.Problem([[object()]], ["1"]),
    "Problem with ragged rows": lambda: k.Problem([["1", "2"], ["3"]], ["1", "2"]),
    "Problem with an int name": lambda: k.Problem([["1"]], ["1"], name=3),
    "Problem.from_rows with NaN": lambda: k.Problem.from_rows([[float("nan")]], [1]),
    "Problem.from_files of a missing file": lambda: k.Problem.from_files("nope.csv", "nope.csv"),
    "Problem.from_files of None": lambda: k.Problem.from_files(None, None),
    "builtin_problem unknown": lambda: k.builtin_problem("nope"),
    "derive_diagonal(1)": lambda: k.derive_diagonal(1),
    "derive_diagonal('x')": lambda: k.derive_diagonal("x"),
    "derive_diagonal(10**9)": lambda: k.derive_diagonal(10 ** 9),
    "derive_parametrization of a bad expression": lambda: k.derive_parametrization("u**", {"u": "1"}),
    "derive_parametrization with a missing init": lambda: k.derive_parametrization("u*v", {"u": "1"}),
    "implicit_link of an unknown family": lambda: k.implicit_link("nope", 2, "1", None, 3),
    "implicit_link at alpha -1": lambda: k.implicit_link("diagonal", 2, "-1", None, 3),
    "implicit_link at d 'x'": lambda: k.implicit_link("diagonal", 2, "1", None, "x"),
    "implicit_link with a short shape": lambda: k.implicit_link("diagonal", 2, "1", ["1"], 3),
    "wide_link of None": lambda: k.wide_link(None, None),
    "wide_link ragged": lambda: k.wide_link([["1"]], [["1", "2"]]),
    "predict of None": lambda: k.predict(None, _link()),
    "predict with link None": lambda: k.predict(_problem(), None),
    "predict at dps 0": lambda: k.predict(_problem(), _link(), dps=0),
    "predict with backend gpu": lambda: k.predict(_problem(), _link(), backend="gpu"),
    "predict with a link of the wrong d": lambda: k.predict(_problem(), _link(2)),
    "dual_trajectory of None": lambda: k.dual_trajectory(None, None),
    "integrate_flow of None": lambda: k.integrate_flow(None, None),
    "integrate_flow with a string model": lambda: k.integrate_flow("diagonal", _problem()),
    "integrate_flow with arguments swapped": lambda: k.integrate_flow(_problem(), k.DiagonalModel(2, "1")),
    "DiagonalModel('x', 1)": lambda: k.DiagonalModel("x", "1"),
    "DiagonalModel at alpha 'abc'": lambda: k.DiagonalModel(2, "abc"),
    "WideModel of None": lambda: k.WideModel(None, None),
    "min_l1 of None": lambda: k.min_l1(None),
    "min_l1 at dps -1": lambda: k.min_l1(_problem(), dps=-1),
    "min_l2 of None": lambda: k.min_l2(None),
    "printed_bounds of None": lambda: k.printed_bounds(None, "0.5"),
    "printed_bounds at eps None": lambda: k.printed_bounds(_problem(), None),
    "measure_thresholds of None": lambda: k.measure_thresholds(None, ["0.5"]),
    "Link without parts": lambda: k.Link("x", None, None, None, None, (), ()),
    "Link.from_text without parts": lambda: k.Link.from_text("x", {}, (), ()),
    "Tolerance.from_dps with too much slack": lambda: k.Tolerance.from_dps(10, 20, "x"),
}


@pytest.mark.parametrize("name", BAD_CALLS)
def test_bad_api_argument_raises_a_krtheory_error(name):
    start = time.perf_counter()
    with pytest.raises(KRTheoryError) as raised:
        BAD_CALLS[name]()
    assert "\n" not in str(raised.value).strip() and str(raised.value)
    assert time.perf_counter() - start < 30
