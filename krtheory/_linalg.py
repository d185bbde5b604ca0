"""Small dense mpmath linear algebra shared by the solvers and the references: pivoted
Gram-Schmidt, triangular substitutions, pivoted Cholesky, exact-integer Gram matrices, and the
row reduction that keeps a maximal independent set of rows of X and finds an inconsistent
X beta = y once."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from decimal import Decimal
from fractions import Fraction

from krtheory import _cache
from krtheory.errors import InvalidArgument
from krtheory.precision import MAX_DPS, Tolerance, context

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
        # a zero is (0, 0) in mpmath: its exponent may lie below the smallest nonzero one
        self.M = np.array([[m << (e - self.exponent) if m else 0 for m, e in row] for row in parts], dtype=object)

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
    """The system on the rows :func:`exact_rows` keeps, with its minimum-ℓ2 solution; raises
    InvalidArgument ("inconsistent system: ...", naming the least-squares residual) when no beta
    solves X beta = y exactly.

    beta_l2 comes from Cholesky of the Gram matrix of the kept rows, summed exactly and factored
    at twice the working precision (more while rounding hides a pivot of nearly dependent rows).
    """
    kept, consistent = exact_rows(problem)
    wide = context(2 * ctx.dps)
    X, y = problem.X_mp(wide), problem.y_mp(wide)
    if not consistent:
        G = IntegerRows(X).gram(wide)
        least = _least_squares_residual([[G[i][k] for i in range(problem.n)] for k in kept], y, wide, dps)
        raise InvalidArgument(
            f"inconsistent system: no beta solves X beta = y; the least-squares residual "
            f"min ||X beta - y||_2 = {wide.nstr(least, 6)} is not zero (rank {len(kept)} of n={problem.n} rows)")
    while True:
        X_kept = [X[i] for i in kept]
        factor = pivoted_cholesky(IntegerRows(X_kept).gram(wide), wide, wide.zero)
        if factor.rank == len(kept) or wide.dps >= MAX_DPS:
            break
        wide = context(min(2 * wide.dps, MAX_DPS))
        X, y = problem.X_mp(wide), problem.y_mp(wide)
    pivot_rows = [kept[k] for k in factor.order[:factor.rank]]
    z = factor.solve([y[i] for i in pivot_rows], wide)
    beta = [wide.fdot([X[i][j] for i in pivot_rows], z) for j in range(problem.d)]
    residual = norm2([p - t for p, t in zip(matvec(X, beta, wide), y)], wide)
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


# -- exact rank and consistency ------------------------------------------------------------------
def _fmpq(text: str):
    """An exact decimal or p/q string as an fmpq (p/q parsed directly, a decimal through
    Decimal's exact integer ratio: both ~6x faster than Fraction)."""
    import flint

    fmpq = flint.fmpq
    if "/" in text:
        p, q = text.split("/")
        return fmpq(int(p), int(q))
    return fmpq(*Decimal(text).as_integer_ratio())


@functools.lru_cache(maxsize=4)
def rational_data(problem):
    """(X, y) of ``problem`` as exact fmpq_mat (n x d, n x 1); cached (the conversion costs
    ~1 us per entry, more than a polish iteration at 30 x 200)."""
    import flint

    X = flint.fmpq_mat(problem.n, problem.d, [_fmpq(v) for row in problem.X for v in row])
    y = flint.fmpq_mat(problem.n, 1, [_fmpq(v) for v in problem.y])
    return X, y


#: Problems of at least this many cells keep their exact rows in the cross-process cache, keyed
#: by the SHA-256 of the data: the selection costs ~0.07 s at 50 x 400, the lookup ~2 ms.
PERSISTED_CELLS = 4000


@functools.lru_cache(maxsize=8)
def exact_rows(problem) -> tuple[tuple[int, ...], bool]:
    """(kept, consistent): the first maximal independent set of rows of X (greedy in row order)
    and whether X beta = y is solvable (rank [X | y] = rank X), both decided exactly on the
    rationals the decimal data denote, so "inconsistent" is said only when it is true. Every
    backend selects its rows here before any floating-point work. flint's rref of the rational
    Gram matrix X X^T (whose column matroid is that of the rows) when python-flint is installed,
    else Gaussian elimination in fractions.Fraction. Large problems reuse the decision of an
    earlier process on the same data (:mod:`krtheory._cache`)."""
    if problem.n * problem.d >= PERSISTED_CELLS:
        payload = _cache.cached("exact-rows", {"data": _data_digest(problem)},
                                lambda: _rows_payload(problem), valid=functools.partial(_valid_rows, n=problem.n))
        kept, consistent = tuple(payload["kept"]), payload["consistent"]
    else:
        kept, consistent = _select_rows(problem)
    if not kept:
        raise InvalidArgument("X is zero: no row constrains beta")
    return kept, consistent


def _select_rows(problem) -> tuple[tuple[int, ...], bool]:
    try:
        return _flint_rows(problem)
    except ImportError:
        return _fraction_rows(problem)


def _data_digest(problem) -> str:
    text = "\n".join(",".join(row) for row in (*problem.X, problem.y))
    return hashlib.sha256(text.encode()).hexdigest()


def _rows_payload(problem) -> dict:
    kept, consistent = _select_rows(problem)
    return {"kept": list(kept), "consistent": consistent}


def _valid_rows(payload, n: int) -> bool:
    """A stored selection is used only if it is well formed: increasing row indices below n."""
    kept = payload.get("kept") if isinstance(payload, dict) else None
    return (isinstance(kept, list) and isinstance(payload.get("consistent"), bool)
            and all(type(i) is int for i in kept) and kept == sorted(set(kept))
            and all(0 <= i < n for i in kept))


def independent_rows(problem) -> tuple[int, ...]:
    """The kept rows of :func:`exact_rows`; InvalidArgument when X beta = y is inconsistent."""
    kept, consistent = exact_rows(problem)
    if not consistent:
        raise InvalidArgument(f"inconsistent system: no beta solves X beta = y exactly (rank {len(kept)} of "
                              f"n={problem.n} rows, y outside the range of X)")
    return kept


def _flint_rows(problem):
    rows = _integer_rows(problem)
    if rows is None:
        X, y = rational_data(problem)
        gram, augmented = X * X.transpose(), X * X.transpose() + y * y.transpose()
    else:  # each row [x_i | y_i] scaled by a power of 10: the same ranks and the same kept rows
        import flint

        X, y = flint.fmpz_mat([row[:-1] for row in rows]), flint.fmpz_mat([row[-1:] for row in rows])
        gram = flint.fmpq_mat(X * X.transpose())
        augmented = flint.fmpq_mat(X * X.transpose() + y * y.transpose())
    reduced, rank = gram.rref()
    consistent = rank == problem.n or augmented.rank() == rank
    kept, row = [], 0
    for j in range(problem.n):
        if row < rank and reduced[row, j] != 0:
            kept.append(j)
            row += 1
    return tuple(kept), consistent


def _integer_rows(problem) -> list[list[int]] | None:
    """Each row [x_i | y_i] of decimal cells times the power of 10 that makes it integer (a row
    scaling, which changes neither the ranks nor which rows are independent); None when a cell is
    a p/q. ~5x faster than building the rational matrices (a 50 x 400 CSV: 0.03 s against 0.14 s)."""
    rows = []
    for row, target in zip(problem.X, problem.y):
        parts = []
        for text in (*row, target):
            if "/" in text:
                return None
            mantissa, _, exponent = text.lower().partition("e")
            whole, _, fraction = mantissa.partition(".")
            parts.append((int(whole + fraction or "0"), int(exponent or 0) - len(fraction)))
        lowest = min(shift for _, shift in parts)
        rows.append([digits * 10 ** (shift - lowest) for digits, shift in parts])
    return rows


def _fraction_rows(problem):
    """Row-by-row elimination of [X | y] against the rows kept so far: a row whose X part
    vanishes is dependent, and then its y part must vanish too."""
    basis = []  # (pivot column, reduced row [X | y])
    kept, consistent = [], True
    for i, (row, target) in enumerate(zip(problem.X, problem.y)):
        r = [Fraction(v) for v in row] + [Fraction(target)]
        for pivot, b in basis:
            if r[pivot]:
                factor = r[pivot] / b[pivot]
                r = [v - factor * w for v, w in zip(r, b)]
        pivot = next((j for j in range(problem.d) if r[j]), None)
        if pivot is None:
            consistent = consistent and r[-1] == 0
        else:
            basis.append((pivot, r))
            kept.append(i)
    return tuple(kept), consistent
