"""The implicit-bias solve (dual Newton) and the links (issue: implicit-bias solve).

Expected values come from closed forms typed here (h^-1 = asinh(z/2), the hypentropy q), an
independent optimizer (scipy SLSQP on the primal), symmetry, and the paper's limits.
"""

from fractions import Fraction

import numpy as np
import pytest
import sympy

from krtheory.errors import InvalidArgument, NoConvergence
from krtheory.links import Link
from krtheory.precision import Tolerance, context
from krtheory.problem import Problem
from krtheory.solve.mp import solve_link
from tests.helpers import NU, depth2_link, depth_link, explicit_link, hypentropy_q

DPS = 50


def planted(seed, n, d, support):
    """A dyadic problem with y = X beta* exactly and the planted sparse beta* (as Fractions)."""
    rng = np.random.default_rng(seed)
    X = [[Fraction(int(rng.integers(-255, 256)), 256) for _ in range(d)] for _ in range(n)]
    beta = [Fraction(0)] * d
    for j in rng.choice(d, size=support, replace=False):
        beta[int(j)] = Fraction(int(rng.choice([-1, 1])) * int(rng.integers(1, 9)), 4)
    y = [sum(x * b for x, b in zip(row, beta)) for row in X]
    return Problem.from_rows([[str(v) for v in row] for row in X], [str(v) for v in y], warn=False), beta


def min_l2_closed_form(problem, ctx):
    """X^T (X X^T)^-1 y with mpmath's own LU (full row rank)."""
    X = ctx.matrix(problem.X_mp(ctx))
    mu = ctx.lu_solve(X * X.T, ctx.matrix(problem.y_mp(ctx)))
    return list(X.T * mu)


def residual_in_row_space(problem, t, ctx):
    """||t - P t|| / ||t|| with P the projector onto range(X^T)."""
    X = ctx.matrix(problem.X_mp(ctx))
    T = ctx.matrix(t)
    mu = ctx.lu_solve(X * X.T, X * T)
    return ctx.norm(T - X.T * mu) / ctx.norm(T)


def agreeing(a, b, ctx):
    """Digits on which two vectors agree relative to max|b|."""
    scale = max(abs(v) for v in b)
    worst = max(abs(ctx.mpf(x) - y) for x, y in zip(a, b))
    return float(ctx.inf if worst == 0 else -ctx.log10(worst / scale))


KKT = Tolerance(DPS - 8, "beta carries ~dps digits; asinh, the normal equations of the projection and "
                        "cond(X X^T) of these small problems cost a few")


# -- closed-form toy problems --------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda: depth2_link("1", 2), lambda: depth_link(3, "0.5", 2), lambda: explicit_link("2", 2),
                                  lambda: depth2_link("1e-20", 2)])
def test_symmetric_pair_splits_evenly(make):
    # x = (1, 1), y = 3: the problem is symmetric under swapping the coordinates, so beta = (3/2, 3/2)
    result = solve_link(Problem.from_rows([["1", "1"]], ["3"]), make(), dps=DPS)
    ctx = context(DPS)
    assert all(abs(b - ctx.mpf("1.5")) <= ctx.mpf(10) ** -DPS * 2 for b in result.beta)
    assert result.digits == DPS


def test_one_coordinate_interpolates_exactly():
    result = solve_link(Problem.from_rows([["2"]], ["3"], warn=False), depth_link(3, "0.1", 1), dps=DPS)
    assert result.beta_strings() == ["1." + "5" + "0" * (DPS - 2)]


@pytest.mark.parametrize("make", [lambda: depth2_link("1e-5", 3), lambda: depth_link(3, "7", 3)])
def test_square_system_has_its_unique_solution(make):
    # n = d is allowed: X (1, 1, 1) = y and X is invertible, whatever the link
    problem = Problem.from_rows([["2", "1", "0"], ["0", "1", "1"], ["1", "0", "3"]], ["3", "2", "4"], warn=False)
    result = solve_link(problem, make(), dps=DPS)
    assert result.beta_strings() == ["1." + "0" * (DPS - 1)] * 3


# -- KKT conditions with the closed-form inverse link ------------------------------------------
@pytest.mark.parametrize("alpha", ["0.1", "1", "10"])
def test_kkt_conditions_depth2(alpha):
    problem, _ = planted(1, 4, 10, 2)
    w0 = ["1", "0.5", "2", "1", "1.5", "1", "1", "0.25", "1", "3"]
    result = solve_link(problem, depth2_link(alpha, 10, w0), dps=DPS)
    ctx = context(DPS + 10)
    assert result.residual <= KKT.value(ctx) * max(abs(ctx.mpf(v)) for v in problem.y)
    a = [Fraction(alpha) ** 2 * Fraction(w) ** 2 for w in w0]
    # h^-1(z) = asinh(z / 2), b_i = 4: t_i = asinh(beta_i / (2 a_i)) / 4 must lie in range(X^T)
    t = [ctx.asinh(ctx.mpf(b) / (2 * ctx.mpf(ai.numerator) / ai.denominator)) / 4 for b, ai in zip(result.beta, a)]
    assert residual_in_row_space(problem, t, ctx) <= KKT.value(ctx)


def test_objective_is_the_hypentropy_of_beta():
    problem, _ = planted(2, 3, 7, 2)
    alpha = Fraction(1, 3)
    result = solve_link(problem, depth2_link(alpha, 7), dps=DPS)
    ctx = context(DPS + 10)
    a = ctx.mpf(alpha.numerator) ** 2 / alpha.denominator ** 2
    expected = sum(a / 4 * hypentropy_q(ctx, ctx.mpf(b) / a) for b in result.beta)  # (a/b) q(beta/a), b = 4
    assert abs(result.objective - expected) <= KKT.value(ctx) * abs(expected)


# -- an independent optimizer on the primal ------------------------------------------------------
SLSQP_AGREEMENT = 1e-6  # SLSQP stops at ftol = 1e-15 on the objective: beta to ~1e-7, with room


@pytest.mark.parametrize("alpha", [0.5, 1.0, 3.0])
def test_agrees_with_slsqp_on_the_primal(alpha):
    from scipy.optimize import minimize

    rng = np.random.default_rng(3)
    X = rng.integers(-8, 9, size=(3, 6)) / 8
    y = rng.integers(-8, 9, size=3) / 4
    problem = Problem.from_rows(X.tolist(), y.tolist())
    a = alpha ** 2

    def Q(beta):  # alpha^2 sum q(beta / alpha^2), q typed from Theorem 1
        z = beta / a
        return a * np.sum(2 - np.sqrt(4 + z ** 2) + z * np.arcsinh(z / 2))

    found = minimize(Q, np.linalg.lstsq(X, y, rcond=None)[0], jac=lambda b: np.arcsinh(b / (2 * a)),
                     method="SLSQP", constraints={"type": "eq", "fun": lambda b: X @ b - y, "jac": lambda b: X},
                     options={"ftol": 1e-15, "maxiter": 1000})
    assert found.success
    result = solve_link(problem, depth2_link(Fraction(alpha), 6), dps=30)
    assert np.max(np.abs(np.array([float(b) for b in result.beta]) - found.x)) <= SLSQP_AGREEMENT


# -- the two limits -----------------------------------------------------------------------
def test_large_alpha_approaches_l2_like_alpha_to_the_minus_4():
    # eq. 6: q(z) = z^2/4 - z^4/192 + ..., so beta_alpha - beta_l2 = O(alpha^-4)
    problem, _ = planted(4, 3, 8, 2)
    ctx = context(70)
    l2 = min_l2_closed_form(problem, ctx)
    alphas = [10, 100, 1000]
    distances = [ctx.norm(ctx.matrix([ctx.mpf(b) for b in solve_link(problem, depth2_link(a, 8), dps=60).beta])
                          - ctx.matrix(l2)) for a in alphas]
    slopes = [ctx.log10(distances[k + 1] / distances[k]) for k in range(2)]
    # the next term is (beta/alpha^2)^2 smaller, ~1e-4 at alpha = 10 and ~1e-8 at 100 for |beta| ~ 1
    assert abs(slopes[0] + 4) < 1e-3 and abs(slopes[1] + 4) < 1e-6


def test_small_alpha_approaches_the_planted_l1_solution():
    from scipy.optimize import linprog

    # with the l1 dual certificate's off-support max kappa ~ 0.35 here, the distance falls like
    # alpha^(2(1 - kappa)) ~ alpha^1.3 (measured alpha^0.76..0.98 on others)
    problem, star = planted(5, 8, 14, 2)
    X = problem.X_float()
    lp = linprog(np.ones(28), A_eq=np.hstack([X, -X]), b_eq=problem.y_float(), bounds=(0, None), method="highs")
    assert np.max(np.abs(lp.x[:14] - lp.x[14:] - [float(b) for b in star])) < 1e-9  # beta* is the l1 solution
    ctx = context(DPS)
    distances = []
    for alpha in ["1e-2", "1e-5", "1e-10", "1e-30"]:
        beta = solve_link(problem, depth2_link(alpha, 14), dps=DPS).beta
        distances.append(sum(abs(b - ctx.mpf(s.numerator) / s.denominator) for b, s in zip(beta, star)))
    assert all(later < earlier for earlier, later in zip(distances, distances[1:]))
    assert distances[-1] < ctx.mpf("1e-30")


# -- extreme alpha ----------------------------------------------------------------------------
def test_extreme_alpha_depth2_is_finite_and_consistent():
    problem, star = planted(6, 4, 9, 2)
    ctx = context(DPS + 10)
    tiny = solve_link(problem, depth2_link("1e-300", 9), dps=DPS)
    huge = solve_link(problem, depth2_link("1e300", 9), dps=DPS)
    for result, a in ((tiny, ctx.mpf("1e-600")), (huge, ctx.mpf("1e600"))):
        assert result.digits == DPS
        assert result.residual <= KKT.value(ctx) * max(abs(ctx.mpf(v)) for v in problem.y)
        # beta = 2 a sinh(4 X^T lam), recomputed here from the returned lam
        t = [ctx.fdot([ctx.mpf(x) for x in col], result.lam) for col in zip(*problem.X)]
        assert agreeing([2 * a * ctx.sinh(4 * ti) for ti in t], result.beta, ctx) >= KKT.digits
    # alpha = 1e-300 is deep in the rich limit (distance ~ alpha^0.8): beta* to every digit
    assert agreeing(tiny.beta, [ctx.mpf(s.numerator) / s.denominator for s in star], ctx) >= DPS - 2
    # alpha = 1e300 is deep in the kernel limit (distance ~ alpha^-4): beta_l2 to every digit
    assert agreeing(huge.beta, min_l2_closed_form(problem, ctx), ctx) >= DPS - 2


@pytest.mark.parametrize("make", [lambda a, d: depth_link(3, a, d), explicit_link])
@pytest.mark.parametrize("alpha", ["1e-300", "1e300"])
def test_bounded_links_keep_iterates_inside(make, alpha, monkeypatch):
    import krtheory.solve.mp as solve_module

    seen = []
    original = solve_module._Dual.point_u

    def recording(self, lam):
        u = original(self, lam)
        seen.append(max(abs(v) for v in u))
        return u

    monkeypatch.setattr(solve_module._Dual, "point_u", recording)
    problem, star = planted(5, 8, 14, 2)  # beta* is the l1 solution (see the small-alpha test)
    link = make(alpha, 14)
    result = solve_link(problem, link, dps=DPS)
    assert seen and all(v < 1 for v in seen)
    ctx = context(DPS + 10)
    assert result.residual <= KKT.value(ctx) * max(abs(ctx.mpf(v)) for v in problem.y)
    assert result.digits >= DPS - 2
    limit = [ctx.mpf(s.numerator) / s.denominator for s in star] if alpha == "1e-300" \
        else min_l2_closed_form(problem, ctx)
    assert agreeing(result.beta, limit, ctx) >= DPS - 2  # both limits: l1 (alpha -> 0), l2 (alpha -> oo)


# -- rows, verification, rendering --------------------------------------------------------------
def test_dependent_rows_are_dropped_and_hold():
    base, _ = planted(8, 3, 6, 2)
    rows = [list(r) for r in base.X]
    extra = [str(Fraction(a) + 2 * Fraction(b)) for a, b in zip(rows[0], rows[2])]
    y_extra = str(Fraction(base.y[0]) + 2 * Fraction(base.y[2]))
    bigger = Problem.from_rows(rows + [rows[1], extra], list(base.y) + [base.y[1], y_extra], warn=False)
    reference = solve_link(base, depth2_link("0.7", 6), dps=DPS)
    result = solve_link(bigger, depth2_link("0.7", 6), dps=DPS)
    ctx = context(DPS)
    assert len(result.kept_rows) == 3 and len(result.lam) == 5
    assert agreeing(result.beta, reference.beta, ctx) >= DPS - 1
    assert result.residual <= ctx.mpf(10) ** (5 - DPS)


def test_unverified_solve_reports_no_digits():
    problem, _ = planted(9, 2, 5, 1)
    result = solve_link(problem, depth2_link("1", 5), dps=30, verify=False)
    assert result.digits is None and result.componentwise_digits is None
    significant = [s.lstrip("-").split("e")[0].replace(".", "").lstrip("0") for s in result.beta_strings()]
    assert [len(m) for m in significant] == [30] * 5


def test_start_from_a_neighbouring_solution():
    problem, _ = planted(10, 3, 8, 2)
    first = solve_link(problem, depth2_link("1e-3", 8), dps=DPS)
    again = solve_link(problem, depth2_link("1e-3", 8), dps=DPS, start=first.lam)
    assert again.iterations <= 2 and agreeing(again.beta, first.beta, context(DPS)) >= DPS - 1


# -- the links ------------------------------------------------------------------------------------
def test_rational_exponents_are_evaluated_at_full_precision():
    link = depth_link(5, "1", 1)
    ctx = context(60)
    f = link.functions(ctx)
    x = ctx.mpf("0.3")
    p = ctx.mpf(5) / 3
    assert abs(f.h(x) - ((1 - x) ** -p - (1 + x) ** -p)) <= 4 * ctx.eps * abs(f.h(x))
    # near 0 the closed form cancels; h(x) = 2 p x (1 + O(x^2)) to full relative precision
    tiny = ctx.mpf("1e-40")
    assert abs(f.h(tiny) / (2 * p * tiny) - 1) <= ctx.mpf("1e-58")


# -- bad input -----------------------------------------------------------------------------------
def test_inconsistent_system_is_rejected():
    with pytest.raises(InvalidArgument, match="inconsistent system: .*least-squares residual"):
        solve_link(Problem.from_rows([["1", "1"], ["2", "2"]], ["1", "3"], warn=False), depth2_link("1", 2))


def test_wrong_length_amplitude_is_rejected():
    with pytest.raises(InvalidArgument, match="amplitude and rate have 3 entries but the problem has d=2"):
        solve_link(Problem.from_rows([["1", "2"]], ["1"]), depth2_link("1", 3))


@pytest.mark.parametrize("amplitude, rate, match", [(["nan", "1"], ["1", "1"], "amplitude entry 1"),
                                                    (["1", "1"], ["1", "-2"], "rate entry 2 must be positive"),
                                                    (["1"], ["1", "1"], "amplitude has 1 entries but rate has 2")])
def test_bad_link_numbers_are_rejected(amplitude, rate, match):
    with pytest.raises(InvalidArgument, match=match):
        Link("bad", NU, 2 * sympy.sinh(NU), 2 * sympy.cosh(NU) - 2, sympy.oo, amplitude, rate)


def test_iteration_budget_runs_out():
    problem, _ = planted(11, 3, 8, 2)
    with pytest.raises(NoConvergence, match="max_iterations=1 "):
        solve_link(problem, depth2_link("1e-6", 8), max_iterations=1)


@pytest.mark.parametrize("kwargs, match", [({"max_iterations": 0}, "max_iterations"),
                                           ({"start": ["0"]}, "start must have one entry per row"),
                                           ({"start": ["1e6", "0"]}, "outside the link's domain")])
def test_bad_solver_arguments_are_rejected(kwargs, match):
    problem, _ = planted(12, 2, 4, 1)
    with pytest.raises(InvalidArgument, match=match):
        solve_link(problem, depth_link(3, "1", 4), **kwargs)
