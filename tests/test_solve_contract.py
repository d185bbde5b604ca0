"""The shared dual-solve contract: kept rows and consistency decided exactly before any
floating-point work, and auto's fallback when the arb polish fails.

Expected values: exact rationals (fractions.Fraction) of X beta = y and of the minimum-ℓ2
solution X^T (X X^T)^-1 y."""

import warnings
from fractions import Fraction

import pytest

from krtheory.errors import InvalidArgument
from krtheory.precision import context
from krtheory.problem import Problem
from krtheory.solve.predict import BackendNotice, predict
from tests.helpers import depth2_link



def _mpf_fraction(v):
    sign, man, exp, _ = v._mpf_
    value = Fraction(int(man)) * Fraction(2) ** exp
    return -value if sign else value


NEARLY_DEPENDENT = ([["1", "1", "0"], ["1", "1.00000000000000001", "0"]], ["1", "2"])
LARGE_INTEGER = ([["18446744073709551615", "1", "0"], ["3", "4", "1"]], ["1", "2"])
HUGE_CELL = ([["1e308", "1", "0"], ["1", "2", "1"]], ["1", "2"])


@pytest.mark.parametrize("backend", ["mpmath", "auto"])
@pytest.mark.parametrize("data", [NEARLY_DEPENDENT, LARGE_INTEGER, HUGE_CELL], ids=["near", "2^64", "1e308"])
def test_exactly_solvable_systems_are_solved_not_called_inconsistent(data, backend):
    """Rows that double (or a tolerance at dps) cannot tell apart are still independent: the
    system is solvable exactly and the solve must satisfy it to its claimed digits."""
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BackendNotice)
        result = predict(Problem.from_rows(X, y, warn=False), depth2_link("1", 3), dps=30, backend=backend)
    assert result.digits and result.digits >= 25
    beta = [_mpf_fraction(context(60).mpf(b)) for b in result.beta]
    worst = max(abs(sum(Fraction(x) * bj for x, bj in zip(row, beta)) - Fraction(t)) for row, t in zip(X, y))
    # beta to `digits` normwise moves X beta by at most 10^-digits ||X||_inf max|beta|
    X_norm = max(sum(abs(Fraction(x)) for x in row) for row in X)
    assert worst <= Fraction(10) ** -(result.digits - 1) * X_norm * max(map(abs, beta))


def test_nearly_dependent_rows_give_the_exact_l2_solution():
    """The l2 reference of NEARLY_DEPENDENT is (1 - 1e17, 1e17, 0) exactly."""
    from krtheory.references import min_l2

    result = min_l2(Problem.from_rows(*NEARLY_DEPENDENT, warn=False), dps=30)
    expected = [1 - Fraction(10) ** 17, Fraction(10) ** 17, 0]
    for b, e in zip(result.beta, expected):
        assert abs(_mpf_fraction(b) - e) <= Fraction(10) ** -25 * 10 ** 17


@pytest.mark.parametrize("backend", ["mpmath", "numpy", "flint", "auto"])
def test_a_truly_inconsistent_system_still_says_so(backend):
    problem = Problem.from_rows([["1", "2", "0"], ["1", "2", "0"]], ["1", "2"], warn=False)
    with pytest.raises(InvalidArgument, match="inconsistent system"):
        predict(problem, depth2_link("1", 3), dps=30, backend=backend)


def test_fraction_and_flint_row_selection_agree():
    from krtheory._linalg import _flint_rows, _fraction_rows

    for X, y in [NEARLY_DEPENDENT, LARGE_INTEGER, ([["1", "2"], ["2", "4"], ["0", "1"]], ["1", "2", "5"]),
                 ([["1", "2"], ["2", "4"]], ["1", "3"])]:
        problem = Problem.from_rows(X, y, warn=False)
        assert _flint_rows(problem) == _fraction_rows(problem)
    assert _fraction_rows(Problem.from_rows([["1", "2"], ["2", "4"]], ["1", "3"], warn=False)) == ((0,), False)


def test_auto_falls_back_to_mpmath_when_the_arb_polish_fails():
    """examples/ at alpha = 1e10, dps 20: the arb polish does not converge (reproduced before
    the fallback existed); auto warns once and answers with mpmath, flint still raises."""
    from krtheory.errors import NoConvergence

    from krtheory.families.diagonal import implicit_link

    problem = Problem.from_files("examples/X.csv", "examples/y.csv")
    link = implicit_link("diagonal", 2, "1e10", None, problem.d)
    with pytest.warns(BackendNotice, match="arb Newton polish did not converge.*using the mpmath backend"):
        result = predict(problem, link, dps=20, backend="auto")
    assert result.backend == "mpmath" and result.digits >= 20
    with pytest.raises(NoConvergence):
        predict(problem, link, dps=20, backend="flint")


@pytest.mark.parametrize("X, y", [
    ([["1.5e-3", "2", "-0.25"], ["3e-3", "4", "-0.5"], ["1", "0", "7e300"]], ["1", "2", "3"]),       # dependent, consistent
    ([["1.5e-3", "2", "-0.25"], ["3e-3", "4", "-0.5"]], ["1", "2.000000000000000000001"]),          # dependent, inconsistent
    ([["1e-300", "1"], ["1e300", "1"], ["0", "5e-1"]], ["1", "2", "3"]),                            # wide exponent spread
    ([["1/3", "2"], ["2/3", "4"]], ["1", "2"]),                                                     # p/q cells: rational path
    ([["0", "0"], ["1.25", "-2.5e1"]], ["0", "1"]),
])
def test_integer_scaled_rows_select_the_rows_the_fractions_select(X, y):
    from krtheory._linalg import _flint_rows, _fraction_rows

    pytest.importorskip("flint")
    problem = Problem.from_rows(X, y, warn=False)
    assert _flint_rows(problem) == _fraction_rows(problem)
