"""float64 fast path for the KKT system X a*h(b * X^T lam) = y of the implicit-bias prediction.

Damped Newton on the strictly convex dual (FORMULAS.md §2 eqs. 18–19, §5 Theorem 3)

    Phi(lam) = sum_i (a_i/b_i) G(b_i t_i) - y^T lam,  t = X^T lam,  grad = X beta - y,
    Hessian = X diag(w) X^T,  w_i = a_i b_i h'(b_i t_i),

as PERFORMANCE.md §2, §7 and §8 measured it: the Hessian is rescaled by its largest weight,
the first trial step moves b_i t_i by at most STEP_CAP, and when h(nu) = A (f(k nu) - f(-k nu))
with f = exp or f(v) = (1 - v)^-p (detected from the link's sympy expression by
:func:`odd_form`) beta and w are evaluated in the log domain, e.g.
a 2 sinh(z) = sign(z) exp(|z| + ln a) (1 - e^(-2|z|)), so amplitudes down to e^-700 and below
never underflow. Otherwise h, h' come from the link's expressions lambdified to numpy. The
result carries a final residual check; its status is "ok" only when that check passes.
Set OPENBLAS_NUM_THREADS=1: threaded BLAS made this 83x slower on a contended 2-core machine.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from fractions import Fraction

from krtheory.errors import InvalidArgument
from krtheory.solve import ETA, STEP_CAP, bracket_middle

#: Newton iterations per solve: PERFORMANCE.md §6 counts up to ~1850 cold iterations at
#: alpha = 1e-300 for 100x1000 (50–270 with warm starts along alpha).
DEFAULT_MAX_ITERATIONS = 2000
#: Directional-derivative evaluations per line search (bracketing by doubling / bisection).
LINE_SEARCH_EVALUATIONS = 60
#: Stop when the Newton step changes beta by at most this fraction of max|beta| (then take
#: it): the error left is of the order of its square, while the rounding noise of a double
#: step is ~1e-14 (PERFORMANCE.md Table K2), so a smaller threshold could never be met.
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
#: Rows of X whose pivoted-QR diagonal is below this times the largest (and n*d*eps) are
#: dropped as dependent: double resolves nothing finer.
RANK_TOLERANCE = 1e3
#: A bounded domain's boundary is out of double's reach when min_i (1 - |u_i|/radius) falls
#: below this: h ~ gap^-p there, and u_i carries an absolute error of a few eps.
BOUNDARY_RESOLUTION = 64 * 2.0 ** -52
#: The iteration stops as "out_of_range" once the residual is within this factor of the floor
#: rounding leaves (see _rounding_floor) while still above RESIDUAL_TOLERANCE: no step can help.
NOISE_MARGIN = 10
#: Added to the unit diagonal of the scaled Hessian: a few ulps, below what its entries resolve.
RIDGE = 16 * 2.0 ** -52


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
    a b A k (f'(v) + f'(-v)) likewise (f'/f = 1 for exp, p/(1 - v) for the power)."""

    def __init__(self, form: OddForm, link):
        import numpy as np
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

    def _logs(self, u, order: int):
        """(ln f(v), ln f(-v)/f(v)) for h (order 0) or, with f -> f', for h' (order 1)."""
        import numpy as np

        v = self.k * np.abs(u)
        if self.kind == "exp":
            return v, -2 * v
        p = self.p + order
        lower, upper = np.log1p(-v), np.log1p(v)
        return -p * lower, p * (lower - upper)

    def beta(self, u):
        import numpy as np

        grow, ratio = self._logs(u, 0)
        scale, tail = grow + self.ln_aA, -np.expm1(ratio)
        with np.errstate(over="ignore", divide="ignore"):  # where exp(scale) overflows, add the logs
            return np.sign(u) * np.where(scale < MAX_LOG, np.exp(scale) * tail, np.exp(scale + np.log(tail)))

    def log_weights(self, u):
        import numpy as np

        grow, ratio = self._logs(u, 1)
        return self.ln_b + self.ln_kp + self.ln_aA + grow + np.log1p(np.exp(ratio))

    def in_range(self) -> str | None:
        import numpy as np

        worst = float(np.max(np.abs(self.ln_b)))
        return None if worst <= MAX_LOG else f"a rate b_i = e^{worst:.0f} is outside double's range"


class _Plain:
    """beta_i = a_i h(u_i), ln w_i = ln(a_i b_i h'(u_i)) with h, h' lambdified to numpy."""

    def __init__(self, link):
        import numpy as np
        import sympy

        self.h = _numpy_function(link.nu, link.h)
        self.dh = _numpy_function(link.nu, sympy.diff(link.h, link.nu))
        self.ln_a = np.array([_log_exact(v) for v in link.amplitude])
        self.ln_b = np.array([_log_exact(v) for v in link.rate])
        self.a, self.b = np.exp(self.ln_a), np.exp(self.ln_b)
        self.radius = math.inf if link.radius == sympy.oo else float(link.radius)

    def beta(self, u):
        return self.a * self.h(u)

    def log_weights(self, u):
        import numpy as np

        return np.log(self.a * self.b * self.dh(u))

    def in_range(self) -> str | None:
        import numpy as np

        worst = float(max(np.max(np.abs(self.ln_a)), np.max(np.abs(self.ln_b))))
        if worst <= MAX_LOG:
            return None
        return (f"an amplitude or rate is e^{worst:.0f}, outside double's range, and h has no "
                "log-domain form (A (f(k nu) - f(-k nu)) with f = exp or a power)")


@functools.lru_cache(maxsize=64)
def _numpy_function(nu, expr):
    """``expr`` lambdified to numpy (double is the working precision here, so a Rational printed
    as p/q is correctly rounded)."""
    import sympy

    return sympy.lambdify(nu, expr, "numpy")


def _gap(u, radius) -> float:
    """min_i (1 - |u_i|/radius): the relative distance to a bounded domain's boundary (inf when unbounded)."""
    import numpy as np

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
    import numpy as np

    link.check_dimension(problem.d)
    if isinstance(max_iterations, bool) or not isinstance(max_iterations, int) or max_iterations < 1:
        raise InvalidArgument(f"max_iterations must be a positive integer, got max_iterations={max_iterations!r}")
    X_all, y_all = float_data(problem)
    kept = list(_independent_rows(problem))
    X, y = X_all[kept], y_all[kept]
    ev = evaluator(link)
    log_domain = isinstance(ev, _LogDomain)
    lam = np.zeros(len(kept)) if start is None else _start(start, problem.n, kept, X, ev)
    reason = ev.in_range()
    iterations, status, message = 0, "out_of_range", reason
    if reason is None:
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            lam, iterations, status, message = _newton(X, y, ev, lam, max_iterations)
    return _result(problem, X_all, y_all, kept, lam, ev, iterations, status, message, log_domain)


def _newton(X, y, ev, lam, budget):
    """(lam, iterations, status, message) of damped Newton on Phi from ``lam``."""
    import numpy as np

    Xt = X.T
    magnitude = np.abs(Xt)
    for iteration in range(1, budget + 1):
        u = ev.b * (Xt @ lam)
        if _gap(u, ev.radius) < BOUNDARY_RESOLUTION:
            return lam, iteration - 1, "out_of_range", ("b_i t_i is closer to the domain's boundary than "
                                                        "double resolves")
        beta = ev.beta(u)
        log_w = ev.log_weights(u)
        if not (np.all(np.isfinite(beta)) and np.all(log_w < math.inf)):
            return lam, iteration - 1, "out_of_range", "beta or h' overflows double at the current iterate"
        top = float(np.max(log_w))
        if top > MAX_LOG:
            return lam, iteration - 1, "out_of_range", (f"h' weights ~e^{top:.0f}: the Newton step (and lam) "
                                                        "underflow double")
        w = np.exp(log_w - top)
        gradient = X @ beta - y
        relative = _relative(gradient, X, beta, y)
        floor = _rounding_floor(magnitude @ np.abs(lam), log_w, beta)
        if RESIDUAL_TOLERANCE < relative <= NOISE_MARGIN * floor:
            return lam, iteration - 1, "out_of_range", (f"rounding in double limits beta to ~{floor:.1g} relative "
                                                        f"here (residual {relative:.2g}): use a high-precision backend")
        direction = solve_scaled((X * w) @ Xt, -gradient)  # the Newton step is e^-top * direction
        c = Xt @ direction
        du = ev.b * c
        largest = float(np.max(np.abs(du)))
        if largest == 0:
            return lam, iteration - 1, "ok", "converged (zero Newton step)"
        full = math.exp(-top) if -top < MAX_LOG else math.inf
        first = min(full, STEP_CAP / largest)
        if (first == full and np.max(np.abs(w * c)) <= STEP_TOLERANCE * np.max(np.abs(beta))
                and relative <= RESIDUAL_TOLERANCE):
            return lam + full * direction, iteration, "ok", f"converged in {iteration} Newton iterations"
        y_direction = float(y @ direction)

        def psi(s):
            value = float(c @ ev.beta(u + s * du)) - y_direction
            return value if math.isfinite(value) else None

        psi0 = float(c @ beta) - y_direction
        s = line_search(psi, psi0, first, full, _boundary(u, du, ev.radius)) if psi0 < 0 else None
        if s is None:  # psi is rounding noise here: fall back to decreasing ||X beta - y||
            s = _residual_step(X, y, ev, u, du, first, relative)
        if s is None:
            if relative <= RESIDUAL_TOLERANCE:
                return lam, iteration, "ok", f"converged to rounding level in {iteration} Newton iterations"
            return lam, iteration, "not_converged", (f"no step decreases the dual or the residual at iteration "
                                                     f"{iteration} (residual {relative:.2g})")
        lam = lam + s * direction
    return lam, budget, "not_converged", f"damped Newton did not converge in max_iterations={budget} iterations"


def line_search(psi, psi0, first, full, boundary, evaluations: int = LINE_SEARCH_EVALUATIONS):
    """A step s > 0 with psi(s) in [-ETA |psi0|, 0], or s = ``full`` (the Newton step) with
    |psi(full)| <= ETA |psi0|; psi is the directional derivative of Phi along the ray (increasing,
    psi0 = psi(0) < 0), None where the trial point overflows; ``boundary`` the first step that
    leaves a bounded domain (or inf). Brackets by doubling from ``first`` and bisects:
    geometrically when the bracket is wide, or in the distance to the boundary when that shrinks
    by a large factor (h blows up there), as krtheory.solve does. Returns the largest step found
    below the zero of psi when none qualifies, or None. Works for floats and for exact arb
    midpoints alike (``boundary`` may then be an arb, or inf)."""
    lo, hi, s = 0 * first, None, first
    approach = 1
    for _ in range(evaluations):
        if s >= boundary:
            approach *= 2
            s = boundary - (boundary - lo) * 0.5 ** approach
        value = psi(s)
        if value is not None:
            if -ETA * abs(psi0) <= value <= 0 or (s == full and abs(value) <= ETA * abs(psi0)):
                return s
            if value < 0:
                lo = s
                s = 2 * s if hi is None else bracket_middle(lo, hi, boundary)
                continue
        hi = s
        s = bracket_middle(lo, hi, boundary)
    return lo if lo > 0 else None


def _residual_step(X, y, ev, u, du, first, relative):
    """The first of first, first/2, ... (RESIDUAL_HALVINGS of them) that lowers the relative
    residual below ``relative``, or None."""
    import numpy as np

    s = first
    for _ in range(RESIDUAL_HALVINGS):
        trial = u + s * du
        if _gap(trial, ev.radius) > 0:
            beta = ev.beta(trial)
            if np.all(np.isfinite(beta)) and _relative(X @ beta - y, X, beta, y) < relative:
                return s
        s = s / 2
    return None


def _boundary(u, du, radius):
    """The first step s with max_i |u_i + s du_i| = radius (inf for an unbounded domain)."""
    import numpy as np

    if radius == math.inf:
        return math.inf
    moving = du != 0
    reach = (radius - np.sign(du[moving]) * u[moving]) / np.abs(du[moving])
    return float(np.min(reach, initial=math.inf))


def _rounding_floor(sizes, log_w, beta) -> float:
    """The relative residual that rounding alone leaves: u_i = b_i t_i carries an error
    ~eps b_i (|X|^T |lam|)_i, which moves beta_i by that times a_i h'(u_i), i.e. by
    eps (|X|^T|lam|)_i w_i; relative to max|beta| (large near a boundary or for large |u_i|)."""
    import numpy as np

    largest = float(np.max(np.abs(beta)))
    if largest == 0:
        return 0.0
    with np.errstate(divide="ignore"):
        worst = float(np.max(np.log(sizes) + log_w))
    return float(np.finfo(float).eps * math.exp(min(worst - math.log(largest), MAX_LOG)))


def _relative(gradient, X, beta, y) -> float:
    """||X beta - y|| / || |X||beta| + |y| ||: the residual against the rounding scale of its terms."""
    import numpy as np

    scale = float(np.linalg.norm(np.abs(X) @ np.abs(beta) + np.abs(y)))
    residual = float(np.linalg.norm(gradient))
    return residual / scale if scale > 0 else (0.0 if residual == 0 else math.inf)


def solve_scaled(H, rhs):
    """H^-1 rhs after scaling H to unit diagonal, by Cholesky. When weights span more than double
    resolves, H is singular in double: RIDGE is then added to the diagonal, which turns the
    hidden directions' steps into ~rhs/RIDGE for STEP_CAP to limit (PERFORMANCE.md §7.3)."""
    import numpy as np
    from scipy.linalg import lapack  # LAPACK directly: scipy.linalg's wrappers cost more than the work here

    diagonal = np.diag(H).copy()
    D = 1 / np.sqrt(np.where(diagonal > 0, diagonal, 1.0))
    scaled = H * D[:, None] * D[None, :]
    factor, info = lapack.dpotrf(scaled, lower=1, clean=0)
    if info != 0:
        scaled[np.diag_indices_from(scaled)] += RIDGE
        factor, info = lapack.dpotrf(scaled, lower=1, clean=0)
        if info != 0:
            raise np.linalg.LinAlgError("the scaled Hessian is not positive definite even with the ridge")
    solution, _ = lapack.dpotrs(factor, D * rhs, lower=1)
    return D * solution


@functools.lru_cache(maxsize=4)
def _independent_rows(problem) -> tuple[int, ...]:
    """A maximal independent set of rows of X (pivoted QR of X^T), after checking X beta = y is
    consistent on the dropped rows; raises InvalidArgument otherwise. Cached per problem (the QR
    costs a fifth of a small solve)."""
    import numpy as np
    import scipy.linalg

    X, y = float_data(problem)
    n, d = X.shape
    _, R, order = scipy.linalg.qr(X.T, mode="economic", pivoting=True)
    diagonal = np.abs(np.diag(R))
    if not diagonal.size or diagonal[0] == 0:
        raise InvalidArgument("X is zero: no row constrains beta")
    rank = int(np.sum(diagonal > RANK_TOLERANCE * max(n, d) * np.finfo(float).eps * diagonal[0]))
    kept = sorted(int(i) for i in order[:rank])
    if rank < n:
        Xk = X[kept]
        beta = Xk.T @ np.linalg.solve(Xk @ Xk.T, y[kept])
        residual = np.linalg.norm(X @ beta - y)
        scale = np.linalg.norm(np.abs(X) @ np.abs(beta) + np.abs(y))
        if residual > RESIDUAL_TOLERANCE * scale:
            raise InvalidArgument(f"inconsistent system: no beta solves X beta = y (rank {rank} of n={n} rows, "
                                  f"least residual ~{residual:.3g})")
    return tuple(kept)


def _start(start, n, kept, X, ev):
    import numpy as np

    try:
        values = np.array([float(v) for v in start])
    except (TypeError, ValueError):
        raise InvalidArgument(f"start must be a sequence of n={n} numbers, got start={start!r}") from None
    if values.shape != (n,) or not np.all(np.isfinite(values)):
        raise InvalidArgument(f"start must have n={n} finite entries, got start={start!r}")
    lam = values[kept]
    while not _gap(ev.b * (X.T @ lam), ev.radius) > 0:
        lam = lam / 2
    return lam


def _result(problem, X_all, y_all, kept, lam_kept, ev, iterations, status, message, log_domain):
    import numpy as np

    lam = np.zeros(problem.n)
    lam[kept] = lam_kept
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        u = ev.b * (X_all.T @ lam)
        beta = ev.beta(u) if _gap(u, ev.radius) > 0 else np.full(problem.d, np.nan)
        gradient = X_all @ beta - y_all
        residual, relative = float(np.linalg.norm(gradient)), _relative(gradient, X_all, beta, y_all)
    if status == "ok" and not relative <= RESIDUAL_TOLERANCE:
        status = "out_of_range"
        message = (f"the iteration converged but ||X beta - y|| / || |X||beta| + |y| || = {relative:.3g} "
                   f"exceeds {RESIDUAL_TOLERANCE:g}: double does not resolve this solution")
    return FloatSolveResult(beta=beta, lam=lam, residual=residual, relative_residual=relative,
                            iterations=iterations, status=status, message=message, log_domain=log_domain,
                            kept_rows=tuple(kept))


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
