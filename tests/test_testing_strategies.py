"""krtheory.testing.strategies: every draw inside its documented domain (checked with numpy and
exact fractions, not with the strategies' own arithmetic), no rejection sampling, shrinking
toward small and round examples, bad bounds refused in one line."""

import ast
import inspect
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from krtheory import Problem
from krtheory.errors import InvalidArgument
from krtheory.testing import strategies
from krtheory.testing.strategies import (alphas, depths, epsilons, families, parametrizations, problems,
                                         shapes, wide_inits, widths, Parametrization)

MANY = settings(max_examples=150, database=None, deadline=None)


@MANY
@given(problems(max_n=3, max_d=6))
def test_problems_are_overparametrized_consistent_and_well_conditioned(problem):
    assert isinstance(problem, Problem) and 1 <= problem.n < problem.d <= 6
    X = np.array(problem.X_float())
    # the documented bound cond_2(X) <= n sqrt(d) max|X| / margin (margin 0.25), by numpy's SVD
    assert np.linalg.cond(X) <= problem.n * np.sqrt(problem.d) * abs(X).max() / 0.25
    assert np.linalg.matrix_rank(X) == problem.n
    assert any(Fraction(v) for v in problem.y)
    for cell in (*sum(problem.X, ()), *problem.y):  # exact decimals: no p/q, no exponent
        assert "/" not in cell and "e" not in cell.lower()
        Fraction(cell)


@MANY
@given(st.data())
def test_log_scales_respect_their_bounds(data):
    lo = data.draw(st.sampled_from(["1e-8", "0.003", "0.5", "1", "7"]))
    hi = data.draw(st.sampled_from(["9", "10", "250", "1e6"]))
    for strategy in (alphas(min_value=lo, max_value=hi), epsilons(min_value=lo, max_value=hi)):
        value = data.draw(strategy)
        assert Fraction(lo) <= Fraction(value) <= Fraction(hi)
        mantissa = Fraction(value) / Fraction(10) ** _exponent(Fraction(value))
        assert mantissa.denominator == 1 and 1 <= mantissa <= 9  # m * 10^e


def _exponent(x: Fraction) -> int:
    e = 0
    while Fraction(10) ** e > x:
        e -= 1
    while Fraction(10) ** (e + 1) <= x:
        e += 1
    return e


def test_log_scales_cover_the_decades():
    """Every decade of [1e-3, 1e3] appears in 300 draws (a log scale, not a linear one)."""
    seen = set()

    @settings(max_examples=300, database=None)
    @given(alphas(min_value="0.001", max_value="1000"))
    def draw(alpha):
        seen.add(_exponent(Fraction(alpha)))

    draw()
    assert seen == set(range(-3, 4))


def test_shrinking_goes_to_small_and_round_examples():
    assert find(alphas(), lambda a: True) == "1"
    assert find(alphas(min_value="2", max_value="50"), lambda a: True) == "2"
    assert find(epsilons(), lambda e: True) == "0.1"
    small = find(problems(), lambda p: True)
    assert (small.n, small.d) == (1, 2) and small.X == (("0.25", "0"),)
    assert find(parametrizations(), lambda p: True) == Parametrization("u*v", {"u": "1", "v": "0"})
    assert find(parametrizations(), lambda p: "**" in p.expression).init == {"u": "1", "v": "1"}
    assert find(depths(), lambda d: True) == 2 and find(widths(), lambda k: True) == 1
    assert find(shapes(3), lambda s: True) == ("0.5",) * 3


@MANY
@given(st.data())
def test_wide_inits_and_parametrizations_have_no_degenerate_start(data):
    d = data.draw(st.integers(1, 4))
    U0, V0 = data.draw(wide_inits(d))
    for u, v in zip(U0, V0):
        A = sum((Fraction(a) + Fraction(b)) ** 2 for a, b in zip(u, v)) / 4
        B = sum((Fraction(a) - Fraction(b)) ** 2 for a, b in zip(u, v)) / 4
        assert A > 0 and B > 0  # the biased hypentropy of §6 exists
    case = data.draw(parametrizations())
    values = {k: Fraction(v) for k, v in case.init.items()}
    if case.expression == "u*v":
        assert values["u"] > abs(values["v"])
    elif "**" in case.expression:
        assert values["u"] == values["v"] > 0
    case = data.draw(families(d))
    assert case.family in ("diagonal", "wide")


def test_the_strategies_are_constructive():
    """No .filter, assume or reject anywhere in the module (pandera's lesson, EXPERIMENTS §4)."""
    tree = ast.parse(inspect.getsource(strategies))
    used = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)} | \
        {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert not used & {"filter", "assume", "reject"}


@pytest.mark.parametrize("make, fragment", [
    (lambda: problems(min_n=3, max_n=2), "min_n"),
    (lambda: problems(max_n=4, max_d=4), "max_n < max_d"),
    (lambda: problems(margin="0.001"), "margin"),
    (lambda: problems(max_support=0), "max_support"),
    (lambda: alphas(min_value="0", max_value="1"), "0 < min_value"),
    (lambda: alphas(min_value="2", max_value="1"), "min_value <= max_value"),
    (lambda: alphas(min_value="1.5", max_value="1.9"), r"no m \* 10\^e"),
    (lambda: depths(min_value=1), "2 <= min_value"),
    (lambda: shapes(2, min_value="0.001"), "two decimal places"),
    (lambda: parametrizations(kinds=["cubic"]), "kinds"),
    (lambda: families(2, names=["explicit"]), "names"),
])
def test_bad_bounds_are_one_line_errors(make, fragment):
    with pytest.raises(InvalidArgument, match=fragment) as raised:
        make()
    assert "\n" not in str(raised.value)
