"""The lifted Gram engine (§6): exact gradient descent in M-bar space against plain gradient
descent on explicit U, V (k up to 1e4), Bartlett's Wishart factor against explicit Gaussian
samples, and the k = oo limit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from krtheory.errors import InvalidArgument
from krtheory.flow.gram import lifted, lifted_gd, wishart_factor
from krtheory.flow.matrix import integrate_factor_flow
from krtheory.flow.measurements import MatrixMeasurements


def _problem(rng, d=4, observed=10):
    Y = np.outer(rng.standard_normal(d), rng.standard_normal(d))
    cells = rng.choice(d * d, observed, replace=False)
    return MatrixMeasurements(shape=(d, d), values=tuple(repr(float(Y.flat[c])) for c in cells),
                              entries=tuple((int(c // d), int(c % d)) for c in cells))


def _explicit_gd(measurements, U, V, eta, steps):
    """W <- W - eta grad L, grad_U L = 2 R V, grad_V L = 2 R^T U, on all k columns."""
    A, y = measurements.operator(), measurements.targets()
    D1, D2 = measurements.shape
    for _ in range(steps):
        R = (A.T @ (A @ (U @ V.T).ravel() - y)).reshape(D1, D2)
        U, V = U - 2 * eta * R @ V, V - 2 * eta * R.T @ U
    return U @ V.T


@pytest.mark.parametrize("k", [3, 200, 10_000])
def test_lifted_gd_is_gradient_descent_on_explicit_factors(k):
    rng = np.random.default_rng(k)
    measurements = _problem(rng)
    alpha = math.sqrt(0.5 / k)
    U, V = alpha * rng.standard_normal((4, k)), alpha * rng.standard_normal((4, k))
    explicit = _explicit_gd(measurements, U, V, eta=0.05, steps=300)
    Mbar = lifted_gd(measurements, lifted(np.vstack([U, V])), eta=0.05, steps=300)
    assert np.abs(Mbar[:4, 4:] - explicit).max() < 1e-11 * max(1.0, np.abs(explicit).max())


def test_bartlett_has_the_moments_of_explicit_gaussian_samples():
    """E[W W^T] = alpha^2 k I, Var of a diagonal entry 2 alpha^4 k, of an off-diagonal one
    alpha^4 k (Wishart moments), within 5 standard errors over 4000 samples."""
    rng = np.random.default_rng(0)
    p, k, a2, n = 3, 7, 0.3, 4000
    samples = np.array([lifted(wishart_factor(rng, p, k, a2)) for _ in range(n)])
    mean, var = samples.mean(axis=0), samples.var(axis=0)
    expected_var = a2 ** 2 * k * (np.ones((p, p)) + np.eye(p))
    assert np.all(np.abs(mean - a2 * k * np.eye(p)) < 5 * np.sqrt(expected_var / n))
    fourth = 3 * expected_var ** 2  # a generous bound on the variance of the variance estimate
    assert np.all(np.abs(var - expected_var) < 5 * np.sqrt(fourth / n))


def test_the_factor_has_rank_min_k_p_and_k_inf_is_the_identity():
    rng = np.random.default_rng(1)
    assert wishart_factor(rng, 6, 4, 0.1).shape == (6, 4)
    big = wishart_factor(rng, 6, 1e12, 1e-12)
    assert big.shape == (6, 6) and np.abs(lifted(big) - np.eye(6)).max() < 1e-4
    assert np.array_equal(wishart_factor(rng, 6, math.inf, 4.0), 2.0 * np.eye(6))
    for k in (0, 2.5, -1):
        with pytest.raises(InvalidArgument, match="width k"):
            wishart_factor(rng, 6, k, 0.1)


def test_wide_flows_tend_to_the_k_inf_flow():
    """At fixed alpha^2 k = 1 the limit from a Bartlett sample with k = 1e10 is within ~1e-4
    (the Wishart fluctuation ~ k^-1/2) of the flow from M-bar(0) = I."""
    rng = np.random.default_rng(2)
    measurements = _problem(rng)
    wide = integrate_factor_flow(measurements, wishart_factor(rng, 8, 1e10, 1e-10), width=1e10)
    limit = integrate_factor_flow(measurements, wishart_factor(rng, 8, math.inf, 1.0), width=math.inf)
    assert wide.converged and limit.converged
    assert np.abs(wide.M - limit.M).max() < 1e-3
