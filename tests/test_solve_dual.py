"""The shared dual-solve contract (krtheory.solve._dual) and the biased log-domain evaluator
(krtheory.solve._evaluate): a solve that runs out of iterations says so with an actionable
SolveStatus in every backend, and beta = a (P e^(k u) - M e^(-k u)), w = a b k (P e^(k u) + M e^(-k u))
in double agree with mpmath at 50 digits, for scales far outside double's range.
"""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy

from krtheory.errors import NoConvergence
from krtheory.families.wide import biased_link
from krtheory.links import Link
from krtheory.problem import Problem
from krtheory.solve._dual import SolveStatus
from krtheory.solve._evaluate import BiasedForm, biased_form, evaluator
from krtheory.solve.float64 import solve_link_float
from krtheory.solve.mp import solve_link

NU = sympy.Symbol("nu")
#: Relative agreement per unit of |k u + shift| (exp's relative error grows with its argument).
EVALUATION = 1e-14


def depth2(alpha, d):
    """Theorem 1: beta_i = 2 alpha^2 sinh(4 t_i)."""
    return Link("depth 2", NU, 2 * sympy.sinh(NU), 2 * sympy.cosh(NU) - 2, sympy.oo,
                [str(Fraction(alpha) ** 2)] * d, ["4"] * d)


PROBLEM = Problem.random_dyadic(np.random.default_rng(2), 4, 12, 3)


def test_statuses_say_what_to_do():
    assert SolveStatus.NOT_CONVERGED.value.endswith("raise max_iterations")
    assert "mpmath" in SolveStatus.OUT_OF_RANGE.value and "certify=True" in SolveStatus.POLISHED.value
    assert [s.code for s in SolveStatus] == ["ok", "certified", "polished", "uncertified", "out_of_range",
                                             "not_converged", "stalled"]


def test_float_solve_out_of_iterations_reports_not_converged():
    result = solve_link_float(PROBLEM, depth2("1e-6", 12), max_iterations=1)
    assert result.status is SolveStatus.NOT_CONVERGED and not result.ok
    assert "max_iterations=1 " in result.message and result.message.endswith("raise max_iterations")


def test_float_solve_out_of_range_reports_it():
    result = solve_link_float(PROBLEM, depth2("1e200", 12))  # lam ~ 1e-400 underflows double
    assert result.status is SolveStatus.OUT_OF_RANGE and not result.ok


@pytest.mark.parametrize("solve", [lambda: solve_link(PROBLEM, depth2("1e-6", 12), max_iterations=1),
                                   lambda: __import__("krtheory.solve.certified", fromlist=["x"]).solve_link_flint(
                                       PROBLEM, depth2("1e-6", 12), max_iterations=1, start=[0] * 4)])
def test_high_precision_solves_out_of_iterations_raise_with_the_advice(solve):
    with pytest.raises(NoConvergence, match="max_iterations=1 .*raise max_iterations"):
        solve()


def test_biased_form_is_detected():
    A, B = sympy.symbols("A B", positive=True)
    assert biased_form(NU, A * sympy.exp(NU) - B * sympy.exp(-NU), (A, B)) == BiasedForm(1, A, B)
    assert biased_form(NU, 3 * sympy.exp(2 * NU) - sympy.exp(-2 * NU)) == BiasedForm(2, 3, 1)
    assert biased_form(NU, A * sympy.exp(NU) - B * sympy.exp(-2 * NU), (A, B)) is None   # two rates
    assert biased_form(NU, A * sympy.exp(NU) + B * sympy.exp(-NU), (A, B)) is None       # not increasing
    assert biased_form(NU, A * sympy.sinh(NU) + NU, (A,)) is None


@pytest.mark.parametrize("A, B", [("3/2", "1/4"), ("1e-300", "7e-301"), ("1e300", "2e-300"), ("5e-320", "1e290")])
def test_biased_evaluator_matches_mpmath(A, B):
    # the wide link h(nu; A, B) = A e^nu - B e^-nu (amplitude 1, rate 2), evaluated at u = b t
    link = biased_link([(A, B)] * 3)
    ev = evaluator(link)
    assert ev.__class__.__name__ == "_LogDomain"
    with mpmath.workdps(50):
        _compare(ev, A, B)


def _compare(ev, A, B):
    a_, b_ = mpmath.mpf(Fraction(A).numerator) / Fraction(A).denominator, \
        mpmath.mpf(Fraction(B).numerator) / Fraction(B).denominator
    shift = float(abs(mpmath.log(a_ / b_))) / 2
    for u in (-40.0, -3.0, -0.5, 0.0, 0.25, 2.0, 60.0):
        points = np.array([u, u / 2, -u])
        beta = ev.beta(points)
        with np.errstate(all="ignore"):
            direct, w, top = ev.evaluate(points)
        for i, x in enumerate(points):
            x = mpmath.mpf(float(x))
            plus, minus = a_ * mpmath.exp(x), b_ * mpmath.exp(-x)
            tolerance = EVALUATION * (1 + abs(float(x)) + shift) * (plus + minus)  # the rounding scale of beta
            if abs(plus - minus) > np.finfo(float).max:  # beyond double: only the sign survives
                assert beta[i] == direct[i] == (np.inf if plus > minus else -np.inf)
            else:
                assert abs(mpmath.mpf(float(beta[i])) - (plus - minus)) <= tolerance
                assert abs(mpmath.mpf(float(direct[i])) - (plus - minus)) <= tolerance
            weight = 2 * (plus + minus)
            # compared in logarithms: w is relative to e^top, and top carries ~|top| eps
            error = abs(mpmath.log(float(w[i])) + top - mpmath.log(weight))
            assert error <= EVALUATION * (1 + abs(float(x)) + shift + abs(top))
