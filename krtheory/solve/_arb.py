"""python-flint arb balls for the certified backend: the one import of flint, three-valued
comparison, rounded-up decimal bounds, exact conversions (floats, strings, mpmath numbers,
sympy expressions) and scaling by powers of two. flint's global precision is only changed
inside ``workprec`` blocks, which restore it."""

from __future__ import annotations

import functools
import math
from fractions import Fraction

from krtheory._linalg import _fmpq
from krtheory.errors import NotApplicable

FLINT_MISSING = "python-flint is not installed: pip install 'krtheory[flint]'"
#: Significant digits of the rounded-up decimal bounds (radius, residual).
BOUND_DIGITS = 3


def flint_module():
    """The ``flint`` module, or NotApplicable when python-flint is missing (the one place that
    imports it)."""
    try:
        import flint
    except ImportError:
        raise NotApplicable(FLINT_MISSING) from None
    return flint


# -- balls: comparison, bounds, conversion -------------------------------------------------
def compare_ball(ball, threshold) -> bool | None:
    """Three-valued ``ball < threshold``: True when every point of the ball is below it, False
    when none is, None when the ball straddles it. ``threshold``: arb, int, Fraction or an
    exact decimal / p/q string."""
    arb = flint_module().arb
    t = threshold if isinstance(threshold, arb) else exact_arb(str(threshold))
    if ball < t:
        return True
    if ball >= t:
        return False
    return None


def exact_arb(text: str):
    """An exact decimal or p/q string as an arb ball (exact when dyadic) at the current precision."""
    return flint_module().arb(_fmpq(text))


def decimal_upper(x) -> str:
    """A decimal string >= every point of the arb ``x`` (|x| when signed), rounded up to about
    BOUND_DIGITS significant digits ("inf" when x is not finite)."""
    if not x.is_finite():
        return "inf"
    mid, rad, exponent = (int(v) for v in abs(x).upper().mid_rad_10exp(BOUND_DIGITS))
    top = mid + rad
    if top == 0:
        return "0"
    drop = max(len(str(top)) - BOUND_DIGITS, 0)
    top, exponent = -(-top // 10 ** drop), exponent + drop  # ceiling division: rounds up
    digits = str(top).rstrip("0") or "0"
    exponent += len(str(top)) - len(digits)
    return f"{digits[0]}.{digits[1:] or '0'}e{exponent + len(digits) - 1}"


def to_arb(value):
    """A start value (float, int, Fraction, exact string, mpmath mpf, arb) as an exact arb (a
    string or Fraction that is not dyadic: its nearest value at the current precision)."""
    arb = flint_module().arb
    if isinstance(value, arb):
        return value.mid()
    if hasattr(value, "_mpf_"):
        sign, man, exp, _ = value._mpf_
        return arb((-int(man) if sign else int(man), int(exp)))
    if isinstance(value, (str, int, Fraction)) and not isinstance(value, bool):
        return exact_arb(str(value)).mid()
    return arb(float(value))


# -- sympy -> arb ------------------------------------------------------------------------------
_UNARY = ("exp", "log", "sinh", "cosh", "tanh", "asinh", "atanh", "sin", "cos", "atan")


@functools.lru_cache(maxsize=64)
def arb_function(nu, expr, parameters: tuple = ()):
    """``expr`` (sympy, in the symbol ``nu`` and the link ``parameters``) compiled to a function
    of arb balls ``f(x, *p)``, evaluated at flint's current precision. Rational constants stay
    exact (arb(p)/q, a ball holding p/q, never a double); floats are taken at their exact binary
    value. The expression becomes the source of one Python function of arb operations (5x faster
    than a tree of closures; the text is generated only from the node types below). Raises
    NotApplicable for a function or symbol it does not know."""
    import sympy

    expr = sympy.sympify(expr)
    names = {nu: "x", **{p: f"p{i}" for i, p in enumerate(parameters)}}
    source = _arb_source(names, expr)
    if not expr.free_symbols & set(names):
        source = f"arb({source})"  # a constant: still an arb at the current precision
    arguments = ", ".join(names.values())
    return eval(f"lambda {arguments}: {source}", {"arb": flint_module().arb})  # noqa: S307 - generated above


def _arb_source(names: dict, e) -> str:
    """Python source of ``e`` in terms of the arbs named in ``names`` (see :func:`arb_function`)."""
    import sympy

    if e in names:
        return names[e]
    if e.is_Rational:
        p, q = int(e.p), int(e.q)
        return f"arb({p})" if q == 1 else f"(arb({p}) / {q})"
    if e.is_Float:
        return _arb_source(names, sympy.Rational(e))
    if e is sympy.pi:
        return "arb.pi()"
    if e is sympy.E:
        return "arb(1).exp()"
    if e.is_Add or e.is_Mul:
        joined = (" + " if e.is_Add else " * ").join(_arb_source(names, a) for a in e.args)
        return f"({joined})"
    if e.is_Pow:
        base, power = _arb_source(names, e.base), e.exp
        if power.is_Integer:
            return f"({base} ** {int(power)})"
        if power == sympy.Rational(1, 2):
            return f"{base}.sqrt()"
        if power == sympy.Rational(-1, 2):
            return f"{base}.rsqrt()"
        return f"({base} ** {_arb_source(names, power)})"
    name = type(e).__name__
    if isinstance(e, sympy.Function) and name in _UNARY and len(e.args) == 1:
        return f"{_arb_source(names, e.args[0])}.{name}()"
    raise NotApplicable(f"cannot evaluate {name} ({e}) on arb balls")


# -- scales --------------------------------------------------------------------------------------
def floor_log2(x) -> int:
    """floor(log2|mid(x)|) for a nonzero finite arb."""
    man, exp = x.mid().man_exp()
    return int(exp) + int(abs(int(man))).bit_length() - 1


def scaled_doubles(values):
    """(v, shift) with v_i the double nearest values_i 2^-shift, shift = floor(log2 max|values_i|)
    (0 when all vanish); entries far below the largest may round to 0."""
    import numpy as np

    sizes = [floor_log2(x) for x in values if x != 0]
    shift = max(sizes) if sizes else 0
    factor = flint_module().arb((1, -shift))
    return np.array([float(x * factor) for x in values]), shift


def mids(values):
    """The exact midpoints of arb balls."""
    return [v.mid() for v in values]


def double_above(x) -> float:
    """A double >= the nonnegative arb ``x`` (one ulp above the nearest double; inf when too big)."""
    return math.nextafter(float(x.upper()), math.inf)
