"""Expansions at an end of the domain with rigorous remainders, for the tails (infinite ends,
and finite open ends where f is singular, e.g. z log z at 0).

Near the end the variable is written through t in (0, tau] (tau <= 1/2): z = +-1/t at an
infinite end, z = c +- t at a finite one, and every subexpression as a finite sum of terms
L^b t^m S(t) with L = log t, b >= 0 an integer, m rational, and S a Taylor model on [0, tau]:
S(t) in sum_{i<N} s_i t^i + R t^N for every t there (s_i, R arb balls). Sums and products are
exact operations on these forms; a function of an analytic argument (b = 0, m >= 0 integer)
is its Taylor model by Lagrange's theorem, phi(a + u) = sum_{k<N} phi_k(a) u^k + Phi_N u^N
with Phi_N the ball of phi^(N)/N! over the argument's range; at a pole (one term with m < 0,
S(0) != 0) log, powers, asinh, atan and the hypentropy q follow from
  log(t^m S) = m L + log S,  (t^m S)^k = t^(mk) S^k,
  asinh(F) = sign(F) [log 2 + log |F| + log((1 + sqrt(1 + F^-2))/2)],
  atan(F) = sign(F) pi/2 - atan(1/F),  q(F) = 2 - sqrt(4 + F^2) + F asinh(F/2)  (eq. 4).
exp(F) for F -> -oo is below every power of t (t^N times a bounded ball). Anything else
(exp of a pole to +oo, q_D at infinity, log of a sum of log terms) raises
NotAsymptotic: the end is then left undecided, never guessed.
"""

from __future__ import annotations

from fractions import Fraction

from krtheory.prove._flint import flint, require_length, working
from krtheory.prove.series import BallKit, evaluate
from krtheory.prove.potentials import NoEnclosure

#: Terms of the Taylor models.
ORDER = 10


class NotAsymptotic(ArithmeticError):
    """No expansion of this kind at this end."""


def _zero():
    return flint().arb(0)


def _exact_zero(x) -> bool:
    return x == 0 and x.rad() == 0


class TaylorModel:
    """S(t) in sum_i coefficients[i] t^i + remainder t^N on [0, tau], N = len(coefficients)."""

    def __init__(self, coefficients, remainder, tau):
        self.c, self.r, self.tau = list(coefficients), remainder, tau

    @classmethod
    def constant(cls, value, tau, order=ORDER):
        return cls([value] + [_zero()] * (order - 1), _zero(), tau)

    @property
    def order(self) -> int:
        return len(self.c)

    def _span(self, power: int):
        """The ball [0, tau^power]."""
        return _zero().union(self.tau ** power)

    def truncated(self, order: int) -> "TaylorModel":
        extra = self.r if order == self.order else self.r * self._span(self.order - order)
        for i in range(order, self.order):
            extra += self.c[i] * self._span(i - order)
        return TaylorModel(self.c[:order], extra, self.tau)

    def range(self):
        T = self._span(1)
        value = _zero()
        for coefficient in reversed(self.c):
            value = value * T + coefficient
        return value + self.r * self._span(self.order)

    def __add__(self, other):
        n = min(self.order, other.order)
        a, b = self.truncated(n), other.truncated(n)
        return TaylorModel([x + y for x, y in zip(a.c, b.c)], a.r + b.r, self.tau)

    def __neg__(self):
        return TaylorModel([-x for x in self.c], -self.r, self.tau)

    def __sub__(self, other):
        return self + (-other)

    def scaled(self, factor):
        return TaylorModel([x * factor for x in self.c], self.r * factor, self.tau)

    def __mul__(self, other):
        n = min(self.order, other.order)
        a, b = self.truncated(n), other.truncated(n)
        product = [_zero()] * (2 * n - 1)
        for i, x in enumerate(a.c):
            for j, y in enumerate(b.c):
                product[i + j] += x * y
        remainder = a.r * b.range() + b.r * TaylorModel(a.c, _zero(), self.tau).range()
        for k in range(n, 2 * n - 1):
            remainder += product[k] * self._span(k - n)
        return TaylorModel(product[:n], remainder, self.tau)

    def shifted_up(self, k: int) -> "TaylorModel":
        """t^k S (k >= 0), same order."""
        wide = TaylorModel([_zero()] * k + self.c, self.r, self.tau)
        return wide.truncated(self.order)

    def leading_zeros(self) -> int:
        k = 0
        while k < self.order and _exact_zero(self.c[k]):
            k += 1
        return k

    def shifted_down(self, k: int) -> "TaylorModel":
        """S / t^k when its first k coefficients vanish exactly (order drops by k)."""
        return TaylorModel(self.c[k:], self.r, self.tau)

    def is_zero(self) -> bool:
        return self.leading_zeros() == self.order and _exact_zero(self.r)

    def compose(self, tree) -> "TaylorModel":
        """phi(S) for phi the one-variable prover tree ``tree`` (in ("x",)), by Lagrange."""
        f = flint()
        n = self.order
        a = self.c[0].mid()
        span = self.range().union(a)
        try:
            with working(f.ctx.prec, n + 1):
                at_point = evaluate(tree, BallKit(), a)
                over = evaluate(tree, BallKit(), span)
        except (NoEnclosure, ZeroDivisionError, ValueError):
            raise NotAsymptotic("the argument leaves the function's domain") from None
        require_length(at_point, n, "Taylor model")
        require_length(over, n + 1, "Taylor model")
        phi = _coefficients(at_point, n) + [_coefficients(over, n + 1)[n]]
        if not all(x.is_finite() for x in phi):
            raise NotAsymptotic("the function is not analytic over the argument's range")
        u = self - TaylorModel.constant(a, self.tau, n)
        result = TaylorModel.constant(phi[n], self.tau, n)
        for k in range(n - 1, -1, -1):
            result = result * u + TaylorModel.constant(phi[k], self.tau, n)
        return result


def _coefficients(series, length: int):
    coefficients = series.coeffs()
    return [coefficients[k] if k < len(coefficients) else _zero() for k in range(length)]


X = ("x",)
LOG = ("fn", "log", X)
HALF_ROOT = ("fn", "log", ("div", ("add", ("num", Fraction(1)), ("pow", ("add", ("num", Fraction(1)), X),
                                                                  Fraction(1, 2))), ("num", Fraction(2))))


class Form:
    """A finite sum of terms L^b t^m S(t): ``terms`` maps (b, m mod 1) to (m, S)."""

    def __init__(self, terms, tau):
        self.terms, self.tau = dict(terms), tau

    @classmethod
    def analytic(cls, model: TaylorModel, m: Fraction = Fraction(0), b: int = 0):
        return cls({(b, m % 1): (m, model)}, model.tau)

    @classmethod
    def constant(cls, value, tau):
        return cls.analytic(TaylorModel.constant(value, tau))

    def __add__(self, other):
        terms = dict(self.terms)
        for key, (m, S) in other.terms.items():
            if key in terms:
                m0, S0 = terms[key]
                low = min(m, m0)
                terms[key] = (low, S0.shifted_up(int(m0 - low)) + S.shifted_up(int(m - low)))
            else:
                terms[key] = (m, S)
        return Form(terms, self.tau).normalized()

    def __neg__(self):
        return Form({k: (m, -S) for k, (m, S) in self.terms.items()}, self.tau)

    def __sub__(self, other):
        return self + (-other)

    def __mul__(self, other):
        result = Form({}, self.tau)
        for (b1, _), (m1, S1) in self.terms.items():
            for (b2, _), (m2, S2) in other.terms.items():
                m = m1 + m2
                result = result + Form({(b1 + b2, m % 1): (m, S1 * S2)}, self.tau)
        return result

    def normalized(self):
        terms = {}
        for key, (m, S) in self.terms.items():
            if S.is_zero():
                continue
            k = S.leading_zeros()
            terms[key] = (m + k, S.shifted_down(k)) if 0 < k < S.order else (m, S)
        return Form(terms, self.tau)

    def single(self):
        """(m, S) when the form is one term without logarithm and S(0) excludes 0."""
        self = self.normalized()
        if len(self.terms) != 1:
            raise NotAsymptotic("a function of a sum of terms of different kinds")
        (b, _), (m, S) = next(iter(self.terms.items()))
        if b or S.c[0].contains(0):
            raise NotAsymptotic("a function of a logarithmic term or of an undetermined leading term")
        return m, S

    def as_model(self):
        """The Taylor model of an analytic form (no log, integer m >= 0), or None."""
        if not self.terms:
            return TaylorModel.constant(_zero(), self.tau)
        if len(self.terms) == 1:
            (b, r), (m, S) = next(iter(self.terms.items()))
            if b == 0 and r == 0 and m >= 0:
                return S.shifted_up(int(m))
        return None


def expand(tree, end: str, point: Fraction, side: int, tau, order: int = ORDER) -> Form:
    """The form of ``tree`` near the end: z = side/t (``end`` "inf") or z = point + side*t."""
    f = flint()
    if end == "inf":
        variable = Form.analytic(TaylorModel.constant(f.arb(side), tau, order), Fraction(-1))
    else:
        model = TaylorModel([f.arb(f.fmpq(point.numerator, point.denominator)), f.arb(side)]
                            + [_zero()] * (order - 2), _zero(), tau)
        variable = Form.analytic(model).normalized()
    return _Expander(variable, tau).walk(tree)


class _Expander:
    def __init__(self, variable: Form, tau):
        self.variable, self.tau = variable, tau

    def constant(self, value):
        return Form.constant(value, self.tau)

    def walk(self, node) -> Form:
        f = flint()
        kind = node[0]
        if kind == "x":
            return self.variable
        if kind == "num":
            return self.constant(f.arb(f.fmpq(node[1].numerator, node[1].denominator)))
        if kind == "pi":
            return self.constant(f.arb.pi())
        if kind == "E":
            return self.constant(f.arb(1).exp())
        if kind in ("add", "sub", "mul"):
            a, b = self.walk(node[1]), self.walk(node[2])
            return a + b if kind == "add" else a - b if kind == "sub" else a * b
        if kind == "neg":
            return -self.walk(node[1])
        if kind == "div":
            return self.walk(node[1]) * self.power(self.walk(node[2]), Fraction(-1))
        if kind == "pow":
            return self.power(self.walk(node[1]), node[2])
        if kind == "q":
            return self.q(self.walk(node[1]))
        if kind == "fn":
            return self.function(node[1], self.walk(node[2]))
        return self.analytic(node, self.walk(node[2]) if kind == "qD" else None, node)

    def analytic(self, node, argument, tree):
        """phi(argument) for an analytic argument (the only way q_D and powx are expanded)."""
        if argument is None:
            raise NotAsymptotic(f"{node[0]} is not expanded at an end")
        model = argument.as_model()
        if model is None:
            raise NotAsymptotic(f"{node[0]} of a non-analytic argument")
        return Form.analytic(model.compose(("qD", node[1], X)))

    def power(self, F: Form, k: Fraction) -> Form:
        if k.denominator == 1 and 0 <= k <= 64:
            result = self.constant(flint().arb(1))
            for _ in range(int(k)):
                result = result * F
            return result
        model = F.as_model()
        if model is not None and (k >= 0 and k.denominator == 1 or not model.c[0].contains(0)):
            if k.denominator == 1 and k >= 0:
                return Form.analytic(_integer_power(model, int(k)))
            return Form.analytic(model.compose(("pow", X, k)))
        m, S = F.single()
        if k.denominator != 1 and not S.c[0] > 0:
            raise NotAsymptotic("a fractional power of a negative leading term")
        return Form.analytic(S.compose(("pow", X, k)), m * k)

    def function(self, name: str, F: Form) -> Form:
        if name == "sqrt":
            return self.power(F, Fraction(1, 2))
        model = F.as_model()
        if model is not None:
            try:
                return Form.analytic(model.compose(("fn", name, X)))
            except NotAsymptotic:
                if name in _BY_LOGARITHM:  # at its singular point: through the logarithm
                    return _BY_LOGARITHM[name](self, F)
                if name != "log":
                    raise
        m, S = F.single()
        f = flint()
        sign = 1 if S.c[0] > 0 else -1
        if name == "exp" and m < 0 and sign < 0:
            return Form.analytic(_flat_exponential(m, S))
        if name == "log":
            if sign < 0:
                raise NotAsymptotic("log of a negative leading term")
            return self.log_term(m) + Form.analytic(S.compose(LOG))
        if m < 0 and (name == "asinh" and (2 * m).denominator == 1 or name == "atan" and m.denominator == 1):
            inverse = Form.analytic(S.compose(("pow", X, Fraction(-1 if name == "atan" else -2))),
                                    -m if name == "atan" else -2 * m).as_model()
            if name == "atan":
                return self.constant(f.arb.pi() * sign / 2) - Form.analytic(inverse.compose(("fn", "atan", X)))
            # log(2|F|) = m L + log(2|S|): one logarithm, so that log 2 + log(1/2) cancels exactly
            magnitude = self.log_term(m) + Form.analytic(S.scaled(f.arb(2 * sign)).compose(LOG)) + \
                Form.analytic(inverse.compose(HALF_ROOT))
            return magnitude if sign > 0 else -magnitude
        raise NotAsymptotic(f"{name} of a term that is not analytic at the end")

    def log_term(self, m: Fraction) -> Form:
        """m L as a form."""
        f = flint()
        return Form({(1, Fraction(0)): (Fraction(0), TaylorModel.constant(
            f.arb(f.fmpq(m.numerator, m.denominator)), self.tau))}, self.tau)

    def q(self, F: Form) -> Form:
        model = F.as_model()
        if model is not None:
            return Form.analytic(model.compose(("q", X)))
        two = self.constant(flint().arb(2))
        square = F * F
        return two - self.power(self.constant(flint().arb(4)) + square, Fraction(1, 2)) + \
            F * self.function("asinh", F * self.constant(flint().arb(1) / 2))


def _flat_exponential(m: Fraction, S: TaylorModel) -> TaylorModel:
    """exp(t^m S(t)) for m < 0 and S < 0 on [0, tau]: below every power of t, written as
    t^N r(t) with r(t) in [0, K], K = sup over (0, tau] of g(t) = exp(S_max t^m) t^-N (S_max the
    largest value of S there): g increases up to t* = (N / (S_max m))^(1/m) and then decreases."""
    f = flint()
    top = S.range().upper()
    if not top < 0:
        raise NotAsymptotic("exp of a pole whose sign is not fixed")
    N, power = S.order, f.arb(f.fmpq(m.numerator, m.denominator))
    g = lambda t: (top * t ** power).exp() * t ** (-N)  # noqa: E731
    peak = (f.arb(N) / (top * power)) ** (1 / power)
    K = g(S.tau) if peak > S.tau else g(peak)
    if not K.is_finite():
        raise NotAsymptotic("exp of a pole: no bound")
    return TaylorModel([_zero()] * N, _zero().union(K.upper()), S.tau)


def _atanh(expander, F: Form) -> Form:
    """atanh F = (log(1 + F) - log(1 - F)) / 2."""
    one, half = expander.constant(flint().arb(1)), expander.constant(flint().arb(1) / 2)
    return half * (expander.function("log", one + F) - expander.function("log", one - F))


def _acosh(expander, F: Form) -> Form:
    """acosh F = log(F + sqrt(F^2 - 1))."""
    one = expander.constant(flint().arb(1))
    return expander.function("log", F + expander.power(F * F - one, Fraction(1, 2)))


_BY_LOGARITHM = {"atanh": _atanh, "acosh": _acosh}


def _integer_power(model: TaylorModel, k: int) -> TaylorModel:
    result = TaylorModel.constant(flint().arb(1), model.tau, model.order)
    for _ in range(k):
        result = result * model
    return result
