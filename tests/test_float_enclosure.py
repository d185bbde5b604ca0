"""krtheory.solve._float_enclosure: the double-precision bound on |(I - C J(omega)) rho| used by the fast
Krawczyk test must hold for every omega in the weight box, checked against the same quantity in
exact rational arithmetic (Fractions of the exact data, not of its doubles), including data
that double does not represent (0.1), ill-conditioned Jacobians and the box's corners.
"""

from fractions import Fraction

import numpy as np
import pytest

from krtheory.solve._float_enclosure import DoubleJacobian, exactly_rounded


def decimal_data(rng, n, d):
    """Exact one-decimal data (mostly not dyadic) and its correctly rounded doubles."""
    texts = [[f"{int(v) / 10:.1f}" for v in rng.integers(-30, 31, d)] for _ in range(n)]
    return [[Fraction(t) for t in row] for row in texts], np.array([[float(t) for t in row] for row in texts])


def exact_spread(X, C, omega, rho):
    """|I - C X diag(omega) X^T| rho in Fractions (C, omega, rho: doubles taken exactly)."""
    n, d = len(X), len(X[0])
    C = [[Fraction(float(v)) for v in row] for row in C]
    J = [[sum(X[i][k] * omega[k] * X[j][k] for k in range(d)) for j in range(n)] for i in range(n)]
    M = [[int(i == j) - sum(C[i][k] * J[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
    return [sum(abs(M[i][j]) * Fraction(float(rho[j])) for j in range(n)) for i in range(n)]


def corners_and_samples(rng, w, r, count):
    """Weight vectors on the box's corners (random sign patterns) and inside it, as Fractions."""
    for k in range(count):
        signs = rng.choice([-1, 1], len(w)) if k % 2 == 0 else rng.uniform(-1, 1, len(w))
        yield [Fraction(float(wi)) + Fraction(float(s)) * Fraction(float(ri)) for wi, ri, s in zip(w, r, signs)]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("condition", ["well", "ill", "point"])
def test_spread_bounds_the_exact_krawczyk_term_over_the_box(seed, condition):
    rng = np.random.default_rng(seed)
    n, d = 3, 7
    X, X_f = decimal_data(rng, n, d)
    # "ill": weights over 12 decades, so C_s inverts P only to ~1e-4 and I - C P is not tiny
    w = rng.uniform(0.5, 2, d) * (10.0 ** rng.uniform(-12, 0, d) if condition == "ill" else 1)
    # "point": r = 0, so only the rounding of X, P and C P separates the bound from the truth
    r = np.zeros(d) if condition == "point" else w * 10.0 ** rng.uniform(-9, -6, d)
    rho = 10.0 ** rng.uniform(-40, -30, n)
    jacobian = DoubleJacobian(X_f, w)
    assert jacobian.usable
    bound = jacobian.spread(r, rho)
    for omega in corners_and_samples(rng, w, r, 6):
        exact = exact_spread(X, jacobian.C, omega, rho)
        assert all(Fraction(float(b)) >= e for b, e in zip(bound, exact)), (bound, [float(e) for e in exact])
    if condition != "ill":  # and it is not vacuous: far below rho, as the Krawczyk test needs
        assert np.all(bound < 1e-4 * rho.max())


def test_exactly_rounded_needs_normal_doubles_and_true_zeros():
    X = np.array([[1.0, 0.0], [0.1, -3.0]])
    assert exactly_rounded(X, lambda i, j: True)
    assert not exactly_rounded(X, lambda i, j: False)  # the zero hides an underflowed datum
    assert not exactly_rounded(np.array([[1.0, 5e-324]]), lambda i, j: True)  # subnormal
    assert not exactly_rounded(np.array([[1.0, np.inf]]), lambda i, j: True)


def test_singular_jacobian_is_not_usable():
    X_f = np.array([[1.0, 2.0], [2.0, 4.0]])  # rank one
    assert not DoubleJacobian(X_f, np.array([1.0, 1.0])).usable
