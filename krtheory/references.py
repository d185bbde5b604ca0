"""The two reference interpolators: minimum ℓ2 norm (kernel limit, alpha -> oo) and minimum ℓ1
norm (rich limit, alpha -> 0), the paper's eqs. (6)–(7) and Theorem 2.

Both start from :func:`krtheory._linalg.reduce_rows`: the independent rows and the
consistency of X beta = y are decided exactly there, once, and beta_l2 is solved on those rows.
"""

from __future__ import annotations

import dataclasses

from krtheory.problem import Problem
from krtheory._validation import check_instance
from krtheory.precision import GUARD_DIGITS, agreeing_digits_of_vectors, check_dps, context
from krtheory._linalg import (ReducedSystem, _allowed_residual, back_substitute, certificate_tolerance,
                              forward_substitute, matvec, norm2, orthonormalize, rank_tolerance, reduce_rows)

#: An entry of HiGHS's float64 vertex is taken as zero below this fraction of max|beta|: simplex
#: returns nonbasic variables as exact zeros, and basic ones of a well-scaled problem to about
#: 1e-13, so 1e-9 separates the two with room on both sides.
LP_ZERO_RELATIVE = 1e-9
#: min_l2 verifies its digits against a recomputation with this many more digits.
VERIFY_EXTRA_DIGITS = 20


# -- minimum ℓ2 norm ---------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class L2Result:
    """beta*_l2 = X^T (X X^T)^+ y at ``dps`` digits, with ||X beta - y||_2 over all rows;
    ``digits``: normwise agreement with a recomputation at dps + VERIFY_EXTRA_DIGITS."""

    beta: list
    residual: object
    rank: int
    kept_rows: tuple[int, ...]
    dps: int
    digits: int


def min_l2(problem, *, dps: int = 50) -> L2Result:
    """The minimum-ℓ2-norm interpolator (the kernel limit, eq. 6), at ``dps`` digits.

    Parameters
    ----------
    problem : Problem
        X beta = y, consistent (redundant rows are dropped exactly).
    dps : int
        Working precision in decimal digits.

    Returns
    -------
    L2Result
        beta = X^T (X X^T)^+ y, the residual over all rows, the rank, the kept rows and the
        digits on which a recomputation at more digits agrees.

    Raises
    ------
    InvalidArgument
        ``problem`` not a Problem, a bad ``dps`` or an inconsistent X beta = y.

    Examples
    --------
    >>> from krtheory import Problem, min_l2
    >>> result = min_l2(Problem.from_rows([["1", "2", "0"]], ["5"]), dps=30)
    >>> [str(b) for b in result.beta], result.digits
    (['1.0', '2.0', '0.0'], 30)
    """
    check_instance(problem, Problem, "problem")
    dps = check_dps(dps)
    system = reduce_rows(problem, context(dps + GUARD_DIGITS), dps)
    fine = reduce_rows(problem, context(dps + VERIFY_EXTRA_DIGITS + GUARD_DIGITS),
                       dps + VERIFY_EXTRA_DIGITS)
    digits, _ = agreeing_digits_of_vectors(fine.ctx, system.beta_l2, fine.beta_l2, dps)
    out = context(dps)
    return L2Result([out.mpf(b) for b in system.beta_l2], out.mpf(system.residual), system.rank,
                    system.kept, dps, digits)


# -- minimum ℓ1 norm ---------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class L1Result:
    """A vertex of min ||beta||_1 s.t. X beta = y, solved exactly at ``dps`` on its support.

    ``status`` is "certified" when a dual vector nu with (X^T nu)_i = sign(beta_i) on the support
    and max |(X^T nu)_j| < 1 off it proves beta the *unique* minimizer, else "failed" with
    ``reason``. A failed certificate is not an error: the caller reports INCONCLUSIVE.
    """

    beta: list
    support: tuple[int, ...]
    status: str
    reason: str
    max_off_support: object   # max_j off-support |(X^T nu)_j|, None when no nu was found
    nu: list | None           # over the kept rows of X (ReducedSystem.kept)
    residual: object
    dps: int
    digits: int | None = None  # normwise agreement with the vertex re-solved VERIFY_EXTRA_DIGITS higher

    @property
    def certified(self) -> bool:
        return self.status == "certified"


def min_l1(problem, *, dps: int = 50) -> L1Result:
    """Minimum-ℓ1 interpolator (the rich limit, eq. 7): HiGHS finds the support and signs in
    float64, the support system is solved at ``dps`` and optimality is certified by duality.

    Parameters
    ----------
    problem : Problem
        X beta = y, consistent.
    dps : int
        Working precision in decimal digits.

    Returns
    -------
    L1Result
        beta, its support, ``status`` "certified" (a dual vector proves beta the unique
        minimizer) or "failed" with ``reason`` (not an error: the caller reports INCONCLUSIVE).

    Raises
    ------
    InvalidArgument
        ``problem`` not a Problem, a bad ``dps`` or an inconsistent X beta = y.

    Examples
    --------
    >>> from krtheory import Problem, min_l1
    >>> result = min_l1(Problem.from_rows([["1", "2", "0"]], ["5"]), dps=30)
    >>> [str(b) for b in result.beta], result.support, result.status
    (['0.0', '2.5', '0.0'], (1,), 'certified')
    """
    check_instance(problem, Problem, "problem")
    dps = check_dps(dps)
    ctx = context(dps + GUARD_DIGITS)
    out = context(dps)
    system = reduce_rows(problem, ctx, dps)
    lp_beta, failure = _lp_vertex(system)
    d = problem.d

    def result(beta, support, reason, nu=None, max_off=None, digits=None):
        residual = norm2([p - t for p, t in zip(matvec(system.X_all, beta, ctx), system.y_all)], ctx)
        return L1Result([out.mpf(b) for b in beta], tuple(support), "failed" if reason else "certified",
                        reason, None if max_off is None else out.mpf(max_off),
                        None if nu is None else [out.mpf(v) for v in nu], out.mpf(residual), dps, digits)

    if failure:
        return result([ctx.zero] * d, (), failure)
    largest = max((abs(b) for b in lp_beta), default=0.0)
    support = [j for j, b in enumerate(lp_beta) if abs(b) > LP_ZERO_RELATIVE * largest]
    signs = [1 if lp_beta[j] > 0 else -1 for j in support]
    float_beta = lp_beta  # exact binary values: a fallback answer, not a claim
    if len(support) > system.rank:
        return result(float_beta, support, f"the LP solution has {len(support)} nonzeros but X has rank "
                                           f"{system.rank}: not a vertex")
    vertex = _vertex_on_support(system, support, ctx, dps)
    if vertex is None:
        return result(float_beta, support, "the columns of X on the support are dependent, so the minimizer "
                                           "is not unique there")
    beta, qr, order, R = vertex
    misfit = norm2([p - t for p, t in zip(matvec(system.X, beta, ctx), system.y)], ctx)
    if misfit > _allowed_residual(system.X, system.y, beta, ctx, dps):
        return result(float_beta, support, f"X beta = y has no solution on the LP support (residual "
                                           f"{ctx.nstr(misfit, 3)})")
    if any((beta[j] > 0) != (s > 0) or beta[j] == 0 for j, s in zip(support, signs)):
        return result(beta, support, "the exact solution on the support changes the LP's signs")
    # dual certificate: R^T U^T nu = signs in pivot order -> nu0 = U R^-T s, plus the null space
    s_ordered = [ctx.mpf(signs[idx]) for idx in order]
    w = forward_substitute([[R[c][k] for c in range(len(order))] for k in range(len(order))], s_ordered, ctx)
    nu = [ctx.fdot([q[i] for q in qr.basis], w) for i in range(system.rank)]
    nu = _most_interior(system, support, qr.basis, nu, ctx, dps)
    on_support = set(support)
    correlations = matvec([[row[j] for row in system.X] for j in range(d)], nu, ctx)
    max_off = max((abs(correlations[j]) for j in range(d) if j not in on_support), default=ctx.zero)
    if max_off >= 1 - certificate_tolerance(dps).value(ctx):
        return result(beta, support, f"no strict dual certificate: max off-support |X^T nu| = "
                                     f"{ctx.nstr(max_off, 8)} >= 1, so the minimizer is not unique "
                                     "(or the LP vertex is not optimal)", nu, max_off)
    # the digits of beta: agreement with the same vertex solved VERIFY_EXTRA_DIGITS higher
    fine_ctx = context(dps + VERIFY_EXTRA_DIGITS + GUARD_DIGITS)
    fine = _vertex_on_support(reduce_rows(problem, fine_ctx, dps + VERIFY_EXTRA_DIGITS), support, fine_ctx,
                              dps + VERIFY_EXTRA_DIGITS)
    digits = None if fine is None else agreeing_digits_of_vectors(fine_ctx, beta, fine[0], dps)[0]
    return result(beta, support, "", nu, max_off, digits)


def _vertex_on_support(system: ReducedSystem, support, ctx, dps):
    """(beta, qr, pivot order, R) with beta solving X_S beta_S = y by QR of the support's columns
    (X_S = U R, U orthonormal, R upper triangular in pivot order), or None when they are dependent."""
    columns = [[row[j] for row in system.X] for j in support]
    qr = orthonormalize(columns, ctx, rank_tolerance(dps))
    if len(qr.kept) < len(support):
        return None
    order = list(qr.kept)
    R = [[qr.coefficients[order[c]][k] if k < len(qr.coefficients[order[c]]) else ctx.zero
          for c in range(len(order))] for k in range(len(order))]
    coeffs = back_substitute(R, [ctx.fdot(q, system.y) for q in qr.basis], ctx)
    beta = [ctx.zero] * len(system.X[0])
    for c, idx in enumerate(order):
        beta[support[idx]] = coeffs[c]
    return beta, qr, order, R


def _lp_vertex(system: ReducedSystem):
    """HiGHS on min 1^T (p + m) s.t. X_kept (p - m) = y_kept, p, m >= 0, in float64, posed in
    units where every row of X and then the targets have largest entry about 1: dividing row i
    by r_i and writing beta = t beta' leave the argmin unchanged, and HiGHS's tolerances are
    absolute (it drops entries below 1e-9, so X * 1e-10 read as X = 0). r_i and t are powers of
    two, so the rescaling is exact; the vertex comes back at ``system.ctx`` in the data's units."""
    import numpy as np
    from scipy.optimize import linprog

    ctx = system.ctx
    row_units = [_power_of_two(max(abs(v) for v in row), ctx) for row in system.X]
    targets = [t / r for t, r in zip(system.y, row_units)]
    unit = _power_of_two(max((abs(t) for t in targets), default=ctx.zero), ctx)
    A = np.array([[float(v / r) for v in row] for row, r in zip(system.X, row_units)])
    b = np.array([float(t / unit) for t in targets])
    d = A.shape[1]
    lp = linprog(np.ones(2 * d), A_eq=np.hstack([A, -A]), b_eq=b, bounds=(0, None), method="highs")
    if lp.status != 0:
        return None, f"HiGHS did not solve the ℓ1 linear program: {lp.message}"
    return [ctx.mpf(v) * unit for v in lp.x[:d] - lp.x[d:]], ""


def _power_of_two(value, ctx):
    """2^k with 2^(k-1) <= value < 2^k roughly (mpmath's mag), 1 for zero: an exact unit."""
    return ctx.ldexp(ctx.one, ctx.mag(value)) if value else ctx.one


def _most_interior(system: ReducedSystem, support, support_basis, nu0, ctx, dps):
    """Among nu = nu0 + N z (N spanning the nu with X_S^T nu = 0), the one minimizing the largest
    off-support |x_j^T nu| (a small LP in float64); nu0 itself when the support has rank(X) entries.
    The LP only proposes z; the certificate is then checked at full precision."""
    import numpy as np
    from scipy.optimize import linprog

    r = system.rank
    if len(support_basis) == r:
        return nu0
    units = []
    for i in range(r):
        e = [ctx.one if k == i else ctx.zero for k in range(r)]
        for q in support_basis:
            c = q[i]
            e = [a - c * qq for a, qq in zip(e, q)]
        units.append(e)
    null = orthonormalize(units, ctx, rank_tolerance(dps)).basis[:r - len(support_basis)]
    on_support = set(support)
    off = [j for j in range(len(system.X[0])) if j not in on_support]
    columns = [[row[j] for row in system.X] for j in off]
    slopes = [[ctx.fdot(col, n) for n in null] for col in columns]
    unit = _power_of_two(max((abs(v) for row in slopes for v in row), default=ctx.zero), ctx)
    A = np.array([[float(v / unit) for v in row] for row in slopes])  # in units of X, as in _lp_vertex
    b = np.array([float(ctx.fdot(col, nu0)) for col in columns])
    k = len(null)
    # minimize tau s.t. -tau <= A z' + b <= tau, z = z' / unit
    ones = np.ones((len(off), 1))
    lp = linprog(np.r_[np.zeros(k), 1.0], A_ub=np.vstack([np.hstack([A, -ones]), np.hstack([-A, -ones])]),
                 b_ub=np.r_[-b, b], bounds=[(None, None)] * k + [(0, None)], method="highs")
    if lp.status != 0:
        return nu0
    z = [ctx.mpf(v) / unit for v in lp.x[:k]]  # exact binary values of the LP's proposal
    return [v + ctx.fdot([n[i] for n in null], z) for i, v in enumerate(nu0)]
