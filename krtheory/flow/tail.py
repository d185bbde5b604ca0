"""How far the flow can still move after time T: a rigorous bound (python-flint arb).

For a separable model (:mod:`krtheory.flow.models`) the flow theta_i' = -2 g_i grad P(theta_i),
g = X^T r, r = X beta - y (paper eq. (1)) gives

    beta_i' = grad P_i . theta_i' = -w_i g_i,   w_i = 2 |grad P(theta_i)|^2,
    r' = X beta' = -A(theta) r,                 A = X diag(w) X^T.

Let B be a box around theta(T) on which, in ball arithmetic, lambda_min(A) >= m > 0,
|grad P_i| <= G_i and w_i <= W_i, and let R >= |r(T)|_2. While theta(t) stays in B,
d|r|/dt = -r^T A r / |r| <= -m |r|, so |r(t)| <= R e^(-m (t - T)) and, with |X_i| the 2-norm of
column i,

    |theta_i(t) - theta_i(T)|_2 <= 2 G_i |X_i| R / m,   |beta_i(t) - beta_i(T)| <= W_i |X_i| R / m.

If the first bound is below B's half-width in every coordinate, theta(t) never leaves B (at a first
exit time it would already be violated): both bounds hold for all t >= T, beta(t) converges, and
|beta_inf - beta(T)|_i <= W_i |X_i| R / m. lambda_min(A(theta)) >= m for every theta in B is
certified by symmetric Gaussian elimination of A(B) - m I in interval arithmetic with all pivots
positive (the pivot balls hold the pivots of every matrix in the box; Sylvester's criterion). The
start is itself a ball, theta(T) +- E with E the flow's integration error estimate, so the bound
covers the flow from any state within E of the computed one (E itself is an estimate: krtheory.flow.driver).

The certificate needs X of full row rank (else A is singular on R^n); when python-flint is missing
or the certificate fails, the caller's float64 estimate is returned, labelled as such.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

#: Try the certificate with m = these fractions of the float64 estimate of lambda_min(A) (a
#: smaller m is easier to certify and loosens the bound by the same factor).
EIGENVALUE_FRACTIONS = (0.9, 0.5)
#: Half-width of the box B: this multiple of the float64 estimate of the movement, plus E.
BOX_FACTOR = 4.0
#: Rounds of fitting the box to the movement bound evaluated on it.
BOX_ROUNDS = 4
#: Bits of ball arithmetic beyond the state's own mantissas.
EXTRA_BITS = 64
FLINT_MISSING = "python-flint is not installed (pip install 'krtheory[flint]')"


@dataclasses.dataclass(frozen=True)
class TailBound:
    """``bound`` >= max_i |beta_inf,i - beta_i(T)| when ``certified``; else an estimate.
    ``method`` says which, and why it is not certified."""

    bound: float
    certified: bool
    method: str


class _NotCertified(Exception):
    """The certificate could not be completed (the message says why)."""


def tail_bound(kernel, theta, start_radii, estimate: float) -> TailBound:
    """The tail bound at theta(T) (rows of mpmath numbers) for ``kernel`` (flow._Kernel: the
    polynomial and the exact X, y); ``start_radii``: E_i, bounds of the integration error of
    theta_i (2-norm); ``estimate`` is returned when the certificate is unavailable."""
    try:
        import flint
    except ImportError:
        return TailBound(estimate, False, f"float64 estimate: {FLINT_MISSING}")
    try:
        return _certify(flint, kernel, theta, start_radii)
    except _NotCertified as reason:
        return TailBound(estimate, False, f"float64 estimate: the certificate failed ({reason})")


def _certify(flint, kernel, theta, start_radii) -> TailBound:
    arb = flint.arb
    if np.linalg.matrix_rank(kernel.X_float) < kernel.X_float.shape[0]:
        raise _NotCertified("X has dependent rows, so A is singular")
    bits = max(v.context.prec for row in theta for v in row) + EXTRA_BITS
    bits += max(0, max((-v.exp for row in theta for v in row if v), default=0))
    polynomial = kernel.polynomial
    terms = polynomial.terms()
    derivatives = [polynomial.derivative(j) for j in range(polynomial.n_parameters)]
    with flint.ctx.workprec(bits):
        rational = lambda c: arb(flint.fmpq(c.numerator, c.denominator))  # noqa: E731
        X = [[rational(v) for v in row] for row in kernel.X]
        n, d = len(X), len(X[0])
        X_mat = flint.arb_mat(n, d, [v for row in X for v in row])
        y = flint.arb_mat(n, 1, [rational(v) for v in kernel.y])
        centre = [[_exact(flint, v) for v in row] for row in theta]
        E = [_up(e) for e in start_radii]
        start = [[v + arb(0, e) for v in row] for row, e in zip(centre, E)]
        beta = flint.arb_mat(d, 1, [_evaluate(terms, row, rational) for row in start])
        r = X_mat * beta - y
        R = _norm_upper(arb, [r[i, 0] for i in range(n)])
        columns = [_norm_upper(arb, [row[i] for row in X]) for i in range(d)]
        if R == 0:
            return TailBound(0.0, True, f"certified (arb, {bits} bits): r(T) = 0 exactly")
        estimate_m, G_float = _float_estimates(kernel, theta)
        failures = []
        for fraction in EIGENVALUE_FRACTIONS:
            m = arb(fraction * estimate_m)
            # the movement bound depends on the box only through G_i: re-evaluate it on the box
            # until the box (E_i + BOX_FACTOR x movement) holds it
            move = [2 * g * float(c) * float(R) / float(m) for g, c in zip(G_float, columns)]
            for _ in range(BOX_ROUNDS):
                radii = [e + BOX_FACTOR * mv for e, mv in zip(E, move)]
                box = [[v + arb(0, _up(rho)) for v in row] for row, rho in zip(centre, radii)]
                gradients = [[_evaluate(d, row, rational) for d in derivatives] for row in box]
                G = [_norm_upper(arb, grad) for grad in gradients]
                bounds = [2 * g * c * R / m for g, c in zip(G, columns)]
                if all(mv + e < rho for mv, e, rho in zip(bounds, E, radii)):
                    break
                move = [_float_up(mv) for mv in bounds]
            else:
                failures.append(f"m = {fraction} x {estimate_m:.3g}: the flow could leave the box")
                continue
            w = [2 * sum((v * v for v in grad), arb(0)) for grad in gradients]
            if not _positive_definite(_shifted_gram(flint, X, w, m)):
                failures.append(f"lambda_min(A) >= {fraction} x {estimate_m:.3g} not proved")
                continue
            tail = max(_float_up(2 * g * g * c * R / m) for g, c in zip(G, columns))
            return TailBound(tail, True,
                             f"certified (arb, {bits} bits): lambda_min(A) >= {float(m):.3g} "
                             f"on a box of half-width <= {max(radii):.2e} around theta(T), "
                             f"|r(T)| <= {float(R):.3g}")
    raise _NotCertified("; ".join(failures))


def _float_estimates(kernel, theta):
    """float64 lambda_min(A) and |grad P_i| at theta(T): only to size m and the box."""
    th = np.array([[float(v) for v in row] for row in theta])
    grad_sq, _ = kernel.polynomial.jet_float(th)
    A = 2.0 * (kernel.X_float * grad_sq) @ kernel.X_float.T
    lam = float(np.linalg.eigvalsh(A)[0])
    if not lam > 0:
        raise _NotCertified(f"lambda_min(A) is {lam:.3g} in float64")
    return lam, np.sqrt(grad_sq)


def _exact(flint, v):
    """An mpmath number as an exact ball (its mantissa times a power of two; mpmath keeps the
    sign apart from the mantissa)."""
    man, exp = v.man_exp
    return flint.arb(flint.fmpz(-int(man) if v < 0 else int(man))) * flint.arb(2) ** int(exp)


def _evaluate(terms, row, rational):
    """sum_t c_t prod_j row_j^e_tj in ball arithmetic."""
    total = 0
    for c, e in terms:
        monomial = rational(c)
        for v, k in zip(row, e):
            if k:
                monomial = monomial * v ** k
        total = monomial + total
    return total


def _shifted_gram(flint, X, w, m):
    """X diag(w) X^T - m I as lists of balls (the product in flint's arb_mat)."""
    n, d = len(X), len(X[0])
    scaled = flint.arb_mat(n, d, [x * wi for row in X for x, wi in zip(row, w)])
    A = scaled * flint.arb_mat(n, d, [v for row in X for v in row]).transpose()
    return [[A[i, j] - (m if i == j else 0) for j in range(n)] for i in range(n)]


def _positive_definite(M) -> bool:
    """True when symmetric elimination of M (balls) has only positive pivots: then every
    symmetric matrix in the box is positive definite."""
    M = [row[:] for row in M]
    n = len(M)
    for k in range(n):
        pivot = M[k][k]
        if not pivot > 0:
            return False
        for i in range(k + 1, n):
            factor = M[i][k] / pivot
            for j in range(k + 1, n):
                M[i][j] = M[i][j] - factor * M[k][j]
    return True


def _norm_upper(arb, balls):
    """An exact upper bound (a ball of radius 0) of the 2-norm of every vector in the balls."""
    return arb(sum((v.abs_upper() ** 2 for v in balls), arb(0)).sqrt().upper())


def _float_up(x) -> float:
    """A float >= every point of the ball x."""
    return math.nextafter(float(x.upper()), math.inf)


def _up(value: float) -> float:
    """A float at least ``value`` (radii passed to arb must not round down)."""
    return math.nextafter(value, math.inf) if value > 0 else 0.0
