"""The one owner of mpmath contexts and of precision-derived tolerances.

Routines never touch the global ``mpmath.mp``: they take ``dps`` and work in a private
:class:`mpmath.MPContext` made by :func:`context`. Tolerances are :class:`Tolerance` values
built from a precision, with a name and a reason, never bare literals.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import mpmath

from krtheory.errors import InvalidArgument

#: Smallest and largest working precision (decimal digits) a user may ask for.
MIN_DPS = 5
MAX_DPS = 100_000
#: Guard digits a routine adds to the caller's dps before computing, so that what it
#: returns is correct to the caller's dps after rounding (mpmath's own ``quad`` adds ~6).
GUARD_DIGITS = 10


def check_dps(dps, name: str = "dps") -> int:
    """Validate a working precision in decimal digits and return it as an int."""
    if isinstance(dps, bool) or not isinstance(dps, int):
        try:
            as_int = int(str(dps))
        except ValueError:
            raise InvalidArgument(f"Expected an integer number of digits but got {name}={dps!r}") from None
        dps = as_int
    if not MIN_DPS <= dps <= MAX_DPS:
        raise InvalidArgument(f"Expected {MIN_DPS} <= {name} <= {MAX_DPS} but got {name}={dps}")
    return dps


def context(dps: int) -> mpmath.MPContext:
    """A fresh, private mpmath context working at ``dps`` decimal digits.

    Numbers made by ``ctx.mpf("0.1")`` are correctly rounded at that precision; the global
    ``mpmath.mp`` is left untouched.
    """
    ctx = mpmath.MPContext()
    ctx.dps = check_dps(dps)
    return ctx


def lambdify(args, expr, ctx: mpmath.MPContext):
    """Compile a sympy expression to a function evaluated in ``ctx``: :func:`compile_source`
    of :func:`source`.

    Two traps avoided: ``sympy.lambdify(..., "mpmath")`` binds mpmath's *global* functions,
    which compute at the global precision (15 digits by default) whatever the arguments carry;
    and a plain namespace prints ``Rational(2, 3)`` as the float ``2/3``. Here every mpmath name
    is bound to the context's own method and rationals print as ``mpf(2)/mpf(3)`` (exact).
    """
    args = _arguments(args)
    return compile_source(len(args), _source(args, expr), ctx)


def _arguments(args) -> tuple:
    """One symbol or a sequence of them, as a tuple (as sympy.lambdify takes them)."""
    return tuple(args) if isinstance(args, (list, tuple)) else (args,)


def source(args, expr) -> str:
    """``expr`` printed as a Python expression in mpmath's names (sympy's MpmathPrinter), its
    arguments renamed ``x0, x1, ...`` in the order of ``args``: plain text that
    :func:`compile_source` turns into a function without importing sympy (what
    :mod:`krtheory._cache` stores for the warm CLI path)."""
    return _source(_arguments(args), expr)


@functools.lru_cache(maxsize=512)
def _source(args, expr) -> str:
    import sympy
    from sympy.printing.pycode import MpmathPrinter

    printer = MpmathPrinter({"fully_qualified_modules": False, "inline": True,
                             "allow_unknown_functions": True, "user_functions": {}})
    renamed = {arg: sympy.Symbol(f"x{i}") for i, arg in enumerate(args)}
    return printer.doprint(sympy.sympify(expr).xreplace(renamed))


def compile_source(arity: int, text: str, ctx: mpmath.MPContext):
    """The function ``(x0, ..., x{arity-1}) -> text`` with every mpmath name bound to ``ctx``'s
    own attribute; the text is compiled once and each context binds its own names."""
    import types

    return types.FunctionType(_code(arity, text), _namespace(ctx), "compiled")


#: Python builtins sympy's MpmathPrinter emits (|x| prints as abs(x)).
PRINTED_BUILTINS = {"abs"}


def check_source(arity: int, text) -> None:
    """ValueError unless ``text`` compiles to an expression in x0..x{arity-1} that names only
    mpmath's functions and :data:`PRINTED_BUILTINS` (what :func:`source` prints): stored text is
    checked before it is run."""
    if not isinstance(text, str):
        raise ValueError(f"source must be a string, got {type(text).__name__}")
    try:
        code = _code(arity, text)
    except (SyntaxError, ValueError) as error:
        raise ValueError(f"source {text[:40]!r} does not compile: {error}") from None
    unknown = set(code.co_names) - set(_mpmath_names()) - PRINTED_BUILTINS
    if unknown:
        raise ValueError(f"source {text[:40]!r} names {sorted(unknown)}, which are not mpmath's")


@functools.lru_cache(maxsize=512)
def _code(arity: int, text: str):
    arguments = ", ".join(f"x{i}" for i in range(arity))
    return compile(f"lambda {arguments}: {text}", "<krtheory.precision>", "eval").co_consts[0]


@functools.lru_cache(maxsize=1)
def _mpmath_names() -> tuple[str, ...]:
    return tuple(name for name in dir(mpmath) if not name.startswith("_") and hasattr(mpmath.mp, name))


def _namespace(ctx) -> dict:
    """Every mpmath name bound to ``ctx``'s own attribute (all MPContexts have the same ones, so
    no name of a template keeps mpmath.mp's placeholder)."""
    return {name: getattr(ctx, name) for name in _mpmath_names()}


def to_decimal(ctx: mpmath.MPContext, x, digits: int) -> str:
    """``x`` as a decimal string with ``digits`` >= 1 significant digits, correctly rounded (any
    exponent): plain digits for 1e-5 <= |x| < 10^(digits+1), else ``m.mmmme+N``. Never an empty
    mantissa (mpmath's nstr prints ".0e+20", which parses as 0, at 0 digits): ``digits`` < 1
    raises InvalidArgument."""
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise InvalidArgument(f"to_decimal needs digits >= 1 but got digits={digits!r}")
    text = ctx.nstr(x, digits, min_fixed=-5, max_fixed=digits + 1, strip_zeros=False)
    return text.replace(".e", "e")


def agreeing_digits_of_numbers(ctx: mpmath.MPContext, a, b) -> float:
    """Number of significant decimal digits on which the numbers ``a`` and ``b`` agree:
    -log10(|a - b| / max(|a|, |b|)), ``ctx.dps`` when they are equal."""
    scale = max(abs(a), abs(b))
    if scale == 0:
        return float(ctx.dps)
    diff = abs(a - b)
    if diff == 0:
        return float(ctx.dps)
    return float(-ctx.log10(diff / scale))


def agreeing_digits_of_vectors(ctx: mpmath.MPContext, coarse, fine, cap: int) -> tuple[int, int]:
    """Whole digits (0..cap) on which the vectors ``coarse`` and ``fine`` agree, ``fine`` the more
    precise: (normwise, relative to max|fine_i|; componentwise, relative to each |fine_i|)."""
    scale = max((abs(b) for b in fine), default=ctx.zero)
    differences = [abs(ctx.mpf(c) - f) for c, f in zip(coarse, fine)]
    worst = max(differences, default=ctx.zero)
    normwise = cap if worst == 0 or scale == 0 else min(cap, int(math.floor(-ctx.log10(worst / scale))))
    componentwise = cap
    for difference, f in zip(differences, fine):
        if difference:
            componentwise = min(componentwise, 0 if f == 0 else int(math.floor(-ctx.log10(difference / abs(f)))))
    return max(normwise, 0), max(componentwise, 0)


@dataclasses.dataclass(frozen=True)
class Tolerance:
    """A relative tolerance of ``10**-digits``, with the reason it is what it is. ``digits=None``
    means the check is not a digit comparison (exact arithmetic, or a fitted-rate band): ``why``
    then states the criterion."""

    digits: int | None
    why: str

    @classmethod
    def criterion(cls, why: str) -> "Tolerance":
        """A check judged by the criterion ``why`` states, not by a number of digits."""
        return cls(None, why)

    @classmethod
    def from_dps(cls, dps: int, slack_digits: int, why: str) -> "Tolerance":
        """``dps - slack_digits`` digits: the precision less what the computation may lose."""
        if slack_digits < 0 or slack_digits >= dps:
            raise InvalidArgument(f"slack_digits must be in [0, dps) but got {slack_digits} for dps={dps}")
        return cls(dps - slack_digits, why)

    def value(self, ctx: mpmath.MPContext):
        """The tolerance as a number of ``ctx`` (zero when exact)."""
        return ctx.zero if self.digits is None else ctx.mpf(10) ** (-self.digits)

    def as_dict(self) -> dict:
        relative = None if self.digits is None else f"1e-{self.digits}"
        return {"digits": self.digits, "relative": relative, "why": self.why}
