"""The ℓ2 and ℓ1 reference interpolators (issue: implicit-bias solve).

Expected values: mpmath's own LU on the normal equations, hand-made problems whose ℓ1
minimizer and dual certificate are known in closed form, and planted sparse dyadic problems
checked against scipy's LP.
"""

from fractions import Fraction

import numpy as np
import pytest

from krtheory.errors import InvalidArgument
from krtheory.precision import context
from krtheory.problem import Problem
from krtheory.references import min_l1, min_l2

DPS = 50


def exact(ctx, value):
    value = Fraction(value)
    return ctx.mpf(value.numerator) / value.denominator


def close(a, b, ctx, digits=DPS - 2):
    return abs(ctx.mpf(a) - ctx.mpf(b)) <= ctx.mpf(10) ** -digits * max(1, abs(ctx.mpf(b)))


def test_min_l2_matches_the_normal_equations():
    X = [["0.1", "-2", "0.3", "1", "0"], ["1.5", "0.7", "0", "-0.2", "3"], ["0", "1", "1", "1", "1e-3"]]
    y = ["1", "0.1", "-2"]
    problem = Problem.from_rows(X, y)
    result = min_l2(problem, dps=DPS)
    ctx = context(DPS + 10)
    M = ctx.matrix(problem.X_mp(ctx))
    expected = M.T * ctx.lu_solve(M * M.T, ctx.matrix(problem.y_mp(ctx)))
    assert all(close(b, e, ctx) for b, e in zip(result.beta, expected))
    assert result.rank == 3 and result.residual <= ctx.mpf(10) ** -(DPS - 2)


def test_min_l2_drops_dependent_rows():
    rows = [["1", "2", "0", "1"], ["0", "1", "1", "-1"]]
    dependent = [str(Fraction(a) - 3 * Fraction(b)) for a, b in zip(*rows)]
    full = Problem.from_rows(rows + [dependent], ["1", "2", str(1 - 3 * 2)])
    reduced = Problem.from_rows(rows, ["1", "2"])
    ctx = context(DPS)
    result = min_l2(full, dps=DPS)
    assert result.rank == 2 and len(result.kept_rows) == 2
    assert all(close(a, b, ctx) for a, b in zip(result.beta, min_l2(reduced, dps=DPS).beta))


def test_inconsistent_system_names_the_least_squares_residual():
    # x_1 = x_2 with targets 1 and 2: the best fit is 3/2, leaving (1/2, 1/2), norm 1/sqrt(2)
    with pytest.raises(InvalidArgument, match=r"inconsistent system: .* = 0\.707107 "):
        min_l2(Problem.from_rows([["1", "0"], ["1", "0"]], ["1", "2"], warn=False), dps=30)
    with pytest.raises(InvalidArgument, match="inconsistent system"):
        min_l1(Problem.from_rows([["1", "0"], ["1", "0"]], ["1", "2"], warn=False), dps=30)


def test_square_system_is_allowed():
    X = [["2", "1", "0"], ["0", "1", "1"], ["1", "0", "3"]]  # det = 7
    problem = Problem.from_rows(X, ["3", "2", "4"], warn=False)
    ctx = context(DPS)
    expected = [exact(ctx, "1"), exact(ctx, "1"), exact(ctx, "1")]  # X (1, 1, 1) = y
    assert all(close(b, e, ctx) for b, e in zip(min_l2(problem, dps=DPS).beta, expected))
    l1 = min_l1(problem, dps=DPS)
    assert l1.certified and l1.support == (0, 1, 2)
    assert all(close(b, e, ctx) for b, e in zip(l1.beta, expected))


# -- ℓ1 with certificates known in closed form ---------------------------------------------------
def test_l1_certificate_of_a_hand_made_vertex():
    # beta* = (y1, y2, 0, 0) with nu = (1, 1): off the support |x_3^T nu| = |1/2 + 1/4| = 3/4 and
    # |x_4^T nu| = |-1/2 + 1/4| = 1/4, so beta* is the unique l1 minimizer with max off-support 3/4
    X = [["1", "0", "0.5", "-0.5"], ["0", "1", "0.25", "0.25"]]
    result = min_l1(Problem.from_rows(X, ["0.75", "2"]), dps=DPS)
    ctx = context(DPS)
    assert result.certified and result.support == (0, 1)
    assert [ctx.nstr(b, 20) for b in result.beta] == ["0.75", "2.0", "0.0", "0.0"]
    assert close(result.max_off_support, "0.75", ctx)
    assert all(close(v, "1", ctx) for v in result.nu)


def test_l1_digits_are_verified_against_a_finer_solve():
    # beta* = (1/3, 2/7, 0) (y = X beta*, x_3 off the support with |x_3^T nu| < 1): digits is the
    # agreement with the vertex re-solved 20 digits higher, so the printed digits are all correct
    X = [["3", "0", "0.5"], ["0", "7", "0.5"]]
    result = min_l1(Problem.from_rows(X, ["1", "2"]), dps=DPS)
    ctx = context(DPS + 10)
    assert result.certified and result.support == (0, 1)
    assert DPS - 2 <= result.digits <= DPS
    exact_beta = [ctx.mpf(1) / 3, ctx.mpf(2) / 7]
    assert all(abs(b - e) <= ctx.mpf(10) ** -result.digits * e for b, e in zip(result.beta, exact_beta))
    failed = min_l1(Problem.from_rows([["1", "1", "0"], ["0", "0", "1"]], ["1", "1"]), dps=30)
    assert failed.digits is None  # no digits are claimed for a vertex that is not the unique minimizer


def test_l1_certificate_when_the_support_is_smaller_than_the_rank():
    # beta* = e_1 (y = x_1 = (1, 0)); nu = (1, nu_2) with the best nu_2 = -1/4 gives
    # max(|1/2 + nu_2|, |nu_2|) = 1/4 off the support: a small LP over nu_2, not a linear solve
    X = [["1", "0.5", "0"], ["0", "1", "1"]]
    result = min_l1(Problem.from_rows(X, ["1", "0"]), dps=DPS)
    ctx = context(DPS)
    assert result.certified and result.support == (0,)
    assert close(result.beta[0], "1", ctx) and result.beta[1] == 0 and result.beta[2] == 0
    assert abs(result.max_off_support - ctx.mpf("0.25")) < ctx.mpf("1e-12")  # the LP proposes nu_2 in float64


def test_duplicated_columns_fail_the_certificate():
    # x_1 = x_2: any split of beta_1 + beta_2 = 1 with equal signs has the same l1 norm
    result = min_l1(Problem.from_rows([["1", "1", "0"], ["0", "0", "1"]], ["1", "1"]), dps=30)
    assert result.status == "failed" and "not unique" in result.reason
    ctx = context(30)
    assert close(result.max_off_support, "1", ctx, 25)
    assert close(result.residual, "0", ctx, 25)


def test_zero_targets_give_zero():
    result = min_l1(Problem.from_rows([["1", "2", "3"]], ["0"]), dps=30)
    assert result.certified and result.support == () and all(b == 0 for b in result.beta)


@pytest.mark.parametrize("seed", [5, 7])
def test_planted_sparse_vertex_is_certified_exactly(seed):
    rng = np.random.default_rng(seed)
    n, d = 8, 14
    X = [[Fraction(int(rng.integers(-255, 256)), 256) for _ in range(d)] for _ in range(n)]
    star = [Fraction(0)] * d
    for j in rng.choice(d, size=2, replace=False):
        star[int(j)] = Fraction(int(rng.choice([-1, 1])) * int(rng.integers(1, 9)), 4)
    y = [sum(x * b for x, b in zip(row, star)) for row in X]
    problem = Problem.from_rows([[str(v) for v in row] for row in X], [str(v) for v in y])
    from scipy.optimize import linprog  # independent confirmation that beta* is the l1 minimizer

    A = problem.X_float()
    lp = linprog(np.ones(2 * d), A_eq=np.hstack([A, -A]), b_eq=problem.y_float(), bounds=(0, None), method="highs")
    assert np.max(np.abs(lp.x[:d] - lp.x[d:] - [float(s) for s in star])) < 1e-9
    result = min_l1(problem, dps=DPS)
    ctx = context(DPS)
    assert result.certified and result.max_off_support < 1
    assert result.support == tuple(j for j, s in enumerate(star) if s)
    assert all(abs(b - exact(ctx, s)) <= ctx.mpf(10) ** -DPS for b, s in zip(result.beta, star))
    # the certificate itself, rechecked here: X_S^T nu = sign(beta*_S) and |X^T nu| <= max_off elsewhere
    assert len(result.nu) == n  # X has full row rank, so nu lives on all rows
    rows = problem.X_mp(ctx)
    for j, s in enumerate(star):
        correlation = ctx.fdot([row[j] for row in rows], result.nu)
        if s:
            assert close(correlation, 1 if s > 0 else -1, ctx, DPS - 5)
        else:
            assert abs(correlation) <= result.max_off_support + ctx.mpf(10) ** (5 - DPS)


def _fraction_min_l2(X, y):
    """X^T (X X^T)^-1 y in exact rationals (X of full row rank, 2 rows)."""
    X = [[Fraction(v) for v in row] for row in X]
    G = [[sum(a * b for a, b in zip(r, s)) for s in X] for r in X]
    det = G[0][0] * G[1][1] - G[0][1] * G[1][0]
    z = [(G[1][1] * Fraction(y[0]) - G[0][1] * Fraction(y[1])) / det,
         (G[0][0] * Fraction(y[1]) - G[1][0] * Fraction(y[0])) / det]
    return [z[0] * X[0][j] + z[1] * X[1][j] for j in range(len(X[0]))]


@pytest.mark.parametrize("X", [[["0", "10", "20"], ["10", "0", "30"]],
                               [["0", "0.30e5", "0.1e5"], ["0.2e5", "0", "0.30e5"]]])
def test_zero_entries_beside_even_integers_reduce(X):
    """A zero entry's mpmath exponent (0) lies above the smallest nonzero exponent when every
    nonzero entry is an even integer: the exact-integer Gram matrix shifted it by a negative
    count ("ValueError: negative shift count" from --family l2 and l1)."""
    y = ["1", "2"]
    result = min_l2(Problem.from_rows(X, y), dps=DPS)
    ctx = context(DPS + 10)
    assert all(close(b, exact(ctx, e), ctx) for b, e in zip(result.beta, _fraction_min_l2(X, y)))
    assert len(min_l1(Problem.from_rows(X, y), dps=DPS).beta) == 3
