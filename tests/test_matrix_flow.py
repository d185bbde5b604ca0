"""The matrix-factorization flow (§6) against independent integrations of the raw U, V flow
(scipy's DOP853 on all k columns, never the factor), a closed form (Eckart-Young where the
residual cannot vanish) and itself at two precisions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from krtheory.errors import InvalidArgument
from krtheory.flow.gram import FactorSystem, lifted_derivative
from krtheory.flow.matrix import MatrixFlowStatus, integrate_factor_flow, integrate_matrix_flow
from krtheory.flow.measurements import MatrixMeasurements

COMPLETION = MatrixMeasurements(shape=(3, 4), values=("1", "-0.5", "0.75", "2", "-1", "0.25", "1.5"),
                                entries=((0, 0), (0, 2), (1, 1), (1, 3), (2, 0), (2, 2), (2, 3)))


def _sensing(rng) -> MatrixMeasurements:
    mats = [[[repr(float(v)) for v in row] for row in rng.standard_normal((2, 3)).round(2)] for _ in range(4)]
    return MatrixMeasurements(shape=(2, 3), values=("1", "-0.5", "0.3", "0.8"), matrices=tuple(mats))


def _raw_flow(measurements, U0, V0, T=400.0):
    """The raw flow U' = -2 R V, V' = -2 R^T U on all k columns (DOP853, rtol 1e-12) to time T."""
    D1, D2 = measurements.shape
    k = U0.shape[1]
    A, y = measurements.operator(), measurements.targets()

    def rhs(t, w):
        U, V = w[:D1 * k].reshape(D1, k), w[D1 * k:].reshape(D2, k)
        R = (A.T @ (A @ (U @ V.T).ravel() - y)).reshape(D1, D2)
        return np.concatenate([(-2 * R @ V).ravel(), (-2 * R.T @ U).ravel()])

    out = solve_ivp(rhs, (0, T), np.concatenate([U0.ravel(), V0.ravel()]), method="DOP853",
                    rtol=1e-12, atol=1e-14)
    w = out.y[:, -1]
    return w[:D1 * k].reshape(D1, k) @ w[D1 * k:].reshape(D2, k).T


def _strings(X):
    return [[repr(float(v)) for v in row] for row in X]


@pytest.mark.parametrize("k", [2, 30])  # 30 > D1 + D2: the factor is compressed to rank 7
def test_the_flow_agrees_with_scipy_on_the_raw_flow(k):
    rng = np.random.default_rng(k)
    U0, V0 = 0.3 * rng.standard_normal((3, k)) / np.sqrt(k), 0.3 * rng.standard_normal((4, k)) / np.sqrt(k)
    result = integrate_matrix_flow(COMPLETION, _strings(U0), _strings(V0))
    reference = _raw_flow(COMPLETION, U0, V0)
    assert result.converged and result.loss < 1e-20
    assert result.error_estimate < 1e-8
    assert np.abs(result.M - reference).max() < max(result.error_estimate, 1e-9)


def test_sensing_goes_through_the_same_engine():
    rng = np.random.default_rng(5)
    measurements = _sensing(rng)
    U0, V0 = 0.4 * rng.standard_normal((2, 3)), 0.4 * rng.standard_normal((3, 3))
    result = integrate_matrix_flow(measurements, _strings(U0), _strings(V0))
    reference = _raw_flow(measurements, U0, V0)
    assert result.converged
    assert np.abs(result.M - reference).max() < max(result.error_estimate, 1e-9)


def test_high_precision_agrees_with_itself_and_float64_keeps_its_claim():
    rng = np.random.default_rng(3)
    U0, V0 = _strings(0.4 * rng.standard_normal((3, 2))), _strings(0.4 * rng.standard_normal((4, 2)))
    low, high = (integrate_matrix_flow(COMPLETION, U0, V0, dps=d) for d in (20, 32))
    assert low.converged and high.converged and low.digits >= 18 and high.digits >= 30
    ctx = high.ctx
    gap = max(abs(ctx.mpf(a) - b) for ra, rb in zip(low.M_exact, high.M_exact) for a, b in zip(ra, rb))
    assert gap <= low.error_estimate
    fast = integrate_matrix_flow(COMPLETION, U0, V0)
    assert np.abs(fast.M - high.M).max() <= fast.error_estimate


def test_where_the_residual_cannot_vanish_the_factor_follows_eckart_young():
    """k = 1 on a fully observed rank-2 matrix: the limit is the best rank-1 approximation
    s1 u1 v1^T and the loss s2^2 (closed form), and the factored flow stays on it; the lifted
    equation M-bar' = -2 (S M-bar + M-bar S) integrated directly leaves the rank-1 set (its
    perturbations grow like exp(4 s2 t) there) and ends far from it."""
    Y = np.array([[3.0, 1.0], [0.5, 2.0]])
    measurements = MatrixMeasurements(shape=(2, 2), values=tuple(repr(float(v)) for v in Y.ravel()),
                                      entries=((0, 0), (0, 1), (1, 0), (1, 1)))
    P, s, Qt = np.linalg.svd(Y)
    best = s[0] * np.outer(P[:, 0], Qt[0])
    F0 = np.array([[0.3], [0.1], [0.2], [-0.1]])
    result = integrate_factor_flow(measurements, F0, width=1)
    assert result.converged
    assert np.abs(result.M - best).max() < 1e-8 and abs(result.loss - s[1] ** 2) < 1e-8
    system = FactorSystem(measurements)
    lifted = solve_ivp(lambda t, m: lifted_derivative(system, m.reshape(4, 4)).ravel(), (0, 40),
                       (F0 @ F0.T).ravel(), method="RK45", rtol=1e-10, atol=1e-13).y[:, -1].reshape(4, 4)
    assert np.linalg.svd(lifted, compute_uv=False)[1] > 1e-2  # no longer rank 1
    assert np.abs(lifted[:2, 2:] - best).max() > 1e-2


def test_a_budget_that_runs_out_says_so():
    U0, V0 = _strings(np.full((3, 1), 1e-4)), _strings(np.full((4, 1), 1e-4))
    result = integrate_matrix_flow(COMPLETION, U0, V0, max_time=1.0)
    assert result.status is MatrixFlowStatus.MAX_TIME and not result.converged


@pytest.mark.parametrize("U0, V0, match", [
    ([["1"]] * 2, [["1"]] * 4, "U0 has 2 rows"),
    ([["1"]] * 3, [["1", "2"]] * 4, "same number of columns"),
])
def test_bad_initializations_are_refused(U0, V0, match):
    with pytest.raises(InvalidArgument, match=match):
        integrate_matrix_flow(COMPLETION, U0, V0)


@pytest.mark.parametrize("kwargs, match", [
    ({"shape": (2, 2), "values": ("1",), "entries": ((2, 0),)}, "outside the 2x2 shape"),
    ({"shape": (2, 2), "values": ("1", "2"), "entries": ((0, 0), (0, 0))}, "duplicate entry"),
    ({"shape": (2, 2), "values": ("nan",), "entries": ((0, 0),)}, "not finite"),
    ({"shape": (2, 2), "values": ("1e200",), "entries": ((0, 0),)}, "beyond"),
    ({"shape": (0, 2), "values": ("1",), "entries": ((0, 0),)}, "two positive integers"),
    ({"shape": (2, 2), "values": ("1",), "matrices": ((("1", "2"),),)}, "expected a 2x2 matrix"),
])
def test_bad_measurements_are_refused(kwargs, match):
    with pytest.raises(InvalidArgument, match=match):
        MatrixMeasurements(**kwargs)
