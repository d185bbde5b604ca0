"""The three ways a piece [lo, hi] of the domain is shown to satisfy f > 0 (f >= 0 at a point of
tangency), each a function returning a certified lower bound; the search tries them and the
replay (:mod:`krtheory.prove.replay`) recomputes them from the certificate alone.

- ``taylor``: f(m + s) = sum_{k<n} c_k s^k + C_n s^n for |s| <= r, c_k the Taylor coefficients
  at the centre m, C_n a ball holding f^(n)(xi)/n! for every xi in the piece (Lagrange's
  remainder); the lower bound adds to c_0 the least value of each term over |s| <= r.
- ``monotone``: f' (the ball of the first Taylor coefficient over the piece) has one sign, so
  f >= f(end) with end the lower end for f' >= 0, the upper one for f' <= 0.
- ``touch`` (tangency reduction): at a point c where f and its first j - 1 derivatives vanish
  *exactly* (exact rational jet), f(c + sigma s) = s^j (sigma^j c_j + sum_{j<k<N} c_k sigma^k
  s^(k-j) + C_N sigma^N s^(N-j)) on 0 <= s <= w, sigma = +1 (right of c) or -1 (left of c):
  a positive lower bound of the bracket proves f > 0 on the piece except at c, where f = 0.
  (The sign of the j-th derivative on each side of c, as the statement of the reduction says.)
"""

from __future__ import annotations

from fractions import Fraction

from krtheory.prove._flint import ball, flint, require_length, working
from krtheory.prove.series import BallKit, ExactKit, Inexact, evaluate
from krtheory.prove.potentials import NoEnclosure

#: Degree n of the Taylor forms (the EXPERIMENTS-measured choice: 8).
DEGREE = 8
#: Highest tangency order looked for at a point.
MAX_ORDER = 12


def coefficient(series, k: int):
    """The k-th coefficient (0 beyond the stored ones; AssertionError when it was truncated)."""
    coefficients = series.coeffs()
    return coefficients[k] if k < len(coefficients) else flint().arb(0)


def ball_series(tree, lo: Fraction, hi: Fraction, length: int = DEGREE + 1):
    """The first ``length`` Taylor coefficients of f on the ball holding [lo, hi] (coefficient k
    holds f^(k)(xi)/k! for every xi there), or None where f cannot be evaluated there."""
    return _series(tree, ball((lo, hi)), length)


def point_series(tree, x: Fraction, length: int = DEGREE + 1):
    """The first ``length`` Taylor coefficients of f at x, or None."""
    return _series(tree, ball(x), length)


def _series(tree, x0, length: int):
    f = flint()
    with working(f.ctx.prec, length):
        try:
            series = evaluate(tree, BallKit(), x0)
        except (NoEnclosure, ZeroDivisionError, ValueError):
            return None
    require_length(series, length, "Taylor form")
    return series


def _least(c, k: int, r):
    """The least value of c s^k over |s| <= r (arb balls)."""
    f = flint()
    if k % 2:
        return -(abs(c).upper()) * r ** k
    return c.min(f.arb(0)) * r ** k


def taylor_bound(tree, lo: Fraction, hi: Fraction, centre: Fraction, degree: int = DEGREE, over=None):
    """A lower bound of f on [lo, hi] from the degree-n Taylor form at ``centre`` (nan when f
    cannot be enclosed); ``over``: the ball series on [lo, hi], if already computed."""
    f = flint()
    over = ball_series(tree, lo, hi, degree + 1) if over is None else over
    jet = point_series(tree, centre, degree)
    if over is None or jet is None:
        return f.arb("nan")
    r = ball(max(centre - lo, hi - centre))
    bound = coefficient(jet, 0)
    for k in range(1, degree):
        bound += _least(coefficient(jet, k), k, r)
    return (bound + _least(coefficient(over, degree), degree, r)).lower()


def monotone_bound(tree, lo: Fraction, hi: Fraction, over=None):
    """(end, lower bound of f on [lo, hi]) when f' has one sign on [lo, hi]: f >= f(end);
    (None, nan) otherwise."""
    f = flint()
    over = ball_series(tree, lo, hi) if over is None else over
    if over is None:
        return None, f.arb("nan")
    slope = coefficient(over, 1)
    end = lo if slope >= 0 else hi if slope <= 0 else None  # f' >= 0 already makes f least at lo
    if end is None:
        return None, f.arb("nan")
    value = point_series(tree, end, 1)
    return end, (coefficient(value, 0).lower() if value is not None else f.arb("nan"))


def exact_jet(tree, point: Fraction, length: int):
    """The exact Taylor coefficients of f at ``point`` (Fractions), or None when they are not
    all rational (then no tangency is claimed there)."""
    try:
        with working(flint().ctx.prec, length):
            series = evaluate(tree, ExactKit(), point)
    except (Inexact, ValueError, ZeroDivisionError, NoEnclosure):
        return None
    require_length(series, length, "exact jet")
    coefficients = [Fraction(int(c.p), int(c.q)) for c in series.coeffs()]
    return (coefficients + [Fraction(0)] * length)[:length]


def touch_bound(tree, point: Fraction, side: int, width: Fraction, degree: int = DEGREE):
    """(j, lower bound of the bracket) for the tangency reduction at ``point`` on the piece
    from ``point`` to ``point + side * width``: j is the order of the first nonzero exact
    coefficient; (None, nan) when the jet is not exact or vanishes to the length computed."""
    f = flint()
    length = series_length(degree) - 1
    jet = exact_jet(tree, point, length)
    if jet is None:
        jet = _ball_jet(tree, point, length)
    if jet is None:
        return None, f.arb("nan")
    order = next((k for k, c in enumerate(jet) if not (isinstance(c, Fraction) and c == 0)), None)
    if order is None or order + 1 >= length or (not isinstance(jet[order], Fraction) and jet[order].contains(0)):
        return None, f.arb("nan")
    top = max(degree, order + 2)
    if top >= length:
        return None, f.arb("nan")
    other = point + side * width
    over = ball_series(tree, min(point, other), max(point, other), top + 1)
    if over is None:
        return order, f.arb("nan")
    w = ball(width)
    bound = _as_ball(jet[order]) * side ** order
    for k in range(order + 1, top):
        bound -= abs(_as_ball(jet[k])).upper() * w ** (k - order)
    bound -= abs(coefficient(over, top)).upper() * w ** (top - order)
    return order, bound.lower()


def _ball_jet(tree, point: Fraction, length: int):
    """The Taylor coefficients at ``point`` in ball arithmetic, with the coefficients that are
    exactly zero there (a radius-0 ball at 0 is a proof of vanishing) as Fraction(0); None when
    f cannot be evaluated. Used where the exact jet is not rational (e.g. 2^(-2/3) appears)."""
    series = point_series(tree, point, length)
    if series is None:
        return None
    jet = [coefficient(series, k) for k in range(length)]
    return [Fraction(0) if c == 0 and c.rad() == 0 else c for c in jet]


def _as_ball(value):
    return ball(value) if isinstance(value, Fraction) else value


def series_length(degree: int = DEGREE) -> int:
    """The flint cap the checks need: degree + 1 ball coefficients, and room for the
    tangency orders up to MAX_ORDER."""
    return max(degree, MAX_ORDER) + 4


def value_at(tree, x: Fraction, prec: int):
    """f(x) as a ball at ``prec`` bits (nan where it cannot be evaluated)."""
    with working(prec, 1):
        series = point_series(tree, x, 1)
        return coefficient(series, 0) if series is not None else flint().arb("nan")


def fails_at(tree, x: Fraction, strict: bool, prec: int) -> bool:
    """Whether f(x) < 0 is certain at ``prec`` bits, or, for a strict inequality, f(x) = 0
    exactly (the exact jet, or an exact zero ball)."""
    value = value_at(tree, x, prec)
    if value < 0:
        return True
    if not strict or not value.contains(0):
        return False
    if value == 0 and value.rad() == 0:
        return True
    jet = exact_jet(tree, x, 1)
    return jet is not None and jet[0] == 0
