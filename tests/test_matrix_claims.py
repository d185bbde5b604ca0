"""The Gram-space evidence of the Theorem 5 claims against explicit W: the flow and the
tangent-kernel flow integrated on all k columns by scipy."""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from krtheory.flow.matrix import initial_factor
from proofs_checks import matrix_theorem5 as t5


def test_gram_space_sups_equal_explicit_w_sups():
    rng = np.random.default_rng(3)
    measurements = t5.problem(0)
    k, mu = 40, 10.0
    W0 = np.sqrt(mu / k) * rng.standard_normal((6, k))
    A, y = measurements.operator(), measurements.targets()
    Xbar = [t5._lifted_measurement(a.reshape(3, 3)) for a in A]
    times = np.geomspace(1e-4, 60.0, t5.GRID) / (4 * mu)

    def flow(t, w):
        W = w.reshape(6, k)
        r = A @ (W[:3] @ W[3:].T).ravel() - y
        return (-4 * sum(rn * X for rn, X in zip(r, Xbar)) @ W).ravel()

    def tangent(t, w):
        W = w.reshape(6, k)
        r = A @ (W0[:3] @ W0[3:].T).ravel() - y + np.array([np.sum(2 * X @ W0 * (W - W0)) for X in Xbar])
        return (-4 * sum(rn * X for rn, X in zip(r, Xbar)) @ W0).ravel()

    options = dict(method="DOP853", t_eval=times, rtol=1e-11, atol=1e-13)
    W = solve_ivp(flow, (0, times[-1]), W0.ravel(), **options).y
    W_tk = solve_ivp(tangent, (0, times[-1]), W0.ravel(), **options).y
    moved = max(np.linalg.norm(w - W0.ravel()) for w in W.T)
    apart = max(np.linalg.norm(a - b) for a, b in zip(W.T, W_tk.T))
    gram_moved, gram_apart, _, e0 = t5.sup_distances(measurements, initial_factor(W0), mu)
    assert abs(gram_moved - moved) < 1e-8 * moved
    assert abs(gram_apart - apart) < 1e-6 * apart + 1e-10
    assert abs(e0 - np.linalg.norm(A @ (W0[:3] @ W0[3:].T).ravel() - y)) < 1e-12


def test_theorem5_bounds_as_printed():
    holds, first, second = t5.theorem5_bounds(e0=1.0, mu=25.0, gamma=1.0, lam=1.0, Lam=2.0)
    assert holds == (25.0 > 8.0 and 1.0 <= 25.0 / np.sqrt(2) * (1 - np.sqrt((1 + 1 / 25) / (1 + 1 / 8))))
    assert np.isclose(first, np.sqrt(2.25) / 5.0)
    assert np.isclose(second, 2 * np.sqrt(1 + 1 / 8) / 125 + 2 * np.sqrt(2) * np.sqrt(1.04) / 5)
