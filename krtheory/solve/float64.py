"""float64 fast path for the KKT system X a*h(b * X^T lam) = y of the implicit-bias prediction.

Damped Newton on the strictly convex dual (the paper's eqs. (18)–(19), Theorem 3)

    Phi(lam) = sum_i (a_i/b_i) G(b_i t_i) - y^T lam,  t = X^T lam,  grad = X beta - y,
    Hessian = X diag(w) X^T,  w_i = a_i b_i h'(b_i t_i),

as measured to work (2026-11): the Hessian is rescaled by its largest weight,
the first trial step moves b_i t_i by at most STEP_CAP, and when h(nu) = A (f(k nu) - f(-k nu))
with f = exp or f(v) = (1 - v)^-p (detected from the link's sympy expression by
:func:`odd_form`) beta and w are evaluated in the log domain, e.g.
a 2 sinh(z) = sign(z) exp(|z| + ln a) (1 - e^(-2|z|)), so amplitudes down to e^-700 and below
never underflow (within double's range, as 2 a sinh(z) directly). Otherwise h, h' come from
the link's expressions lambdified to numpy. Plain Newton steps (no line search, no rounding
checks) go first while they are safe and lower the residual; the damped iteration then
continues from where they stop and alone decides convergence. The result carries a final
residual check; its status is "ok" only when that check passes. Each iteration is a few dozen
numpy calls on short vectors, so call overhead, not arithmetic, sets the cost at d ~ 100.
Set OPENBLAS_NUM_THREADS=1: threaded BLAS made this 83x slower on a contended 2-core machine.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from fractions import Fraction

import numpy as np
from scipy.linalg import lapack  # LAPACK directly: scipy.linalg's wrappers cost more than the work here

from krtheory._validation import check_positive_int
from krtheory.errors import InvalidArgument
from krtheory._linalg import independent_rows
from krtheory._search import STEP_CAP, line_search

#: Newton iterations per solve: measured: up to ~1850 cold iterations at
#: alpha = 1e-300 for 100x1000 (50–270 with warm starts along alpha).
DEFAULT_MAX_ITERATIONS = 2000
#: Undamped Newton steps tried before the damped iteration (see _undamped).
UNDAMPED_STEPS = 8
#: Directional-derivative evaluations per line search (bracketing by doubling / bisection).
LINE_SEARCH_EVALUATIONS = 60
#: Stop when the Newton step changes beta by at most this fraction of max|beta| (then take
#: it): the error left is of the order of its square, while the rounding noise of a double
#: step is ~1e-14 (measured), so a smaller threshold could never be met.
STEP_TOLERANCE = 1e-11
#: Halvings of the step tried when the dual's directional derivative is lost in rounding and
#: the step must decrease ||X beta - y|| instead (near the solution, where the full step does).
RESIDUAL_HALVINGS = 8
#: Largest |ln x| of an amplitude or rate that double represents with room for h's growth
#: (e^709.78 overflows): beyond it only the log-domain evaluation can work.
MAX_LOG = 700.0
#: "ok" needs ||X beta - y|| <= this times || |X| |beta| + |y| ||. Rounding alone gives
#: ~|u| eps ~ 2e-13 for |u| <= 700 in the log domain (exp's relative error grows with its
#: argument), so 1e-10 leaves a factor ~500 and still catches any unconverged solve.
RESIDUAL_TOLERANCE = 1e-10
#: A bounded domain's boundary is out of double's reach when min_i (1 - |u_i|/radius) falls
#: below this: h ~ gap^-p there, and u_i carries an absolute error of a few eps.
BOUNDARY_RESOLUTION = 64 * 2.0 ** -52
#: The iteration stops as "out_of_range" once the residual is within this factor of the floor
#: rounding leaves (see _rounding_floor) while still above RESIDUAL_TOLERANCE: no step can help.
NOISE_MARGIN = 10
#: Added to the unit diagonal of the scaled Hessian: a few ulps, below what its entries resolve.
RIDGE = 16 * 2.0 ** -52
#: solve_scaled factors H unscaled when its smallest diagonal entry is above this (far from
#: subnormal pivots).
UNSCALED_DIAGONAL = 2.0 ** -600


@dataclasses.dataclass(frozen=True)
class FloatSolveResult:
    """beta = a h(b X^T lam) in double with its honest status.

    ``status``: "ok" (residual check passed), "out_of_range" (double cannot represent or resolve
    the solution: scales beyond e^+-700 without a log-domain form, overflow, a bounded domain's
    boundary closer than double resolves, or a converged iteration failing the residual check),
    "not_converged" (max_iterations ran out, or the line search failed). ``residual``
    is ||X beta - y||_2 over all rows, ``relative_residual`` that over || |X||beta| + |y| ||_2.
    ``log_domain`` tells which evaluation ran (see :func:`odd_form`).
    """

    beta: object                # numpy array (d,)
    lam: object                 # numpy array (n,), 0 for rows dropped as dependent
    residual: float
    relative_residual: float
    iterations: int
    status: str
    message: str
    log_domain: bool
    kept_rows: tuple[int, ...]

    @property
    def ok(self) -> bool:
        return self.status == "ok"


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


# -- numeric evaluation of beta and log-weights ----------------------------------------------
@functools.lru_cache(maxsize=1024)
def _log_exact(text: str) -> float:
    """ln of a positive exact decimal or p/q string, without forming the (maybe subnormal) double."""
    value = Fraction(text)
    return math.log(value.numerator) - math.log(value.denominator)


@functools.lru_cache(maxsize=4)
def float_data(problem):
    """X and y of ``problem`` as read-only float64 arrays, each entry correctly rounded; cached,
    since converting the strings costs more than a solve (e.g. along an alpha sweep)."""
    X, y = problem.X_float(), problem.y_float()
    X.flags.writeable = y.flags.writeable = False
    return X, y


class _LogDomain:
    """beta_i = a_i h(u_i) and ln w_i = ln(a_i b_i h'(u_i)) from an OddForm, in logarithms:
    with v = k|u|, a A (f(v) - f(-v)) = sign(u) exp(ln(a A) + ln f(v)) (1 - f(-v)/f(v)) and
    a b A k (f'(v) + f'(-v)) likewise (f'/f = 1 for exp, p/(1 - v) for the power).
    For f = exp with every a_i A and 2 a_i b_i A k a normal double, the direct forms
    beta = 2 a A sinh(k u), w = 2 a b A k cosh(k u) are used wherever they do not overflow
    (the same numbers, in a third of the operations)."""

    def __init__(self, form: OddForm, link):
        import sympy

        self.kind = form.kind
        self.k = float(form.k)
        self.p = None if form.p is None else float(form.p)
        ln_A = float(sympy.log(form.A))
        self.ln_aA = np.array([_log_exact(v) + ln_A for v in link.amplitude])
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

    def _logs(self, u, order: int):
        """(ln f(v), ln f(-v)/f(v)) for h (order 0) or, with f -> f', for h' (order 1)."""
        v = self.k * np.abs(u)
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
        if self.direct:
            beta = self.two_aA * np.sinh(self.k * u)
            if math.isfinite(float(beta.sum())):  # else sinh overflowed, or beta is huge: the logs decide
                return beta
        return self._log_beta(u)

    def _log_beta(self, u):
        grow, ratio = self._logs(u, 0)
        scale, tail = grow + self.ln_aA, -np.expm1(ratio)
        # where exp(scale) overflows, add the logs
        return np.sign(u) * np.where(scale < MAX_LOG, np.exp(scale) * tail, np.exp(scale + np.log(tail)))

    def log_weights(self, u):
        grow, ratio = self._logs(u, 1)
        return self.ln_b + self.ln_kp + self.ln_aA + grow + np.log1p(np.exp(ratio))

    def evaluate(self, u):
        """(beta, w / e^top, top) at u, with top = max_i ln w_i (see :func:`_scaled`)."""
        if self.direct:
            ku = self.k * u
            weights = self.w_direct * np.cosh(ku)
            peak = float(weights.max())
            if peak < math.inf:  # then no cosh, hence no sinh, overflowed
                return self.two_aA * np.sinh(ku), weights / peak, math.log(peak)
        return (self._log_beta(u), *_scaled(self.log_weights(u)))  # the direct form overflowed


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


def _gap(u, radius) -> float:
    """min_i (1 - |u_i|/radius): the relative distance to a bounded domain's boundary (inf when unbounded)."""
    return math.inf if radius == math.inf else float(1 - np.max(np.abs(u), initial=0.0) / radius)


@functools.lru_cache(maxsize=16)
def evaluator(link):
    """The log-domain evaluator when h has an OddForm whose domain is the link's, else the plain
    one; cached per link (read-only arrays), which sweeps reuse."""
    import sympy

    form = odd_form(link.nu, link.h)
    if form is None:
        return _Plain(link)
    if form.kind == "exp":
        fits = link.radius == sympy.oo
    else:
        fits = link.radius != sympy.oo and sympy.simplify(1 / form.k - link.radius) == 0
    return _LogDomain(form, link) if fits else _Plain(link)


# -- the solve -------------------------------------------------------------------------------
def solve_link_float(problem, link, *, start=None,
                     max_iterations: int = DEFAULT_MAX_ITERATIONS) -> FloatSolveResult:
    """Damped Newton for X a h(b X^T lam) = y in double (see the module docstring).

    ``start``: an initial lam (n floats), e.g. a neighbouring alpha's ``result.lam``; a start
    outside a bounded link's domain is pulled towards 0 until it is inside. Raises
    InvalidArgument for a link that does not fit, a bad start or an inconsistent system.
    """
    link.check_dimension(problem.d)
    check_positive_int(max_iterations, "max_iterations")
    rows = _rows(problem)
    ev = evaluator(link)
    lam = np.zeros(len(rows.kept)) if start is None else _start(start, problem.n, rows, ev)
    iterations, status, message = 0, "out_of_range", ev.out_of_range
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        if message is None:
            lam, iterations, converged = _undamped(rows, ev, lam, min(UNDAMPED_STEPS, max_iterations))
            if converged:
                status, message = "ok", f"converged in {iterations} Newton iterations"
            else:
                lam, iterations, status, message = _newton(rows, ev, lam, max_iterations, iterations)
        return _result(problem, rows, lam, ev, iterations, status, message)


def _undamped(rows, ev, lam, steps: int):
    """(lam, steps taken, converged) of plain Newton steps from ``lam``, at most ``steps``, while
    each is a full step that moves no b_i t_i by more than STEP_CAP, stays in a bounded domain,
    keeps beta and the weights in double's range and lowers ||X beta - y||. A step that fails is
    not taken; one that meets the damped iteration's convergence test (:func:`_converged`) is
    taken and ends the solve. Otherwise :func:`_newton` continues from the point reached, with
    its rounding checks. This phase skips the line search and those checks where Newton needs
    no damping (e.g. alpha >= 1 from a cold start, or a warm start along alpha)."""
    X, Xt, y = rows.X, rows.Xt, rows.y
    bounded, previous = ev.radius != math.inf, math.inf
    for taken in range(steps):
        u = ev.b * (Xt @ lam)
        if bounded and _gap(u, ev.radius) < BOUNDARY_RESOLUTION:
            break
        beta, w, top = ev.evaluate(u)
        gradient = X @ beta - y
        residual = math.hypot(*gradient.tolist())
        if not (residual < previous and abs(top) <= MAX_LOG):  # also catches nan and overflow
            break
        direction = solve_scaled((X * w) @ Xt, -gradient)  # the Newton step is e^-top * direction
        c = Xt @ direction
        full = math.exp(-top)
        if not float(abs(ev.b * c).max()) * full <= STEP_CAP:
            return lam, taken, False
        if residual <= RESIDUAL_TOLERANCE * rows.y_norm and _converged(
                _relative(gradient, rows.abs_X @ abs(beta) + rows.abs_y), w, c, float(abs(beta).max())):
            return lam + full * direction, taken + 1, True
        lam, previous, last = lam + full * direction, residual, lam
    else:
        return lam, steps, False
    return (lam, taken, False) if taken == 0 else (last, taken - 1, False)


def _converged(relative: float, w, c, size: float) -> bool:
    """The convergence test before a full Newton step: the relative residual passes
    RESIDUAL_TOLERANCE and the step changes beta by at most STEP_TOLERANCE * ``size``
    (max|beta|): beta moves by w c, w the scaled weights and c = X^T direction."""
    return relative <= RESIDUAL_TOLERANCE and float(abs(w * c).max()) <= STEP_TOLERANCE * size


def _newton(rows, ev, lam, budget, taken: int = 0):
    """(lam, iterations, status, message) of damped Newton on Phi from ``lam``, ``taken``
    iterations of the budget spent before."""
    X, Xt, y = rows.X, rows.Xt, rows.y
    bounded = ev.radius != math.inf
    for iteration in range(taken + 1, budget + 1):
        u = ev.b * (Xt @ lam)
        if bounded and _gap(u, ev.radius) < BOUNDARY_RESOLUTION:
            return lam, iteration - 1, "out_of_range", ("b_i t_i is closer to the domain's boundary than "
                                                        "double resolves")
        beta, w, top = ev.evaluate(u)
        size = float(abs(beta).max())
        if not (top < math.inf and size < math.inf):
            return lam, iteration - 1, "out_of_range", "beta or h' overflows double at the current iterate"
        if top > MAX_LOG:
            return lam, iteration - 1, "out_of_range", (f"h' weights ~e^{top:.0f}: the Newton step (and lam) "
                                                        "underflow double")
        gradient = X @ beta - y
        relative = _relative(gradient, rows.abs_X @ abs(beta) + rows.abs_y)
        if relative > RESIDUAL_TOLERANCE:
            floor = _rounding_floor(rows.abs_Xt @ abs(lam), w, top, size)
            if relative <= NOISE_MARGIN * floor:
                return lam, iteration - 1, "out_of_range", (
                    f"rounding in double limits beta to ~{floor:.1g} relative here (residual {relative:.2g}): "
                    "use a high-precision backend")
        direction = solve_scaled((X * w) @ Xt, -gradient)  # the Newton step is e^-top * direction
        c = Xt @ direction
        du = ev.b * c
        largest = float(abs(du).max())
        if largest == 0:
            return lam, iteration - 1, "ok", "converged (zero Newton step)"
        full = math.exp(-top) if -top < MAX_LOG else math.inf
        first = min(full, STEP_CAP / largest)
        if first == full and _converged(relative, w, c, size):
            return lam + full * direction, iteration, "ok", f"converged in {iteration} Newton iterations"
        y_direction = float(y @ direction)

        def psi(s):
            value = float(c @ ev.raw_beta(u + s * du)) - y_direction
            return value if math.isfinite(value) else None

        psi0 = float(c @ beta) - y_direction
        s = (line_search(psi, psi0, first, full, _boundary(u, du, ev.radius), LINE_SEARCH_EVALUATIONS)
             if psi0 < 0 else None)
        if s is None:  # psi is rounding noise here: fall back to decreasing ||X beta - y||
            s = _residual_step(rows, ev, u, du, first, relative)
        if s is None:
            if relative <= RESIDUAL_TOLERANCE:
                return lam, iteration, "ok", f"converged to rounding level in {iteration} Newton iterations"
            return lam, iteration, "not_converged", (f"no step decreases the dual or the residual at iteration "
                                                     f"{iteration} (residual {relative:.2g})")
        lam = lam + s * direction
    return lam, budget, "not_converged", f"damped Newton did not converge in max_iterations={budget} iterations"


def _residual_step(rows, ev, u, du, first, relative):
    """The first of first, first/2, ... (RESIDUAL_HALVINGS of them) that lowers the relative
    residual below ``relative``, or None."""
    s = first
    for _ in range(RESIDUAL_HALVINGS):
        trial = u + s * du
        if _gap(trial, ev.radius) > 0:
            beta = ev.raw_beta(trial)
            if (np.isfinite(beta).all()
                    and _relative(rows.X @ beta - rows.y, rows.abs_X @ abs(beta) + rows.abs_y) < relative):
                return s
        s = s / 2
    return None


def _boundary(u, du, radius):
    """The first step s with max_i |u_i + s du_i| = radius (inf for an unbounded domain)."""
    if radius == math.inf:
        return math.inf
    moving = du != 0
    reach = (radius - np.sign(du[moving]) * u[moving]) / np.abs(du[moving])
    return float(np.min(reach, initial=math.inf))


def _rounding_floor(sizes, w, top: float, largest: float) -> float:
    """The relative residual that rounding alone leaves: u_i = b_i t_i carries an error
    ~eps b_i (|X|^T |lam|)_i, which moves beta_i by that times a_i h'(u_i), i.e. by
    eps (|X|^T|lam|)_i w_i (the weights are w e^top); relative to ``largest`` = max|beta|
    (large near a boundary or for large |u_i|)."""
    peak = float((sizes * w).max())
    if largest == 0 or peak == 0:
        return 0.0
    worst = top + math.log(peak)
    return float(np.finfo(float).eps * math.exp(min(worst - math.log(largest), MAX_LOG)))


def _relative(gradient, scale) -> float:
    """||X beta - y|| / || |X||beta| + |y| ||, ``scale`` = |X||beta| + |y|: the residual against
    the rounding scale of its terms."""
    scale, residual = math.hypot(*scale.tolist()), math.hypot(*gradient.tolist())
    return residual / scale if scale > 0 else (0.0 if residual == 0 else math.inf)


def solve_scaled(H, rhs):
    """H^-1 rhs by Cholesky, after scaling H to unit diagonal unless its diagonal is far from
    underflow and the plain factorization succeeds (Cholesky commutes with a diagonal scaling
    up to rounding). When weights span more than double resolves, H is singular in double:
    RIDGE is then added to the scaled diagonal, which turns the hidden directions' steps into
    ~rhs/RIDGE for STEP_CAP to limit."""
    diagonal = H.diagonal()
    if float(diagonal.min()) > UNSCALED_DIAGONAL:
        factor, info = lapack.dpotrf(H, lower=1, clean=0)
        if info == 0:
            return lapack.dpotrs(factor, rhs, lower=1)[0]
    D = 1 / np.sqrt(np.where(diagonal > 0, diagonal, 1.0))
    scaled = D[:, None] * H * D
    factor, info = lapack.dpotrf(scaled, lower=1, clean=0)
    if info != 0:
        scaled[np.diag_indices_from(scaled)] += RIDGE
        factor, info = lapack.dpotrf(scaled, lower=1, clean=0)
        if info != 0:
            raise np.linalg.LinAlgError("the scaled Hessian is not positive definite even with the ridge")
    solution, _ = lapack.dpotrs(factor, D * rhs, lower=1)
    return D * solution


@dataclasses.dataclass(frozen=True)
class _Rows:
    """float64 data of one problem: all rows, the independent ones (``kept``) and the absolute
    values the rounding scales use; C-contiguous, read-only."""

    kept: tuple[int, ...]
    X_all: object
    Xt_all: object
    abs_X_all: object
    y_all: object
    abs_y_all: object
    X: object
    Xt: object
    abs_X: object
    abs_Xt: object
    y: object
    abs_y: object
    y_norm: float


@functools.lru_cache(maxsize=4)
def _rows(problem) -> _Rows:
    """The _Rows of ``problem`` (cached: building them costs more than a small solve)."""
    X_all, y_all = float_data(problem)
    kept = independent_rows(problem)
    X = X_all[list(kept)]
    arrays = {"X_all": X_all, "Xt_all": X_all.T, "abs_X_all": abs(X_all), "y_all": y_all,
              "abs_y_all": abs(y_all), "X": X, "Xt": X.T, "abs_X": abs(X), "abs_Xt": abs(X.T),
              "y": y_all[list(kept)], "abs_y": abs(y_all[list(kept)])}
    for name, array in arrays.items():
        arrays[name] = array = np.ascontiguousarray(array)
        array.flags.writeable = False
    return _Rows(kept=kept, y_norm=math.hypot(*arrays["y"].tolist()), **arrays)


def _start(start, n, rows, ev):
    try:
        values = np.array([float(v) for v in start])
    except (TypeError, ValueError):
        raise InvalidArgument(f"start must be a sequence of n={n} numbers, got start={start!r}") from None
    if values.shape != (n,) or not np.all(np.isfinite(values)):
        raise InvalidArgument(f"start must have n={n} finite entries, got start={start!r}")
    lam = values[list(rows.kept)]
    while not _gap(ev.b * (rows.Xt @ lam), ev.radius) > 0:
        lam = lam / 2
    return lam


def _result(problem, rows, lam_kept, ev, iterations, status, message):
    """The FloatSolveResult at lam (on the kept rows), its residual checked on all rows; call
    with numpy's floating-point warnings silenced."""
    lam = np.zeros(problem.n)
    lam[list(rows.kept)] = lam_kept
    u = ev.b * (rows.Xt_all @ lam)
    beta = ev.raw_beta(u) if _gap(u, ev.radius) > 0 else np.full(problem.d, np.nan)
    gradient = rows.X_all @ beta - rows.y_all
    residual = math.hypot(*gradient.tolist())
    relative = _relative(gradient, rows.abs_X_all @ abs(beta) + rows.abs_y_all)
    if status == "ok" and not relative <= RESIDUAL_TOLERANCE:
        status = "out_of_range"
        message = (f"the iteration converged but ||X beta - y|| / || |X||beta| + |y| || = {relative:.3g} "
                   f"exceeds {RESIDUAL_TOLERANCE:g}: double does not resolve this solution")
    return FloatSolveResult(beta=beta, lam=lam, residual=residual, relative_residual=relative,
                            iterations=iterations, status=status, message=message,
                            log_domain=isinstance(ev, _LogDomain), kept_rows=rows.kept)


def alpha_sweep(problem, link_for_alpha, alphas, **options) -> list[FloatSolveResult]:
    """Solve for each alpha in order, each solve warm-started from the previous "ok" one's lam
    (continuation: order alphas monotonically, e.g. from large to small). ``link_for_alpha(alpha)``
    builds the link; ``options`` go to :func:`solve_link_float`."""
    results, start = [], None
    for alpha in alphas:
        result = solve_link_float(problem, link_for_alpha(alpha), start=start, **options)
        results.append(result)
        if result.ok:
            start = result.lam
    return results
