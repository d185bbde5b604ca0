"""krtheory.precision: private contexts, lambdify at a context's precision, dps and tolerances."""

import mpmath
import pytest

from krtheory import InvalidArgument
from krtheory.precision import Tolerance, check_dps, context, lambdify, to_decimal


def test_context_is_private_and_lambdify_uses_it():
    import sympy

    z = sympy.Symbol("z")
    ctx = context(50)
    f = lambdify(z, sympy.asinh(z / 2), ctx)
    value = f(ctx.mpf(1))
    exact = sympy.N(sympy.asinh(sympy.Rational(1, 2)), 60)
    assert abs(value - ctx.mpf(str(exact))) < ctx.mpf("1e-49")
    assert mpmath.mp.dps == 15


def test_lambdify_keeps_rationals_exact():
    """A plain namespace would print Rational(-5, 3) as the float -5/3 (16 digits)."""
    import sympy

    z = sympy.Symbol("z")
    expr = (1 - z) ** sympy.Rational(-5, 3) + z / 3
    ctx = context(60)
    value = lambdify(z, expr, ctx)(ctx.mpf(1) / 2)
    exact = sympy.N(expr.subs(z, sympy.Rational(1, 2)), 70)
    assert abs(value - ctx.mpf(str(exact))) < ctx.mpf("1e-58")


def test_the_leak_guard_would_catch_a_global_change():
    """The autouse fixture asserts the global precision after each test; check its logic here
    by changing and restoring it inside the test, and showing the change is visible."""
    before = mpmath.mp.prec
    mpmath.mp.dps = 40
    try:
        assert mpmath.mp.prec != before
    finally:
        mpmath.mp.prec = before


def test_check_dps_and_tolerance():
    assert check_dps("30") == 30
    for bad in (0, -5, "x", 10 ** 9):
        with pytest.raises(InvalidArgument, match="dps"):
            check_dps(bad)
    tol = Tolerance.from_dps(40, 15, "flow truncation")
    assert tol.digits == 25 and tol.as_dict()["relative"] == "1e-25"
    with pytest.raises(ValueError):
        Tolerance.from_dps(10, 10, "too much slack")


def test_to_decimal_refuses_fewer_than_one_digit():
    ctx = context(20)
    assert to_decimal(ctx, ctx.mpf(2) / 3, 3) == "0.667"
    for bad in (0, -1, True, 2.0):
        with pytest.raises(InvalidArgument, match="digits >= 1"):
            to_decimal(ctx, ctx.one, bad)
