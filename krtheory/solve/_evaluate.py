"""beta = a h(u) and the Newton weights w = a b h'(u) in double, for the float64 dual solve.

When h has a log-domain form (detected from the link's sympy expression), beta and w are
evaluated in logarithms, so amplitudes down to e^-700 and below never underflow:

* odd: h(nu) = A (f(k nu) - f(-k nu)) with f = exp or f(v) = (1 - v)^-p (:func:`odd_form`;
  Theorems 1 and 3, the explicit regularizer of eqs. (8)–(9));
* biased: h(nu; p) = P(p) e^(k nu) - M(p) e^(-k nu) with P, M positive monomials in the link's
  per-coordinate parameters (:func:`biased_form`; the width-k network's A e^nu - B e^-nu of
  §6, Theorem 4). With s = ln(P/M)/2 it is 2 sqrt(PM) sinh(k nu + s): the odd exp form with a
  per-coordinate amplitude sqrt(PM) and shift s.

E.g. a 2 sinh(z) = sign(z) exp(|z| + ln a) (1 - e^(-2|z|)) (the same numbers as 2 a sinh(z)
within double's range). Other links without parameters are lambdified to numpy (plain).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from fractions import Fraction

import numpy as np

from krtheory.errors import InvalidArgument

#: Largest |ln x| of an amplitude or rate that double represents with room for h's growth
#: (e^709.78 overflows): beyond it only the log-domain evaluation can work.
MAX_LOG = 700.0


# -- the structure h(nu) = A (f(k nu) - f(-k nu)) ----------------------------------------------
@dataclasses.dataclass(frozen=True)
class OddForm:
    """h(nu) = A (f(k nu) - f(-k nu)) with f(v) = e^v (``kind`` "exp") or (1 - v)^-p ("power",
    domain |nu| < 1/k); A, k, p positive sympy numbers."""

    kind: str
    A: object
    k: object
    p: object = None

    def expression(self, nu):
        import sympy

        if self.kind == "exp":
            f = lambda v: sympy.exp(v)  # noqa: E731
        else:
            f = lambda v: (1 - v) ** -self.p  # noqa: E731
        return self.A * (f(self.k * nu) - f(-self.k * nu))


@functools.lru_cache(maxsize=64)
def odd_form(nu, h) -> OddForm | None:
    """The OddForm of h when one of its additive terms (as written, rewritten in exp, or in
    partial fractions) is c e^(k nu) or c (s + t nu)^-p with k, -t/s > 0 and h equals
    the form built from it (checked symbolically, see _is_zero); None otherwise."""
    import sympy

    representations = [sympy.Add.make_args(h), sympy.Add.make_args(sympy.expand(h.rewrite(sympy.exp)))]
    if h.is_rational_function(nu):
        representations.append(sympy.Add.make_args(sympy.apart(sympy.together(h), nu)))
    for terms in representations:
        for term in terms:
            form = _candidate(term, nu)
            if form is not None and _is_zero(h - form.expression(nu)):
                return form
    return None


def _is_zero(expr) -> bool:
    """True only when ``expr`` (in exp, expanded, over one denominator) cancels to 0: a sound
    test (a missed zero only means the plain evaluation is used), and fast, unlike simplify."""
    import sympy

    return sympy.cancel(sympy.together(sympy.expand(expr.rewrite(sympy.exp)))) == 0


def _candidate(term, nu) -> OddForm | None:
    import sympy

    coefficient, rest = term.as_independent(nu, as_Add=False)
    if not coefficient.is_number:
        return None
    if isinstance(rest, sympy.exp):
        k = sympy.simplify(rest.args[0] / nu)
        if k.is_number and k.is_positive and coefficient.is_positive:
            return OddForm("exp", coefficient, k)
        return None
    if not rest.is_Pow or not rest.exp.is_number or not rest.exp.is_negative:
        return None
    base = sympy.Poly(rest.base, nu) if rest.base.is_polynomial(nu) else None
    if base is None or base.degree() != 1:
        return None
    t, s = (sympy.nsimplify(c) for c in base.all_coeffs())
    e = rest.exp
    if s.is_negative:
        if not e.is_Integer:
            return None
        s, t, coefficient = -s, -t, coefficient * (-1) ** e
    if not (s.is_positive and (-t / s).is_positive and coefficient.is_positive):
        return None
    return OddForm("power", coefficient * s ** e, -t / s, -e)


# -- the structure h(nu; p) = P(p) e^(k nu) - M(p) e^(-k nu) -----------------------------------
@dataclasses.dataclass(frozen=True)
class BiasedForm:
    """h(nu; p) = P e^(k nu) - M e^(-k nu): ``k`` a positive sympy number, ``plus`` = P and
    ``minus`` = M positive monomials c prod_j p_j^(e_j) in the link parameters (numbers when
    there are none)."""

    k: object
    plus: object
    minus: object

    def expression(self, nu):
        import sympy

        return self.plus * sympy.exp(self.k * nu) - self.minus * sympy.exp(-self.k * nu)


@functools.lru_cache(maxsize=64)
def biased_form(nu, h, parameters: tuple = ()) -> BiasedForm | None:
    """The BiasedForm of h (rewritten in exp and expanded: exactly two terms c e^(+-k nu) with
    the same k > 0 and positive monomial coefficients), None otherwise."""
    import sympy

    terms = sympy.Add.make_args(sympy.expand(h.rewrite(sympy.exp)))
    if len(terms) != 2:
        return None
    found = {}
    for term in terms:
        coefficient, rest = term.as_independent(nu, as_Add=False)
        if not isinstance(rest, sympy.exp):
            return None
        k = sympy.simplify(rest.args[0] / nu)
        if not k.is_number or k == 0:
            return None
        found[bool(k > 0)] = (abs(k), coefficient if k > 0 else -coefficient)
    if set(found) != {True, False} or found[True][0] != found[False][0]:
        return None
    (k, plus), (_, minus) = found[True], found[False]
    if any(_monomial(c, parameters) is None for c in (plus, minus)):
        return None
    return BiasedForm(k, plus, minus)


def _monomial(expr, parameters):
    """(c, {parameter index: exponent}) when ``expr`` = c prod p_j^(e_j) with c > 0 and numeric
    e_j, else None."""
    import sympy

    c, rest = expr.as_coeff_Mul()
    if not (c.is_number and c.is_positive):
        return None
    powers = {}
    for base, exponent in rest.as_powers_dict().items():
        if base == 1:
            continue
        if base not in parameters or not exponent.is_number:
            return None
        powers[parameters.index(base)] = float(exponent)
    return float(sympy.log(c)), powers


def _log_monomial(expr, parameters, rows):
    """ln of the monomial ``expr`` at each coordinate's exact parameter values (``rows``)."""
    ln_c, powers = _monomial(expr, parameters)
    return np.array([ln_c + sum(e * _log_exact(row[j]) for j, e in powers.items()) for row in rows])


# -- numeric evaluation of beta and log-weights ----------------------------------------------
@functools.lru_cache(maxsize=1024)
def _log_exact(text: str) -> float:
    """ln of a positive exact decimal or p/q string, without forming the (maybe subnormal) double."""
    value = Fraction(text)
    return math.log(value.numerator) - math.log(value.denominator)


class _LogDomain:
    """beta_i = a_i h(u_i) and ln w_i = ln(a_i b_i h'(u_i)) in logarithms. With z = k u + s_i
    (s_i the biased form's shift, 0 for an odd form) and v = |z|: a A (f(v) - f(-v)) =
    sign(z) exp(ln(a A) + ln f(v)) (1 - f(-v)/f(v)) and a b A k (f'(v) + f'(-v)) likewise (f'/f = 1
    for exp, p/(1 - v) for the power; A = sqrt(PM) per coordinate for the biased form).
    For f = exp with every a_i A and 2 a_i b_i A k a normal double, the direct forms
    beta = 2 a A sinh(z), w = 2 a b A k cosh(z) are used wherever they do not overflow
    (the same numbers, in a third of the operations)."""

    def __init__(self, kind: str, k, p, ln_aA, shift, link):
        self.kind = kind
        self.k = float(k)
        self.p = None if p is None else float(p)
        self.ln_aA, self.shift = ln_aA, shift
        self.ln_b = np.array([_log_exact(v) for v in link.rate])
        self.b = np.exp(self.ln_b)
        self.radius = math.inf if self.kind == "exp" else 1 / self.k
        self.ln_kp = math.log(self.k) + (0.0 if self.p is None else math.log(self.p))
        worst = float(np.max(np.abs(self.ln_b)))
        self.out_of_range = None if worst <= MAX_LOG else f"a rate b_i = e^{worst:.0f} is outside double's range"
        ln_w = math.log(2) + self.ln_b + self.ln_kp + self.ln_aA
        self.direct = (self.kind == "exp" and self.out_of_range is None
                       and min(float(self.ln_aA.min()), float(ln_w.min())) > -MAX_LOG
                       and max(float(self.ln_aA.max()), float(ln_w.max())) < MAX_LOG)
        if self.direct:
            self.two_aA, self.w_direct = 2 * np.exp(self.ln_aA), np.exp(ln_w)

    @classmethod
    def odd(cls, data: dict, link):
        """From :func:`_odd_data`'s ``kind``, ``ln_A``, ``k``, ``p``."""
        ln_aA = np.array([_log_exact(v) + data["ln_A"] for v in link.amplitude])
        return cls(data["kind"], data["k"], data["p"], ln_aA, 0.0, link)

    @classmethod
    def biased(cls, form: BiasedForm, link):
        rows = link.values if link.parameters else [()] * link.d
        ln_P = _log_monomial(form.plus, link.parameters, rows)
        ln_M = _log_monomial(form.minus, link.parameters, rows)
        ln_a = np.array([_log_exact(v) for v in link.amplitude])
        return cls("exp", form.k, None, ln_a + (ln_P + ln_M) / 2, (ln_P - ln_M) / 2, link)

    def _argument(self, u):
        """z = k u + s (s = 0 for odd forms)."""
        return self.k * u + self.shift

    def _logs(self, z, order: int):
        """(ln f(v), ln f(-v)/f(v)) at v = |z| for h (order 0) or, with f -> f', for h' (order 1)."""
        v = np.abs(z)
        if self.kind == "exp":
            return v, -2 * v
        p = self.p + order
        lower, upper = np.log1p(-v), np.log1p(v)
        return -p * lower, p * (lower - upper)

    def beta(self, u):
        """beta = a h(u)."""
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            return self.raw_beta(u)

    def raw_beta(self, u):
        """beta = a h(u), with numpy's floating-point warnings left to the caller."""
        z = self._argument(u)
        if self.direct:
            beta = self.two_aA * np.sinh(z)
            if math.isfinite(float(beta.sum())):  # else sinh overflowed, or beta is huge: the logs decide
                return beta
        return self._log_beta(z)

    def _log_beta(self, z):
        grow, ratio = self._logs(z, 0)
        scale, tail = grow + self.ln_aA, -np.expm1(ratio)
        # where exp(scale) overflows, add the logs
        return np.sign(z) * np.where(scale < MAX_LOG, np.exp(scale) * tail, np.exp(scale + np.log(tail)))

    def log_weights(self, u):
        grow, ratio = self._logs(self._argument(u), 1)
        return self.ln_b + self.ln_kp + self.ln_aA + grow + np.log1p(np.exp(ratio))

    def evaluate(self, u):
        """(beta, w / e^top, top) at u, with top = max_i ln w_i (see :func:`_scaled`)."""
        z = self._argument(u)
        if self.direct:
            weights = self.w_direct * np.cosh(z)
            peak = float(weights.max())
            if peak < math.inf:  # then no cosh, hence no sinh, overflowed
                return self.two_aA * np.sinh(z), weights / peak, math.log(peak)
        grow, ratio = self._logs(z, 1)  # the direct form overflowed
        log_w = self.ln_b + self.ln_kp + self.ln_aA + grow + np.log1p(np.exp(ratio))
        return (self._log_beta(z), *_scaled(log_w))


def _scaled(log_w):
    """(w / e^top, top) with top = max_i ln w_i: weights spanning more than double's range
    keep their largest at 1 (top is inf or nan when some ln w_i is)."""
    top = float(log_w.max())
    return np.exp(log_w - top), top


class _Plain:
    """beta_i = a_i h(u_i), ln w_i = ln(a_i b_i h'(u_i)) with h, h' lambdified to numpy."""

    def __init__(self, link):
        import sympy

        self.h = _numpy_function(link.nu, link.h)
        self.dh = _numpy_function(link.nu, sympy.diff(link.h, link.nu))
        self.ln_a = np.array([_log_exact(v) for v in link.amplitude])
        self.ln_b = np.array([_log_exact(v) for v in link.rate])
        self.a, self.b = np.exp(self.ln_a), np.exp(self.ln_b)
        self.radius = math.inf if link.radius == sympy.oo else float(link.radius)
        worst = float(max(np.max(np.abs(self.ln_a)), np.max(np.abs(self.ln_b))))
        self.out_of_range = None if worst <= MAX_LOG else (
            f"an amplitude or rate is e^{worst:.0f}, outside double's range, and h has no "
            "log-domain form (A (f(k nu) - f(-k nu)) with f = exp or a power)")

    def beta(self, u):
        """beta = a h(u)."""
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            return self.raw_beta(u)

    def raw_beta(self, u):
        return self.a * self.h(u)

    def log_weights(self, u):
        return np.log(self.a * self.b * self.dh(u))

    def evaluate(self, u):
        """(beta, w / e^top, top) at u (see :func:`_scaled`)."""
        return (self.raw_beta(u), *_scaled(self.log_weights(u)))


@functools.lru_cache(maxsize=64)
def _numpy_function(nu, expr):
    """``expr`` lambdified to numpy (double is the working precision here, so a Rational printed
    as p/q is correctly rounded)."""
    import sympy

    return sympy.lambdify(nu, expr, "numpy")


def gap(u, radius) -> float:
    """min_i (1 - |u_i|/radius): the relative distance to a bounded domain's boundary (inf when unbounded)."""
    return math.inf if radius == math.inf else float(1 - np.max(np.abs(u), initial=0.0) / radius)


def takes(link) -> bool:
    """Whether :func:`evaluator` takes ``link``: every link without parameters, and those with
    per-coordinate parameters whose h has a biased form."""
    return not link.parameters or biased_form(link.nu, link.h, link.parameters) is not None


@functools.lru_cache(maxsize=16)
def evaluator(link):
    """The log-domain evaluator when h has an odd or biased form whose domain is the link's, else
    the plain one; cached per link (read-only arrays), which sweeps reuse. Raises
    InvalidArgument for per-coordinate parameters without a biased form."""
    if link.parameters:
        import sympy

        form = biased_form(link.nu, link.h, link.parameters)
        if form is None or link.radius != sympy.oo:
            raise InvalidArgument(f"link {link.name!r} has per-coordinate parameters, which the float64 "
                                  "evaluation takes only in the biased form P e^(k nu) - M e^(-k nu)")
        return _LogDomain.biased(form, link)
    data = _odd_data(link)
    if data is not None:
        return _LogDomain.odd(data, link)
    import sympy

    biased = biased_form(link.nu, link.h) if link.radius == sympy.oo else None
    return _Plain(link) if biased is None else _LogDomain.biased(biased, link)


def _odd_data(link) -> dict | None:
    """``{"kind", "ln_A", "k", "p"}`` (floats; p None for exp) when h has an :class:`OddForm`
    whose domain is the link's, else None. Kept across processes (:mod:`krtheory._cache`) under
    the exact srepr text of h and the radius, so a warm float64 solve of a built-in link never
    imports sympy; a float in JSON reads back as the same double."""
    from krtheory import _cache

    key = {"h": link.text("h"), "radius": link.text("radius")}
    return _cache.cached("float64-odd-form", key, lambda: _odd_data_of(link), valid=_odd_data_valid)


def _odd_data_valid(data) -> bool:
    """The shape :func:`_odd_data_of` stores: a positive finite k (and p for the power), a finite ln A."""
    if not (isinstance(data, dict) and set(data) == {"kind", "ln_A", "k", "p"} and data["kind"] in ("exp", "power")):
        return False
    numbers = [data["ln_A"], data["k"]] + ([data["p"]] if data["kind"] == "power" else [])
    if data["kind"] == "exp" and data["p"] is not None:
        return False
    return all(type(x) in (int, float) and math.isfinite(x) for x in numbers) and data["k"] > 0 and \
        (data["kind"] == "exp" or data["p"] > 0)


def _odd_data_of(link) -> dict | None:
    import sympy

    form = odd_form(link.nu, link.h)
    if form is None:
        return None
    if form.kind == "exp":
        fits = link.radius == sympy.oo
    else:
        fits = link.radius != sympy.oo and sympy.simplify(1 / form.k - link.radius) == 0
    if not fits:
        return None
    return {"kind": form.kind, "ln_A": float(sympy.log(form.A)), "k": float(form.k),
            "p": None if form.p is None else float(form.p)}
