"""The paper's potentials in ball arithmetic.

- q(x) = int_0^x asinh(u/2) du = 2 - sqrt(4 + x^2) + x asinh(x/2) (Theorem 1, eq. 4), evaluated
  as x asinh(x/2) - x^2 / (2 + sqrt(4 + x^2)) (no cancellation of 2 - sqrt(4 + x^2) at small x);
- q_D(x) = int_0^x h_D^{-1} for D >= 3 (Theorem 3), h_D(z) = (1 - z)^(-p) - (1 + z)^(-p),
  p = D/(D-2), by the closed form q_D(u) = |u| z - G(z), z = h_D^{-1}(|u|),
  G(z) = (D-2)/2 [(1 - z)^(-e) + (1 + z)^(-e) - 2], e = 2/(D-2) (integration by parts, since
  G' = h_D).

Both are even and increasing in |x|, so a ball of arguments maps to the ball between the
values at its smallest and largest |x|. h_D^{-1} is enclosed by a Newton guess verified by the
signs of h_D - x at both ends of a bracket; its Taylor series by Newton's iteration on series,
Z <- Z - (h_D(Z) - X) / h_D'(Z), with the constant term kept at the verified enclosure (every
ball iterate holds the exact iterate started from the exact constant, which reaches the true
series' coefficients below 2^k after k steps).
"""

from __future__ import annotations

import math
from fractions import Fraction

from krtheory.prove._flint import flint, working

#: Newton steps on the point guess, and the relative half-width of the verified bracket
#: (2^-(prec - BRACKET_SLACK_BITS)); widened by 2^BRACKET_SLACK_BITS up to BRACKET_TRIES times.
NEWTON_STEPS = 200
BRACKET_SLACK_BITS = 8
BRACKET_TRIES = 4


class NoEnclosure(ArithmeticError):
    """The inverse link could not be enclosed at this precision (say so, never guess)."""


def exponents(depth: int) -> tuple[Fraction, Fraction]:
    """(p, e) = (D/(D-2), 2/(D-2)) of Theorem 3's link and potential."""
    return Fraction(depth, depth - 2), Fraction(2, depth - 2)


def _arb(value: Fraction):
    f = flint()
    return f.arb(f.fmpq(value.numerator, value.denominator))


def _pow(base, exponent: Fraction):
    """base^exponent for a positive arb base (exact integer powers where possible)."""
    if exponent.denominator == 1:
        return base ** int(exponent)
    return base ** _arb(exponent)


def _even_increasing(point_function, x):
    """The ball of point_function over the ball x, for an even function increasing in |x|."""
    f = flint()
    low, high = x.abs_lower(), x.abs_upper()
    if not (low.is_finite() and high.is_finite()):
        return f.arb("nan")
    if low == high:
        return point_function(low)
    return point_function(low).union(point_function(high))


def q_point(v):
    """q(v) for an exact arb v >= 0."""
    return v * (v / 2).asinh() - v * v / (2 + (4 + v * v).sqrt())


def q_ball(x):
    """A ball holding q(xi) for every xi in the ball x (Theorem 1's hypentropy)."""
    return _even_increasing(q_point, x)


def h_link(depth: int, z):
    """h_D(z) = (1 - z)^(-p) - (1 + z)^(-p) on arb balls in (-1, 1)."""
    p, _ = exponents(depth)
    return _pow(1 - z, -p) - _pow(1 + z, -p)


def _small_bits(x) -> int:
    """Bits lost to cancellation near 0: h_D(z) - x and G(z) lose about 2 log2(1/x)."""
    if not x < 1:
        return 0
    man, exp = x.mid().man_exp()
    return 2 * max(0, -(int(exp) + int(abs(int(man))).bit_length())) + 16


_INVERSES: dict = {}
_CACHE_SIZE = 4096


def _inverse_point(depth: int, x):
    """:func:`_inverse_uncached`, remembered per (depth, x, precision)."""
    key = (depth, x.mid().man_exp(), flint().ctx.prec)
    z = _INVERSES.get(key)
    if z is None:
        if len(_INVERSES) > _CACHE_SIZE:
            _INVERSES.clear()
        z = _INVERSES[key] = _inverse_uncached(depth, x)
    return z


def _inverse_uncached(depth: int, x):
    """A ball holding h_D^{-1}(x) for an exact arb x >= 0: a Newton guess, then the bracket
    checked by the signs of h_D - x at its ends (h_D is increasing); near 0 with the bits
    the cancellation in h_D(z) - x costs."""
    f = flint()
    if x == 0:
        return f.arb(0)
    base = f.ctx.prec
    with working(base + _small_bits(x), f.ctx.cap):
        return _bracketed_inverse(depth, x, base)


def _bracketed_inverse(depth: int, x, base: int):
    f = flint()
    p, _ = exponents(depth)
    prec = f.ctx.prec
    far = x > 1  # solve for w = 1 - z (accurate near z = 1) or for z (accurate near 0)
    value = lambda t: (_pow(t, -p) - _pow(2 - t, -p) - x) if far else (h_link(depth, t) - x)
    slope = lambda t: (-p_arb * (_pow(t, -p - 1) + _pow(2 - t, -p - 1))) if far else \
        (p_arb * (_pow(1 - t, -p - 1) + _pow(1 + t, -p - 1)))
    p_arb = _arb(p)
    guess = f.arb(float(x) ** (-1.0 / float(p))) if far else x / (2 * p_arb)
    guess = guess.mid()
    for _ in range(NEWTON_STEPS):
        step = (value(guess) / slope(guess)).mid()
        new = (guess - step).mid()
        if not (new > 0 and (new < 1 if far else new < 1)):
            new = (guess / 2 if not new > 0 else (guess + 1) / 2).mid()
        if abs(new - guess) < abs(guess) * f.arb(2) ** (-prec - 4):
            guess = new
            break
        guess = new
    for attempt in range(BRACKET_TRIES):
        eps = f.arb(2) ** (BRACKET_SLACK_BITS * (attempt + 1) - base) + 4 * x.rad() / abs(x).lower()
        low, high = (guess * (1 - eps)).mid(), (guess * (1 + eps)).mid()
        signs = (value(low), value(high))
        increasing = not far
        if (signs[0] < 0 and signs[1] > 0) if increasing else (signs[0] > 0 and signs[1] < 0):
            bracket = low.union(high)
            return 1 - bracket if far else bracket
    raise NoEnclosure(f"h_{depth}^-1({x.mid().str(10)}) not enclosed at {prec} bits")


def inverse_link_ball(depth: int, x):
    """A ball holding h_D^{-1}(xi) for every xi in the ball x (odd and increasing)."""
    f = flint()
    if not x.is_finite():
        return f.arb("nan")
    ends = []
    for end in (x.lower(), x.upper()):
        z = _inverse_point(depth, abs(end))
        ends.append(-z if end < 0 else z)
    return ends[0] if x.rad() == 0 else ends[0].union(ends[1])


def q_depth_point(depth: int, u):
    """q_D(u) for an exact arb u >= 0: u m - G(m) + (u - h_D(Z)) (Z - m) with Z the enclosure of
    h_D^{-1}(u), m its midpoint (the mean-value form, since d/dz [u z - G(z)] = u - h_D(z))."""
    f = flint()
    if u == 0:
        return f.arb(0)
    _, e = exponents(depth)
    Z = _inverse_point(depth, u)
    with working(f.ctx.prec + _small_bits(u), f.ctx.cap):
        m = Z.mid()
        G = _arb(Fraction(depth - 2, 2)) * (_pow(1 - m, -e) + _pow(1 + m, -e) - 2)
        return u * m - G + (u - h_link(depth, Z)) * (Z - m)


def q_depth_ball(depth: int, x):
    """A ball holding q_D(xi) for every xi in the ball x (Theorem 3's potential)."""
    return _even_increasing(lambda v: q_depth_point(depth, v), x)


def inverse_link_series(depth: int, X, Z0, kit):
    """The series of h_D^{-1}(X(t)) from a constant ``Z0`` holding h_D^{-1}(X(0)), by Newton's
    iteration on series in ``kit``'s arithmetic (see the module docstring)."""
    p, _ = exponents(depth)
    length = X.prec
    one = kit.number(Fraction(1))
    Z = kit.number(Fraction(0)) + Z0
    for _ in range(max(1, math.ceil(math.log2(max(length, 2))))):
        minus, plus = one - Z, one + Z
        h = kit.link_power(minus, p) - kit.link_power(plus, p)
        dh = (kit.link_power(minus, p + 1) + kit.link_power(plus, p + 1)) * kit.number(p)
        Z = Z - (h - X) / dh
        Z = _with_constant(Z, Z0, kit)
    return Z


def _with_constant(series, constant, kit):
    """``series`` with its constant term replaced by ``constant`` (ball kit) or checked equal
    to it (exact kit, where Newton keeps it exactly)."""
    coefficients = series.coeffs()
    if hasattr(kit, "constant_of") and type(series).__name__ == "arb_series":
        c = constant if not hasattr(constant, "coeffs") else constant.coeffs()[0]
        return type(series)([c] + list(coefficients[1:]), prec=series.prec)
    return series
