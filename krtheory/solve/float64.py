"""float64 fast path for the KKT system X a*h(b * X^T lam) = y of the implicit-bias prediction.

Damped Newton on the strictly convex dual (the paper's eqs. (18)–(19), Theorem 3)

    Phi(lam) = sum_i (a_i/b_i) G(b_i t_i) - y^T lam,  t = X^T lam,  grad = X beta - y,
    Hessian = X diag(w) X^T,  w_i = a_i b_i h'(b_i t_i),

as measured to work (2026-11): the Hessian is rescaled by its largest weight,
the first trial step moves b_i t_i by at most STEP_CAP, and beta and w come from
:mod:`krtheory.solve._evaluate` (in the log domain when h has an odd or biased exponential or
power form, so amplitudes down to e^-700 and below never underflow). Plain Newton steps (no line search, no rounding
checks) go first while they are safe and lower the residual; the damped iteration then
continues from where they stop and alone decides convergence. The result carries a final
residual check; its status is OK only when that check passes. Each iteration is a few dozen
numpy calls on short vectors, so call overhead, not arithmetic, sets the cost at d ~ 100.
Set OPENBLAS_NUM_THREADS=1: threaded BLAS made this 83x slower on a contended 2-core machine.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np

from krtheory._validation import check_positive_int
from krtheory.errors import InvalidArgument
from krtheory._linalg import independent_rows
from krtheory._search import STEP_CAP, line_search
from krtheory.solve._dual import (DualSolution, SolveStatus, boundary_step, largest, not_converged, pulled_inside,
                                  scatter, settled, start_on_kept)
from krtheory.solve._evaluate import MAX_LOG, _LogDomain, evaluator, gap

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
#: OK needs ||X beta - y|| <= this times || |X| |beta| + |y| ||. Rounding alone gives
#: ~|u| eps ~ 2e-13 for |u| <= 700 in the log domain (exp's relative error grows with its
#: argument), so 1e-10 leaves a factor ~500 and still catches any unconverged solve.
RESIDUAL_TOLERANCE = 1e-10
#: A bounded domain's boundary is out of double's reach when min_i (1 - |u_i|/radius) falls
#: below this: h ~ gap^-p there, and u_i carries an absolute error of a few eps.
BOUNDARY_RESOLUTION = 64 * 2.0 ** -52
#: The iteration stops as OUT_OF_RANGE once the residual is within this factor of the floor
#: rounding leaves (see _rounding_floor) while still above RESIDUAL_TOLERANCE: no step can help.
NOISE_MARGIN = 10
#: Added to the unit diagonal of the scaled Hessian: a few ulps, below what its entries resolve.
RIDGE = 16 * 2.0 ** -52
#: solve_scaled factors H unscaled when its smallest diagonal entry is above this (far from
#: subnormal pivots).
UNSCALED_DIAGONAL = 2.0 ** -600


@dataclasses.dataclass(frozen=True)
class FloatSolution(DualSolution):
    """beta = a h(b X^T lam) in double (numpy arrays) with its honest status: OK (residual check
    passed), OUT_OF_RANGE (double cannot represent or resolve the solution: scales beyond e^+-700
    without a log-domain form, overflow, a bounded domain's boundary closer than double resolves,
    or a converged iteration failing the residual check), NOT_CONVERGED (max_iterations ran out)
    or STALLED (no step decreased the dual or the residual). ``digits`` is None (double's accuracy
    is estimated, not verified); ``relative_residual`` is ||X beta - y|| over || |X||beta| + |y| ||
    on all rows; ``log_domain`` tells which evaluation ran (see :mod:`krtheory.solve._evaluate`).
    """

    relative_residual: float
    log_domain: bool


@functools.lru_cache(maxsize=4)
def float_data(problem):
    """X and y of ``problem`` as read-only float64 arrays, each entry correctly rounded; cached,
    since converting the strings costs more than a solve (e.g. along an alpha sweep)."""
    X, y = problem.X_float(), problem.y_float()
    X.flags.writeable = y.flags.writeable = False
    return X, y


# -- the solve -------------------------------------------------------------------------------
def solve_link_float(problem, link, *, start=None,
                     max_iterations: int = DEFAULT_MAX_ITERATIONS) -> FloatSolution:
    """Damped Newton for X a h(b X^T lam) = y in double (see the module docstring).

    ``start``: an initial lam (n floats), e.g. a neighbouring alpha's ``result.lam``; a start
    outside a bounded link's domain is pulled towards 0 until it is inside. Raises
    InvalidArgument for a link that does not fit (or has per-coordinate parameters without a
    biased form), a bad start or an inconsistent system.
    """
    link.check_dimension(problem.d)
    check_positive_int(max_iterations, "max_iterations")
    rows = float_rows(problem)
    ev = evaluator(link)
    lam = np.zeros(len(rows.kept)) if start is None else _start(start, problem.n, rows, ev)
    iterations, status, message = 0, SolveStatus.OUT_OF_RANGE, ev.out_of_range
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        if message is None:
            lam, iterations, converged = _undamped(rows, ev, lam, min(UNDAMPED_STEPS, max_iterations))
            if converged:
                status, message = SolveStatus.OK, f"converged in {iterations} Newton iterations"
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
        if bounded and gap(u, ev.radius) < BOUNDARY_RESOLUTION:
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
                relative_residual(gradient, rows.abs_X @ abs(beta) + rows.abs_y), w, c, float(abs(beta).max())):
            return lam + full * direction, taken + 1, True
        lam, previous, last = lam + full * direction, residual, lam
    else:
        return lam, steps, False
    return (lam, taken, False) if taken == 0 else (last, taken - 1, False)


def _converged(relative: float, w, c, size: float) -> bool:
    """The convergence test before a full Newton step: the relative residual passes
    RESIDUAL_TOLERANCE and the step changes beta by at most STEP_TOLERANCE * ``size``
    (max|beta|): beta moves by w c, w the scaled weights and c = X^T direction."""
    return relative <= RESIDUAL_TOLERANCE and settled(w * c, size, STEP_TOLERANCE)


def _newton(rows, ev, lam, budget, taken: int = 0):
    """(lam, iterations, status, message) of damped Newton on Phi from ``lam``, ``taken``
    iterations of the budget spent before."""
    X, Xt, y = rows.X, rows.Xt, rows.y
    bounded = ev.radius != math.inf
    for iteration in range(taken + 1, budget + 1):
        u = ev.b * (Xt @ lam)
        if bounded and gap(u, ev.radius) < BOUNDARY_RESOLUTION:
            return lam, iteration - 1, SolveStatus.OUT_OF_RANGE, ("b_i t_i is closer to the domain's boundary than "
                                                        "double resolves")
        beta, w, top = ev.evaluate(u)
        size = float(abs(beta).max())
        if not (top < math.inf and size < math.inf):
            return lam, iteration - 1, SolveStatus.OUT_OF_RANGE, "beta or h' overflows double at the current iterate"
        if top > MAX_LOG:
            return lam, iteration - 1, SolveStatus.OUT_OF_RANGE, (f"h' weights ~e^{top:.0f}: the Newton step (and lam) "
                                                        "underflow double")
        gradient = X @ beta - y
        relative = relative_residual(gradient, rows.abs_X @ abs(beta) + rows.abs_y)
        if relative > RESIDUAL_TOLERANCE:
            floor = _rounding_floor(rows.abs_Xt @ abs(lam), w, top, size)
            if relative <= NOISE_MARGIN * floor:
                return lam, iteration - 1, SolveStatus.OUT_OF_RANGE, (
                    f"rounding in double limits beta to ~{floor:.1g} relative here (residual {relative:.2g}): "
                    "use a high-precision backend")
        direction = solve_scaled((X * w) @ Xt, -gradient)  # the Newton step is e^-top * direction
        c = Xt @ direction
        du = ev.b * c
        reach = largest(du)
        if reach == 0:
            return lam, iteration - 1, SolveStatus.OK, "converged (zero Newton step)"
        full = math.exp(-top) if -top < MAX_LOG else math.inf
        first = min(full, STEP_CAP / reach)
        if first == full and _converged(relative, w, c, size):
            return lam + full * direction, iteration, SolveStatus.OK, f"converged in {iteration} Newton iterations"
        y_direction = float(y @ direction)

        def psi(s):
            value = float(c @ ev.raw_beta(u + s * du)) - y_direction
            return value if math.isfinite(value) else None

        psi0 = float(c @ beta) - y_direction
        s = (line_search(psi, psi0, first, full, boundary_step(u, du, ev.radius), LINE_SEARCH_EVALUATIONS)
             if psi0 < 0 else None)
        if s is None:  # psi is rounding noise here: fall back to decreasing ||X beta - y||
            s = _residual_step(rows, ev, u, du, first, relative)
        if s is None:
            if relative <= RESIDUAL_TOLERANCE:
                return lam, iteration, SolveStatus.OK, f"converged to rounding level in {iteration} Newton iterations"
            return lam, iteration, SolveStatus.STALLED, (f"no step decreases the dual or the residual at iteration "
                                                     f"{iteration} (residual {relative:.2g})")
        lam = lam + s * direction
    return lam, budget, SolveStatus.NOT_CONVERGED, not_converged("damped Newton", budget)


def _residual_step(rows, ev, u, du, first, relative):
    """The first of first, first/2, ... (RESIDUAL_HALVINGS of them) that lowers the relative
    residual below ``relative``, or None."""
    s = first
    for _ in range(RESIDUAL_HALVINGS):
        trial = u + s * du
        if gap(trial, ev.radius) > 0:
            beta = ev.raw_beta(trial)
            if (np.isfinite(beta).all()
                    and relative_residual(rows.X @ beta - rows.y, rows.abs_X @ abs(beta) + rows.abs_y) < relative):
                return s
        s = s / 2
    return None


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


def relative_residual(gradient, scale) -> float:
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
        factor = _cholesky(H)
        if factor is not None:
            return _cholesky_solve(factor, rhs)
    D = 1 / np.sqrt(np.where(diagonal > 0, diagonal, 1.0))
    scaled = D[:, None] * H * D
    factor = _cholesky(scaled)
    if factor is None:
        scaled[np.diag_indices_from(scaled)] += RIDGE
        factor = _cholesky(scaled)
        if factor is None:
            raise np.linalg.LinAlgError("the scaled Hessian is not positive definite even with the ridge")
    return D * _cholesky_solve(factor, D * rhs)


def _cholesky(H):
    """The lower Cholesky factor L of H (numpy's LAPACK potrf), or None when H is not positive
    definite in double. numpy, not scipy.linalg: importing scipy.linalg costs ~0.35 s, more
    than a whole warm CLI solve."""
    try:
        return np.linalg.cholesky(H)
    except np.linalg.LinAlgError:
        return None


def _cholesky_solve(L, rhs):
    """(L L^T)^-1 rhs by the two triangular systems (numpy has no triangular solve: LU on L)."""
    return np.linalg.solve(L.T, np.linalg.solve(L, rhs))


@dataclasses.dataclass(frozen=True)
class FloatRows:
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
def float_rows(problem) -> FloatRows:
    """The FloatRows of ``problem`` (cached: building them costs more than a small solve)."""
    X_all, y_all = float_data(problem)
    kept = independent_rows(problem)
    X = X_all[list(kept)]
    arrays = {"X_all": X_all, "Xt_all": X_all.T, "abs_X_all": abs(X_all), "y_all": y_all,
              "abs_y_all": abs(y_all), "X": X, "Xt": X.T, "abs_X": abs(X), "abs_Xt": abs(X.T),
              "y": y_all[list(kept)], "abs_y": abs(y_all[list(kept)])}
    for name, array in arrays.items():
        arrays[name] = array = np.ascontiguousarray(array)
        array.flags.writeable = False
    return FloatRows(kept=kept, y_norm=math.hypot(*arrays["y"].tolist()), **arrays)


def _start(start, n, rows, ev):
    """A user's start on the kept rows, pulled inside a bounded domain (see :func:`pulled_inside`)."""
    lam = np.array(start_on_kept(start, n, rows.kept, float))
    if not np.all(np.isfinite(lam)):
        raise InvalidArgument(f"start must have n={n} finite entries, got start={start!r}")
    return pulled_inside(lam, lambda v: gap(ev.b * (rows.Xt @ v), ev.radius) > 0,
                         lambda v, k: v * (1 - 2.0 ** -k))


def _result(problem, rows, lam_kept, ev, iterations, status, message):
    """The FloatSolution at lam (on the kept rows), its residual checked on all rows; call
    with numpy's floating-point warnings silenced."""
    lam = np.array(scatter(rows.kept, lam_kept.tolist(), problem.n, 0.0))
    u = ev.b * (rows.Xt_all @ lam)
    beta = ev.raw_beta(u) if gap(u, ev.radius) > 0 else np.full(problem.d, np.nan)
    gradient = rows.X_all @ beta - rows.y_all
    residual = math.hypot(*gradient.tolist())
    relative = relative_residual(gradient, rows.abs_X_all @ abs(beta) + rows.abs_y_all)
    if status is SolveStatus.OK and not relative <= RESIDUAL_TOLERANCE:
        status = SolveStatus.OUT_OF_RANGE
        message = (f"the iteration converged but ||X beta - y|| / || |X||beta| + |y| || = {relative:.3g} "
                   f"exceeds {RESIDUAL_TOLERANCE:g}: double does not resolve this solution")
    return FloatSolution(beta=beta, lam=lam, residual=residual, iterations=iterations, digits=None,
                         status=status, message=message, backend="numpy", kept_rows=rows.kept,
                         relative_residual=relative, log_domain=isinstance(ev, _LogDomain))


def alpha_sweep(problem, link_for_alpha, alphas, **options) -> list[FloatSolution]:
    """Solve for each alpha in order, each solve warm-started from the previous OK one's lam
    (continuation: order alphas monotonically, e.g. from large to small). ``link_for_alpha(alpha)``
    builds the link; ``options`` go to :func:`solve_link_float`."""
    results, start = [], None
    for alpha in alphas:
        result = solve_link_float(problem, link_for_alpha(alpha), start=start, **options)
        results.append(result)
        if result.ok:
            start = result.lam
    return results
