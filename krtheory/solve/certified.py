"""python-flint backend: arb Newton polish of the KKT system and a Krawczyk certificate.

The implicit-bias prediction is beta_i = a_i h(b_i t_i), t = X^T lam, where lam solves
F(lam) = X beta(lam) - y = 0 (the paper's dual problem, eqs. (18)–(19), and Theorem 3), with Jacobian
J(lam) = X diag(a_i b_i h'(b_i t_i)) X^T. As measured (2026-11) to work best:

1. start from the float64 solution (krtheory.solve.float64; krtheory.solve.mp's mpmath one when double
   is out of range), on a maximal independent set of rows chosen exactly (rational Gram matrix);
2. polish by damped Newton on arb midpoints at ~3.33 dps + log2(weight range of J) + 30 bits.
   Only F and beta need that precision: the Newton direction solves with J formed in double
   (scaled by powers of two), which still gains ~16 - log10 cond(J) digits per step; when the
   steps stop shrinking by CONTRACTION, J is formed in arb instead;
3. certify (Krawczyk): on the box M = lam~ +- rho,
       K(M) = lam~ - C F(lam~) + (I - C J(M)) (M - lam~),   C ~ J(lam~)^-1,
   with F(lam~) enclosed in ball arithmetic and J(M) over the whole box: the weights of J by
   ball arithmetic on M, the matrix product either in double with rigorous a priori rounding
   bounds (krtheory.solve._float_enclosure: I - C J(M) only has to be bounded well below 1) or, when
   that test fails, in arb. K(M) in the interior of M proves that M holds exactly one zero
   lam*, and that it lies in K(M) (rho is inflated a bounded number of times). beta* then
   lies in the balls a h(b X^T K(M)).

A certificate that fails raises the precision and retries; after CERTIFY_ATTEMPTS the result
says "uncertified" and why. flint's global precision is only changed inside ``workprec``
blocks, which restore it.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from fractions import Fraction

from krtheory._linalg import _fmpq, independent_rows, rational_data
from krtheory._validation import check_positive_int
from krtheory.errors import InvalidArgument, NoConvergence, NotApplicable
from krtheory.precision import GUARD_DIGITS, check_dps

FLINT_MISSING = "python-flint is not installed: pip install 'krtheory[flint]'"
#: Bits per decimal digit.
BITS_PER_DIGIT = math.log2(10)
#: Bits beyond dps and the weight range (measured: ~3.33 dps + log2(range) + 30 bits suffice).
GUARD_BITS = 30
#: Newton iterations of the polish (all precisions together) before NoConvergence: from a
#: double start 3–5 suffice; far weak directions (alpha ~ 1e-100) took up to 500 (§5).
DEFAULT_MAX_ITERATIONS = 600
#: Certification attempts; each failure multiplies the precision by PRECISION_GROWTH.
CERTIFY_ATTEMPTS = 3
PRECISION_GROWTH = 2
#: Epsilon-inflation: rho starts at INFLATION |C F(lam~)| (plus a floor of 2^-bits |lam~_j|)
#: and is widened to INFLATION max(rho, |K(M) - lam~|) at most INFLATIONS times.
INFLATION = 16
INFLATIONS = 6
#: A float64 lam is used as the start (even when its status is "out_of_range") when its
#: relative residual is below this: Newton then converges in a few steps (D=3, alpha=1e-6: 4
#: iterations, 0.1 s, against 3 s for the mpmath start). Farther starts near a bounded domain's
#: boundary can take hundreds of damped steps, where mpmath's continuation takes a second.
FLOAT_START_RESIDUAL = 1e-6
#: Digits of the mpmath start used when double cannot represent the solution.
MPMATH_START_DPS = 20
#: Significant digits of the rounded-up decimal bounds (radius, residual).
BOUND_DIGITS = 3
#: A full Newton step with J in double must shrink the next step by at least this factor,
#: else J is formed in arb from then on (double resolves ~16 - log10 cond(J) digits per step).
CONTRACTION = 1e-3
#: Once the steps are below 10^-(dps/2) relative, this many in a row that do not halve the
#: smallest step so far mean a floor: first J is formed in arb, then the precision is raised
#: by half (the bits estimate ignores cond(J): planted-5x12 at alpha = 100 stalls at 1e-45 at
#: 163 bits).
STALL_ITERATIONS = 3


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
    t = threshold if isinstance(threshold, arb) else _exact_arb(str(threshold))
    if ball < t:
        return True
    if ball >= t:
        return False
    return None


def _exact_arb(text: str):
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


def _to_arb(value):
    """A start value (float, int, Fraction, exact string, mpmath mpf, arb) as an exact arb (a
    string or Fraction that is not dyadic: its nearest value at the current precision)."""
    arb = flint_module().arb
    if isinstance(value, arb):
        return value.mid()
    if hasattr(value, "_mpf_"):
        sign, man, exp, _ = value._mpf_
        return arb((-int(man) if sign else int(man), int(exp)))
    if isinstance(value, (str, int, Fraction)) and not isinstance(value, bool):
        return _exact_arb(str(value)).mid()
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


# -- exact data and row selection --------------------------------------------------------------


# -- the system at one precision ---------------------------------------------------------------
class _System:
    """F, J and beta of the kept rows as arb balls at ``bits`` (use inside ``workprec(bits)``)."""

    def __init__(self, problem, link, kept, bits):
        import sympy

        flint = flint_module()
        self.flint, self.bits, self.kept = flint, bits, kept
        X, y = rational_data(problem)
        with flint.ctx.workprec(bits):
            self.X_all, self.y_all = flint.arb_mat(X), flint.arb_mat(y)
            self.n, self.d = len(kept), problem.d
            everything = len(kept) == problem.n
            self.X = self.X_all if everything else flint.arb_mat([[self.X_all[i, j] for j in range(self.d)]
                                                                  for i in kept])
            self.Xt = self.X.transpose()
            self.y = self.y_all if everything else flint.arb_mat(self.n, 1, [self.y_all[i, 0] for i in kept])
            self.a = [flint.arb(_fmpq(v)) for v in link.amplitude]
            self.b = [flint.arb(_fmpq(v)) for v in link.rate]
            self.radius = None if link.radius == sympy.oo else arb_function(link.nu, link.radius)(flint.arb(0))
            # per-coordinate link parameters p_i (e.g. A_i, B_i of the biased hypentropy, Theorem 4)
            self.p = ([tuple(flint.arb(_fmpq(str(v))) for v in row) for row in link.values] if link.parameters
                      else [()] * self.d)
        self.h = arb_function(link.nu, link.h, link.parameters)
        self.dh = arb_function(link.nu, sympy.diff(link.h, link.nu), link.parameters)
        self.X_double, self.X_double_exact = double_rows(problem, kept)

    @functools.cached_property
    def entries(self):
        """X's entries as a flat list (only the arb Jacobian needs them: 35 ms at 100 x 1000)."""
        return self.X.entries()

    def column(self, values):
        return self.flint.arb_mat(len(values), 1, values)

    def u(self, lam):
        """b_i (X^T lam)_i (``lam``: an n x 1 arb_mat)."""
        return [bi * t for bi, t in zip(self.b, (self.Xt * lam).entries())]

    def beta(self, u):
        return [ai * self.h(ui, *pi) for ai, ui, pi in zip(self.a, u, self.p)]

    def weights(self, u):
        return [ai * bi * self.dh(ui, *pi) for ai, bi, ui, pi in zip(self.a, self.b, u, self.p)]

    def residual(self, beta):
        """F = X beta - y on the kept rows."""
        return self.X * self.column(beta) - self.y

    def jacobian(self, w):
        """X diag(w) X^T."""
        d = self.d
        return self.flint.arb_mat(self.n, d, [x * w[k % d] for k, x in enumerate(self.entries)]) * self.Xt

    def newton_step(self, w, gradient, in_double: bool) -> list:
        """-J^-1 F (arb midpoints) for J = X diag(w) X^T, F = ``gradient`` (an arb column): J
        formed and solved in double when ``in_double`` and double holds it, else in arb."""
        if in_double:
            step = _double_newton_step(self.X_double, w, gradient.entries())
            if step is not None:
                return step
        return _mids(self.jacobian(w).mid().solve(-gradient, algorithm="approx").entries())

    def inside(self, u) -> bool:
        return self.radius is None or all(abs(v) < self.radius for v in u)

    def needed_bits(self, dps: int, w, u) -> int:
        """:func:`_needed_bits` of the arb weights and, on a bounded domain, the gap to its edge."""
        sizes = [_log2(x) for x in w if x != 0]
        if self.radius is None or not u:
            return _needed_bits(dps, sizes)
        gap = self.radius - max(abs(v) for v in u)
        return _needed_bits(dps, sizes, _log2(self.radius) - _log2(gap) if gap > 0 else self.bits)


def _needed_bits(dps: int, sizes, edge: int = 0) -> int:
    """~3.33 dps + (max - min of ``sizes``, the floor(log2) of the weights of J) + GUARD_BITS, plus
    ``edge`` = floor(log2 radius) - floor(log2 gap) when b_i t_i comes within gap of a bounded
    domain's boundary (rounding u_i costs that much of h)."""
    spread = max(sizes) - min(sizes) if len(sizes) else 0
    return math.ceil(BITS_PER_DIGIT * dps) + int(spread) + max(0, int(edge)) + GUARD_BITS


def _log2(x) -> int:
    """floor(log2|mid(x)|) for a nonzero finite arb."""
    man, exp = x.mid().man_exp()
    return int(exp) + int(abs(int(man))).bit_length() - 1


@functools.lru_cache(maxsize=8)
def double_rows(problem, kept):
    """The kept rows of X as float64 (each entry correctly rounded) and whether every entry is
    within u/(1 - u) of its exact value (finite, normal or an exact zero), which the rigorous
    double bounds of krtheory.solve._float_enclosure need."""
    from krtheory.solve._float_enclosure import exactly_rounded
    from krtheory.solve.float64 import float_data

    X_double = float_data(problem)[0][list(kept)]
    exact = exactly_rounded(X_double, lambda i, j: Fraction(problem.X[kept[i]][j]) == 0)
    return X_double, exact


def _scaled_doubles(values):
    """(v, shift) with v_i the double nearest values_i 2^-shift, shift = floor(log2 max|values_i|)
    (0 when all vanish); entries far below the largest may round to 0."""
    import numpy as np

    sizes = [_log2(x) for x in values if x != 0]
    shift = max(sizes) if sizes else 0
    factor = flint_module().arb((1, -shift))
    return np.array([float(x * factor) for x in values]), shift


def _double_newton_step(X_double, w, gradient):
    """-(X diag(w) X^T)^-1 gradient computed in double after scaling w and the gradient by powers
    of two (exact arbs); None when double cannot hold it."""
    import numpy as np

    from krtheory.solve.float64 import solve_scaled

    w_scaled, w_shift = _scaled_doubles(w)
    g_scaled, g_shift = _scaled_doubles(gradient)
    with np.errstate(all="ignore"):
        try:
            step = solve_scaled((X_double * w_scaled) @ X_double.T, -g_scaled)
        except np.linalg.LinAlgError:
            return None
    if not np.all(np.isfinite(step)):
        return None
    arb = flint_module().arb
    factor = arb((1, g_shift - w_shift))
    return [arb(float(v)) * factor for v in step]


def _mids(values):
    return [v.mid() for v in values]


# -- Newton polish ------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _Polish:
    lam: list                 # arb midpoints
    iterations: int
    converged: bool
    needed_bits: int | None = None   # restart at this precision when set


def _polish(system, lam, dps: int, budget: int) -> _Polish:
    """Damped Newton on arb midpoints until the step changes beta by at most
    10^-(dps + GUARD_DIGITS/2) max|beta| (then taken: the error left is at most that times the
    contraction, the step itself for J in arb, <= CONTRACTION for J in double); the line
    search is krtheory._search.line_search on the directional derivative of the dual.
    Returns with ``needed_bits`` set when the precision is too low: for the weights' range, or
    when the final steps stall (STALL_ITERATIONS)."""
    from krtheory._search import STEP_CAP, line_search
    from krtheory.solve.float64 import LINE_SEARCH_EVALUATIONS

    flint = system.flint
    in_double, previous, best, stalled = True, None, None, 0
    with flint.ctx.workprec(system.bits):
        tolerance = flint.arb(10) ** -(dps + GUARD_DIGITS // 2)
        closing = flint.arb(10) ** -(dps // 2)  # below this the steps must keep shrinking
        for iteration in range(1, budget + 1):
            lam_col = system.column(lam)
            u = _mids(system.u(lam_col))
            beta = _mids(system.beta(u))
            w = _mids(system.weights(u))
            needed = system.needed_bits(dps, w, u)
            if needed > system.bits:
                return _Polish(lam, iteration - 1, False, needed)
            gradient = system.residual(beta).mid()
            step = system.newton_step(w, gradient, in_double)
            step_col = system.column(step)
            c = _mids((system.Xt * step_col).entries())
            change, scale = max(abs(wi * ci) for wi, ci in zip(w, c)), max(abs(b) for b in beta)
            if change <= tolerance * scale:
                return _Polish([(v + s).mid() for v, s in zip(lam, step)], iteration, True)
            if in_double and previous is not None and change > CONTRACTION * previous:
                in_double = False  # double no longer resolves J well enough: form it in arb
            if change <= closing * scale:  # final phase: a step that does not halve the best one stalls
                stalled = stalled + 1 if best is not None and change > best / 2 else 0
                best = change if best is None else min(best, change)
                if stalled >= STALL_ITERATIONS and in_double:
                    in_double, stalled = False, 0
                elif stalled >= STALL_ITERATIONS:  # rounding at this precision (cond(J)) is the floor
                    return _Polish(lam, iteration, False, system.bits + system.bits // 2)
            du = [bi * ci for bi, ci in zip(system.b, c)]
            c_row = flint.arb_mat(1, len(c), c)
            y_step = (system.y.transpose() * step_col)[0, 0].mid()

            def psi(s):
                trial = [ui + s * d for ui, d in zip(u, du)]
                if not system.inside(trial):
                    return None
                value = ((c_row * system.column(system.beta(trial)))[0, 0] - y_step).mid()
                return value if value.is_finite() else None

            psi0 = ((c_row * system.column(beta))[0, 0] - y_step).mid()
            first = min(flint.arb(1), (STEP_CAP / max(abs(d) for d in du)).mid())
            s = (line_search(psi, psi0, first, flint.arb(1), _boundary(system, u, du), LINE_SEARCH_EVALUATIONS)
                 if psi0 < 0 else None)
            if s is None:  # psi lost in rounding: near the solution, where the full step is right
                s = first
                while not system.inside([ui + s * d for ui, d in zip(u, du)]):
                    s = s / 2
            lam = [(v + s * st).mid() for v, st in zip(lam, step)]
            previous = change if s == 1 else None
    return _Polish(lam, budget, False)


def _feasible(system, lam):
    """``lam`` itself when b X^T lam lies inside the link's domain, else lam scaled by 1 - 2^-k
    for the largest k (from half the precision down) that brings it inside: a start rounded to
    fewer digits than the boundary is close (e.g. an mpmath start at 20 digits with the domain's
    boundary 1e-30 away) moves only by that rounding."""
    flint = system.flint
    with flint.ctx.workprec(system.bits):
        for k in range(system.bits // 2, 0, -1):
            if system.inside(system.u(system.column(lam))):
                return lam
            lam = [(v * (1 - flint.arb(2) ** -k)).mid() for v in lam]
        while not system.inside(system.u(system.column(lam))):
            lam = [(v / 2).mid() for v in lam]
    return lam


def _boundary(system, u, du):
    """The first step s with max |u_i + s du_i| = radius (inf when unbounded)."""
    if system.radius is None:
        return math.inf
    reach = [((system.radius - (ui if d > 0 else -ui)) / abs(d)).mid() for ui, d in zip(u, du) if d != 0]
    return min(reach) if reach else math.inf


# -- Krawczyk certificate ------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Certificate:
    """The outcome of the Krawczyk test at one centre: ``passed``; the balls that then hold the
    unique zero lam* (one per kept row) and beta*; otherwise ``reason``."""

    passed: bool
    lam_balls: list | None
    beta_balls: list | None
    reason: str


def krawczyk(problem, link, lam, *, bits: int) -> Certificate:
    """The Krawczyk test at ``bits`` around ``lam`` (one value per row of X: floats, exact
    strings, mpf or arb; the rows kept by :func:`independent_rows` are used)."""
    kept = independent_rows(problem)
    if isinstance(lam, (str, bytes)) or len(lam) != problem.n:
        raise InvalidArgument(f"lam must have one entry per row of X (n={problem.n}), got lam={lam!r}")
    return _krawczyk(_System(problem, link, kept, bits), [_to_arb(lam[i]) for i in kept])


def _krawczyk(system, lam) -> Certificate:
    """The Krawczyk test K(M) in int(M) for M = lam +- rho with epsilon-inflation (module
    docstring); ``lam``: exact arb midpoints, one per kept row. The products of J(M) are
    bounded in double first (fast) and, when that test fails, enclosed in arb."""
    if system.X_double_exact:
        certificate = _krawczyk_test(system, lam, _DoubleProducts)
        if certificate.passed:
            return certificate
    return _krawczyk_test(system, lam, _ArbProducts)


class _Singular(Exception):
    """The Jacobian at the centre could not be inverted by this method."""


class _ArbProducts:
    """C = mid(J(centre))^-1 and (I - C J(M)) (M - centre) enclosed in arb."""

    name = "J(M) enclosed in arb"

    def __init__(self, system, w_centre):
        flint = system.flint
        self.system = system
        self.identity = flint.arb_mat(system.n, system.n, [int(i == j) for i in range(system.n)
                                                           for j in range(system.n)])
        try:
            self.C = system.jacobian(w_centre).mid().solve(self.identity, algorithm="approx").mid()
        except ZeroDivisionError:
            raise _Singular("the Jacobian at the centre is singular at this precision") from None

    def spread(self, w_box, rho):
        box = self.system.column([self.system.flint.arb(0, r) for r in rho])
        return ((self.identity - self.C * self.system.jacobian(w_box)) * box).entries()


class _DoubleProducts:
    """C = 2^-s C_s with C_s the double inverse of the scaled J(centre); |(I - C J(M)) (M - centre)|
    bounded by krtheory.solve._float_enclosure from the weights' enclosures on M."""

    name = "J(M) bounded in double"

    def __init__(self, system, w_centre):
        from krtheory.solve._float_enclosure import DoubleJacobian

        arb = system.flint.arb
        self.w_scaled, self.shift = _scaled_doubles(w_centre)
        self.jacobian = DoubleJacobian(system.X_double, self.w_scaled)
        if not self.jacobian.usable:
            raise _Singular("double does not hold the Jacobian at the centre or its inverse")
        n = system.n
        self.C = system.flint.arb_mat(n, n, self.jacobian.C.ravel().tolist()) * arb((1, -self.shift))
        self.arb = arb

    def spread(self, w_box, rho):
        arb = self.arb
        factor = arb((1, -self.shift))
        r = [_double_above(abs(w * factor - arb(float(v))).upper()) for w, v in zip(w_box, self.w_scaled)]
        k = max(_log2(v) for v in rho)
        rho_scaled = [_double_above(v * arb((1, -k))) for v in rho]
        bound = self.jacobian.spread(r, rho_scaled)
        if bound is None:
            return [arb("nan")] * len(rho)
        return [arb(0, arb(float(b)) * arb((1, k))) for b in bound]


def _double_above(x) -> float:
    """A double >= the nonnegative arb ``x`` (one ulp above the nearest double; inf when too big)."""
    return math.nextafter(float(x.upper()), math.inf)


def _krawczyk_test(system, lam, products) -> Certificate:
    """One run of the test with the products of J formed by ``products`` (_ArbProducts or
    _DoubleProducts); F(lam~) and the weights of J on M always in arb."""
    flint = system.flint
    arb = flint.arb
    with flint.ctx.workprec(system.bits):
        center = system.column(lam)
        u = system.u(center)
        if not system.inside(u):
            return Certificate(False, None, None, "the centre lies outside the link's domain")
        F = system.residual(system.beta(u))
        try:
            method = products(system, system.weights(u))
        except _Singular as singular:
            return Certificate(False, None, None, str(singular))
        C = method.C
        delta = (C * F).entries()
        # a floor for rho on lam's own scale (|lam~_j| or the linear estimate |(C y)_j|: lam
        # may be ~1e-600 in the kernel regime), 2^-bits only when both vanish (y = 0)
        scales = [abs(v) + abs(e) for v, e in zip(lam, (C * system.y).entries())]
        floors = [(s if s != 0 else arb(1)) * arb(2) ** -system.bits for s in scales]
        rho = [(INFLATION * abs(dj).upper() + f).upper().mid() for dj, f in zip(delta, floors)]
        for _ in range(INFLATIONS + 1):
            u_box = system.u(system.column([v + arb(0, r) for v, r in zip(lam, rho)]))
            if not system.inside(u_box):
                return Certificate(False, None, None, "the box around the centre reaches the domain's boundary")
            spread = method.spread(system.weights(u_box), rho)
            offsets = [-dj + sj for dj, sj in zip(delta, spread)]
            sizes = [abs(o).upper() for o in offsets]
            if all(size.is_finite() and size < r for size, r in zip(sizes, rho)):
                lam_balls = [v + o for v, o in zip(lam, offsets)]
                beta_balls = system.beta(system.u(system.column(lam_balls)))
                return Certificate(True, lam_balls, beta_balls, f"K(M) lies in the interior of M ({method.name})")
            if not all(size.is_finite() for size in sizes):
                break
            rho = [(INFLATION * max(r, size)).mid() for r, size in zip(rho, sizes)]
    return Certificate(False, None, None, f"K(M) is not inside M after {INFLATIONS} inflations at "
                                          f"{system.bits} bits (ill-conditioned, or the centre is not close to a zero)")


# -- the solve -------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class FlintSolveResult:
    """beta = a h(b X^T lam) polished in arb and, when ``status == "certified"``, enclosed:
    ``radius`` (decimal, rounded up) bounds max_i |beta[i] - beta*_i| rigorously and
    ``certified_digits`` = floor(log10(max|beta| / radius)) (capped at dps). ``beta``, ``lam``
    are exact arb midpoints (lam: 0 on rows dropped as dependent); ``beta_balls`` the certified
    enclosures; ``residual`` a rounded-up bound on ||X beta - y||_2 over all rows. ``status`` is
    "certified", "uncertified" (with ``message`` saying why) or "polished" (certify=False)."""

    beta: list
    beta_balls: list | None
    lam: list
    radius: str | None
    certified_digits: int | None
    residual: str
    status: str
    message: str
    iterations: int
    bits: int
    dps: int
    start: str
    kept_rows: tuple[int, ...]

    def beta_strings(self, digits: int | None = None) -> list[str]:
        """beta as decimal strings with ``digits`` (default: the certified digits, else dps)
        significant digits."""
        digits = digits or self.certified_digits or self.dps
        return [b.str(max(digits, 1), radius=False, more=True) for b in self.beta]


def solve_link_flint(problem, link, *, dps: int = 50, certify: bool = True, start=None,
                     max_iterations: int = DEFAULT_MAX_ITERATIONS) -> FlintSolveResult:
    """beta at ``dps`` digits by arb Newton polish, certified by the Krawczyk test when
    ``certify`` (module docstring). ``start``: an initial lam (n numbers: floats, exact strings,
    mpf or arb); by default the float64 solution, or mpmath's when double is out of range.
    Raises NotApplicable without python-flint, InvalidArgument for bad input, NoConvergence when
    the polish needs more than ``max_iterations`` Newton iterations."""
    dps = check_dps(dps)
    link.check_dimension(problem.d)
    check_positive_int(max_iterations, "max_iterations")
    flint_module()
    kept = independent_rows(problem)
    lam, origin = _start(problem, link, kept, start)
    bits = _start_bits(problem, link, kept, lam, dps)
    iterations, attempts, certificate = 0, 0, None
    while True:
        system = _System(problem, link, kept, bits)
        polish = _polish(system, _feasible(system, lam), dps, max_iterations - iterations)
        iterations += polish.iterations
        lam = polish.lam
        if polish.needed_bits is not None:
            bits = max(polish.needed_bits * 5 // 4, bits + GUARD_BITS)
            continue
        if not polish.converged:
            raise NoConvergence(f"the arb Newton polish did not converge in max_iterations={max_iterations} "
                                f"iterations (at {bits} bits)")
        if not certify:
            break
        certificate = _krawczyk(system, lam)
        attempts += 1
        if certificate.passed or attempts == CERTIFY_ATTEMPTS:
            break
        bits *= PRECISION_GROWTH
    return _result(problem, system, lam, certificate, certify, iterations, dps, origin)


def _start_bits(problem, link, kept, lam, dps: int) -> int:
    """The precision the polish starts at: _System.needed_bits estimated in double at the start
    (with the same 5/4 margin as a restart), so that the polish need not build its system twice
    (~40 ms at 100 x 1000); the base ~3.33 dps + GUARD_BITS when double cannot tell. The polish
    still checks the bits it needs at every iteration."""
    import numpy as np

    from krtheory.solve.float64 import evaluator, float_data

    base = _needed_bits(dps, [])
    if link.parameters:  # the double evaluators take no link parameters
        return base
    weights = evaluator(link)
    if weights.out_of_range is not None:
        return base
    with np.errstate(all="ignore"):
        u = weights.b * (float_data(problem)[0][list(kept)].T @ np.array([float(v) for v in lam]))
        sizes = np.floor(weights.log_weights(u) / math.log(2))  # as _log2 of the arb weights
        gap = weights.radius - float(np.max(np.abs(u)))
    if not (np.all(np.isfinite(sizes)) and gap > 0):
        return base
    edge = 0 if weights.radius == math.inf else math.floor(math.log2(weights.radius)) - math.floor(math.log2(gap))
    needed = _needed_bits(dps, sizes, edge)
    return needed * 5 // 4 if needed > base else base


def _start(problem, link, kept, start):
    """The initial lam on the kept rows (exact arbs) and where it came from."""
    if start is not None:
        if isinstance(start, (str, bytes)) or len(start) != problem.n:
            raise InvalidArgument(f"start must have one entry per row of X (n={problem.n}), got start={start!r}")
        try:
            return [_to_arb(start[i]) for i in kept], "given"
        except (TypeError, ValueError):
            raise InvalidArgument(f"start must hold numbers, got start={start!r}") from None
    import numpy as np

    from krtheory.solve.mp import solve_link
    from krtheory.solve.float64 import solve_link_float

    if not link.parameters:  # the float64 path takes no per-coordinate link parameters
        result = solve_link_float(problem, link)
        if np.all(np.isfinite(result.lam)) and result.relative_residual <= FLOAT_START_RESIDUAL:
            return [_to_arb(result.lam[i]) for i in kept], f"float64 ({result.status})"

    mp = solve_link(problem, link, dps=MPMATH_START_DPS, verify=False)
    return [_to_arb(mp.lam[i]) for i in kept], "mpmath"


def _result(problem, system, lam, certificate, certify, iterations, dps, origin) -> FlintSolveResult:
    flint = system.flint
    arb = flint.arb
    with flint.ctx.workprec(system.bits):
        lam_all = [arb(0)] * problem.n
        for i, v in zip(system.kept, lam):
            lam_all[i] = v
        lam_col = flint.arb_mat(problem.n, 1, lam_all)
        u = [bi * t for bi, t in zip(system.b, (system.X_all.transpose() * lam_col).entries())]
        passed = certificate is not None and certificate.passed
        balls = certificate.beta_balls if passed else None
        beta = _mids(balls) if passed else _mids(system.beta(u))
        r = system.X_all * system.column(beta) - system.y_all
        residual = decimal_upper(sum((abs(v).upper() ** 2 for v in r.entries()), arb(0)).sqrt())
        radius = digits = None
        if passed:
            bound = max(b.rad() for b in balls)
            radius = decimal_upper(bound)
            scale = max(abs(b) for b in beta)
            digits = dps if bound == 0 else _digits(scale, bound, dps)
    if not certify:
        status, message = "polished", "not certified (certify=False)"
    elif passed:
        status, message = "certified", f"Krawczyk test passed at {system.bits} bits: {certificate.reason}"
    else:
        status, message = "uncertified", certificate.reason
    return FlintSolveResult(beta=beta, beta_balls=balls, lam=lam_all, radius=radius, certified_digits=digits,
                            residual=residual, status=status, message=message, iterations=iterations,
                            bits=system.bits, dps=dps, start=origin, kept_rows=tuple(system.kept))


def _digits(scale, bound, cap: int) -> int:
    """floor(log10(scale / bound)) rounded down rigorously, clamped to [0, cap]."""
    if scale == 0:
        return 0
    ratio = (bound.upper() / scale.lower()).log() / flint_module().arb(10).log()
    return max(0, min(cap, -int(ratio.upper().ceil().unique_fmpz())))
