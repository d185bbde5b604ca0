"""The float64 fast path (krtheory.solve.float64): accuracy against the mpmath solve, the paper's
alpha limits (min-l1 as alpha -> 0, min-l2 as alpha -> oo), the log-domain evaluation, feasibility
on bounded domains and an honest status.

Expected values come from the mpmath backend (krtheory.solve.mp at dps 30), scipy's HiGHS linear
program (min l1) and numpy's least squares (min l2); residuals are recomputed exactly in Fractions.
"""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy

from krtheory.solve import float64 as solve_float
from krtheory.errors import InvalidArgument
from krtheory.links import Link
from krtheory.problem import Problem
from krtheory.solve.mp import solve_link
from krtheory.solve._dual import SolveStatus
from krtheory.solve._evaluate import OddForm, evaluator, odd_form
from krtheory.solve.float64 import RESIDUAL_TOLERANCE, alpha_sweep, solve_link_float
from tests.helpers import NU, depth2_link, depth_link, explicit_link

#: Normwise relative agreement of the double beta with the 30-digit one: measured
#: <= 6e-15 down to alpha = 1e-6 and ~2e-13 at alpha = 1e-300 (the log-domain
#: exponent is ~1400 there, so exp's argument carries ~1400 eps), well inside 1e-12.
AGREEMENT = 1e-12
#: The log-domain and the plain lambdified evaluation agree to a few ulps times the argument
#: (|u| <= 5 here, e^5 amplifies an ulp of u by 5).
EVALUATION = 1e-13


def random_problem(seed, n, d, support=3):
    return Problem.random_dyadic(np.random.default_rng(seed), n, d, support)


def exact_relative_residual(problem, beta):
    """||X beta - y|| / || |X||beta| + |y| || with X, y exact and beta taken at its binary value."""
    b = [Fraction(float(v)) for v in beta]
    rows = problem.X_fraction()
    r = [sum(x * v for x, v in zip(row, b)) - t for row, t in zip(rows, problem.y_fraction())]
    s = [sum(abs(x * v) for x, v in zip(row, b)) + abs(t) for row, t in zip(rows, problem.y_fraction())]
    return (float(sum(v * v for v in r)) / float(sum(v * v for v in s))) ** 0.5


def normwise(beta, reference):
    reference = np.asarray(reference, dtype=float)
    return float(np.max(np.abs(np.asarray(beta) - reference)) / np.max(np.abs(reference)))


# -- accuracy --------------------------------------------------------------------------------------
@pytest.mark.parametrize("n, d", [(5, 12), (10, 40)])
@pytest.mark.parametrize("alpha", ["1e-300", "1e-6", "1", "1e6"])
def test_agrees_with_the_mpmath_solve(n, d, alpha):
    problem, link = random_problem(n, n, d), depth2_link(alpha, d)
    result = solve_link_float(problem, link)
    assert result.status is SolveStatus.OK, result.message
    assert result.log_domain
    assert exact_relative_residual(problem, result.beta) <= RESIDUAL_TOLERANCE
    reference = solve_link(problem, link, dps=30, verify=False)
    assert normwise(result.beta, [float(b) for b in reference.beta]) <= AGREEMENT


@pytest.mark.parametrize("alpha", ["1e-300", "1e-6", "1", "1e6"])
def test_30x200_interpolates(alpha):
    problem = random_problem(7, 30, 200)
    result = solve_link_float(problem, depth2_link(alpha, 200))
    assert result.status is SolveStatus.OK, result.message
    assert exact_relative_residual(problem, result.beta) <= RESIDUAL_TOLERANCE


def test_rich_limit_is_the_min_l1_interpolator():
    # Theorem 2: alpha -> 0 gives argmin ||beta||_1; at alpha = 1e-300 the gap is ~1e-290
    from scipy.optimize import linprog

    problem = random_problem(3, 30, 200)
    X, y = problem.X_float(), problem.y_float()
    lp = linprog(np.ones(400), A_eq=np.hstack([X, -X]), b_eq=y, bounds=[(0, None)] * 400, method="highs")
    l1 = lp.x[:200] - lp.x[200:]
    result = solve_link_float(problem, depth2_link("1e-300", 200))
    assert result.status is SolveStatus.OK
    assert normwise(result.beta, l1) <= AGREEMENT


def test_kernel_limit_is_the_min_l2_interpolator():
    # Theorem 2: alpha -> oo gives argmin ||beta||_2, with a gap ~alpha^-4 ~ 1e-24 at alpha = 1e6
    problem = random_problem(4, 30, 200)
    l2 = np.linalg.lstsq(problem.X_float(), problem.y_float(), rcond=None)[0]
    result = solve_link_float(problem, depth2_link("1e6", 200))
    assert result.status is SolveStatus.OK
    assert normwise(result.beta, l2) <= AGREEMENT


# -- the log-domain form -------------------------------------------------------------------------------
@pytest.mark.parametrize("h, expected", [
    (2 * sympy.sinh(NU), OddForm("exp", 1, 1)),
    (2 * sympy.sinh(4 * NU), OddForm("exp", 1, 4)),
    (sympy.exp(NU) - sympy.exp(-NU), OddForm("exp", 1, 1)),
    ((1 - NU) ** -3 - (1 + NU) ** -3, OddForm("power", 1, 1, 3)),
    ((1 - NU) ** sympy.Rational(-5, 3) - (1 + NU) ** sympy.Rational(-5, 3),
     OddForm("power", 1, 1, sympy.Rational(5, 3))),
    (4 * NU / (1 - NU ** 2) ** 2, OddForm("power", 1, 1, 2)),
    (sympy.sinh(NU) + NU, None),
    (NU ** 3 + NU, None),
])
def test_odd_form_is_detected(h, expected):
    form = odd_form(NU, h)
    assert form == expected
    if form is not None:
        assert sympy.simplify(form.expression(NU) - h) == 0


@pytest.mark.parametrize("link, points", [
    (depth2_link("0.5", 1), np.linspace(-5, 5, 41)),
    (depth_link(3, "0.5", 1), np.linspace(-0.9, 0.9, 37) / 1.5),
    (explicit_link("0.5", 1), np.linspace(-0.9, 0.9, 37)),
])
def test_log_domain_matches_the_lambdified_link(link, points):
    ev = evaluator(link)
    assert ev.__class__.__name__ == "_LogDomain"
    h = sympy.lambdify(NU, link.h, "numpy")
    dh = sympy.lambdify(NU, sympy.diff(link.h, NU), "numpy")
    a, b = float(Fraction(link.amplitude[0])), float(Fraction(link.rate[0]))
    u = b * points
    assert np.allclose(ev.beta(u), a * h(u), rtol=EVALUATION, atol=0)
    assert np.allclose(np.exp(ev.log_weights(u)), a * b * dh(u), rtol=EVALUATION, atol=0)
    with np.errstate(all="ignore"):
        beta, w, top = ev.evaluate(u)  # the Newton loop's (direct where it can) evaluation
    assert np.allclose(beta, a * h(u), rtol=EVALUATION, atol=0)
    assert np.allclose(w * np.exp(top), a * b * dh(u), rtol=EVALUATION, atol=0)
    assert np.max(w) == 1


def test_direct_sinh_falls_back_to_logs_where_it_overflows():
    # a = 1e-300: beta = 2a sinh(u) is finite at u = +-720 although sinh(720) overflows double
    ev = evaluator(depth2_link("1e-150", 3))
    assert ev.direct
    u = np.array([720.0, -720.0, 1.0])
    expected = [float(mpmath.mpf("1e-300") * 2 * mpmath.sinh(v)) for v in u]
    expected_w = [float(mpmath.mpf("1e-300") * 4 * 2 * mpmath.cosh(v)) for v in u]
    assert np.allclose(ev.beta(u), expected, rtol=1e-12, atol=0)
    with np.errstate(all="ignore"):
        beta, w, top = ev.evaluate(u)
    assert np.allclose(beta, expected, rtol=1e-12, atol=0)
    # the weights are kept relative to the largest (Newton needs no more): w_3 ~ e^-719 w_1
    assert np.allclose(w, np.array(expected_w) / max(expected_w), rtol=1e-12, atol=1e-300)
    assert top == pytest.approx(float(mpmath.log(max(expected_w))), rel=1e-14)


@pytest.mark.parametrize("alpha", ["1e-6", "1", "1e3"])
def test_undamped_steps_never_raise_the_residual(alpha):
    problem, link = random_problem(3, 10, 40), depth2_link(alpha, 40)
    rows, ev = solve_float.float_rows(problem), evaluator(link)

    def residual(lam):
        with np.errstate(all="ignore"):
            return np.linalg.norm(rows.X @ ev.beta(ev.b * (rows.Xt @ lam)) - rows.y)

    start = np.zeros(len(rows.kept))
    with np.errstate(all="ignore"):
        lam, taken, converged = solve_float._undamped(rows, ev, start, solve_float.UNDAMPED_STEPS)
    assert residual(lam) <= residual(start)
    if alpha == "1e-6":  # the first Newton step would move some b_i t_i by more than STEP_CAP
        assert (taken, converged) == (0, False) and np.all(lam == start)
    else:  # near the kernel regime plain Newton converges, and passes the damped iteration's test
        assert converged and taken <= 5
        reference = solve_link(problem, link, dps=30, verify=False)
        assert normwise(ev.beta(ev.b * (rows.Xt @ lam)), [float(b) for b in reference.beta]) <= AGREEMENT


# -- honest status -----------------------------------------------------------------------------------
def test_tiny_amplitude_without_log_form_is_out_of_range():
    # h = sinh(nu) + nu has no form A (f(k nu) - f(-k nu)): a = 1e-400 underflows the plain form
    link = Link("no log form", NU, sympy.sinh(NU) + NU, sympy.cosh(NU) - 1 + NU ** 2 / 2, sympy.oo,
                ["1e-400"] * 12, ["1"] * 12)
    result = solve_link_float(random_problem(1, 5, 12), link)
    assert not result.log_domain
    assert result.status is SolveStatus.OUT_OF_RANGE
    assert "range" in result.message


def test_plain_form_solves_in_range():
    link = Link("no log form", NU, sympy.sinh(NU) + NU, sympy.cosh(NU) - 1 + NU ** 2 / 2, sympy.oo,
                ["0.01"] * 12, ["3"] * 12)
    problem = random_problem(2, 5, 12)
    result = solve_link_float(problem, link)
    assert not result.log_domain and result.status is SolveStatus.OK
    reference = solve_link(problem, link, dps=30, verify=False)
    assert normwise(result.beta, [float(b) for b in reference.beta]) <= AGREEMENT


@pytest.mark.parametrize("make, alpha", [(lambda a, d: depth_link(3, a, d), "1e-30"), (explicit_link, "1e-30"),
                                         (lambda a, d: depth_link(4, a, d), "1e-6")])
def test_boundary_beyond_double_is_out_of_range(make, alpha):
    # beta = O(1) needs 1 - |b t| ~ alpha (D = 3, explicit) or alpha^2 / ... (D = 4): below
    # double's resolution of 1 - |u|
    problem = random_problem(5, 10, 40)
    result = solve_link_float(problem, make(alpha, 40))
    assert result.status is SolveStatus.OUT_OF_RANGE, result.message
    assert not np.all(np.isfinite(result.beta)) or exact_relative_residual(problem, result.beta) > RESIDUAL_TOLERANCE


def test_huge_alpha_is_out_of_range():
    # a = alpha^2 = 1e600: lam ~ beta / a ~ 1e-600 underflows double
    result = solve_link_float(random_problem(5, 10, 40), depth2_link("1e300", 40))
    assert result.status is SolveStatus.OUT_OF_RANGE and "underflow" in result.message


def test_budget_exhaustion_is_not_converged():
    result = solve_link_float(random_problem(6, 10, 40), depth2_link("1e-300", 40), max_iterations=2)
    assert result.status is SolveStatus.NOT_CONVERGED
    assert "max_iterations=2" in result.message


# -- bounded domains stay feasible ----------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda a, d: depth_link(3, a, d), explicit_link])
@pytest.mark.parametrize("alpha", ["1e-6", "1e-2", "1", "1e3"])
def test_bounded_links_stay_feasible(make, alpha):
    problem = random_problem(8, 10, 40)
    link = make(alpha, 40)
    result = solve_link_float(problem, link)
    lam = [Fraction(float(v)) for v in result.lam]
    t = [sum(row[j] * v for row, v in zip(problem.X_fraction(), lam)) for j in range(problem.d)]
    assert all(abs(Fraction(b) * tj) < 1 for b, tj in zip(link.rate, t))
    if alpha != "1e-6":  # there 1 - |b t| ~ 1e-6 leaves beta ~1e-10 in double: out of range
        assert result.status is SolveStatus.OK, result.message
        assert exact_relative_residual(problem, result.beta) <= RESIDUAL_TOLERANCE
    else:
        assert result.status in (SolveStatus.OK, SolveStatus.OUT_OF_RANGE)


# -- warm starts ---------------------------------------------------------------------------------------------
def test_alpha_sweep_warm_starts_down_to_the_rich_limit():
    problem = random_problem(3, 30, 200)
    alphas = ["1", "1e-2", "1e-6", "1e-30", "1e-100", "1e-300"]
    warm = alpha_sweep(problem, lambda a: depth2_link(a, 200), alphas)
    cold = [solve_link_float(problem, depth2_link(a, 200)) for a in alphas]
    assert all(r.status is SolveStatus.OK for r in warm + cold)
    assert sum(r.iterations for r in warm) < sum(r.iterations for r in cold)
    beta_star = cold[-1].beta  # checked against HiGHS in test_rich_limit_is_the_min_l1_interpolator
    assert normwise(warm[-1].beta, beta_star) <= AGREEMENT


def test_infeasible_start_is_pulled_inside():
    problem = random_problem(8, 10, 40)
    result = solve_link_float(problem, depth_link(3, "1", 40), start=[1e6] * 10)
    assert result.status is SolveStatus.OK


# -- input validation ---------------------------------------------------------------------------------------
def test_dependent_rows_are_dropped_and_inconsistent_ones_rejected():
    base = random_problem(9, 4, 12)
    rows = [list(r) for r in base.X] + [list(base.X[0])]
    consistent = Problem.from_rows(rows, list(base.y) + [base.y[0]], warn=False)
    result = solve_link_float(consistent, depth2_link("0.1", 12))
    assert result.status is SolveStatus.OK and len(result.kept_rows) == 4
    dropped = ({0, 4} - set(result.kept_rows)).pop()  # row 4 repeats row 0
    assert result.lam[dropped] == 0
    assert normwise(result.beta, solve_link_float(base, depth2_link("0.1", 12)).beta) <= AGREEMENT
    inconsistent = Problem.from_rows(rows, list(base.y) + [str(Fraction(base.y[0]) + 1)], warn=False)
    with pytest.raises(InvalidArgument, match="inconsistent"):
        solve_link_float(inconsistent, depth2_link("0.1", 12))


@pytest.mark.parametrize("kwargs, match", [({"max_iterations": 0}, "max_iterations"),
                                           ({"start": [0.0] * 3}, "start"),
                                           ({"start": ["x"] * 5}, "start")])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(InvalidArgument, match=match):
        solve_link_float(random_problem(1, 5, 12), depth2_link("1", 12), **kwargs)


def test_link_of_the_wrong_dimension_is_rejected():
    with pytest.raises(InvalidArgument, match="d=12"):
        solve_link_float(random_problem(1, 5, 12), depth2_link("1", 11))
