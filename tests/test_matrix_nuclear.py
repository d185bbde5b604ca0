"""The minimum nuclear norm reference (§6) against closed forms and a second solver, and its
primal-dual certificate."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from krtheory.errors import MissingExtra, NoConvergence
from krtheory.solve.nuclear import certificate, min_nuclear_norm


def _completion(Y, cells):
    A = np.zeros((len(cells), Y.size))
    A[np.arange(len(cells)), cells] = 1.0
    return A, Y.ravel()[cells]


def test_a_fully_observed_matrix_has_the_sum_of_its_singular_values():
    Y = np.random.default_rng(0).standard_normal((4, 5))
    A, y = _completion(Y, np.arange(20))
    result = min_nuclear_norm((4, 5), A, y)
    assert result.status == "optimal"
    assert np.array_equal(result.M, Y)  # observed entries are set exactly
    assert abs(result.nuclear_norm - np.linalg.svd(Y, compute_uv=False).sum()) < 1e-12
    assert 0 <= result.gap < 1e-12


def test_partial_completion_agrees_with_scs_and_its_certificate_brackets_the_minimum():
    cvxpy = pytest.importorskip("cvxpy")
    rng = np.random.default_rng(4)
    Y = np.outer(rng.standard_normal(6), rng.standard_normal(6))
    cells = rng.choice(36, 20, replace=False)
    A, y = _completion(Y, cells)
    result = min_nuclear_norm((6, 6), A, y)
    assert np.array_equal(result.M.ravel()[cells], y)
    assert result.gap < 1e-6
    X = cvxpy.Variable((6, 6))
    other = cvxpy.Problem(cvxpy.Minimize(cvxpy.normNuc(X)), [A @ cvxpy.vec(X, order="C") == y])
    other.solve(solver="SCS", eps=1e-10, max_iters=200_000)
    assert abs(other.value - result.nuclear_norm) < 1e-6
    # Y itself is feasible: the certified lower bound cannot exceed its nuclear norm
    assert result.lower_bound <= np.linalg.svd(Y, compute_uv=False).sum() + result.rounding


def test_the_dual_bound_is_valid_for_any_multipliers():
    """Weak duality: random multipliers give a lower bound below the optimum."""
    rng = np.random.default_rng(7)
    Y = rng.standard_normal((3, 3))
    A, y = _completion(Y, np.array([0, 2, 4, 5, 7]))
    best = min_nuclear_norm((3, 3), A, y)
    for _ in range(20):
        upper, lower, _ = certificate(best.M, A, y, rng.standard_normal(5))
        assert lower <= best.nuclear_norm + best.gap + 1e-12


def test_optimal_inaccurate_is_not_optimal(monkeypatch):
    cvxpy = pytest.importorskip("cvxpy")

    def inaccurate(self, *args, **kwargs):
        self._status = "optimal_inaccurate"

    monkeypatch.setattr(cvxpy.Problem, "solve", inaccurate)
    A, y = _completion(np.eye(2), np.arange(4))
    with pytest.raises(NoConvergence, match="optimal_inaccurate"):
        min_nuclear_norm((2, 2), A, y)


def test_without_cvxpy_the_extra_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "cvxpy", None)
    with pytest.raises(MissingExtra, match=r"krtheory\[convex\]"):
        min_nuclear_norm((2, 2), np.eye(4), np.ones(4))
