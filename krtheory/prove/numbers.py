"""Exact rationals for the prover: arb balls to Fractions and rounded decimals, simple split
points, short decimal witnesses."""

from __future__ import annotations

import math
from fractions import Fraction


def exact(x) -> Fraction:
    """The exact value of an exact (radius-0) finite arb, e.g. a ``lower()``."""
    man, exp = x.mid().man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man * 2 ** exp) if exp >= 0 else Fraction(man, 2 ** -exp)


#: Certified lower bounds are stored between these (a larger bound is stored as BOUND_CAP): their
#: decimal exponents have at most 3 digits, as the replay accepts.
BOUND_FLOOR, BOUND_CAP = Fraction(1, 10 ** 990), Fraction(10 ** 300)


def decade(value: Fraction) -> int:
    """floor(log10 |value|) for a nonzero rational, without floats (any size)."""
    value = abs(value)
    e = len(str(value.numerator)) - len(str(value.denominator))
    return e - 1 if Fraction(10) ** e > value else e


def decimal_below(value: Fraction, digits: int = 6) -> str:
    """A decimal string <= ``value`` with about ``digits`` significant digits (``m.mmmmmeE``
    beyond 1e+-20)."""
    if value == 0:
        return "0"
    exponent = decade(value)
    mantissa = math.floor(value / Fraction(10) ** (exponent - digits + 1))
    if -20 <= exponent <= 20:
        return decimal_text(mantissa * Fraction(10) ** (exponent - digits + 1))
    text = str(abs(mantissa))
    return f"{'-' if mantissa < 0 else ''}{text[0]}.{text[1:]}e{exponent}"


def certified_lower(bound, strict: bool):
    """The decimal stored for an arb lower bound of f on a piece: rounded down, capped at
    BOUND_CAP; "0" for a bound in [0, BOUND_FLOOR] when f >= 0 is all that is claimed; None when
    the bound does not prove the claim (the piece is then not taken)."""
    from krtheory.prove._flint import ball

    if not bound.is_finite():
        return None
    if not bound > ball(BOUND_FLOOR):
        return "0" if not strict and bound >= 0 else None
    if bound >= ball(BOUND_CAP):
        return decimal_text(BOUND_CAP)
    return decimal_below(exact(bound.lower()))


def decimal_text(value: Fraction) -> str:
    """A terminating rational (p / (2^a 5^b)) as an exact decimal string (ValueError otherwise)."""
    denominator, twos, fives = value.denominator, 0, 0
    while denominator % 2 == 0:
        denominator, twos = denominator // 2, twos + 1
    while denominator % 5 == 0:
        denominator, fives = denominator // 5, fives + 1
    if denominator != 1:
        raise ValueError(f"{value} has no terminating decimal")
    shift = max(twos, fives)
    sign = "-" if value < 0 else ""
    digits = str(abs(value.numerator) * 10 ** shift // value.denominator).rjust(shift + 1, "0")
    whole, frac = digits[:len(digits) - shift] or "0", digits[len(digits) - shift:].rstrip("0")
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


def exact_text(value: Fraction) -> str:
    """The exact decimal of a terminating rational, else p/q."""
    try:
        return decimal_text(value)
    except ValueError:
        return f"{value.numerator}/{value.denominator}"


def simplest_between(lo: Fraction, hi: Fraction) -> Fraction:
    """A simple rational in [lo, hi] (lo < hi): the integer with the most factors 2 when there is
    one (0 first), else the fraction of least denominator up to 64, else the dyadic of fewest
    bits -- so that points of tangency such as 0, 1, 1/2, 1/3 become piece ends."""
    first, last = math.ceil(lo), math.floor(hi)
    if first <= last:
        if first <= 0 <= last:
            return Fraction(0)
        best = first
        for bits in range(last.bit_length() + 1 if last > 0 else (-first).bit_length() + 1, -1, -1):
            step = 1 << bits
            candidate = -((-first) // step) * step
            if candidate <= last:
                best = candidate
                break
        return Fraction(best)
    for denominator in range(2, 65):
        numerator = math.ceil(lo * denominator)
        if Fraction(numerator, denominator) <= hi:
            return Fraction(numerator, denominator)
    bits = 7
    while True:
        numerator = math.ceil(lo * 2 ** bits)
        if Fraction(numerator, 2 ** bits) <= hi:
            return Fraction(numerator, 2 ** bits)
        bits += 1


#: Ratio hi/lo beyond which a box of one sign is split on a log scale.
LOG_RATIO = 16


def split_point(lo: Fraction, hi: Fraction) -> Fraction:
    """A simple point strictly inside (lo, hi), in the middle half of the box on a linear scale,
    or on a log scale where the box spans more than a factor LOG_RATIO on one side of 0 (with 1
    as the anchor of boxes that start at 0)."""
    if lo >= 0 and hi > LOG_RATIO * max(lo, 1):
        a, b = math.log(max(lo, 1)), math.log(hi)
        window = (_exp_fraction(a + (b - a) / 4), _exp_fraction(a + 3 * (b - a) / 4))
    elif hi <= 0 and -lo > LOG_RATIO * max(-hi, 1):
        a, b = math.log(max(-hi, 1)), math.log(-lo)
        window = (-_exp_fraction(a + 3 * (b - a) / 4), -_exp_fraction(a + (b - a) / 4))
    else:
        width = hi - lo
        window = (lo + width / 4, hi - width / 4)
    point = simplest_between(max(window[0], lo), min(window[1], hi))
    if not lo < point < hi:
        point = (lo + hi) / 2
    return point


def _exp_fraction(y: float) -> Fraction:
    return Fraction(math.exp(y)) if y < 700 else Fraction(2) ** int(y / math.log(2))


def short_decimals(lo: Fraction, hi: Fraction, centre: Fraction):
    """Decimals inside [lo, hi], shortest first, near ``centre``: witnesses a person can read."""
    for digits in range(1, 40):
        scale = Fraction(10) ** (decade(centre) - digits + 1) if centre else Fraction(1, 10 ** digits)
        candidate = round(centre / scale) * scale
        if lo <= candidate <= hi:
            yield Fraction(candidate)
