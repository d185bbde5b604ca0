"""The explicit regularizer R (eqs. 8-9): link from the Lagrange conditions, the paper's quartic,
r the smaller real root; reference values from FORMULAS.md §9 (brute-force minimisation there)."""

import pytest
import sympy

from krtheory.explicit import derive_explicit
from krtheory.precision import context, lambdify

R_REFERENCE = {"0.5": "0.0307831733", "1": "0.1183510857", "2": "0.4227814124",
               "10": "5.082500597", "100": "81.47370336"}


def test_every_step_verified():
    derivation = derive_explicit()
    assert derivation.verified(), [s for s in derivation.steps if s.status != "verified"]
    mu = derivation.nu
    assert sympy.simplify(derivation.link - 4 * mu / (1 - mu ** 2) ** 2) == 0
    assert sympy.simplify(derivation.amplitude - derivation.c ** 2) == 0


def _r_of_z(z: str, ctx):
    """r(z) by solving z = h(mu) for mu in (0, 1) and evaluating r(mu), at ctx's precision."""
    derivation = derive_explicit()
    h = lambdify(derivation.nu, derivation.link, ctx)
    r = lambdify(derivation.nu, derivation.value, ctx)
    mu = ctx.findroot(lambda m: h(m) - ctx.mpf(z), (ctx.mpf("1e-6"), ctx.mpf("0.999999")),
                      solver="anderson")
    return r(mu)


@pytest.mark.parametrize("z, expected", sorted(R_REFERENCE.items()))
def test_r_matches_reference_values(z, expected):
    ctx = context(30)
    value = _r_of_z(z, ctx)
    assert abs(value - ctx.mpf(expected)) < ctx.mpf("1e-9") * max(1, abs(value))


@pytest.mark.parametrize("z", ["1", "10", "-3"])
def test_r_is_the_smaller_of_two_real_roots_of_the_quartic(z):
    ctx = context(40)
    z_value = abs(ctx.mpf(z))
    paper = [1, -6, 12 - 2 * z_value ** 2, -(8 + 10 * z_value ** 2), z_value ** 2 + z_value ** 4]
    roots = ctx.polyroots(paper, maxsteps=200, extraprec=80)
    real = sorted(ctx.re(x) for x in roots if abs(ctx.im(x)) < ctx.mpf("1e-20"))
    assert len(real) == 2  # not "the unique real root"
    assert abs(real[0] - _r_of_z(str(z_value), ctx)) < ctx.mpf("1e-30")
