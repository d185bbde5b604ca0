"""The warm-started float64 path along alpha (krtheory.solve.path) against the mpmath backend's
solve of the same problem at 30 digits (an independent iteration in other arithmetic), its
mpmath fallback below the scale floor, and its independence from the order of the solves."""

import numpy as np
import pytest

from krtheory.errors import InvalidArgument
from krtheory.families.diagonal import implicit_link
from krtheory.problem import Problem
from krtheory.solve.mp import solve_link
from krtheory.experiments.sparse_regression import diagonal_path as DiagonalPath


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((6, 24))
    beta = np.zeros(24)
    beta[[3, 11]] = [0.8, -0.5]
    return X, X @ beta + 0.1 * rng.standard_normal(6)


def mpmath_beta(X, y, depth, alpha):
    problem = Problem.from_rows(X.tolist(), y.tolist(), warn=False)
    result = solve_link(problem, implicit_link("diagonal", depth, repr(alpha), None, X.shape[1]), dps=30)
    return np.array([float(b) for b in result.beta])


@pytest.mark.parametrize("depth, alphas", [(2, (1.0, 0.1, 0.003)), (3, (1.0, 0.2, 0.02))])
def test_the_warm_float64_path_matches_mpmath(data, depth, alphas):
    X, y = data
    path = DiagonalPath(X, y, depth)
    for alpha in alphas:  # decreasing: each solve starts from the previous one's multipliers
        solution = path.solve(alpha)
        assert solution.backend == "float64" and solution.fallback == "" and solution.relative_residual < 1e-12
        reference = mpmath_beta(X, y, depth, alpha)
        assert np.max(np.abs(solution.beta - reference)) <= 1e-10 * np.max(np.abs(reference))


def test_the_order_of_the_solves_does_not_change_the_answer(data):
    X, y = data
    forward, backward = DiagonalPath(X, y, 2), DiagonalPath(X, y, 2)
    alphas = (1.0, 0.3, 0.05, 0.01)
    ahead = [forward.solve(a).beta for a in alphas]
    behind = [backward.solve(a).beta for a in reversed(alphas)][::-1]
    for a, b in zip(ahead, behind):
        assert np.max(np.abs(a - b)) <= 1e-12 * np.max(np.abs(a))


def test_below_the_scale_floor_the_point_goes_to_mpmath_and_says_so(data):
    X, y = data
    solution = DiagonalPath(X, y, 2).solve(1e-80)  # alpha^2 = 1e-160
    assert solution.backend == "mpmath" and "below 1e-150" in solution.fallback and "1e-160" in solution.fallback
    reference = mpmath_beta(X, y, 2, 1e-80)
    assert np.max(np.abs(solution.beta - reference)) <= 1e-12 * np.max(np.abs(reference))


def test_a_residual_beyond_the_tolerance_falls_back(data):
    X, y = data
    solution = DiagonalPath(X, y, 2, residual_tolerance=1e-300).solve(0.5)
    assert solution.backend == "mpmath" and "tolerance 1e-300" in solution.fallback


def test_bad_path_input_is_refused(data):
    X, y = data
    with pytest.raises(InvalidArgument, match="depth"):
        DiagonalPath(X, y, 1)
    with pytest.raises(InvalidArgument, match="linearly dependent"):
        DiagonalPath(np.vstack([X, X[:1]]), np.append(y, y[0]), 2)
    with pytest.raises(InvalidArgument, match="alpha"):
        DiagonalPath(X, y, 2).solve(-1.0)
    with pytest.raises(InvalidArgument, match="finite"):
        DiagonalPath(X, y[:-1], 2)
