"""The end pieces of a domain: z >= 1/tau (or z <= -1/tau) at an infinite end, and
(c, c + tau] (or [c - tau, c)) at a finite open end where f cannot be evaluated. With the
expansion of :mod:`krtheory.prove.asymptotic`, f = sum of L^b t^m S_b(t); the dominant term
(least m, then largest b) decides the sign: on (0, tau], tau <= 1/2,

    f = L^bd t^md [S_d(t) + sum_o L^(b_o - bd) t^(m_o - md) S_o(t)],

and |L|^e t^c (c = m_o - md >= 0, e = b_o - bd < 0 when c = 0) is at most its value at tau, or
(e/c)^e e^-e where it peaks inside (0, tau]. So (-1)^bd times the bracket is at least
(-1)^bd S_d - sum_o sup|L^e t^c| sup|S_o| over the piece: positive proves f > 0 on it.
"""

from __future__ import annotations

from fractions import Fraction

from krtheory.prove._flint import ball, flint
from krtheory.prove.asymptotic import ORDER, NotAsymptotic, expand
from krtheory.prove.potentials import NoEnclosure

#: The tau tried at an infinite end, and at a finite end (times min(1/2, width/2)).
INFINITE_TAUS = tuple(Fraction(1, 2 ** k) for k in (4, 8, 16, 32, 64, 256, 1024))
FINITE_SCALES = tuple(Fraction(1, 2 ** k) for k in (0, 4, 8, 16, 32))


def sign_bounds(tree, end: str, point: Fraction, side: int, tau: Fraction, order: int = ORDER):
    """(lower, upper) bounds of the sign-bearing bracket (-1)^bd [...] on the end piece (arb
    balls; nan when no expansion exists). lower > 0: f > 0 on the piece; upper < 0: f < 0."""
    f = flint()
    nan = f.arb("nan")
    try:
        form = expand(tree, end, point, side, ball(tau), order).normalized()
    except (NotAsymptotic, NoEnclosure, ValueError, ZeroDivisionError):
        return nan, nan
    if not form.terms:
        return nan, nan
    keys = sorted(form.terms, key=lambda key: (form.terms[key][0], -key[0]))
    (bd, _), (md, Sd) = keys[0], form.terms[keys[0]]
    sign = -1 if bd % 2 else 1
    leading = Sd.range() * sign
    slack = f.arb(0)
    for key in keys[1:]:
        (b, _), (m, S) = key, form.terms[key]
        slack += _sup_ratio(Fraction(b - bd), m - md, tau) * abs(S.range()).upper()
    if not (leading.is_finite() and slack.is_finite()):
        return nan, nan
    return (leading - slack).lower(), (leading + slack).upper()


def _sup_ratio(e: Fraction, c: Fraction, tau: Fraction):
    """sup over (0, tau] of |log t|^e t^c (c >= 0; e < 0 when c = 0; tau <= 1/2)."""
    f = flint()
    at_tau = (-ball(tau).log()) ** int(e) * _power(tau, c) if e.denominator == 1 else None
    if c > 0 and e > 0:
        peak = (-(ball(e) / ball(c))).exp()
        if not peak > ball(tau):
            return (ball(e) / ball(c)) ** int(e) * (-ball(e)).exp()
    return at_tau if at_tau is not None else f.arb("nan")


def _power(tau: Fraction, c: Fraction):
    return ball(tau) ** ball(c) if c.denominator != 1 else ball(tau) ** int(c)
