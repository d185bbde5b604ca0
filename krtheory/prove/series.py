"""Truncated Taylor series of a prover tree (see :mod:`krtheory.prove.statement`) at a point or
on a ball, in one of two arithmetics:

- :class:`BallKit`: python-flint ``arb_series`` -- every coefficient a ball holding the true
  Taylor coefficient; evaluated on a ball X it holds f^(k)(xi)/k! for every xi in X (what the
  Lagrange remainder of a Taylor form needs);
- :class:`ExactKit`: ``fmpq_series`` -- exact rational jets at a rational point, available
  when every intermediate constant term is rational (sqrt of a perfect square, log of 1, exp and
  asinh of 0, ...); otherwise it raises :class:`Inexact`. Tangency points are decided with it.

Functions arb_series lacks are composed from what it has: sinh, cosh, tanh from exp; asinh,
acosh, atanh and the potentials by integrating their derivative along the argument,
F(X) = F(X_0) + int X' F'(X). The potentials (Theorems 1 and 3) are in
:mod:`krtheory.prove.potentials`.
"""

from __future__ import annotations

import math
from fractions import Fraction

from krtheory.prove import potentials
from krtheory.prove._flint import flint


class Inexact(ArithmeticError):
    """An exact jet is not available (an irrational constant term, or an undefined value)."""


class Undefined(ValueError):
    """A subexpression is not finite here (log of 0, division by 0, ...): f is not evaluated,
    so that no exact zero factor can hide it (flint gives 0 * nan = 0)."""


def _finite(series):
    if type(series).__name__ == "arb_series" and not all(c.is_finite() for c in series.coeffs()):
        raise Undefined("a subexpression is not finite")
    return series


class BallKit:
    """arb_series arithmetic at flint's current precision and cap (see ``_flint.working``)."""

    def __init__(self):
        self.f = flint()

    def variable(self, x0):
        return self.f.arb_series([x0, 1])

    def number(self, value: Fraction):
        return self.f.arb_series([self.f.arb(self.f.fmpq(value.numerator, value.denominator))])

    def pi(self):
        return self.f.arb_series([self.f.arb.pi()])

    def E(self):
        return self.f.arb_series([self.f.arb(1).exp()])

    def constant_of(self, series):
        return series.coeffs()[0] if series.length() else self.f.arb(0)

    def divide(self, a, b):
        if self.constant_of(b).contains(0):  # flint would divide out an exact zero (x/x = 1)
            raise Undefined("division by a series that may vanish")
        return a / b

    def power(self, a, k: Fraction):
        x0 = self.constant_of(a)
        if k.denominator == 1 and (x0.rad() == 0 or abs(k) <= 2):
            return _integer_power(a, int(k), self)  # exact at exact points
        if k.denominator == 1 and k > 0:
            return self.binomial_power(a, int(k))
        if k == Fraction(1, 2):
            return a.sqrt()
        if k == Fraction(-1, 2):
            return a.rsqrt()
        return self.exp(a.log() * self.f.arb(self.f.fmpq(k.numerator, k.denominator)))

    def binomial_power(self, a, k: int):
        """(x0 + u)^k = sum_j C(k, j) x0^(k-j) u^j (u = a - x0, zero constant term), each x0^i the
        hull of i-th powers over the constant ball (monotone pieces), not arb's power of a ball,
        which for high powers of a wide ball reaches below 0."""
        f = self.f
        x0 = self.constant_of(a)
        u = f.arb_series([f.arb(0)] + list((a - f.arb_series([x0])).coeffs()[1:]), prec=a.prec)
        result, term = f.arb_series([f.arb(0)]), f.arb_series([f.arb(1)])
        for j in range(min(k, a.prec - 1) + 1):
            result += term * (_power_hull(x0, k - j) * math.comb(k, j))
            term = term * u
        return result

    def general_power(self, a, b):
        return self.exp(b * a.log())

    def exp(self, a):
        """e^a = e^(a_0) e^(a - a_0): the constant term's hull [e^lo, e^hi] (arb's own exp of a
        wide ball reaches below 0) times the exponential of the rest (constant exactly 0)."""
        x0 = self.constant_of(a)
        low, high = x0.lower(), x0.upper()
        scale = low.exp().union(high.exp()) if low.is_finite() and high.is_finite() else x0.exp()
        rest = a - self.f.arb_series([x0])
        rest = self.f.arb_series([self.f.arb(0)] + list(rest.coeffs()[1:]), prec=a.prec)
        return rest.exp() * scale

    def function(self, name: str, a):
        if name == "exp":
            return self.exp(a)
        if name in _BALL_NATIVE:
            return getattr(a, name)()
        if name in ("sinh", "cosh", "tanh"):
            e, m = self.exp(a), self.exp(-a)
            return {"sinh": (e - m) / 2, "cosh": (e + m) / 2, "tanh": (e - m) / (e + m)}[name]
        start = getattr(self.constant_of(a), name)()
        slope = {"asinh": lambda: (1 + a * a).rsqrt(), "acosh": lambda: (a * a - 1).rsqrt(),
                 "atanh": lambda: 1 / (1 - a * a)}[name]()
        return _integrate(start, a, slope)

    def q(self, a):
        return _integrate(potentials.q_ball(self.constant_of(a)), a, self.function("asinh", a / 2))

    def q_depth(self, depth: int, a):
        x0 = self.constant_of(a)
        z = potentials.inverse_link_series(depth, a, potentials.inverse_link_ball(depth, x0), self)
        return _integrate(potentials.q_depth_ball(depth, x0), a, z)

    def link_power(self, series, p: Fraction):
        """(series)^(-p) for the link h_D of Theorem 3: p = D/(D-2)."""
        return self.power(series, -p)


_BALL_NATIVE = ("log", "sqrt", "sin", "cos", "tan", "asin", "acos", "atan")


class ExactKit:
    """fmpq_series arithmetic: exact rational Taylor coefficients, or :class:`Inexact`."""

    def __init__(self):
        self.f = flint()

    def variable(self, x0: Fraction):
        return self.f.fmpq_series([self._q(x0), 1])

    def number(self, value: Fraction):
        return self.f.fmpq_series([self._q(value)])

    def _q(self, value: Fraction):
        return self.f.fmpq(value.numerator, value.denominator)

    def pi(self):
        raise Inexact("pi is irrational")

    E = pi

    def constant_of(self, series) -> Fraction:
        coefficients = series.coeffs()
        if not coefficients:
            return Fraction(0)
        c = coefficients[0]
        return Fraction(int(c.p), int(c.q))

    def divide(self, a, b):
        if self.constant_of(b) == 0:
            raise Inexact("division by a series that vanishes at the point")
        return a / b

    def power(self, a, k: Fraction):
        if k.denominator == 1:
            if k < 0 and self.constant_of(a) == 0:
                raise Inexact("negative power of zero")
            return _integer_power(a, int(k), self)
        c = self.constant_of(a)
        root = _rational_root(c, k.denominator) if c > 0 else None
        if root is None:
            raise Inexact(f"{c}^{k} is not rational")
        scale = self.number(root ** k.numerator)
        unit = a / self.number(c)
        return scale * (unit.log() * self._q(k)).exp()

    def general_power(self, a, b):
        raise Inexact("a power with a variable exponent")

    def function(self, name: str, a):
        c = self.constant_of(a)
        if name == "log":
            if c != 1:
                raise Inexact(f"log({c}) is irrational")
            return a.log()
        if name == "sqrt":
            return self.power(a, Fraction(1, 2))
        if name == "exp" and c == 0:
            return a.exp()
        if name in ("cosh", "cos") and c == 0:
            return getattr(a, name)() if name == "cosh" else _cos_exact(a)
        if name in ("sin", "tan", "atan", "asin", "sinh", "tanh", "asinh", "atanh") and c == 0:
            return getattr(a, name)()
        raise Inexact(f"{name}({c}) has no exact jet here")

    def q(self, a):
        if self.constant_of(a) != 0:
            raise Inexact("q has an exact jet only at 0")
        return _integrate(self.number(Fraction(0)), a, (a / 2).asinh())

    def q_depth(self, depth: int, a):
        if self.constant_of(a) != 0:
            raise Inexact("q_D has an exact jet only at 0")
        z = potentials.inverse_link_series(depth, a, self.number(Fraction(0)), self)
        return _integrate(self.number(Fraction(0)), a, z)

    def link_power(self, series, p: Fraction):
        """(series)^(-p) for series with constant term 1 (the link at z = 0)."""
        return (series.log() * self._q(-p)).exp()


def _cos_exact(a):
    return 1 - 2 * (a / 2).sin() ** 2


def _power_hull(x, i: int):
    """A ball holding xi^i for every xi in the ball x (i >= 0): the ends' powers, and 0 when x
    holds 0 and i is even."""
    if i == 0:
        return x * 0 + 1
    low, high = x.lower(), x.upper()
    hull = (low ** i).union(high ** i)
    return hull.union(x * 0) if i % 2 == 0 and x.contains(0) else hull


def _rational_root(c: Fraction, n: int):
    """The rational n-th root of c > 0, or None."""
    roots = []
    for part in (c.numerator, c.denominator):
        try:
            r = round(part ** (1.0 / n))
        except OverflowError:
            return None
        found = next((s for s in (r - 1, r, r + 1) if s > 0 and s ** n == part), None)
        if found is None:
            return None
        roots.append(found)
    return Fraction(roots[0], roots[1])


def _integer_power(a, k: int, kit):
    if k < 0:
        return kit.divide(kit.number(Fraction(1)), _integer_power(a, -k, kit))
    result, base = kit.number(Fraction(1)), a
    while k:
        if k & 1:
            result = result * base
        k >>= 1
        if k:
            base = base * base
    return result


def _integrate(start, argument, slope):
    """F(X) = F(X_0) + int_0^t X'(s) F'(X(s)) ds, with ``start`` = F(X_0), ``slope`` = F'(X)."""
    return (argument.derivative() * slope).integral() + start


def evaluate(tree: tuple, kit, x0):
    """The series of ``tree`` in t at ``x = x0 + t`` (x0: an arb ball for BallKit, a Fraction
    for ExactKit), as long as flint's cap (set it with ``_flint.working``)."""
    variable = kit.variable(x0)

    def walk(node):
        kind = node[0]
        if kind == "x":
            return variable
        if kind == "num":
            return kit.number(node[1])
        if kind == "pi":
            return kit.pi()
        if kind == "E":
            return kit.E()
        if kind in ("add", "sub", "mul"):
            a, b = walk(node[1]), walk(node[2])
            return a + b if kind == "add" else a - b if kind == "sub" else a * b
        if kind == "div":
            return _finite(kit.divide(walk(node[1]), walk(node[2])))
        if kind == "neg":
            return -walk(node[1])
        if kind == "pow":
            return _finite(kit.power(walk(node[1]), node[2]))
        if kind == "powx":
            return _finite(kit.general_power(walk(node[1]), walk(node[2])))
        if kind == "fn":
            return _finite(kit.function(node[1], walk(node[2])))
        if kind == "q":
            return _finite(kit.q(walk(node[1])))
        if kind == "qD":
            return _finite(kit.q_depth(node[1], walk(node[2])))
        raise ValueError(f"unknown node {kind!r}")

    return walk(tree)
