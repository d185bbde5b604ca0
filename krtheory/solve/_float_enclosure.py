"""Rigorous bounds from float64 matrix products, for the fast Krawczyk test of krtheory.solve.krawczyk.

With u = 2^-53 and eta = 2^-1074, IEEE double arithmetic rounding to nearest satisfies
fl(a op b) = (a op b)(1 + delta) + e with |delta| <= u and |e| <= eta (e only from underflow in
products), so a computed dot product of length k, in any order and with or without FMA, obeys

    |fl(x^T y) - x^T y| <= gamma_k |x|^T |y| + k eta,   gamma_k = k u / (1 - k u)

(Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1 and §3.5). The Krawczyk test
needs an entrywise bound G >= |I - C J(xi)| over a box of xi, where J(xi) = 2^s X diag(omega) X^T
with |omega - w| <= r (w, r doubles from ball arithmetic) and C = 2^-s C_s. Writing
P = fl(fl(X_f w) X_f^T) for the data X_f = fl(X) (each entry correctly rounded, so
|X - X_f| <= u/(1 - u) |X_f| when X_f is normal or an exact zero), T = |X_f| diag|w| |X_f|^T,
R = |X_f| diag(r) |X_f|^T and Z = fl(I - fl(C_s P)):

    |I - C_s X diag(omega) X^T| <= |Z| + gamma_{n+1} (I + |C_s||P|) + |C_s| (gamma_{d+4} T + (1 + gamma_3) R)

plus underflow terms of size eta. Each bound is itself computed in double; its computed value
falls short of the exact one by a factor of at most (1 - gamma_{n+d+4})^-3 < 2 (plus eta
terms), so every bound below is doubled and an absolute underflow allowance is added. This
is cheap (five float64 products) and, because the Krawczyk test only needs G much smaller than
1, the generous factors cost nothing.
"""

from __future__ import annotations

import math

import numpy as np

U = 2.0 ** -53
ETA = 2.0 ** -1074
#: Safety factor covering the rounding of every bound computed in double (see above).
SAFETY = 2.0


def gamma(k: int) -> float:
    """gamma_k = k u / (1 - k u) (only meaningful for k u < 1)."""
    return k * U / (1 - k * U)


def exactly_rounded(X_f, exact_zero) -> bool:
    """True when every entry of X_f is within u/(1 - u) |X_f| of the exact datum: finite, and
    normal or an exact zero (``exact_zero(i, j)`` decides the zeros, which may hide an underflow)."""
    X_f = np.asarray(X_f)
    if not np.all(np.isfinite(X_f)):
        return False
    nonzero = np.abs(X_f[X_f != 0])
    if nonzero.size and float(nonzero.min()) < np.finfo(float).tiny:
        return False
    return all(exact_zero(int(i), int(j)) for i, j in np.argwhere(X_f == 0))


class DoubleJacobian:
    """J(centre) ~ 2^shift P with P = X_f diag(w) X_f^T in double, C_s ~ P^-1 (so C = 2^-shift C_s),
    and the part of the Krawczyk bound that does not depend on the box."""

    def __init__(self, X_f, w):
        X_f, w = np.asarray(X_f, dtype=float), np.asarray(w, dtype=float)
        self.n, self.d = X_f.shape
        self.abs_X = np.abs(X_f)
        with np.errstate(all="ignore"):
            P = (X_f * w) @ X_f.T
            self.C = _inverse(P)
            identity = np.eye(self.n)
            self.abs_C = abs_C = np.abs(self.C)
            T = (self.abs_X * np.abs(w)) @ self.abs_X.T
            self.fixed = (np.abs(identity - self.C @ P) + gamma(self.n + 1) * (identity + abs_C @ np.abs(P))
                          + gamma(self.d + 4) * (abs_C @ T))
            # underflow: k eta per product of length k, carried through |C_s| and |X_f|^2
            # numpy scalars: an overflow gives inf (and ``usable`` False), not Python's OverflowError
            scale = (1 + self.abs_X.max(initial=0.0)) ** 2 * (1 + abs_C.sum(axis=1).max(initial=0.0))
            self.underflow = float(4 * (self.d + self.n + 4) * ETA * scale)

    @property
    def usable(self) -> bool:
        """Whether every fixed quantity is finite (double held J and its inverse)."""
        return bool(np.all(np.isfinite(self.C)) and np.all(np.isfinite(self.fixed)) and math.isfinite(self.underflow))

    def spread(self, r, rho):
        """An upper bound on |(I - C J(xi)) (M - centre)| for every xi in M = centre +- rho with
        |omega - w| <= r: G rho with G from the module docstring (rho, r: nonnegative doubles, in
        the scaled units of J and lam). None when double overflows."""
        r, rho = np.asarray(r, dtype=float), np.asarray(rho, dtype=float)
        with np.errstate(all="ignore"):
            R = (self.abs_X * r) @ self.abs_X.T
            G = SAFETY * (self.fixed + (1 + gamma(3)) * (self.abs_C @ R)) + self.underflow
            bound = SAFETY * (G @ rho) + (self.n + 2) * ETA
        return bound if np.all(np.isfinite(bound)) else None


def _inverse(P):
    """P^-1 after scaling P to unit diagonal (P is a weighted Gram matrix: positive diagonal)."""
    diagonal = np.diag(P)
    D = 1 / np.sqrt(np.where(diagonal > 0, diagonal, 1.0))
    try:
        inverse = np.linalg.inv(P * D[:, None] * D[None, :])
    except np.linalg.LinAlgError:
        return np.full_like(P, np.nan)
    return inverse * D[:, None] * D[None, :]
