"""From a derivation to the numbers a solve needs: the separable :class:`~krtheory.links.Link`.

A derivation gives the unit-scale link h(nu) and its scale rule beta_i = a(c_i) h(b(c_i) t_i)
with c_i = alpha * w0_i (sympy). Here a(c_i), b(c_i) are evaluated *exactly* (rationals) for
the user's alpha and shape, so a solve at any dps starts from exact data.
"""

from __future__ import annotations

import sys
from fractions import Fraction

from krtheory.errors import InvalidArgument
from krtheory._validation import check_positive, check_shape

FAMILIES = ("diagonal", "explicit")


def _max_scale_bits() -> int | None:
    """Exact scales a(c_i), b(c_i) are kept as p/q strings, and Python prints an int of at most
    ``sys.get_int_max_str_digits()`` digits (4300 by default: alpha = 1e2150 at depth 2 is
    beyond it, the bounds probes' alpha = 1e-2000 is not); None when the limit is off."""
    digits = sys.get_int_max_str_digits()
    return None if digits == 0 else int(digits * 3.3219) - 64


def initial_scales(alpha, shape, d: int) -> tuple[Fraction, ...]:
    """c_i = alpha * |w0_i| exactly (the flows of w0_i and -w0_i coincide for the even
    parametrizations here)."""
    alpha_f = Fraction(check_positive(alpha, "alpha"))
    if shape is None:
        return (alpha_f,) * d
    return tuple(alpha_f * abs(Fraction(w)) for w in check_shape(shape, d))


def link_data(derivation) -> dict[str, str]:
    """The parts of a derivation its Link needs (nu, h, G, radius, a(c), b(c), c) as exact
    sympy ``srepr`` strings: what :mod:`krtheory._cache` stores across processes."""
    import sympy

    return {"nu": sympy.srepr(derivation.nu), "h": sympy.srepr(derivation.link),
            "G": sympy.srepr(derivation.dual_potential), "radius": sympy.srepr(derivation.nu_radius),
            "amplitude": sympy.srepr(sympy.sympify(derivation.amplitude)),
            "rate": sympy.srepr(sympy.sympify(derivation.rate)), "c": sympy.srepr(derivation.c)}


def link_from_data(data: dict[str, str], scales, name: str):
    """The Link beta_i = a(c_i) h(b(c_i) t_i) of :func:`link_data` at exact scales c_i."""
    import sympy

    from krtheory.links import Link

    parts = {key: sympy.sympify(text) for key, text in data.items()}

    def exact(expr, c_value):
        value = expr.subs(parts["c"], sympy.Rational(c_value.numerator, c_value.denominator))
        if not value.is_Rational:
            raise InvalidArgument(f"{name}: scale {expr} is not rational at c={c_value}")
        limit = _max_scale_bits()
        if limit is not None and max(abs(value.p), value.q).bit_length() > limit:
            raise InvalidArgument(f"{name}: the exact scale {expr} at c = alpha*|w0_i| has more "
                                  f"than {sys.get_int_max_str_digits()} digits (alpha or the shape "
                                  "is too extreme)")
        return f"{value.p}/{value.q}"

    return Link(name=name, nu=parts["nu"], h=parts["h"], G=parts["G"], radius=parts["radius"],
                amplitude=tuple(exact(parts["amplitude"], c) for c in scales),
                rate=tuple(exact(parts["rate"], c) for c in scales))


def link_from_derivation(derivation, scales, name: str):
    """The Link beta_i = a(c_i) h(b(c_i) t_i) of a derivation at exact scales c_i."""
    return link_from_data(link_data(derivation), scales, name)


def _derivation(family: str, depth: int):
    if family == "diagonal":
        from krtheory.derive.engine import derive_diagonal

        return derive_diagonal(depth)
    from krtheory.families.explicit import derive_explicit

    return derive_explicit()


def implicit_link(family: str, depth: int, alpha, shape, d: int):
    """The link of the implicit bias of ``family`` (Theorems 1 and 3) or of the explicit
    regularizer R (eqs. 8-9) at scale alpha and shape w0 on R^d. The derivation's link data
    is reused across processes (:mod:`krtheory._cache`; measured: the depth-2 derivation is
    ~80% of a cold ``krtheory solve`` call)."""
    from krtheory import _cache

    if family not in FAMILIES:
        raise InvalidArgument(f"unknown family {family!r}; known: {', '.join(FAMILIES)}")
    scales = initial_scales(alpha, shape, d)
    key = {"family": family, "depth": depth if family == "diagonal" else None}
    data = _cache.cached("link", key, lambda: link_data(_derivation(family, depth)))
    name = f"diagonal depth {depth} (alpha={alpha})" if family == "diagonal" else f"explicit R (alpha={alpha})"
    return link_from_data(data, scales, name)


def regularizer_value(derivation, beta, scales, ctx, q=None):
    """Q(beta) = sum_i w(c_i) q(beta_i / a(c_i)) in ``ctx`` (beta: ctx numbers, scales: exact
    c_i), with q, a and w from the derivation (never retyped); for D >= 3 q solves h^{-1} itself.
    ``q``: z -> q(z) as a ctx number (e.g. verified values); default the derived q compiled for ctx."""
    from krtheory.derive.potential import potential_function
    from krtheory.precision import lambdify

    if q is None:
        compiled = potential_function(derivation, ctx)

        def q(z):
            return compiled(z)[0]
    weight = lambdify(derivation.c, derivation.weight(), ctx)
    amplitude = lambdify(derivation.c, derivation.amplitude, ctx)
    total = []
    for b, c in zip(beta, scales):
        c_value = ctx.mpf(c.numerator) / c.denominator
        total.append(weight(c_value) * q(b / amplitude(c_value)))
    return ctx.fsum(total)
