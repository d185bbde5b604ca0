"""From a derivation to the numbers a solve needs: the separable :class:`~krtheory.links.Link`.

A derivation gives the unit-scale link h(nu) and its scale rule beta_i = a(c_i) h(b(c_i) t_i)
with c_i = alpha * w0_i (sympy). Here a(c_i), b(c_i) are evaluated *exactly* (rationals) for
the user's alpha and shape, so a solve at any dps starts from exact data.
"""

from __future__ import annotations

import sys
from fractions import Fraction

from krtheory.errors import InvalidArgument
from krtheory._validation import check_positive, check_positive_int, check_shape


def _max_scale_bits() -> int | None:
    """Exact scales a(c_i), b(c_i) are kept as p/q strings, and Python prints an int of at most
    ``sys.get_int_max_str_digits()`` digits (4300 by default: alpha = 1e2150 at depth 2 is
    beyond it, the bounds probes' alpha = 1e-2000 is not); None when the limit is off."""
    digits = sys.get_int_max_str_digits()
    return None if digits == 0 else int(digits * 3.3219) - 64


def initial_scales(alpha, shape, d: int) -> tuple[Fraction, ...]:
    """c_i = alpha * |w0_i| exactly (the flows of w0_i and -w0_i coincide for the even
    parametrizations here)."""
    check_positive_int(d, "d")
    alpha_f = Fraction(check_positive(alpha, "alpha"))
    if shape is None:
        return (alpha_f,) * d
    return tuple(alpha_f * abs(Fraction(w)) for w in check_shape(shape, d))


#: The parts of a derivation a Link needs, as :func:`link_data` stores them.
LINK_PARTS = ("nu", "h", "G", "radius", "amplitude", "rate", "c")


def link_data(derivation) -> dict[str, str]:
    """The parts of a derivation its Link needs (nu, h, G, radius, a(c), b(c), c) as exact
    sympy ``srepr`` strings: what :mod:`krtheory._cache` stores across processes."""
    import sympy

    return {"nu": sympy.srepr(derivation.nu), "h": sympy.srepr(derivation.link),
            "G": sympy.srepr(derivation.dual_potential), "radius": sympy.srepr(derivation.nu_radius),
            "amplitude": sympy.srepr(sympy.sympify(derivation.amplitude)),
            "rate": sympy.srepr(sympy.sympify(derivation.rate)), "c": sympy.srepr(derivation.c)}


def _link_data_valid(data) -> bool:
    """The shape :func:`link_data` stores: its seven parts, each text that parses as Python (srepr
    is Python syntax; what does not parse as sympy is reported by the Link when it is used)."""
    import ast

    if not (isinstance(data, dict) and set(data) == set(LINK_PARTS) and all(isinstance(v, str) for v in data.values())):
        return False
    try:
        for text in data.values():
            ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return False
    return True


def link_from_data(data: dict[str, str], scales, name: str):
    """The Link beta_i = a(c_i) h(b(c_i) t_i) of :func:`link_data` at exact scales c_i. Its sympy
    parts stay text until used (:meth:`Link.from_text`), and scales that are polynomials in c
    (every built-in family's) are evaluated from their srepr text exactly, so a float64 solve
    of a cached link imports no sympy."""
    from krtheory.links import SYMBOLIC, Link

    def exact(part, c_value):
        value = _polynomial_at(data[part], c_value)
        if value is None:  # not a polynomial in c: let sympy evaluate it
            import sympy

            found = sympy.sympify(data[part]).subs(sympy.sympify(data["c"]),
                                                   sympy.Rational(c_value.numerator, c_value.denominator))
            if not found.is_Rational:
                raise InvalidArgument(f"{name}: scale {found} is not rational at c={c_value}")
            value = Fraction(found.p, found.q)
        limit = _max_scale_bits()
        if limit is not None and max(abs(value.numerator), value.denominator).bit_length() > limit:
            raise InvalidArgument(f"{name}: the exact scale {part} at c = alpha*|w0_i| has more "
                                  f"than {sys.get_int_max_str_digits()} digits (alpha or the shape "
                                  "is too extreme)")
        return f"{value.numerator}/{value.denominator}"

    return Link.from_text(name, {part: data[part] for part in SYMBOLIC},
                          amplitude=tuple(exact("amplitude", c) for c in scales),
                          rate=tuple(exact("rate", c) for c in scales))


def _polynomial_at(text: str, c_value: Fraction) -> Fraction | None:
    """The sympy srepr ``text`` of a polynomial in the one symbol c (Integer, Rational, Symbol,
    Add, Mul, Pow with an Integer exponent) evaluated exactly at c; None for anything else."""
    import ast

    def integer(node) -> int:
        negative = isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
        literal = node.operand if negative else node
        if not (isinstance(literal, ast.Constant) and type(literal.value) is int):
            raise ValueError
        return -literal.value if negative else literal.value

    def value(node):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            raise ValueError
        head, args = node.func.id, node.args
        if head == "Symbol":
            return c_value
        if head in ("Integer", "Rational"):
            return Fraction(*(integer(a) for a in args))
        if head == "Pow" and len(args) == 2 and isinstance(exponent := value(args[1]), Fraction) \
                and exponent.denominator == 1 and (exponent >= 0 or value(args[0]) != 0):
            return value(args[0]) ** int(exponent)
        if head in ("Add", "Mul") and args:
            terms = [value(a) for a in args]
            total = terms[0]
            for term in terms[1:]:
                total = total + term if head == "Add" else total * term
            return total
        raise ValueError

    try:
        return value(ast.parse(text, mode="eval").body)
    except (ValueError, SyntaxError, TypeError, RecursionError):
        return None


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
    from krtheory.families.registry import FAMILIES, ScaledFamily

    if not isinstance(FAMILIES.get(family), ScaledFamily):
        scaled = (name for name, entry in FAMILIES.items() if isinstance(entry, ScaledFamily))
        raise InvalidArgument(f"unknown family {family!r}; known: {', '.join(scaled)}")
    scales = initial_scales(alpha, shape, d)
    key = {"family": family, "depth": depth if family == "diagonal" else None}
    data = _cache.cached("link", key, lambda: link_data(_derivation(family, depth)), valid=_link_data_valid)
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
