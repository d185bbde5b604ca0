"""Separable links: the limit predictor of every family is beta_i = a_i * h(b_i * t_i), t = X^T lambda.

Depth 2 (Theorem 1, eq. 18) has h(nu) = 2 sinh(nu); depth D >= 3
(Theorem 3) has h_D(nu) = (1 - nu)^(-D/(D-2)) - (1 + nu)^(-D/(D-2)) on (-1, 1); the explicit
regularizer (eqs. 8–9) has h(nu) = 4 nu / (1 - nu^2)^2 on (-1, 1). The implicit regularizer is
Q(beta) = sum_i (a_i/b_i) q(beta_i/a_i) with q' = h^(-1); its dual potential uses G' = h, G(0) = 0.

A link may also carry per-coordinate *parameters* p_i (sympy symbols in h and G with exact
positive values per coordinate): beta_i = a_i h(b_i t_i; p_i). The width-k network of §6
(Theorem 4, krtheory.families.wide) has h(nu; A, B) = A e^nu - B e^-nu, not odd, h(0) = A - B = beta(0).
Links without parameters behave exactly as before.
"""

from __future__ import annotations

import dataclasses
import functools
from fractions import Fraction
from typing import NamedTuple

from krtheory.errors import InvalidArgument
from krtheory._frozen import state_without_hash
from krtheory._validation import parse_number


#: The sympy parts of a Link, which :meth:`Link.from_text` defers.
SYMBOLIC = ("nu", "h", "G", "radius")
_TEXT = "_symbolic_text"
_HASH = "_cached_hash"


class LinkFunctions(NamedTuple):
    """``h``, ``h'`` and ``G`` compiled for one mpmath context: each takes ``(nu, *p_i)``
    (ctx numbers; no p_i for a link without parameters) and returns a ctx number."""

    h: object
    dh: object
    G: object


@dataclasses.dataclass(frozen=True)
class Link:
    """beta_i = a_i * h(b_i * t_i; p_i), t = X^T lambda, h increasing on (-radius, radius).

    ``parameters``: sympy symbols of h and G besides nu (none: h is odd, h(0) = 0, the
    families of §4-5); ``values``: one tuple of exact positive numbers per coordinate, in the
    order of ``parameters``. Positive values are what keeps h' > 0 for the parametrized links
    here (the dual stays strictly convex).

    Parameters
    ----------
    name : str
        A label for messages and reports.
    nu : sympy.Symbol
        The variable of ``h`` and ``G``.
    h, G : sympy expressions
        The link h(nu) and its integral G(nu) = int_0^nu h (the dual potential's profile).
    radius : sympy.oo or a positive number
        h is defined on (-radius, radius).
    amplitude, rate : sequences of d exact positive numbers
        a_i and b_i (decimal strings or p/q).
    parameters : tuple of sympy.Symbol, optional
        Symbols of h and G besides nu.
    values : tuple of d tuples, optional
        Per coordinate, one exact positive number per parameter.

    Raises
    ------
    InvalidArgument
        nu not a Symbol, free symbols in h or G other than nu and the parameters, a bad radius,
        non-positive or non-finite a_i, b_i or values, or lengths that disagree.

    Examples
    --------
    Theorem 1's link at alpha = 1 on R^2, beta_i = 2 sinh(4 t_i):

    >>> import sympy
    >>> from krtheory import Link
    >>> nu = sympy.Symbol("nu")
    >>> link = Link("depth 2", nu, 2 * sympy.sinh(nu), 2 * sympy.cosh(nu) - 2, sympy.oo,
    ...             ["1", "1"], ["4", "4"])
    >>> link.d, link.h
    (2, 2*sinh(nu))
    """

    name: str
    nu: object                  # sympy.Symbol
    h: object                   # sympy.Expr h(nu)
    G: object                   # sympy.Expr G(nu) = int_0^nu h
    radius: object              # sympy.oo or a positive number
    amplitude: tuple[str, ...]  # a_i > 0, exact decimal strings or p/q
    rate: tuple[str, ...]       # b_i > 0, likewise
    parameters: tuple = ()      # sympy Symbols p in h(nu; p) and G(nu; p)
    values: tuple = ()          # per coordinate: one exact positive number per parameter

    __getstate__ = state_without_hash

    def __post_init__(self):
        self._check_symbolic()
        self._check_numbers()

    @classmethod
    def from_text(cls, name: str, parts: dict[str, str], amplitude, rate) -> "Link":
        """A link without parameters whose sympy parts ``nu``, ``h``, ``G``, ``radius`` are given
        as exact ``srepr`` text and parsed (and checked) on first use: a float64 solve of a
        cached built-in link never imports sympy. Equal to the link built from the parsed parts."""
        if set(parts) != set(SYMBOLIC):
            raise InvalidArgument(f"link {name!r}: parts must be {', '.join(SYMBOLIC)}, got {sorted(parts)}")
        link = object.__new__(cls)
        for field, value in (("name", name), ("amplitude", amplitude), ("rate", rate),
                             ("parameters", ()), ("values", ()), (_TEXT, dict(parts))):
            object.__setattr__(link, field, value)
        link._check_numbers()
        return link

    def __getattr__(self, field: str):
        """The sympy parts of a :meth:`from_text` link, parsed on first access."""
        text = self.__dict__.get(_TEXT)
        if field not in SYMBOLIC or text is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {field!r}")
        import sympy

        for part in SYMBOLIC:
            try:
                parsed = sympy.sympify(text[part])
            except (sympy.SympifyError, SyntaxError, TypeError, ValueError, NameError, AttributeError) as error:
                raise InvalidArgument(f"link {self.name!r}: its stored {part} {text[part][:40]!r} does not parse "
                                      f"({type(error).__name__}); clear the krtheory cache or set KRTHEORY_CACHE=off") from None
            object.__setattr__(self, part, parsed)
        self._check_symbolic()
        return self.__dict__[field]

    def text(self, part: str) -> str:
        """The exact ``srepr`` text of a sympy part (nu, h, G or radius), without parsing it."""
        stored = self.__dict__.get(_TEXT)
        if stored is not None:
            return stored[part]
        import sympy

        return sympy.srepr(getattr(self, part))

    def __hash__(self) -> int:
        """Of the name, the parts' srepr text and the numbers: the same for a :meth:`from_text`
        link and its parsed twin (srepr is structural, like sympy's ==); computed once."""
        value = self.__dict__.get(_HASH)
        if value is None:
            value = hash((self.name, *(self.text(part) for part in SYMBOLIC), self.amplitude, self.rate,
                          tuple(map(str, self.parameters)), self.values))
            object.__setattr__(self, _HASH, value)
        return value

    def _check_symbolic(self) -> None:
        import sympy

        if not isinstance(self.nu, sympy.Symbol):
            raise InvalidArgument(f"link {self.name!r}: nu must be a sympy Symbol, got nu={self.nu!r}")
        parameters = tuple(self.parameters)
        if any(not isinstance(p, sympy.Symbol) or p == self.nu for p in parameters) or \
                len(set(parameters)) != len(parameters):
            raise InvalidArgument(f"link {self.name!r}: parameters must be distinct sympy Symbols other "
                                  f"than nu={self.nu}, got parameters={parameters!r}")
        object.__setattr__(self, "parameters", parameters)
        for label in ("h", "G"):
            expr = sympy.sympify(getattr(self, label))
            extra = expr.free_symbols - {self.nu, *parameters}
            if extra:
                raise InvalidArgument(f"link {self.name!r}: {label}={expr} has symbols {sorted(map(str, extra))} "
                                      f"other than nu={self.nu} and the parameters")
            object.__setattr__(self, label, expr)
        radius = sympy.sympify(self.radius)
        if not (radius == sympy.oo or (radius.is_number and radius.is_positive)):
            raise InvalidArgument(f"link {self.name!r}: radius must be sympy.oo or positive, got radius={radius}")
        object.__setattr__(self, "radius", radius)

    def _check_numbers(self) -> None:
        object.__setattr__(self, "amplitude", _positive_numbers(self.amplitude, "amplitude", self.name))
        object.__setattr__(self, "rate", _positive_numbers(self.rate, "rate", self.name))
        if len(self.amplitude) != len(self.rate):
            raise InvalidArgument(f"link {self.name!r}: amplitude has {len(self.amplitude)} entries but rate "
                                  f"has {len(self.rate)}")
        object.__setattr__(self, "values", self._checked_values())

    def _checked_values(self) -> tuple[tuple[str, ...], ...]:
        if not self.parameters:
            if tuple(self.values):
                raise InvalidArgument(f"link {self.name!r}: values given for a link without parameters")
            return ()
        if isinstance(self.values, (str, bytes)) or len(self.values) != len(self.amplitude):
            raise InvalidArgument(f"link {self.name!r}: values must have one row per coordinate "
                                  f"(d={len(self.amplitude)}), got values={self.values!r}")
        rows = []
        for i, row in enumerate(self.values, start=1):
            if isinstance(row, (str, bytes)) or len(row) != len(self.parameters):
                raise InvalidArgument(f"link {self.name!r}: values row {i} must have one number per "
                                      f"parameter {[str(p) for p in self.parameters]}, got {row!r}")
            rows.append(_positive_numbers(row, f"values row {i} ({', '.join(map(str, self.parameters))})",
                                          self.name))
        return tuple(rows)

    @property
    def d(self) -> int:
        return len(self.amplitude)

    def check_dimension(self, d: int) -> None:
        """Raise InvalidArgument unless the link has one (a_i, b_i) per coordinate of R^d."""
        if self.d != d:
            raise InvalidArgument(f"link {self.name!r}: amplitude and rate have {self.d} entries but the "
                                  f"problem has d={d} coordinates")

    def functions(self, ctx) -> LinkFunctions:
        """h, h' (by sympy.diff) and G compiled for ``ctx``; cached per expression and context."""
        return _compile(self.nu, self.parameters, self.h, self.G, self.radius, ctx)

    def values_mp(self, ctx) -> list[tuple]:
        """p_i per coordinate as ``ctx`` numbers (empty tuples for a link without parameters)."""
        if not self.parameters:
            return [()] * self.d
        return [tuple(ctx.mpf(v) for v in row) for row in self.values]

    def radius_mp(self, ctx):
        """The radius as a ``ctx`` number (``ctx.inf`` for an unbounded domain)."""
        import sympy

        return ctx.inf if self.radius == sympy.oo else _constant(self.radius, ctx)

    def amplitude_mp(self, ctx) -> list:
        """a_i correctly rounded at ``ctx`` (mpmath reads "p/q" exactly too)."""
        return [ctx.mpf(v) for v in self.amplitude]

    def rate_mp(self, ctx) -> list:
        return [ctx.mpf(v) for v in self.rate]


def _positive_numbers(values, label: str, name: str) -> tuple[str, ...]:
    if isinstance(values, (str, bytes)):
        raise InvalidArgument(f"link {name!r}: {label} must be a sequence of numbers, got {label}={values!r}")
    checked = []
    for i, value in enumerate(values, start=1):
        text = parse_number(value, f"link {name!r}: {label} entry {i}")
        if Fraction(text) <= 0:
            raise InvalidArgument(f"link {name!r}: {label} entry {i} must be positive, got {text!r}")
        checked.append(text)
    if not checked:
        raise InvalidArgument(f"link {name!r}: {label} is empty")
    return tuple(checked)


def _constant(expr, ctx):
    """A sympy number (rational, pi, sqrt(2), ...) evaluated at ``ctx``'s precision."""
    return ctx.mpf(str(expr.evalf(ctx.dps + 5)))


#: Bits added to what the cancellation estimates below need (see _guard).
GUARD_BITS = 8
#: Near the boundary of a bounded domain the closed forms may cancel too, e.g. a derived
#: (1 - nu^2)^2 expanded into nu^4 - 2 nu^2 + 1 loses 2 log10(1/gap) digits; evaluations there
#: get this many times log2(radius/gap) extra bits.
BOUNDARY_ORDER = 2


@functools.lru_cache(maxsize=64)
def _compile(nu, parameters, h, G, radius, ctx) -> LinkFunctions:
    import sympy

    from krtheory.precision import lambdify

    limit = None if radius == sympy.oo else _constant(radius, ctx)
    args = (nu, *parameters)
    return LinkFunctions(_guard(lambdify(args, h, ctx), 1, limit, ctx),
                         _guard(lambdify(args, sympy.diff(h, nu), ctx), 1, limit, ctx),
                         _guard(lambdify(args, G, ctx), 2, limit, ctx))


def _guard(f, order: int, radius, ctx):
    """``f`` evaluated with extra bits where its closed form cancels, rounded back to ctx.

    Near 0: (1 - x)^-p - (1 + x)^-p = 2 p x + O(x^3) loses log2(1/|x|) bits, G(x) = O(x^2)
    twice as many (``order``); the kernel regime, alpha -> oo, has |x| ~ alpha^-D. Near the
    boundary of (-radius, radius): BOUNDARY_ORDER * log2(radius/gap) bits. Parameters p pass
    through (A e^x - B e^-x cancels like sinh near 0 when A ~ B: covered by the same bits).
    """
    def guarded(x, *p):
        sign, man, exp, bc = x._mpf_  # mpmath's raw value: x = (-1)^sign * man * 2^exp, man < 2^bc
        extra = order * -(exp + bc) if man and exp + bc <= 0 else 0
        if radius is not None and man:
            gap = radius - abs(x)
            if gap > 0:
                extra += BOUNDARY_ORDER * max(0, int(ctx.mag(radius)) - int(ctx.mag(gap)))
        if not extra:
            return f(x, *p)
        with ctx.extraprec(extra + GUARD_BITS):
            value = f(x, *p)
        return +value

    return guarded

