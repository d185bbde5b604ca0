"""The integration error of the flow: local errors carried to time T by the linearized flow.

To first order the error e = theta_computed - theta_exact obeys e' = J(t) e plus the local errors,
with J = dF/dtheta = -Hess L (symmetric) the Jacobian of the flow

    J = -2 U^T U - 2 diag_i(g_i Hess P(theta_i)),   U = X diag_i(grad P(theta_i))   (n x dm).

Over a step of length h, e -> Phi e + le with Phi = exp(h J) (J frozen at the step's start) and
|le|_2 <= the step's local error estimate. The possible errors are kept as an ellipsoid
{e : e^T C^-1 e <= 1}; a step replaces C by the trace-minimal ellipsoid containing the Minkowski
sum of Phi's image and the ball of radius le (Kurzhanski & Valyi, *Ellipsoidal Calculus*, 1997):

    C <- (1 + 1/p) Phi C Phi^T + (1 + p) le^2 I,   p = sqrt(tr(Phi C Phi^T) / (N le^2)).

The error of beta_i = P(theta_i) is then at most sqrt(grad_i^T C_ii grad_i) (the support function
of the ellipsoid in the direction of grad P_i, block i of C) to first order. This follows the error
where the flow shrinks it (the fitted directions) and where it merely keeps it (depth 2: w+ w- is
conserved, so relative errors of w+- persist but do not grow), which the logarithmic-norm bound
E' <= mu E, mu = 2 max_i |g_i| |Hess P_i|_2, lumps together: on a (10, 40) problem at alpha = 1e-6
mu integrates to ~40 over the flow (a factor e^40 ~ 1e17) while the errors grow by ~1e6.
The ellipsoid costs O(N^3) per step (N = dm); above MAX_PARAMETERS the logarithmic-norm bound is
kept instead. Either way it is an estimate: it trusts the local error estimates and the
linearization.
"""

from __future__ import annotations

import math

import numpy as np

#: Above this many parameters the error is a scalar bound grown by the logarithmic norm.
MAX_PARAMETERS = 400
#: exp(h lambda) is capped at e^this (a step that large would be rejected by the integrator).
MAX_EXPONENT = 600.0


def jacobian(kernel, theta_float, g_float, gradient_float=None):
    """J = dF/dtheta (module docstring) in float64 at theta (d x m), with g = X^T r supplied
    (computed exactly by the caller: in float64 r would be rounding noise once it is small) and
    grad P (d x m) when the caller has it."""
    d, m = theta_float.shape
    polynomial = kernel.polynomial
    _, hess = polynomial.jet_float(theta_float)
    if gradient_float is None:
        gradient_float = polynomial_gradient(polynomial, theta_float)
    U = (kernel.X_float[:, :, None] * gradient_float[None]).reshape(kernel.X_float.shape[0], d * m)
    J = -2.0 * U.T @ U
    index = np.arange(d) * m
    for a in range(m):
        for b in range(m):
            J[index + a, index + b] -= 2.0 * g_float * hess[:, a, b]
    return J


def polynomial_gradient(polynomial, theta):
    """grad P at each row of theta (float64)."""
    out = np.zeros_like(theta)
    for j in range(polynomial.n_parameters):
        for c, e in polynomial.derivative(j):
            term = np.full(theta.shape[0], float(c))
            for k, power in enumerate(e):
                if power:
                    term = term * theta[:, k] ** power
            out[:, j] += term
    return out


class IntegrationError:
    """The error ellipsoid (or, for many parameters, a scalar 2-norm bound) of theta."""

    def __init__(self, d: int, m: int):
        self.d, self.m = d, m
        self.scalar = d * m > MAX_PARAMETERS
        self.C = 0.0 if self.scalar else np.zeros((d * m, d * m))

    def advanced(self, h: float, local: float, J=None, mu: float = 0.0) -> "IntegrationError":
        """The error after a step of h with local error ``local`` (2-norm): J for the
        ellipsoid, ``mu`` (logarithmic norm bound) for the scalar bound."""
        new = IntegrationError.__new__(IntegrationError)
        new.d, new.m, new.scalar = self.d, self.m, self.scalar
        if self.scalar:
            new.C = self.C * math.exp(min(mu * h, MAX_EXPONENT)) + local
            return new
        lam, V = np.linalg.eigh(J)
        growth = np.exp(np.minimum(h * lam, MAX_EXPONENT))
        inner = V.T @ self.C @ V
        image = V @ (growth[:, None] * inner * growth[None, :]) @ V.T
        image = (image + image.T) / 2
        N = self.d * self.m
        spread = float(np.trace(image))
        if local <= 0:
            new.C = image
        elif spread <= 0:
            new.C = local ** 2 * np.eye(N)
        else:
            p = math.sqrt(spread / (N * local ** 2))
            new.C = (1 + 1 / p) * image + (1 + p) * local ** 2 * np.eye(N)
        return new

    def coordinate_radii(self):
        """An upper bound of |e_i|_2 for each coordinate's parameters (d values)."""
        if self.scalar:
            return [self.C] * self.d
        blocks = self._blocks()
        return [math.sqrt(max(0.0, float(np.linalg.eigvalsh(B)[-1]))) for B in blocks]

    def beta_bound(self, grad_float) -> float:
        """max_i bound of |delta beta_i| with grad_float the d x m float64 grad P at theta."""
        if self.scalar:
            return self.C * float(np.sqrt((grad_float ** 2).sum(axis=1)).max())
        blocks = self._blocks()
        return max(math.sqrt(max(0.0, float(v @ B @ v))) for v, B in zip(grad_float, blocks))

    def _blocks(self):
        m = self.m
        return [self.C[i * m:(i + 1) * m, i * m:(i + 1) * m] for i in range(self.d)]
