"""A user parametrization ``beta_i = P(theta_i)`` made numeric: the flow's model and the
prediction's link, from exact initial values (one per parameter, or one per coordinate).

The link comes from one derivation per *pattern* of initial values (:func:`initial_pattern`,
cached by :func:`krtheory.families.custom.derive_parametrization`): a parameter whose initial
values are all zero keeps 0, every other one stands for a positive symbol with the sign of its
values, and parameters with the same values share a symbol. So u(0) = v(0) on
``u**D - v**D`` takes the diagonal form a(c) h(b(c) s) (Theorems 1, 3) and ``u*v`` from
u(0) != v(0) (Azulay et al.'s unbalanced initialization) the biased link
A e^{bs} - B e^{-bs} (paper §6); each coordinate's numbers then go exactly into a(c_i),
b(c_i) or (A_i, B_i), and one derivation serves every initialization of the same pattern.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from krtheory.errors import InvalidArgument, NotApplicable
from krtheory.families.custom import derive_parametrization, parse_parametrization


def initial_columns(init: dict) -> dict:
    """{name: exact string (every coordinate) or tuple of exact strings (one per coordinate)}."""
    from krtheory.flow.models import initial_column

    if not isinstance(init, dict) or not init:
        raise InvalidArgument(f"init must be a non-empty dict {{parameter: initial value(s)}} but got "
                              f"init={init!r}")
    return {name: initial_column(value, f"init[{name!r}]") for name, value in init.items()}


def dimension(columns: dict, d: int | None = None) -> int | None:
    """The common length of the per-coordinate columns (and ``d``, when given), None if all
    are single numbers; InvalidArgument when lengths disagree."""
    lengths = {len(v) for v in columns.values() if not isinstance(v, str)} | ({d} if d else set())
    if len(lengths) > 1:
        raise InvalidArgument(f"init: per-coordinate values must have one entry per coordinate"
                              f"{f' (d={d})' if d else ''}, got lengths "
                              f"{ {k: len(v) for k, v in columns.items() if not isinstance(v, str)} }")
    return lengths.pop() if lengths else None


def initial_pattern(columns: dict, d: int) -> tuple[dict, dict]:
    """(pattern, values): pattern {name: "0" | "c1" | "-c1" ...} for the derivation and values
    {symbol name: tuple of d positive Fractions}; see the module docstring."""
    pattern, values, by_magnitude = {}, {}, {}
    for name, column in columns.items():
        entries = tuple(Fraction(v) for v in ((column,) * d if isinstance(column, str) else column))
        if not any(entries):
            pattern[name] = "0"
            continue
        if 0 in entries or len({v > 0 for v in entries}) != 1:
            raise InvalidArgument(f"init[{name!r}]: per-coordinate values must be all zero or all nonzero "
                                  f"of one sign (one derivation serves every coordinate), got "
                                  f"{', '.join(map(str, entries))}")
        magnitudes = tuple(abs(v) for v in entries)
        symbol = by_magnitude.get(magnitudes)
        if symbol is None:
            symbol = by_magnitude[magnitudes] = _fresh(len(by_magnitude) + 1, set(columns))
            values[symbol] = magnitudes
        pattern[name] = symbol if entries[0] > 0 else f"-{symbol}"
    return pattern, values


def _fresh(k: int, taken: set) -> str:
    name = f"c{k}"
    while name in taken:
        name = "_" + name
    return name


def custom_model(parametrization: str, init: dict):
    """The flow's model of ``beta_i = parametrization(theta_i)`` from ``init``
    (:class:`krtheory.flow.models.ParametrizedModel`); P must be a polynomial with rational
    coefficients (the flow's Taylor recurrences are polynomial), else NotApplicable."""
    from krtheory.flow.models import ParametrizedModel, Polynomial

    columns = initial_columns(init)
    pattern, _ = initial_pattern(columns, dimension(columns) or 1)
    expression, parameters, _ = parse_parametrization(parametrization, pattern)
    if not expression.is_polynomial(*parameters):
        raise NotApplicable(f"the flow integrates polynomial parametrizations only, and {parametrization!r} "
                            f"is not a polynomial in {', '.join(map(str, parameters))}")
    poly = sp.Poly(sp.expand(expression), *parameters)
    if not poly.domain.is_QQ and not poly.domain.is_ZZ:
        raise NotApplicable(f"the flow needs rational coefficients, and {parametrization!r} has "
                            f"coefficients in {poly.domain}")
    terms = poly.terms()
    polynomial = Polynomial(tuple(str(sp.Rational(c)) for _, c in terms), tuple(tuple(e) for e, _ in terms))
    return ParametrizedModel(polynomial, tuple(map(str, parameters)), columns, expression=parametrization)


def custom_link(parametrization: str, init: dict, d: int):
    """(Link, Derivation): the exact separable link of the flow's limit on R^d, with each
    coordinate's a_i, b_i and link parameters evaluated exactly at its initial values."""
    from krtheory.links import Link

    columns = initial_columns(init)
    dimension(columns, d)
    pattern, values = initial_pattern(columns, d)
    derivation = derive_parametrization(parametrization, pattern)
    offsets = [p for p in derivation.link_parameters if p.name == "C"]
    if offsets:
        raise NotApplicable(f"the link of {parametrization!r} has a constant offset C = "
                            f"{derivation.link_parameters[offsets[0]]}; solve takes links A e^(bs) - B e^(-bs) "
                            "without one")
    if derivation.link_range != sp.Interval(-sp.oo, sp.oo):
        raise InvalidArgument(f"{parametrization!r} from init {pattern} (c_k standing for the values): the link "
                              f"{derivation.link} has range {derivation.link_range}, so each beta_i keeps the "
                              "sign of beta_i(0) (e.g. u*v from u(0) = v(0)); solve needs links onto the whole line")
    symbols = {name: sp.Symbol(name, positive=True) for name in values}
    rows = []
    for i in range(d):
        at = {symbols[name]: sp.Rational(v[i].numerator, v[i].denominator) for name, v in values.items()}
        rows.append([_exact(expr.subs(at), what, i + 1, parametrization) for what, expr in (
            ("amplitude a", derivation.amplitude), ("rate b", derivation.rate),
            *((f"link parameter {p}", v) for p, v in derivation.link_parameters.items()))])
    link = Link(name=f"custom {parametrization}", nu=derivation.nu, h=derivation.link,
                G=derivation.dual_potential, radius=derivation.nu_radius,
                amplitude=tuple(r[0] for r in rows), rate=tuple(r[1] for r in rows),
                parameters=tuple(derivation.link_parameters), values=tuple(tuple(r[2:]) for r in rows)
                if derivation.link_parameters else ())
    return link, derivation


def _exact(value, what: str, i: int, parametrization: str) -> str:
    """A positive rational of the derivation at coordinate i's initial values, as p/q."""
    if not value.is_Rational:
        raise NotApplicable(f"{parametrization!r}: the {what} at coordinate {i} is {value}, not an exact "
                            "rational: the link needs exact numbers")
    if value <= 0:
        raise InvalidArgument(f"{parametrization!r}: the {what} is {value} <= 0 at coordinate {i} (e.g. "
                              "u*v from u(0) = v(0) keeps beta_i of one sign: B_i = 0); the derived link "
                              "needs it positive")
    return str(value)
