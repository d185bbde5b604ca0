"""The two reference interpolators: minimum ℓ2 norm (kernel limit, alpha -> oo) and minimum ℓ1
norm (rich limit, alpha -> 0), FORMULAS.md §1 and §3 (eqs. 6–7), Theorem 2.

Both start from :func:`reduce_rows`: pivoted Cholesky of X X^T (summed exactly, at twice the
working precision) keeps a maximal independent set of rows of X, and a dependent or
inconsistent system is found there once. The small dense kernels the solver shares (Cholesky
with pivoting, exact-integer Gram matrices) live here too.
"""

from __future__ import annotations

import dataclasses

from krtheory.errors import InvalidArgument
from krtheory.precision import GUARD_DIGITS, Tolerance, agreement_digits, check_dps, context

#: An entry of HiGHS's float64 vertex is taken as zero below this fraction of max|beta|: simplex
#: returns nonbasic variables as exact zeros, and basic ones of a well-scaled problem to about
#: 1e-13, so 1e-9 separates the two with room on both sides.
LP_ZERO_RELATIVE = 1e-9
#: min_l2 verifies its digits against a recomputation with this many more digits.
VERIFY_EXTRA_DIGITS = 20


def rank_tolerance(dps: int) -> Tolerance:
    return Tolerance(dps, "a row (or column) whose part orthogonal to the kept ones is below 10^-dps of "
                          "the largest norm is dependent; the guard digits absorb the rounding of "
                          "the orthogonalization")


def consistency_tolerance(dps: int) -> Tolerance:
    return Tolerance(dps, "X beta = y counts as solvable when ||X beta - y|| <= 10^-dps (||y|| + "
                          "||X||_F ||beta||): the data rounded at dps + guard digits perturb the "
                          "residual far less")


def certificate_tolerance(dps: int) -> Tolerance:
    return Tolerance(dps, "an off-support |x_j^T nu| counts as < 1 only below 1 - 10^-dps: nu is computed "
                          "at dps + guard digits, so rounding moves it far less; an exact tie (a "
                          "non-unique minimizer) stays within rounding of 1")


def _allowed_residual(X, y, beta, ctx, dps: int):
    """consistency_tolerance(dps) * (||y|| + ||X||_F ||beta||)."""
    X_norm = ctx.sqrt(ctx.fsum(ctx.fdot(row, row) for row in X))
    return consistency_tolerance(dps).value(ctx) * (norm2(y, ctx) + X_norm * norm2(beta, ctx))


@dataclasses.dataclass(frozen=True)
class Orthonormalization:
    """Pivoted modified Gram–Schmidt of ``vectors``: ``basis`` is orthonormal, ``kept[k]`` is the
    vector that produced ``basis[k]`` and ``coefficients[i][k] = <vectors[i], basis[k]>``."""

    kept: tuple[int, ...]
    basis: list
    coefficients: list


def orthonormalize(vectors, ctx, tolerance: Tolerance) -> Orthonormalization:
    """Orthonormalize ``vectors`` (lists of ``ctx`` numbers), largest remaining residual first,
    stopping when every residual is below ``tolerance`` times the largest input norm."""
    residual = [list(v) for v in vectors]
    norms2 = [ctx.fdot(v, v) for v in residual]
    scale = ctx.sqrt(max(norms2, default=ctx.zero))
    small = tolerance.value(ctx) * scale
    coefficients = [[] for _ in residual]
    kept, basis = [], []
    remaining = set(range(len(residual)))
    while remaining and scale > 0:
        i = max(remaining, key=lambda j: norms2[j])
        for k, q in enumerate(basis):  # second pass: keeps the new vector orthogonal to working precision
            c = ctx.fdot(residual[i], q)
            residual[i] = [r - c * qq for r, qq in zip(residual[i], q)]
            coefficients[i][k] += c
        norm = ctx.sqrt(ctx.fdot(residual[i], residual[i]))
        if norm <= small:
            norms2 = [ctx.fdot(v, v) if j in remaining else norms2[j] for j, v in enumerate(residual)]
            if max(norms2[j] for j in remaining) <= small ** 2:
                break
            continue
        q = [r / norm for r in residual[i]]
        remaining.discard(i)
        kept.append(i)
        basis.append(q)
        coefficients[i].append(norm)
        for j in remaining:
            c = ctx.fdot(residual[j], q)
            residual[j] = [r - c * qq for r, qq in zip(residual[j], q)]
            coefficients[j].append(c)
            norms2[j] = max(norms2[j] - c * c, ctx.zero)
    return Orthonormalization(tuple(kept), basis, coefficients)


def forward_substitute(L, b, ctx):
    """Solve L x = b for lower-triangular L (rows may be longer than needed)."""
    x = []
    for k, row in enumerate(L):
        x.append((b[k] - ctx.fdot(row[:k], x)) / row[k])
    return x


def back_substitute(U, b, ctx):
    """Solve U x = b for upper-triangular U given by rows."""
    n = len(b)
    x = [ctx.zero] * n
    for k in reversed(range(n)):
        x[k] = (b[k] - ctx.fdot(U[k][k + 1:], x[k + 1:])) / U[k][k]
    return x


def matvec(rows, v, ctx) -> list:
    return [ctx.fdot(row, v) for row in rows]


def norm2(v, ctx):
    return ctx.sqrt(ctx.fdot(v, v))


@dataclasses.dataclass(frozen=True)
class Cholesky:
    """A = P^T L L^T P on the first ``rank`` pivots: ``order[k]`` is the index of pivot k and
    ``L`` (rank x rank, lower triangular) factors the kept block A[order[:rank]][order[:rank]]."""

    L: list
    order: list
    pivots: list

    @property
    def rank(self) -> int:
        return len(self.L)

    def solve(self, rhs, ctx) -> list:
        """z with A_kept z = rhs (both indexed like ``order[:rank]``)."""
        L, r = self.L, self.rank
        w = []
        for i in range(r):
            w.append((rhs[i] - ctx.fdot(L[i][:i], w)) / L[i][i])
        z = [ctx.zero] * r
        for i in reversed(range(r)):
            z[i] = (w[i] - ctx.fdot([L[j][i] for j in range(i + 1, r)], z[i + 1:])) / L[i][i]
        return z


def pivoted_cholesky(A, ctx, tiny) -> Cholesky:
    """Cholesky of a symmetric positive semidefinite A, largest remaining pivot first, stopping
    when that pivot is <= ``tiny`` (the rest is dependent at this precision). Left-looking: each
    entry of L is one fdot, and the chosen pivot is recomputed from A rather than downdated."""
    r = len(A)
    order = list(range(r))
    diagonal = [A[i][i] for i in range(r)]
    L = [[] for _ in range(r)]  # L[k]: row k of L in pivot order, entries 0..k
    pivots = []
    for k in range(r):
        p = max(range(k, r), key=lambda i: diagonal[order[i]])
        order[k], order[p] = order[p], order[k]
        L[k], L[p] = L[p], L[k]
        pivot = A[order[k]][order[k]] - ctx.fdot(L[k], L[k])
        if pivot <= tiny:
            break
        pivots.append(pivot)
        root = ctx.sqrt(pivot)
        L[k].append(root)
        for i in range(k + 1, r):
            value = (A[order[i]][order[k]] - ctx.fdot(L[i], L[k][:k])) / root
            L[i].append(value)
            diagonal[order[i]] -= value * value
    rank = len(pivots)
    return Cholesky([row + [ctx.zero] * (rank - len(row)) for row in L[:rank]], order, pivots)


#: Bits kept below ctx.prec when weights are turned into integers (see IntegerRows.gram).
GUARD_BITS = 16


class IntegerRows:
    """A matrix of mpf numbers held exactly as M * 2^exponent, M an object array of integers,
    for Gram matrices summed exactly in integer arithmetic (several times faster than fdot)."""

    def __init__(self, rows):
        import numpy as np

        parts = [[_man_exp(x) for x in row] for row in rows]
        self.exponent = min((e for row in parts for m, e in row if m), default=0)
        self.M = np.array([[m << (e - self.exponent) for m, e in row] for row in parts], dtype=object)

    def gram(self, ctx, weights=None) -> list:
        """rows diag(weights) rows^T, each entry correctly rounded at ``ctx``.

        The weights are rounded to ctx.prec + GUARD_BITS bits relative to the largest: smaller
        ones contribute nothing at this precision, as in any floating-point sum.
        """
        M, exponent = self.M, 2 * self.exponent
        if weights is None:
            product = M @ M.T
        else:
            parts = [_man_exp(w) for w in weights]
            top = max((e + abs(m).bit_length() for m, e in parts if m), default=0)
            base = top - ctx.prec - GUARD_BITS
            W = [m << (e - base) if e >= base else m >> (base - e) for m, e in parts]
            product = (M * W) @ M.T
            exponent += base
        n = len(M)
        return [[ctx.ldexp(ctx.mpf(int(product[j, k])), exponent) for k in range(n)] for j in range(n)]


def _man_exp(x):
    """(m, e) with x = m * 2^e exactly, m a signed int (from mpmath's raw (sign, man, exp, bc))."""
    sign, man, exp, _ = x._mpf_
    return (-int(man) if sign else int(man)), exp


@dataclasses.dataclass(frozen=True)
class ReducedSystem:
    """X beta = y restricted to a maximal independent set of rows, at a working context.

    ``beta_l2 = X_kept^T (X_kept X_kept^T)^-1 y_kept`` is the minimum-ℓ2 solution and
    ``residual`` is ||X beta_l2 - y||_2 over *all* rows (the dropped equations hold to it).
    """

    ctx: object
    kept: tuple[int, ...]
    X: list            # kept rows of X, at ctx
    y: list            # the matching targets
    X_all: list
    y_all: list
    beta_l2: list
    residual: object

    @property
    def rank(self) -> int:
        return len(self.kept)


def reduce_rows(problem, ctx, dps: int) -> ReducedSystem:
    """Keep a maximal independent set of rows and raise InvalidArgument ("inconsistent system:
    ...") when no beta solves X beta = y to ``consistency_tolerance(dps)``.

    The rank is revealed by pivoted Cholesky of the Gram matrix X X^T computed at twice the
    working precision, so that a pivot (a squared row residual) is resolved down to
    10^-(2 dps) of the largest: rows whose residual is below ``rank_tolerance(dps)`` are dropped.
    """
    wide = context(2 * ctx.dps)
    X, y = problem.X_mp(wide), problem.y_mp(wide)
    G = IntegerRows(X).gram(wide)
    largest = max((G[i][i] for i in range(problem.n)), default=wide.zero)
    factor = pivoted_cholesky(G, wide, rank_tolerance(dps).value(wide) ** 2 * largest)
    pivot_rows = factor.order[:factor.rank]
    z = factor.solve([y[i] for i in pivot_rows], wide)
    beta = [wide.fdot([X[i][j] for i in pivot_rows], z) for j in range(problem.d)]
    residual = norm2([p - t for p, t in zip(matvec(X, beta, wide), y)], wide)
    allowed = _allowed_residual(X, y, beta, wide, dps)
    if residual > allowed:
        least = _least_squares_residual([[G[i][k] for i in range(problem.n)] for k in pivot_rows], y, wide, dps)
        raise InvalidArgument(
            f"inconsistent system: no beta solves X beta = y; the least-squares residual "
            f"min ||X beta - y||_2 = {wide.nstr(least, 6)} exceeds the tolerance {wide.nstr(allowed, 3)} "
            f"(rank {factor.rank} of n={problem.n} rows)")
    kept = tuple(sorted(pivot_rows))
    X_ctx, y_ctx = problem.X_mp(ctx), problem.y_mp(ctx)
    return ReducedSystem(ctx, kept, [X_ctx[i] for i in kept], [y_ctx[i] for i in kept], X_ctx, y_ctx,
                         [ctx.mpf(b) for b in beta], ctx.mpf(residual))


def _least_squares_residual(columns, y, ctx, dps: int):
    """||y - P y|| with P the projector onto the span of ``columns`` (= range(X))."""
    projected = list(y)
    for u in orthonormalize(columns, ctx, rank_tolerance(dps)).basis:
        c = ctx.fdot(u, y)
        projected = [p - c * uu for p, uu in zip(projected, u)]
    return norm2(projected, ctx)


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
    """The minimum-ℓ2-norm interpolator (the kernel limit, eq. 6), at ``dps`` digits."""
    dps = check_dps(dps)
    system = reduce_rows(problem, context(dps + GUARD_DIGITS), dps)
    fine = reduce_rows(problem, context(dps + VERIFY_EXTRA_DIGITS + GUARD_DIGITS),
                       dps + VERIFY_EXTRA_DIGITS)
    digits, _ = agreement_digits(system.beta_l2, fine.beta_l2, fine.ctx, dps)
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
    float64, the support system is solved at ``dps`` and optimality is certified by duality."""
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
    float_beta = [ctx.mpf(b) for b in lp_beta]  # exact binary values: a fallback answer, not a claim
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
    digits = None if fine is None else agreement_digits(beta, fine[0], fine_ctx, dps)[0]
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
    """HiGHS on min 1^T (p + m) s.t. X_kept (p - m) = y_kept, p, m >= 0, in float64."""
    import numpy as np
    from scipy.optimize import linprog

    A = np.array([[float(v) for v in row] for row in system.X])
    b = np.array([float(v) for v in system.y])
    d = A.shape[1]
    lp = linprog(np.ones(2 * d), A_eq=np.hstack([A, -A]), b_eq=b, bounds=(0, None), method="highs")
    if lp.status != 0:
        return None, f"HiGHS did not solve the ℓ1 linear program: {lp.message}"
    return list(lp.x[:d] - lp.x[d:]), ""


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
    A = np.array([[float(ctx.fdot(col, n)) for n in null] for col in columns])
    b = np.array([float(ctx.fdot(col, nu0)) for col in columns])
    k = len(null)
    # minimize tau s.t. -tau <= A z + b <= tau
    ones = np.ones((len(off), 1))
    lp = linprog(np.r_[np.zeros(k), 1.0], A_ub=np.vstack([np.hstack([A, -ones]), np.hstack([-A, -ones])]),
                 b_ub=np.r_[-b, b], bounds=[(None, None)] * k + [(0, None)], method="highs")
    if lp.status != 0:
        return nu0
    z = [ctx.mpf(v) for v in lp.x[:k]]  # exact binary values of the LP's proposal
    return [v + ctx.fdot([n[i] for n in null], z) for i, v in enumerate(nu0)]
