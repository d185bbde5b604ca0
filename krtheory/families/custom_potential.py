"""The argmin of a *conjectured* potential: min sum_i phi(beta_i; theta_i(0)) s.t. X beta = y,
for a user's string phi in ``z`` and the parameters (each coordinate's initial values).

This is what a claim "the flow of P from theta(0) converges to the argmin of sum_i phi" is
checked against (paper §3: the implicit regularizer as the flow's limit). phi need not have a
closed-form inverse derivative, so the KKT system of the primal is solved directly,

    phi'(beta_i) = (X^T lam)_i,   X beta = y,

by damped Newton at ``dps`` digits (phi', phi'' by sympy.diff), and the digits are verified by
re-solving at dps + VERIFY_EXTRA_DIGITS from the first solution. phi must be strictly convex
where the solution lies (phi'' > 0 is checked there): otherwise NotApplicable.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from krtheory.errors import InvalidArgument, NoConvergence, NotApplicable
from krtheory.precision import agreeing_digits_of_vectors, context, lambdify

#: Extra digits of the verifying re-solve.
VERIFY_EXTRA_DIGITS = 20
#: Working digits beyond dps (Newton stops at steps below 10^-dps, well above the rounding).
GUARD_DIGITS = 10
#: Newton iterations allowed per solve, and step halvings per iteration.
MAX_ITERATIONS = 200
MAX_HALVINGS = 60


@dataclasses.dataclass(frozen=True)
class PotentialArgmin:
    """beta (numbers of a ``dps``-digit context) with ``digits`` verified significant digits
    (of max|beta_i|), ``residual`` max|X beta - y| and ``kkt_residual`` max|phi'(beta) - X^T lam|."""

    beta: list
    lam: list
    digits: int
    dps: int
    residual: object
    kkt_residual: object


def potential_argmin(potential: str, columns: dict, problem, *, dps: int = 50, start=None) -> PotentialArgmin:
    """argmin sum_i phi(beta_i; theta_i(0)) s.t. X beta = y; ``columns`` {name: exact string or
    tuple of d exact strings} are the initial values phi may use (see the module docstring)."""
    from krtheory.families.custom import parse_potential

    import sympy as sp

    phi, z, parameters = parse_potential(potential, tuple(columns))
    slopes = (sp.diff(phi, z), sp.diff(phi, z, 2))
    rows = _parameter_rows(columns, problem.d)
    first = _solve(slopes, (z, *parameters), rows, problem, dps, start)
    fine = _solve(slopes, (z, *parameters), rows, problem, dps + VERIFY_EXTRA_DIGITS, first.beta)
    ctx = context(dps)
    digits, _ = agreeing_digits_of_vectors(ctx, first.beta, fine.beta, dps)
    return dataclasses.replace(fine, beta=[ctx.mpf(b) for b in fine.beta], lam=[ctx.mpf(v) for v in fine.lam],
                               digits=digits, dps=dps)


def _parameter_rows(columns: dict, d: int) -> list[list[Fraction]]:
    for name, column in columns.items():
        if not isinstance(column, str) and len(column) != d:
            raise InvalidArgument(f"init[{name!r}] has {len(column)} values but the problem has d={d}")
    return [[Fraction(c if isinstance(c, str) else c[i]) for c in columns.values()] for i in range(d)]


def _solve(slopes, args, rows, problem, dps: int, start) -> PotentialArgmin:
    ctx = context(dps + GUARD_DIGITS)
    dphi, ddphi = (lambdify(args, e, ctx) for e in slopes)
    theta = [[ctx.mpf(v.numerator) / v.denominator for v in row] for row in rows]
    X, y = ctx.matrix(problem.X_mp(ctx)), ctx.matrix(problem.y_mp(ctx))
    n, d = X.rows, X.cols
    beta = _projected(ctx, X, y, [ctx.zero] * d if start is None else [ctx.mpf(b) for b in start])
    tolerance = ctx.mpf(10) ** (-dps)

    def residual(beta, lam):
        grad = [_real(ctx, dphi(b, *t)) for b, t in zip(beta, theta)]
        kkt = [g - sum(X[k, i] * lam[k] for k in range(n)) for i, g in enumerate(grad)]
        feas = [sum(X[k, i] * beta[i] for i in range(d)) - y[k] for k in range(n)]
        return kkt, feas

    try:
        lam = _multipliers(ctx, X, [_real(ctx, dphi(b, *t)) for b, t in zip(beta, theta)])
        kkt, feas = residual(beta, lam)
    except (ValueError, ZeroDivisionError, ArithmeticError) as error:
        raise NotApplicable(f"the potential's derivative is not real and finite at the start "
                            f"(the min-norm interpolant): {error}") from None
    for _ in range(MAX_ITERATIONS):
        curvature = [_real(ctx, ddphi(b, *t)) for b, t in zip(beta, theta)]
        if any(c <= 0 for c in curvature):
            raise NotApplicable(f"the potential is not strictly convex at beta = "
                                f"{[ctx.nstr(b, 8) for b in beta]}: phi'' <= 0 there")
        J = ctx.matrix(d + n, d + n)
        for i in range(d):
            J[i, i] = curvature[i]
            for k in range(n):
                J[i, d + k], J[d + k, i] = -X[k, i], X[k, i]
        step = ctx.lu_solve(J, ctx.matrix([-v for v in kkt + feas]))
        norm = _norm(ctx, kkt + feas)
        for _ in range(MAX_HALVINGS):
            trial_beta = [b + step[i] for i, b in enumerate(beta)]
            trial_lam = [v + step[d + k] for k, v in enumerate(lam)]
            try:
                trial = residual(trial_beta, trial_lam)
            except (ValueError, ZeroDivisionError, ArithmeticError):  # left phi's domain
                trial = None
            if trial is not None and _norm(ctx, trial[0] + trial[1]) < norm or norm == 0:
                break
            step = step * ctx.mpf(0.5)
        else:
            if norm <= tolerance * max(ctx.one, *(abs(v) for v in beta + lam)):  # at the rounding floor
                return PotentialArgmin(beta, lam, dps, dps, max(abs(v) for v in feas), max(abs(v) for v in kkt))
            raise NoConvergence(f"potential argmin: the Newton line search stalled at KKT residual "
                                f"{ctx.nstr(norm, 3)} ({dps} digits)")
        beta, lam = trial_beta, trial_lam
        kkt, feas = trial
        scale = max(ctx.one, *(abs(b) for b in beta))
        if max(abs(v) for v in step) <= tolerance * scale:
            return PotentialArgmin(beta, lam, dps, dps, max(abs(v) for v in feas), max(abs(v) for v in kkt))
    raise NoConvergence(f"potential argmin: no convergence in {MAX_ITERATIONS} Newton steps ({dps} digits)")


def _real(ctx, value):
    """phi' or phi'' at a point: a real number, or ValueError (outside phi's real domain)."""
    if isinstance(value, ctx.mpc):
        if value.imag != 0:
            raise ValueError("complex value: outside the potential's real domain")
        value = value.real
    if not ctx.isfinite(value):
        raise ValueError("not finite: outside the potential's domain")
    return value


def _norm(ctx, values):
    return ctx.sqrt(ctx.fsum(v * v for v in values))


def _projected(ctx, X, y, beta):
    """beta + X^T (X X^T)^-1 (y - X beta): the nearest interpolant."""
    r = y - X * ctx.matrix(beta)
    correction = X.T * ctx.lu_solve(X * X.T, r)
    return [b + correction[i] for i, b in enumerate(beta)]


def _multipliers(ctx, X, gradient):
    """Least-squares lam with X^T lam ~ gradient (the Newton start)."""
    return list(ctx.lu_solve(X * X.T, X * ctx.matrix(gradient)))

