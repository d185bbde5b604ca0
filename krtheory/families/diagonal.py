"""From a derivation to the numbers a solve needs: the separable :class:`~krtheory.links.Link`.

A derivation gives the unit-scale link h(nu) and its scale rule beta_i = a(c_i) h(b(c_i) t_i)
with c_i = alpha * w0_i (sympy). Here a(c_i), b(c_i) are evaluated *exactly* (rationals) for
the user's alpha and shape, so a solve at any dps starts from exact data.
"""

from __future__ import annotations

from fractions import Fraction

from krtheory.errors import InvalidArgument
from krtheory._validation import check_positive, check_shape

FAMILIES = ("diagonal", "explicit")


def initial_scales(alpha, shape, d: int) -> tuple[Fraction, ...]:
    """c_i = alpha * |w0_i| exactly (the flows of w0_i and -w0_i coincide for the even
    parametrizations here)."""
    alpha_f = Fraction(check_positive(alpha, "alpha"))
    if shape is None:
        return (alpha_f,) * d
    return tuple(alpha_f * abs(Fraction(w)) for w in check_shape(shape, d))


def link_from_derivation(derivation, scales, name: str):
    """The Link beta_i = a(c_i) h(b(c_i) t_i) of a derivation at exact scales c_i."""
    import sympy

    from krtheory.links import Link

    def exact(expr, c_value):
        value = sympy.sympify(expr).subs(derivation.c, sympy.Rational(c_value.numerator,
                                                                       c_value.denominator))
        if not value.is_Rational:
            raise InvalidArgument(f"{name}: scale {expr} is not rational at c={c_value}")
        return f"{value.p}/{value.q}"

    return Link(name=name, nu=derivation.nu, h=derivation.link, G=derivation.dual_potential,
                radius=derivation.nu_radius,
                amplitude=tuple(exact(derivation.amplitude, c) for c in scales),
                rate=tuple(exact(derivation.rate, c) for c in scales))


def implicit_link(family: str, depth: int, alpha, shape, d: int):
    """The link of the implicit bias of ``family`` (Theorems 1 and 3) or of the explicit
    regularizer R (eqs. 8-9) at scale alpha and shape w0 on R^d."""
    scales = initial_scales(alpha, shape, d)
    if family == "diagonal":
        from krtheory.derive.engine import derive_diagonal

        return link_from_derivation(derive_diagonal(depth), scales,
                                    f"diagonal depth {depth} (alpha={alpha})")
    if family == "explicit":
        from krtheory.families.explicit import derive_explicit

        return link_from_derivation(derive_explicit(), scales, f"explicit R (alpha={alpha})")
    raise InvalidArgument(f"unknown family {family!r}; known: {', '.join(FAMILIES)}")


def regularizer_value(derivation, beta, scales, ctx):
    """Q(beta) = sum_i w(c_i) q(beta_i / a(c_i)) in ``ctx`` (beta: ctx numbers, scales: exact
    c_i), with q, a and w from the derivation (never retyped); for D >= 3 q solves h^{-1} itself."""
    from krtheory.derive.potential import potential_function
    from krtheory.precision import lambdify

    q = potential_function(derivation, ctx)
    weight = lambdify(derivation.c, derivation.weight(), ctx)
    amplitude = lambdify(derivation.c, derivation.amplitude, ctx)
    total = []
    for b, c in zip(beta, scales):
        c_value = ctx.mpf(c.numerator) / c.denominator
        total.append(weight(c_value) * q(b / amplitude(c_value))[0])
    return ctx.fsum(total)
