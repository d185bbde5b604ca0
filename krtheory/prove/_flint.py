"""The prover's one import of python-flint (the optional extra ``flint``) and the guard of
flint's global settings: ``ctx.prec`` (working bits) and ``ctx.cap`` (the length at which
every ``arb_series`` product is silently truncated; its default 10 is shorter than the Taylor
forms used here) are set inside :func:`working` and restored on exit."""

from __future__ import annotations

import contextlib

from krtheory.errors import MissingExtra


def flint():
    """The ``flint`` module, or MissingExtra naming the extra that brings it."""
    try:
        import flint as module
    except ImportError:
        raise MissingExtra("python-flint", "flint") from None
    return module


@contextlib.contextmanager
def working(prec: int, cap: int):
    """flint's ``ctx.prec`` = ``prec`` bits and ``ctx.cap`` = ``cap`` series terms inside the
    block, both restored afterwards (also on error)."""
    ctx = flint().ctx
    saved = ctx.prec, ctx.cap
    ctx.prec, ctx.cap = prec, cap
    try:
        yield ctx
    finally:
        ctx.prec, ctx.cap = saved


def require_length(series, length: int, what: str) -> None:
    """AssertionError unless ``series`` carries ``length`` coefficients (a truncation by
    ``ctx.cap`` must never pass unnoticed)."""
    if series.prec < length:
        raise AssertionError(f"{what}: series precision {series.prec} < {length} terms (ctx.cap too small)")


def ball(value):
    """An exact rational (Fraction) as an arb ball (exact when dyadic); a pair (lo, hi) of
    Fractions gives a ball holding [lo, hi]."""
    f = flint()
    if isinstance(value, tuple):
        lo, hi = (f.arb(f.fmpq(v.numerator, v.denominator)) for v in value)
        return lo.union(hi)
    return f.arb(f.fmpq(value.numerator, value.denominator))
