"""The python-flint backend (krtheory.solve.certified): certified balls against an independent
high-precision mpmath solve, the Krawczyk test refusing a wrong centre, the sympy -> arb compiler
keeping rational constants exact, three-valued comparisons, and the missing-flint notice.

Expected values come from krtheory.solve.mp (mpmath, its own Newton and its own compiled link) at
more digits than the certified radius resolves, converted to arb exactly, and from mpmath's
special functions at 70 digits.
"""

import sys
from fractions import Fraction

import flint
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from krtheory.errors import InvalidArgument, NotApplicable
from krtheory.precision import context, lambdify
from krtheory.problem import Problem
from krtheory.solve import _arb_system, certified as solve_flint, krawczyk as solve_krawczyk
from krtheory.solve._arb import FLINT_MISSING, arb_function, compare_ball, decimal_upper
from krtheory.solve._dual import SolveStatus
from krtheory.solve.certified import CERTIFY_ATTEMPTS, solve_link_flint
from krtheory.solve.krawczyk import krawczyk
from krtheory.solve.mp import solve_link
from krtheory.testing.strategies import alphas, problems
from tests.helpers import NU, depth2_link, depth_link, explicit_link

#: The brief's target: a certified radius of at most 1e-40 at 50 digits on 10 x 40.
TARGET_RADIUS = Fraction(1, 10 ** 40)
#: The mpmath reference is computed with this many digits more than the radius resolves, so
#: that its own error (a few units in its last digits) is far inside the ball.
REFERENCE_EXTRA_DIGITS = 20


def random_problem(seed, n, d, support=3):
    return Problem.random_dyadic(np.random.default_rng(seed), n, d, support)


def exact_arb(x):
    """An mpmath mpf as the arb with exactly its binary value."""
    sign, man, exp, _ = x._mpf_
    return flint.arb((-int(man) if sign else int(man), int(exp)))


# -- certified solves --------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [depth2_link, lambda a, d: depth_link(3, a, d)])
@pytest.mark.parametrize("alpha", ["1e-6", "1", "10"])
def test_certified_ball_holds_the_mpmath_solution(make, alpha):
    problem, link = random_problem(11, 10, 40), make(alpha, 40)
    result = solve_link_flint(problem, link, dps=50)
    assert result.status is SolveStatus.CERTIFIED, result.message
    assert "bounded in double" in result.message  # dyadic data: the fast bound suffices
    assert Fraction(result.radius) <= TARGET_RADIUS
    assert result.certified_digits >= 40
    digits = max(80, -int(result.radius.split("e")[1]) + REFERENCE_EXTRA_DIGITS)
    reference = solve_link(problem, link, dps=digits, verify=False)
    with flint.ctx.workprec(4 * digits):
        assert all(ball.contains(exact_arb(b)) for ball, b in zip(result.beta_balls, reference.beta))
        # and the midpoints carry the digits claimed
        scale = max(abs(exact_arb(b)) for b in reference.beta)
        worst = max(abs(m - exact_arb(b)) for m, b in zip(result.beta, reference.beta))
        assert worst <= flint.arb(10) ** -result.certified_digits * scale


def test_bounded_explicit_link_is_certified():
    problem, link = random_problem(12, 10, 40), explicit_link("1e-2", 40)
    result = solve_link_flint(problem, link, dps=50)
    assert result.status is SolveStatus.CERTIFIED and Fraction(result.radius) <= TARGET_RADIUS
    reference = solve_link(problem, link, dps=120, verify=False)
    with flint.ctx.workprec(500):
        assert all(ball.contains(exact_arb(b)) for ball, b in zip(result.beta_balls, reference.beta))


def test_kernel_limit_is_certified_at_huge_alpha():
    # Theorem 2: alpha -> oo gives the min-l2 interpolator X^T (X X^T)^-1 y (exact here), within
    # ~alpha^-4 = 1e-1200 at alpha = 1e300: double is out of range (lam ~ 1e-600), arb is not
    problem = random_problem(17, 10, 40)
    result = solve_link_flint(problem, depth2_link("1e300", 40), dps=30)
    assert result.status is SolveStatus.CERTIFIED and result.certified_digits == 30
    X = flint.fmpq_mat([[flint.fmpq(*Fraction(v).as_integer_ratio()) for v in row] for row in problem.X])
    y = flint.fmpq_mat(10, 1, [flint.fmpq(*Fraction(v).as_integer_ratio()) for v in problem.y])
    l2 = (X.transpose() * (X * X.transpose()).solve(y)).entries()
    with flint.ctx.workprec(result.bits):
        assert all(ball.contains(flint.arb(v)) for ball, v in zip(result.beta_balls, l2))


def test_polish_only_and_result_strings():
    problem = random_problem(13, 5, 12)
    polished = solve_link_flint(problem, depth2_link("1", 12), dps=30, certify=False)
    assert polished.status is SolveStatus.POLISHED and polished.radius is None and polished.certified_digits is None
    certified = solve_link_flint(problem, depth2_link("1", 12), dps=30)
    ctx = context(40)
    reference = solve_link(problem, depth2_link("1", 12), dps=40, verify=False)
    for text, b in zip(certified.beta_strings(), reference.beta):
        assert abs(ctx.mpf(text) - b) <= ctx.mpf(10) ** -29 * max(abs(v) for v in reference.beta)
    assert Fraction(certified.residual) <= Fraction(1, 10 ** 30)


def test_dependent_rows_are_dropped_exactly():
    base = random_problem(14, 4, 12)
    rows = [list(r) for r in base.X] + [[str(Fraction(a) + Fraction(b)) for a, b in zip(base.X[0], base.X[1])]]
    y = list(base.y) + [str(Fraction(base.y[0]) + Fraction(base.y[1]))]
    result = solve_link_flint(Problem.from_rows(rows, y, warn=False), depth2_link("0.5", 12), dps=30)
    assert result.status is SolveStatus.CERTIFIED and len(result.kept_rows) == 4
    alone = solve_link_flint(base, depth2_link("0.5", 12), dps=30)
    assert all(a.overlaps(b) for a, b in zip(result.beta_balls, alone.beta_balls))
    y[-1] = str(Fraction(y[-1]) + Fraction(1, 2 ** 40))
    with pytest.raises(InvalidArgument, match="inconsistent"):
        solve_link_flint(Problem.from_rows(rows, y, warn=False), depth2_link("0.5", 12), dps=30)


# -- the Krawczyk test itself ---------------------------------------------------------------------------
def test_wrong_centre_fails_the_krawczyk_test():
    problem, link = random_problem(15, 10, 40), depth2_link("1", 40)
    result = solve_link_flint(problem, link, dps=50)
    assert krawczyk(problem, link, result.lam, bits=result.bits).passed
    shifted = [v + flint.arb("0.001") for v in result.lam]
    certificate = krawczyk(problem, link, shifted, bits=result.bits)
    assert not certificate.passed
    assert certificate.lam_balls is None and "not inside" in certificate.reason


def test_failed_certificates_raise_precision_then_report_uncertified(monkeypatch):
    seen = []

    def refuse(system, lam):
        seen.append(system.bits)
        return solve_krawczyk.Certificate(False, None, None, "refused for the test")

    monkeypatch.setattr(solve_flint, "certify_at", refuse)
    result = solve_link_flint(random_problem(16, 5, 12), depth2_link("1", 12), dps=30)
    assert result.status is SolveStatus.UNCERTIFIED and result.message == "refused for the test"
    assert result.radius is None and result.certified_digits is None
    assert len(seen) == CERTIFY_ATTEMPTS and seen == sorted(seen) and len(set(seen)) == len(seen)


@pytest.mark.parametrize("method", ["double", "arb"])
def test_both_jacobian_bounds_certify_decimal_data(method, monkeypatch):
    # one-decimal data: X is not what double holds, so the double bound's rounding terms matter
    rng = np.random.default_rng(18)
    rows = [[f"{int(v) / 10:.1f}" for v in rng.integers(-30, 31, 30)] for _ in range(8)]
    y = [f"{int(v) / 10:.1f}" for v in rng.integers(-30, 31, 8)]
    problem, link = Problem.from_rows(rows, y), depth_link(3, "0.3", 30)
    if method == "arb":
        monkeypatch.setattr(solve_krawczyk, "_DoubleProducts", solve_krawczyk._ArbProducts)
    result = solve_link_flint(problem, link, dps=50)
    assert result.status is SolveStatus.CERTIFIED and Fraction(result.radius) <= TARGET_RADIUS
    assert ("bounded in double" if method == "double" else "enclosed in arb") in result.message
    reference = solve_link(problem, link, dps=100, verify=False)
    with flint.ctx.workprec(500):
        assert all(ball.contains(exact_arb(b)) for ball, b in zip(result.beta_balls, reference.beta))


def test_polish_forms_j_in_arb_when_double_steps_stop_contracting(monkeypatch):
    # a double direction from weights off by up to 50% contracts by ~1/2, not by CONTRACTION
    # (and the line search cannot repair a direction that is not the Newton one): the polish
    # must notice and finish with J in arb
    original, arb_jacobians = _arb_system.double_newton_step, []
    factors = [flint.arb(f) for f in np.random.default_rng(0).uniform(0.5, 1.5, 20)]

    def skewed(X_double, w, gradient):
        return original(X_double, [wi * f for wi, f in zip(w, factors)], gradient)

    monkeypatch.setattr(_arb_system, "double_newton_step", skewed)
    monkeypatch.setattr(_arb_system.ArbSystem, "jacobian",
                        lambda self, w, _j=_arb_system.ArbSystem.jacobian: arb_jacobians.append(1) or _j(self, w))
    problem, link = random_problem(19, 6, 20), depth2_link("1", 20)
    result = solve_link_flint(problem, link, dps=40, certify=False)
    assert result.status is SolveStatus.POLISHED and arb_jacobians
    reference = solve_link(problem, link, dps=60, verify=False)
    with flint.ctx.workprec(300):
        scale = max(abs(exact_arb(b)) for b in reference.beta)
        assert max(abs(m - exact_arb(b)) for m, b in zip(result.beta, reference.beta)) <= flint.arb(10) ** -40 * scale


@settings(max_examples=25, deadline=None, derandomize=True)
@given(problem=problems(max_n=5, max_d=14), alpha=alphas(min_value="1e-6", max_value="1e4"),
       make=st.sampled_from([depth2_link, lambda a, d: depth_link(3, a, d)]), dps=st.sampled_from([30, 50]))
def test_certified_balls_hold_the_solution_on_drawn_problems(problem, alpha, make, dps):
    # the fast paths (J in double, the double Krawczyk bound) on drawn problems, scales and
    # depths: every certified ball must hold the mpmath solution computed 25 digits beyond
    # the certified radius (a coarser reference cannot judge a ball of radius 1e-79)
    link = make(alpha, problem.d)
    result = solve_link_flint(problem, link, dps=dps)
    assert result.status is SolveStatus.CERTIFIED, result.message
    digits = max(dps + 20, -int(result.radius.split("e")[1]) + 25)
    reference = solve_link(problem, link, dps=digits, verify=False)
    with flint.ctx.workprec(4 * digits):
        assert all(ball.contains(exact_arb(b)) for ball, b in zip(result.beta_balls, reference.beta))


def test_polish_raises_the_precision_when_the_final_steps_stall():
    # planted-5x12 at alpha = 100 (w0 = 1): the bits estimate (3.33 dps + weight range + 30 =
    # 163 at dps 40) ignores cond(J), and the residual stalls at ~1e-45 there; the polish must
    # notice (STALL_ITERATIONS), raise the precision and still certify
    from krtheory.builtin_problems import builtin_problem
    from krtheory.families.diagonal import implicit_link

    problem = builtin_problem("planted-5x12")
    link = implicit_link("diagonal", 2, "100", None, problem.d)
    result = solve_link_flint(problem, link, dps=40)
    assert result.status is SolveStatus.CERTIFIED and result.bits > 163 and result.certified_digits >= 40
    reference = solve_link(problem, link, dps=90, verify=False)
    with flint.ctx.workprec(400):
        assert all(ball.contains(exact_arb(b)) for ball, b in zip(result.beta_balls, reference.beta))


# -- sympy -> arb ------------------------------------------------------------------------------------------
def test_rational_constants_stay_exact():
    with flint.ctx.workprec(200):
        third = arb_function(NU, NU * sympy.Rational(1, 3))(flint.arb(1))
        assert third.contains(flint.fmpq(1, 3))
        assert third.rad() < flint.arb(2) ** -195


@pytest.mark.parametrize("expr", [2 * sympy.sinh(NU), sympy.cosh(NU) - 1, sympy.exp(-NU / 3), sympy.log(1 + NU),
                                  sympy.sqrt(4 + NU ** 2), sympy.asinh(NU / 2), (1 - NU) ** sympy.Rational(-5, 3),
                                  4 * NU / (1 - NU ** 2) ** 2, sympy.pi * NU + sympy.E])
def test_compiled_functions_agree_with_mpmath(expr):
    ctx = context(70)
    reference = lambdify(NU, expr, ctx)(ctx.mpf("0.375"))
    with flint.ctx.workprec(230):
        value = arb_function(NU, expr)(flint.arb("0.375"))
        assert value.rad() < flint.arb(2) ** -200
        assert abs(value - exact_arb(reference)) < flint.arb(10) ** -65


def test_unknown_function_is_not_applicable():
    with pytest.raises(NotApplicable, match="gamma"):
        arb_function(NU, sympy.gamma(NU))


# -- balls ---------------------------------------------------------------------------------------------------
def test_compare_ball_is_three_valued():
    assert compare_ball(flint.arb(0, 1), "0.5") is None          # [-1, 1] straddles 0.5
    assert compare_ball(flint.arb(2, "0.1"), 3) is True
    assert compare_ball(flint.arb(2, "0.1"), "1/3") is False
    assert compare_ball(flint.arb(1) / 3, Fraction(1, 2)) is True


def test_decimal_upper_rounds_up():
    with flint.ctx.workprec(100):
        for x in ["1e-60", "0.0099999", "123456", "-2.5", "999.9"]:
            text = decimal_upper(flint.arb(x))
            assert Fraction(text) >= abs(Fraction(x)) and Fraction(text) <= abs(Fraction(x)) * Fraction(101, 100)
    assert decimal_upper(flint.arb("nan")) == "inf"


# -- missing python-flint ---------------------------------------------------------------------------------------
def test_missing_flint_is_not_applicable(monkeypatch):
    monkeypatch.setitem(sys.modules, "flint", None)  # makes `import flint` raise ImportError
    with pytest.raises(NotApplicable) as error:
        solve_link_flint(random_problem(1, 3, 6), depth2_link("1", 6))
    assert str(error.value) == FLINT_MISSING


def test_bad_arguments_are_named():
    problem = random_problem(1, 3, 6)
    with pytest.raises(InvalidArgument, match="start"):
        solve_link_flint(problem, depth2_link("1", 6), start=[0, 0])
    with pytest.raises(InvalidArgument, match="max_iterations"):
        solve_link_flint(problem, depth2_link("1", 6), max_iterations=0)
    with pytest.raises(InvalidArgument, match="dps"):
        solve_link_flint(problem, depth2_link("1", 6), dps=2)
