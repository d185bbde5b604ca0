"""Tangent kernels (§3, §7): the empirical kernel of a network, the kernel predictor of an
initialization, and the infinite-width kernels of the univariate two-layer ReLU net.

The tangent kernel of f at theta is K_theta(x, x') = <grad f(theta, x), grad f(theta, x')>; in the
kernel regime gradient flow from theta_0 converges to the kernel interpolant
f(theta_0, x) + K(x, X) K(X, X)^{-1} (y - f(theta_0, X)) (§3). For f(x) = sum_j a_j relu(w_j x + b_j)
with i.i.d. units the kernel splits per layer: the output layer gives sum_j relu(w_j x + b_j)
relu(w_j x' + b_j) and the first layer sum_j a_j^2 1[w_j x + b_j > 0] 1[w_j x' + b_j > 0] (x x' + 1);
their infinite-width means for Gaussian (w, b) are the arc-cosine kernels of degree 1 and 0
(Cho and Saul 2009) in closed form.
"""

from __future__ import annotations

import numpy as np

from krtheory.errors import InvalidArgument, NotApplicable
from krtheory.nets.mlp import Architecture, jacobian, outputs

#: the kernel system K(X, X) c = r counts as solvable when cond(K) stays below this
MAX_CONDITION = 1e12


def tangent_kernel(arch: Architecture, theta, X1, X2=None) -> np.ndarray:
    """K_theta(X1, X2) = J(X1) J(X2)^T from the exact Jacobians."""
    J1 = jacobian(arch, theta, X1)
    J2 = J1 if X2 is None else jacobian(arch, theta, X2)
    return J1 @ J2.T


def interpolate(K_train, K_cross, residual) -> np.ndarray:
    """K(x, X) K(X, X)^{-1} residual: the minimum-RKHS-norm interpolant of ``residual``.

    NotApplicable when K(X, X) is numerically singular (cond above MAX_CONDITION)."""
    K_train = np.asarray(K_train, dtype=float)
    condition = np.linalg.cond(K_train)
    if not condition < MAX_CONDITION:
        raise NotApplicable(f"the kernel Gram matrix is numerically singular (cond {condition:.3g} "
                            f">= {MAX_CONDITION:.0e}); the kernel interpolant is not determined")
    return np.asarray(K_cross, dtype=float) @ np.linalg.solve(K_train, np.asarray(residual, float))


def kernel_predictor(arch: Architecture, theta0, X, y, X_eval) -> np.ndarray:
    """The kernel predictor of the initialization theta0: the limit of the linearized flow,
    f(theta0, x) + K(x, X) K(X, X)^{-1} (y - f(theta0, X)), at the rows of ``X_eval``."""
    J_train = jacobian(arch, theta0, X)
    J_eval = jacobian(arch, theta0, X_eval)
    f_train = outputs(arch, theta0, X)[:, 0]
    f_eval = outputs(arch, theta0, X_eval)[:, 0]
    residual = np.asarray(y, dtype=float).ravel() - f_train
    return f_eval + interpolate(J_train @ J_train.T, J_eval @ J_train.T, residual)


def _angles(x1, x2, sigma_w: float, sigma_b: float):
    """Norms of u = (sigma_w x, sigma_b) for x in x1 and x2, and the angles between them."""
    x1, x2 = np.asarray(x1, dtype=float).ravel(), np.asarray(x2, dtype=float).ravel()
    if not (sigma_w > 0 and sigma_b > 0):
        raise InvalidArgument(f"Expected sigma_w > 0 and sigma_b > 0 but got {sigma_w}, {sigma_b}")
    n1 = np.hypot(sigma_w * x1, sigma_b)
    n2 = np.hypot(sigma_w * x2, sigma_b)
    cosine = (sigma_w ** 2 * np.outer(x1, x2) + sigma_b ** 2) / np.outer(n1, n2)
    return n1, n2, np.arccos(np.clip(cosine, -1.0, 1.0)), x1, x2


def output_layer_kernel(x1, x2, sigma_w: float = 1.0, sigma_b: float = 1.0) -> np.ndarray:
    """E relu(w x + b) relu(w x' + b), w ~ N(0, sigma_w^2), b ~ N(0, sigma_b^2):
    |u||u'| (sin t + (pi - t) cos t) / (2 pi) (arc-cosine kernel of degree 1)."""
    n1, n2, t, _, _ = _angles(x1, x2, sigma_w, sigma_b)
    return np.outer(n1, n2) * (np.sin(t) + (np.pi - t) * np.cos(t)) / (2 * np.pi)


def input_layer_kernel(x1, x2, sigma_w: float = 1.0, sigma_b: float = 1.0) -> np.ndarray:
    """E 1[w x + b > 0] 1[w x' + b > 0] (x x' + 1) = (pi - t) / (2 pi) (x x' + 1): the first
    layer's kernel per unit of E a^2 (arc-cosine kernel of degree 0 times the input kernel)."""
    _, _, t, x1, x2 = _angles(x1, x2, sigma_w, sigma_b)
    return (np.pi - t) / (2 * np.pi) * (np.outer(x1, x2) + 1.0)
