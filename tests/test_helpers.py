"""The hand-typed reference links of tests/helpers.py are the derived ones: the same h, G and
domain of nu, and the same exact a_i, b_i (Theorems 1 and 3, eqs. 8-9), so that a test against
the catalogue checks what the derivation gives."""

from fractions import Fraction

import pytest
import sympy

from krtheory.families.diagonal import implicit_link
from krtheory.precision import context
from tests.helpers import NU, depth2_link, depth_link, explicit_link, hypentropy_q

ALPHA = "0.3"


def _same_link(reference, derived):
    """Equal h, G (after renaming the derived link's variable to nu), radius, a and b."""
    rename = {derived.nu: NU}
    assert sympy.simplify(sympy.sympify(derived.h).subs(rename) - reference.h) == 0
    assert sympy.simplify(sympy.sympify(derived.G).subs(rename) - reference.G) == 0
    assert derived.radius == reference.radius
    assert [Fraction(a) for a in derived.amplitude] == [Fraction(a) for a in reference.amplitude]
    assert [Fraction(b) for b in derived.rate] == [Fraction(b) for b in reference.rate]


def test_depth2_link_is_theorem1s_derived_link():
    _same_link(depth2_link(ALPHA, 3), implicit_link("diagonal", 2, ALPHA, None, 3))


def test_depth2_link_with_a_shape_is_the_derived_one():
    shape = ["1", "0.5", "2"]
    _same_link(depth2_link(ALPHA, 3, shape), implicit_link("diagonal", 2, ALPHA, shape, 3))


@pytest.mark.parametrize("depth", [3, 4, 5])
def test_depth_link_is_theorem3s_derived_link(depth):
    _same_link(depth_link(depth, ALPHA, 2), implicit_link("diagonal", depth, ALPHA, None, 2))


def test_explicit_link_is_the_derived_one():
    _same_link(explicit_link(ALPHA, 2), implicit_link("explicit", 2, ALPHA, None, 2))


@pytest.mark.parametrize("z", ["1e-30", "0.5", "-3", "1e20"])
def test_hypentropy_q_is_the_typed_potential_and_integrates_the_inverse_link(z):
    # q(z) = 2 - sqrt(4 + z^2) + z asinh(z/2) at 3x the digits (its cancellation at tiny z resolved),
    # and q' = h^{-1} = asinh(z/2) (Theorem 1)
    ctx, wide = context(30), context(120)
    x, w = ctx.mpf(z), wide.mpf(z)
    typed = 2 - wide.sqrt(4 + w * w) + w * wide.asinh(w / 2)
    assert abs(hypentropy_q(ctx, x) - typed) <= 4 * ctx.eps * abs(typed)
    assert abs(ctx.diff(lambda v: hypentropy_q(ctx, v), x) - ctx.asinh(x / 2)) <= ctx.mpf("1e-25") * (1 + abs(x))
