"""The implicit-bias prediction argmin sum_i (a_i/b_i) q(beta_i/a_i) s.t. X beta = y, q' = h^-1.

Its KKT point is beta_i = a_i h(b_i t_i), t = X^T lambda, where lambda in R^n minimizes the
strictly convex dual (the paper's eqs. (18)–(19) and (5), Theorems 3 and 4)

    Phi(lambda) = sum_i (a_i/b_i) G(b_i t_i) - y^T lambda,   grad = X beta - y,
    Hessian = X diag(a_i b_i h'(b_i t_i)) X^T

(with a link's per-coordinate parameters p_i: h(.; p_i), G(.; p_i) in coordinate i; then
q(h(0; p_i)) = 0 and h need not be odd).

:func:`solve_link` runs damped Newton on Phi in a private mpmath context. The Hessian is scaled
to unit diagonal and factored with diagonal pivoting. The line search looks for a zero of the
directional derivative psi(s) of Phi along the Newton ray (bracketing; geometric steps towards
the boundary of a bounded domain): it needs no Phi values, which cancel near the optimum.
Small amplitudes are reached by continuation: the amplitudes are scaled by e^sigma, from a sigma
where beta is in the linear (kernel) regime down to sigma = 0; the predictor extrapolates each
coordinate along its own observed law |beta_i| ~ e^(slope sigma) (see _Dual.predict). The
working precision rises whenever the Hessian's pivots or the closeness of b_i t_i to the
domain's boundary would eat the guard digits.
"""

from __future__ import annotations

import dataclasses
import math

from krtheory._validation import check_positive_int
from krtheory.errors import InvalidArgument, NoConvergence
from krtheory.precision import (GUARD_DIGITS, MAX_DPS, Tolerance, agreeing_digits_of_vectors, check_dps, context,
                                to_decimal)
from krtheory._linalg import Cholesky, IntegerRows, matvec, norm2, pivoted_cholesky, reduce_rows
from krtheory._search import STEP_CAP, line_search
from krtheory.solve._dual import (DualSolution, SolveStatus, boundary_step, not_converged, raised_precision, scatter,
                                  settled, start_on_kept)

#: Newton iterations allowed per solve (all continuation stages together) before NoConvergence.
DEFAULT_MAX_ITERATIONS = 300
#: Directional-derivative evaluations per line search.
LINE_SEARCH_EVALUATIONS = 80
#: Continuation starts where max_i |beta_l2,i| / (a_i h'(0) e^sigma) = KERNEL_SIZE, i.e. where
#: b_i t_i is about this large and h is still close to linear; none is needed below it.
KERNEL_SIZE = 1
#: Intermediate points of the continuation are converged to this many digits of beta: they only
#: seed the next predictor.
PATH_DIGITS = 2
#: Newton iterations a continuation stage may take before it is retried with half the sigma step;
#: a stage done in FAST_STAGE iterations doubles the step, one that needed STAGE_ITERATIONS - 1
#: halves it. FIRST_SIGMA_STEP is the first step (the solution is nearly linear in sigma
#: once the rich regime is reached, so the steps grow geometrically there).
STAGE_ITERATIONS = 8
FAST_STAGE = 4
FIRST_SIGMA_STEP = 4
#: The smallest sigma step before the continuation gives up.
MIN_SIGMA_STEP = 1e-6
#: The predictor solves h(v) = z to this accuracy in log h, in at most INVERSE_ITERATIONS steps.
PREDICTOR_TOLERANCE = 1e-3
INVERSE_ITERATIONS = 60
#: The verification re-solve works with this many more digits.
VERIFY_EXTRA_DIGITS = 20


def step_tolerance(dps: int) -> Tolerance:
    return Tolerance(dps + GUARD_DIGITS // 2,
                     "stop when the Newton step changes beta by less than this fraction of max|beta|: "
                     "the error after a step is of the order of its square, far below 10^-dps")


@dataclasses.dataclass(frozen=True)
class MpSolution(DualSolution):
    """beta = a * h(b * X^T lam) at ``dps`` digits with its verified accuracy (status OK: a solve
    that does not converge raises NoConvergence).

    ``digits``: significant digits on which beta agrees with a re-solve at dps + 20 (the largest
    |difference| relative to max|beta|, capped at dps); ``componentwise_digits`` the same relative
    to each |beta_i| (the iteration stops on the normwise test, so tiny entries at small alpha
    may carry fewer digits; this reports what they carry). Both are None when verify=False. ``residual`` is ||X beta - y||_2 over all
    rows before rounding to dps; ``objective`` the regularizer's value sum (a_i/b_i) q(beta_i/a_i)
    = -Phi(lam) (duality); ``working_dps`` the precision the first solve ended at; ``lam`` has one
    entry per row of X (0 for rows dropped as dependent).
    """

    componentwise_digits: int | None
    dps: int
    working_dps: int
    objective: object
    ctx: object = dataclasses.field(repr=False, compare=False)

    def beta_strings(self) -> list[str]:
        """beta as decimal strings with the verified number of digits (dps when unverified)."""
        digits = max(self.digits if self.digits is not None else self.dps, 1)
        return [to_decimal(self.ctx, b, digits) for b in self.beta]


def solve_link(problem, link, *, dps: int = 50, verify: bool = True,
               max_iterations: int = DEFAULT_MAX_ITERATIONS, start=None) -> MpSolution:
    """Solve X a*h(b * X^T lam) = y for the implicit-bias prediction beta at ``dps`` digits.

    ``start``: an initial lam (one entry per row of X, best a nearby alpha's ``result.lam``; it
    is only a starting point, so floats are fine); without it the solve starts at lam = 0, by
    continuation when the amplitudes are small. The result is verified by a re-solve at
    dps + VERIFY_EXTRA_DIGITS (``verify=False`` skips it). Raises InvalidArgument for an
    inconsistent system, a link that does not fit the problem or a start outside its domain,
    NoConvergence when ``max_iterations`` Newton iterations do not suffice.
    """
    dps = check_dps(dps)
    link.check_dimension(problem.d)
    check_positive_int(max_iterations, "max_iterations")
    system = reduce_rows(problem, context(dps + GUARD_DIGITS), dps)
    solver = _Solver(problem, link, system.kept, dps, max_iterations)
    if start is not None:
        lam0 = start_on_kept(start, problem.n, system.kept, solver.dual.ctx.mpf)
        if not solver.dual.inside(lam0):
            raise InvalidArgument(f"start puts b_i (X^T lam)_i outside the link's domain "
                                  f"(-{link.radius}, {link.radius})")
        first = solver.finish(lam0)
    else:
        first = solver.finish(solver.follow_path(system.beta_l2))
    out = context(dps)
    if not verify:
        return _result(out, first, first, None, None, dps, system.kept, problem.n)
    check = _Solver(problem, link, system.kept, dps + VERIFY_EXTRA_DIGITS, max_iterations,
                    first.ctx.dps + VERIFY_EXTRA_DIGITS)
    second = check.finish(first.lam)
    normwise, componentwise = agreeing_digits_of_vectors(second.ctx, first.beta, second.beta, dps)
    return _result(out, first, second, normwise, componentwise, dps, system.kept, problem.n)


@dataclasses.dataclass(frozen=True)
class _Solution:
    ctx: object
    lam: list
    beta: list
    residual: object
    objective: object
    iterations: int


class _Solver:
    """Newton with continuation, restarted at a higher precision whenever an iteration asks."""

    def __init__(self, problem, link, kept, dps, budget, work_dps=None):
        self.problem, self.link, self.kept, self.dps, self.budget = problem, link, kept, dps, budget
        self.iterations = 0
        self.dual = _Dual(context(work_dps or dps + GUARD_DIGITS), problem, link, kept)

    def converge(self, lam, sigma, digits: int, budget: int, componentwise: bool = False):
        """Newton at amplitude scale e^sigma until beta is settled to ``digits`` digits (see
        _Dual.newton); returns (lam, factor of the last Hessian, iterations), or None when the
        stage ``budget`` ran out. Raises NoConvergence when the solve's budget runs out."""
        used = 0
        while True:
            dual = self.dual
            dual.set_scale(sigma)
            allowed = min(budget, self.budget - self.iterations) - used
            outcome = dual.newton([dual.ctx.mpf(v) for v in lam], digits, allowed, componentwise,
                                  self.dps + GUARD_DIGITS // 2)
            used += outcome.iterations
            lam = outcome.lam
            if outcome.needed_dps is None:
                break
            if outcome.needed_dps > MAX_DPS:
                raise NoConvergence(f"the dual Newton iteration needs more than MAX_DPS={MAX_DPS} digits "
                                    f"(after {self.iterations + used} iterations)")
            self.dual = _Dual(context(outcome.needed_dps), self.problem, self.link, self.kept)
        self.iterations += used
        if outcome.factor is not None:
            return lam, outcome.factor, used
        if self.iterations >= self.budget:
            raise NoConvergence(not_converged("damped Newton on the dual", self.budget,
                                              f" (working precision {dual.ctx.dps} digits)"))
        return None

    def follow_path(self, beta_l2):
        """lam at sigma = 0, settled to PATH_DIGITS in every coordinate, by continuation in the
        amplitude scale e^sigma from the kernel regime, where beta is nearly linear in lam."""
        ctx = self.dual.ctx
        size = max((abs(ctx.mpf(b)) / (ai * slope) for b, ai, slope in zip(beta_l2, self.dual.a, self.dual.slope0)),
                   default=ctx.zero)
        lam = [ctx.zero] * len(self.kept)
        if size <= KERNEL_SIZE:
            return lam
        sigma = ctx.log(size / KERNEL_SIZE)
        lam, factor, _ = self.converge(lam, sigma, PATH_DIGITS, self.budget, componentwise=True)
        beta = self.dual.point(lam).beta
        slopes = [ctx.zero] * len(beta)
        step = ctx.mpf(FIRST_SIGMA_STEP)
        while sigma > 0:
            if step < MIN_SIGMA_STEP:
                raise NoConvergence(f"continuation in the amplitude scale stalled at sigma={ctx.nstr(sigma, 5)} "
                                    f"after {self.iterations} Newton iterations")
            target = max(sigma - step, ctx.zero)
            predicted = self.dual.predict(lam, factor, sigma - target, slopes)
            found = self.converge(predicted, target, PATH_DIGITS, STAGE_ITERATIONS, componentwise=True)
            if found is None:
                step /= 2
                continue
            lam, factor, used = found
            previous, beta = beta, self.dual.point(lam).beta
            slopes = [_slope(ctx, old, new, sigma - target) for old, new in zip(previous, beta)]
            sigma = target
            if used <= FAST_STAGE:
                step *= 2
            elif used >= STAGE_ITERATIONS - 1:
                step /= 2
        return lam

    def finish(self, lam) -> _Solution:
        """Converge at sigma = 0 (normwise, to step_tolerance); beta, residual and objective."""
        lam = self.converge(lam, 0, step_tolerance(self.dps).digits, self.budget)[0]
        dual = self.dual
        point = dual.point(lam)
        residual = norm2([p - t for p, t in zip(matvec(dual.X_all, point.beta, dual.ctx), dual.y_all)], dual.ctx)
        return _Solution(dual.ctx, lam, point.beta, residual, dual.objective(point), self.iterations)


def _slope(ctx, before, after, drop):
    """d log|beta_i| / d sigma over the last stage, clamped to [0, 1] (1 after a sign change)."""
    if not before or not after or (before > 0) != (after > 0):
        return ctx.one
    return min(max(ctx.log(before / after) / drop, ctx.zero), ctx.one)


def _result(out, first, final, normwise, componentwise, dps, kept, n) -> MpSolution:
    """The MpSolution in the ``dps``-digit context ``out``: beta of the ``final`` (verifying)
    solve, the iterations and working precision of the ``first``."""
    lam = scatter(kept, [out.mpf(v) for v in final.lam], n, out.zero)
    return MpSolution(beta=[out.mpf(b) for b in final.beta], lam=lam, residual=out.mpf(final.residual),
                      iterations=first.iterations, digits=normwise, status=SolveStatus.OK,
                      message=f"converged in {first.iterations} Newton iterations", backend="mpmath",
                      kept_rows=tuple(kept), componentwise_digits=componentwise, dps=dps,
                      working_dps=first.ctx.dps, objective=out.mpf(final.objective), ctx=out)


@dataclasses.dataclass(frozen=True)
class _Point:
    lam: list
    u: list       # b_i t_i
    beta: list    # scale * a_i h(u_i)


@dataclasses.dataclass(frozen=True)
class _Outcome:
    lam: list
    iterations: int
    needed_dps: int | None = None   # restart at this precision
    factor: object = None           # the last Hessian's factor; None when the budget ran out


class _Dual:
    """Phi, its gradient and Hessian on the kept rows of X at one working context, with the
    amplitudes scaled by e^sigma (continuation)."""

    def __init__(self, ctx, problem, link, kept):
        self.ctx = ctx
        self.X_all, self.y_all = problem.X_mp(ctx), problem.y_mp(ctx)
        self.X = [self.X_all[i] for i in kept]
        self.y = [self.y_all[i] for i in kept]
        self.columns = [list(col) for col in zip(*self.X)]
        self.integer_rows = IntegerRows(self.X)
        self.a = link.amplitude_mp(ctx)
        self.b = link.rate_mp(ctx)
        self.radius = link.radius_mp(ctx)
        # the closest |u_i| may come to a bounded domain's boundary at this precision: a u_i
        # computed within GUARD_DIGITS of its last digit may lie outside, exactly
        self.reach = self.radius * (1 - ctx.mpf(10) ** (GUARD_DIGITS - ctx.dps))
        self.f = link.functions(ctx)
        self.p = link.values_mp(ctx)
        #: h'(0; p_i): the kernel-regime slope of each coordinate
        self.slope0 = [self.f.dh(ctx.zero, *pi) for pi in self.p]
        self.scaled = self.a

    def set_scale(self, sigma):
        self.scaled = self.a if sigma == 0 else [ai * self.ctx.exp(sigma) for ai in self.a]

    def point_u(self, lam) -> list:
        return [bi * self.ctx.fdot(col, lam) for bi, col in zip(self.b, self.columns)]

    def point(self, lam) -> _Point:
        u = self.point_u(lam)
        return _Point(lam, u, [ai * self.f.h(ui, *pi) for ai, ui, pi in zip(self.scaled, u, self.p)])

    def predict(self, lam, factor, drop, slopes):
        """The path's point after the amplitudes shrink by e^-drop, from lam on the path.

        Coordinate i is extrapolated along its own observed law |beta_i| ~ e^(slope_i sigma)
        (slope 0: beta_i held, the kernel regime and the support in the rich one; slope 1:
        u_i held, a bounded link off the support; in between for depth 2 off the support):
        h(u_i') = h(u_i) e^((1 - slope_i) drop). lam then moves by the fit of those u' weighted
        like the Hessian, H dlam = X diag(w/b) du with H = X diag(w) X^T the last factored
        Hessian (exact where the kept coordinates determine lam; to first order the tangent
        H^-1 y drop, but it stays exact where the path is exponential in sigma, e.g. as b_i t_i
        approaches a bounded domain's boundary). Last, it is damped so that no u_i gets closer to
        the boundary than half the distance its own prediction keeps: the corrector closes the
        rest from the inside."""
        ctx = self.ctx
        u = self.point_u(lam)
        du = [self._inverse(self.f.h(ui, *pi) * ctx.exp((1 - k) * drop), ui, pi) - ui
              for ui, k, pi in zip(u, slopes, self.p)]
        move = factor.solve(matvec(self.X, [w / bi * d for w, bi, d in zip(factor.weights, self.b, du)], ctx))
        tau = ctx.one
        if self.radius != ctx.inf:
            fitted = [bi * ctx.fdot(col, move) for bi, col in zip(self.b, self.columns)]
            for ui, d, want in zip(u, fitted, du):
                limit = min(self.radius - (self.radius - abs(ui + want)) / 2, self.reach)
                if d and abs(ui + d) > limit:
                    tau = min(tau, (limit - (ui if d > 0 else -ui)) / abs(d))
            while tau and not self.inside([v + tau * m for v, m in zip(lam, move)]):
                tau = tau / 2 if tau > ctx.eps else ctx.zero  # rounding put a u_i on the boundary
        return [v + tau * m for v, m in zip(lam, move)]

    def inside(self, lam) -> bool:
        return self.radius == self.ctx.inf or all(abs(v) < self.reach for v in self.point_u(lam))

    def _inverse(self, z, start, p):
        """v with h(v; p) = z to PREDICTOR_TOLERANCE in log|h|, on the side of ``start`` away
        from h's zero, where h(start) has the sign of z and |h(start)| <= |z|. With sign = sign(z)
        it solves H(x) = |z| for x = sign*v >= sign*start, H(x) = sign*h(sign*x) (increasing, and
        positive there; H = h for an odd h): Newton on log H(x) - log|z| in s = x (unbounded) or
        s = -log(radius - x) (bounded; log H is nearly linear in s in both cases), kept inside its
        bracket by bisection."""
        ctx = self.ctx
        bounded = self.radius != ctx.inf
        if not z or (bounded and abs(start) >= self.reach):
            return start
        sign = 1 if z > 0 else -1
        start = sign * start
        target = ctx.log(abs(z))
        to_v = (lambda s: self.radius - ctx.exp(-s)) if bounded else (lambda s: s)
        lo = -ctx.log(self.radius - start) if bounded else start
        hi = None
        s = lo
        for _ in range(INVERSE_ITERATIONS):
            v = to_v(s)
            value = sign * self.f.h(sign * v, *p) if not bounded or v < self.reach else ctx.inf  # inf: beyond ctx
            F = ctx.log(value) - target if value > 0 else -ctx.inf
            if abs(F) <= PREDICTOR_TOLERANCE:
                break
            if F < 0:
                lo = s
            else:
                hi = s
            proposal = None
            if ctx.isfinite(F):
                slope = self.f.dh(sign * v, *p) / value * ((self.radius - v) if bounded else 1)
                proposal = s - F / slope if slope > 0 else None
            if proposal is None or not (lo < proposal and (hi is None or proposal < hi)):
                proposal = (lo + hi) / 2 if hi is not None else lo + max(ctx.one, abs(lo))
            s = proposal
        v = to_v(s)
        if bounded and v >= self.reach:
            v = to_v(lo)
        return sign * v

    def objective(self, point):
        """-Phi(lam) = y^T lam - sum (a_i/b_i) G(u_i), the regularizer's value at beta."""
        ctx = self.ctx
        return ctx.fdot(self.y, point.lam) - ctx.fsum(ai / bi * self.f.G(ui, *pi)
                                                      for ai, bi, ui, pi in zip(self.scaled, self.b, point.u, self.p))

    def newton(self, lam, digits: int, budget: int, componentwise: bool, floor: int) -> _Outcome:
        """Iterate until the Newton step changes beta by <= 10^-digits max|beta| (then take it);
        ``componentwise``: by <= 10^-digits (|beta_i| + a_i h'(0)) in every coordinate instead."""
        ctx = self.ctx
        tolerance = ctx.mpf(10) ** -digits
        for iteration in range(1, budget + 1):
            point = self.point(lam)
            weights = [ai * bi * self.f.dh(ui, *pi) for ai, bi, ui, pi in zip(self.scaled, self.b, point.u, self.p)]
            gradient = [p - t for p, t in zip(matvec(self.X, point.beta, ctx), self.y)]
            factor = _Factor.of(ctx, self.integer_rows, weights)
            lost = factor.lost_digits() if factor else math.inf
            needed = floor + lost + self._boundary_digits(point.u)
            if needed > ctx.dps:
                return _Outcome(lam, iteration - 1, raised_precision(needed, ctx.dps, GUARD_DIGITS))
            step = factor.solve([-g for g in gradient])
            c = [ctx.fdot(col, step) for col in self.columns]
            if self._settled([w * ci for w, ci in zip(weights, c)], point.beta, tolerance, componentwise):
                return _Outcome([v + s for v, s in zip(lam, step)], iteration, factor=factor)
            s = self._line_search(point, step, c)
            lam = [v + s * d for v, d in zip(lam, step)]
        return _Outcome(lam, budget)

    def _settled(self, change, beta, tolerance, componentwise) -> bool:
        if componentwise:
            return all(abs(d) <= tolerance * (abs(b) + ai * slope)
                       for d, b, ai, slope in zip(change, beta, self.scaled, self.slope0))
        return settled(change, max(map(abs, beta), default=0), tolerance)

    def _boundary_digits(self, u) -> int:
        """Digits that rounding of u_i loses in h(u_i) near the boundary of (-radius, radius)."""
        ctx = self.ctx
        if self.radius == ctx.inf or not u:
            return 0
        gap = self.radius - max(abs(v) for v in u)
        return math.inf if gap <= 0 else max(0, int(math.ceil(ctx.log10(self.radius / gap))))

    def _line_search(self, point, step, c):
        """A step s along lam + s*step where psi(s) = d/ds Phi is in [-ETA |psi(0)|, 0]."""
        ctx = self.ctx
        du = [bi * ci for bi, ci in zip(self.b, c)]
        y_step = ctx.fdot(self.y, step)
        psi0 = ctx.fdot(c, point.beta) - y_step
        boundary = boundary_step(point.u, du, self.reach if self.radius != ctx.inf else None)

        def psi(s):
            trial = [ui + s * d for ui, d in zip(point.u, du)]
            if self.radius != ctx.inf and any(abs(v) >= self.reach for v in trial):
                return None
            return ctx.fdot(c, [ai * self.f.h(v, *pi) for ai, v, pi in zip(self.scaled, trial, self.p)]) - y_step

        first = min(ctx.one, STEP_CAP / max(abs(d) for d in du))
        s = line_search(psi, psi0, first, ctx.one, boundary, LINE_SEARCH_EVALUATIONS)
        if s is None:
            raise NoConvergence(f"the line search found no step decreasing the dual in "
                                f"{LINE_SEARCH_EVALUATIONS} evaluations")
        return s


@dataclasses.dataclass(frozen=True)
class _Factor:
    """H = X diag(w) X^T as D^-1 P^T L L^T P D^-1 (unit-diagonal scaling D, pivoted Cholesky)."""

    ctx: object
    D: list
    cholesky: Cholesky
    weights: list

    @classmethod
    def of(cls, ctx, rows, weights):
        """The factor of H = rows diag(weights) rows^T (``rows``: IntegerRows), or None when a pivot
        is not positive (H singular at this precision).

        Weights far below the largest vanish from H at this precision, as in any floating-point
        sum; when they carry a direction of their own, the pivots show it and the precision rises.
        """
        H = rows.gram(ctx, weights)
        r = len(H)
        if any(H[j][j] <= 0 for j in range(r)):
            return None
        D = [1 / ctx.sqrt(H[j][j]) for j in range(r)]
        factor = pivoted_cholesky([[D[j] * H[j][k] * D[k] for k in range(r)] for j in range(r)], ctx, ctx.zero)
        return cls(ctx, D, factor, weights) if factor.rank == r else None

    def lost_digits(self) -> int:
        """Decimal digits the smallest pivot of the unit-diagonal matrix costs."""
        return max(0, int(math.ceil(-self.ctx.log10(min(self.cholesky.pivots)))))

    def solve(self, rhs) -> list:
        """H^-1 rhs."""
        ctx, order, D = self.ctx, self.cholesky.order, self.D
        x = self.cholesky.solve([D[i] * rhs[i] for i in order], ctx)
        z = [ctx.zero] * len(rhs)
        for k, i in enumerate(order):
            z[i] = D[i] * x[k]
        return z
