"""Schatten-Q_mu (§6, Theorem 4's matrix regularizer): Q_mu(M) = sum_i q(sigma_i(M) / mu^2) mu^2.

Expected values come from Theorem 1's Q (a different derivation), from exact rational arithmetic
(Pythagorean-triple rotations), or from the series of q typed from the paper §4, eqs. (5)-(7).
"""

from fractions import Fraction

import pytest

from krtheory import InvalidArgument
from krtheory.precision import context
from krtheory.families.diagonal import initial_scales, regularizer_value
from krtheory.families.schatten import schatten_q


# -- Schatten-Q_mu ---------------------------------------------------------------------------------
#: Exact orthogonal matrices (Pythagorean triples): O1 rotates by atan(4/3), O2 by atan(12/5).
O1 = [[Fraction(3, 5), Fraction(-4, 5), 0], [Fraction(4, 5), Fraction(3, 5), 0], [0, 0, 1]]
O2 = [[1, 0, 0], [0, Fraction(5, 13), Fraction(-12, 13)], [0, Fraction(12, 13), Fraction(5, 13)]]
DIAGONAL = [Fraction(3), Fraction(-1, 2), Fraction(5, 4)]


def _rotated(left, right):
    """left diag(DIAGONAL) right^T exactly, as strings."""
    D = [[DIAGONAL[i] * (i == j) for j in range(3)] for i in range(3)]
    mul = lambda P, Q: [[sum(P[i][k] * Q[k][j] for k in range(3)) for j in range(3)] for i in range(3)]  # noqa: E731
    transpose = [list(r) for r in zip(*right)]
    return [[str(v) for v in row] for row in mul(mul(left, D), transpose)]


def test_schatten_of_a_diagonal_matrix_is_theorem1_Q():
    from krtheory.derive.engine import derive_diagonal

    mu = "0.7"
    M = [[str(DIAGONAL[i]) if i == j else "0" for j in range(3)] for i in range(3)]
    result = schatten_q(M, mu, dps=40)
    ctx = context(50)
    expected = regularizer_value(derive_diagonal(2), [ctx.mpf(v.numerator) / v.denominator for v in DIAGONAL],
                                 initial_scales(mu, None, 3), ctx)
    assert result.digits == 40 and abs(result.value - expected) < ctx.mpf("1e-39") * expected


@pytest.mark.parametrize("left, right", [(O1, O1), (O1, O2)])  # symmetric, then non-symmetric
def test_schatten_depends_only_on_singular_values(left, right):
    M = _rotated(left, right)
    diagonal = schatten_q([[str(DIAGONAL[i]) if i == j else "0" for j in range(3)] for i in range(3)], "2", dps=30)
    rotated = schatten_q(M, "2", dps=30)
    assert abs(rotated.value - diagonal.value) < rotated.ctx.mpf("1e-29") * diagonal.value
    ctx = rotated.ctx
    expected = sorted(abs(ctx.mpf(v.numerator) / v.denominator) for v in DIAGONAL)
    assert max(abs(a - b) for a, b in zip(sorted(rotated.singular_values), expected)) < ctx.mpf("1e-29")


def test_schatten_small_mu_is_log_scaled_trace_norm():
    # q(z) = |z| ln|z| - |z| + 2 + O(1/|z|) (FORMULAS §3): Q_mu(M) - ln(1/mu^2) ||M||_* =
    # sum sigma (ln sigma - 1) + O(mu^2)
    M = _rotated(O1, O2)
    mu = "1e-25"
    result = schatten_q(M, mu, dps=60)
    ctx = context(70)
    sigma = [abs(ctx.mpf(v.numerator) / v.denominator) for v in DIAGONAL]
    trace_norm = ctx.fsum(sigma)
    expected = ctx.fsum(x * (ctx.log(x) - 1) for x in sigma)
    residual = result.value - ctx.log(1 / ctx.mpf(mu) ** 2) * trace_norm
    assert abs(residual - expected) < ctx.mpf("1e-45")


def test_schatten_large_mu_is_frobenius_over_4mu2():
    # q(z) = z^2/4 - z^4/192 + ... (FORMULAS §3): 4 mu^2 Q_mu(M) = ||M||_F^2 - sum sigma^4/(48 mu^4) + ...
    M = _rotated(O1, O2)
    mu = "1e8"
    result = schatten_q(M, mu, dps=60)
    ctx = context(70)
    m = ctx.mpf(mu)
    exact = sum(Fraction(v) ** 2 for row in M for v in row)  # ||M||_F^2 from the entries, exactly
    frobenius2 = ctx.mpf(exact.numerator) / exact.denominator
    quartic = ctx.fsum((ctx.mpf(v.numerator) / v.denominator) ** 4 for v in DIAGONAL) / (48 * m ** 4)
    assert abs(4 * m ** 2 * result.value - (frobenius2 - quartic)) < quartic * ctx.mpf("1e-10")


def test_schatten_zero_matrix_and_bad_input():
    assert schatten_q([["0", "0"]], "1").value == 0
    with pytest.raises(InvalidArgument, match="mu"):
        schatten_q([["1"]], "0")
    with pytest.raises(InvalidArgument, match="different lengths"):
        schatten_q([["1", "2"], ["1"]], "1")
