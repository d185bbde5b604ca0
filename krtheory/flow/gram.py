"""The lifted Gram space of §6: M-bar = W W^T, W = [U; V], where the width k costs nothing.

The flow W' = -2 S W (S = [[0, R], [R^T, 0]], R = sum_n r_n X_n built from the residual of the
off-diagonal block M = U V^T) gives M-bar' = -2 (S M-bar + M-bar S): M-bar evolves on its own.
Gradient descent with step eta is W_{t+1} = (I - 2 eta S_t) W_t, so exactly
M-bar_{t+1} = (I - 2 eta S_t) M-bar_t (I - 2 eta S_t) (:func:`lifted_gd`). Width enters only through
M-bar(0): with i.i.d. N(0, alpha^2) entries it is alpha^2 times a Wishart matrix with k degrees of
freedom, sampled here by Bartlett's decomposition at a cost independent of k
(:func:`wishart_factor`), and k = oo at fixed alpha^2 k = c is M-bar(0) = c I.

The flow itself is integrated on a factor F of rank min(k, p) (:mod:`krtheory.flow.matrix`):
integrating :func:`lifted_derivative` directly is exact in exact arithmetic, but in floating point
the lifted flow leaves the rank-k set when k < p, and where the residual cannot vanish the error
grows (the set of rank-k matrices is not attracting there).
"""

from __future__ import annotations

import math

import numpy as np

from krtheory.errors import InvalidArgument
from krtheory.flow.matrix import FactorSystem
from krtheory.flow.measurements import MatrixMeasurements


def wishart_factor(rng: np.random.Generator, p: int, k: float, alpha2: float) -> np.ndarray:
    """F (p x min(k, p)) with F F^T distributed as W W^T for W (p x k) with i.i.d. N(0, alpha2)
    entries. k >= p: Bartlett, F = alpha L with L lower triangular, L_ii = sqrt(chi^2_{k-i})
    (i = 0..p-1), L_ij ~ N(0, 1) below the diagonal (cost independent of k). k < p: W itself.
    k = math.inf: ``alpha2`` is read as alpha^2 k and F = sqrt(alpha^2 k) I (the k -> oo limit)."""
    if not alpha2 > 0 or not math.isfinite(alpha2):
        raise InvalidArgument(f"alpha2 must be a finite number > 0 but got {alpha2!r}")
    if k == math.inf:
        return math.sqrt(alpha2) * np.eye(p)
    if not (k >= 1 and float(k) == int(k)):
        raise InvalidArgument(f"the width k must be a positive integer or inf but got {k!r}")
    if k < p:
        return math.sqrt(alpha2) * rng.standard_normal((p, int(k)))
    L = np.tril(rng.standard_normal((p, p)), -1)
    L[np.diag_indices(p)] = np.sqrt(rng.chisquare(float(k) - np.arange(p)))
    return math.sqrt(alpha2) * L


def lifted(F: np.ndarray) -> np.ndarray:
    """M-bar = F F^T."""
    return F @ F.T


def _S(system: FactorSystem, Mbar: np.ndarray) -> np.ndarray:
    D1 = system.D1
    R = system.residual(Mbar[:D1, D1:])
    S = np.zeros_like(Mbar)
    S[:D1, D1:], S[D1:, :D1] = R, R.T
    return S


def lifted_derivative(system: FactorSystem, Mbar: np.ndarray) -> np.ndarray:
    """M-bar' = -2 (S M-bar + M-bar S) (the lifted flow; §6)."""
    S = _S(system, Mbar)
    return -2.0 * (S @ Mbar + Mbar @ S)


def lifted_gd(measurements: MatrixMeasurements, Mbar0: np.ndarray, eta: float, steps: int) -> np.ndarray:
    """``steps`` steps of gradient descent W <- W - eta grad L(W) carried out on M-bar alone:
    M-bar <- (I - 2 eta S) M-bar (I - 2 eta S), exact for every width."""
    system = FactorSystem(measurements)
    Mbar = np.array(Mbar0, dtype=float)
    identity = np.eye(Mbar.shape[0])
    for _ in range(int(steps)):
        step = identity - 2.0 * eta * _S(system, Mbar)
        Mbar = step @ Mbar @ step
    return Mbar
