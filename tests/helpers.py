"""Shared test helpers. First the catalogue of reference links and closed forms that the tests
(and benchmarks/run.py) compare against; then a digit comparison and a toy claim.

The links are typed by hand from the paper on purpose, never built by krtheory's derivation, so that a test
against them is independent of the code under test; tests/test_helpers.py checks once that they
equal the derived ones. beta_i = a_i h(b_i t_i), t = X^T lambda, G' = h, G(0) = 0:

- Theorem 1 (depth 2, eq. 18): h = 2 sinh(nu), a_i = alpha^2 w0_i^2, b_i = 4;
- Theorem 3 (depth D >= 3): h_D = (1 - nu)^(-D/(D-2)) - (1 + nu)^(-D/(D-2)) on (-1, 1),
  a_i = alpha^D, b_i = D (D-2) alpha^(D-2);
- the explicit regularizer R (eqs. 8-9): h = 4 nu / (1 - nu^2)^2 on (-1, 1), a_i = alpha^2, b_i = 1.
"""

from decimal import Decimal
from fractions import Fraction

import sympy

from krtheory.claims import Claim, Domain
from krtheory.links import Link
from krtheory.precision import Tolerance

NU = sympy.Symbol("nu")


def depth2_link(alpha, d, w0=None):
    """Theorem 1: beta_i = 2 alpha^2 w0_i^2 sinh(4 t_i) (any positive rate gives the same beta)."""
    w0 = w0 or [1] * d
    a = [str(Fraction(alpha) ** 2 * Fraction(w) ** 2) for w in w0]
    return Link("depth 2", NU, 2 * sympy.sinh(NU), 2 * sympy.cosh(NU) - 2, sympy.oo, a, ["4"] * d)


def depth_link(D, alpha, d):
    """Theorem 3: h_D = (1 - nu)^(-D/(D-2)) - (1 + nu)^(-D/(D-2)), a = alpha^D, b = D(D-2) alpha^(D-2)."""
    p = sympy.Rational(D, D - 2)
    h = (1 - NU) ** -p - (1 + NU) ** -p
    G = ((1 - NU) ** (1 - p) + (1 + NU) ** (1 - p) - 2) / (p - 1)
    alpha = Fraction(alpha)
    return Link(f"depth {D}", NU, h, G, 1, [str(alpha ** D)] * d, [str(D * (D - 2) * alpha ** (D - 2))] * d)


def explicit_link(alpha, d):
    """Eqs. 8-9: h = 4 nu / (1 - nu^2)^2 on (-1, 1), a = alpha^2, b = 1."""
    return Link("explicit", NU, 4 * NU / (1 - NU ** 2) ** 2, 2 / (1 - NU ** 2) - 2, 1,
                [str(Fraction(alpha) ** 2)] * d, ["1"] * d)


def hypentropy_q(ctx, z):
    """q(z) = 2 - sqrt(4 + z^2) + z asinh(z/2) (Theorem 1, eq. 4), in the cancellation-free form
    z asinh(z/2) - z^2 / (2 + sqrt(4 + z^2)); ``ctx`` is an mpmath context (or the mpmath module)."""
    return z * ctx.asinh(z / 2) - z * z / (2 + ctx.sqrt(4 + z * z))


def within_half_unit(ctx, value, expected: str) -> bool:
    """Within half a unit of the last digit of ``expected``."""
    half_unit = Decimal(5).scaleb(Decimal(expected).as_tuple().exponent - 1)
    return abs(value - ctx.mpf(expected)) <= ctx.mpf(str(half_unit))


def toy_claim(check):
    """A claim "test.claim" that ``check`` (RunConfig -> Verdict) decides, for the registry and CLI tests."""
    return Claim("test.claim", "statement", "§0", Domain("nowhere"), Tolerance(10, "test"), check)
