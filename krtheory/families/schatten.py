"""The "Schatten-Q_mu-norm" of Theorem 4 (paper §6): Q_mu(spectrum(M)).

    Q_mu(M) = mu^2 sum_i q(sigma_i / mu^2),   q(z) = 2 - sqrt(4 + z^2) + z asinh(z/2),

with sigma_i the singular values of M (any d1 x d2 matrix) and q Theorem 1's potential as
derived by :func:`krtheory.derive.engine.derive_diagonal` (never retyped). q is even, so for a
symmetric M this is the same sum over its signed eigenvalues, and for a diagonal M it is
Theorem 1's Q_mu of the diagonal: the argmin of Theorem 4 in the commuting case. Not a norm
(not homogeneous): Q_mu(M) = ln(1/mu^2) ||M||_* + O(1) as mu -> 0 (trace norm, eq. 7's analogue)
and ||M||_F^2 / (4 mu^2) + O(mu^-6) as mu -> oo (Frobenius, eq. 6's analogue).
"""

from __future__ import annotations

import dataclasses
import math

from krtheory import precision
from krtheory.errors import NoConvergence
from krtheory.flow.models import check_matrix
from krtheory._validation import check_positive

#: Precision rounds before NoConvergence (the extra digits at least double per round), and the
#: most working digits: cancellation in q costs 2 log10(mu^2/sigma) digits for sigma << mu^2.
MAX_ROUNDS = 10
MAX_WORKING_DPS = 20_000


@dataclasses.dataclass(frozen=True)
class SchattenResult:
    """Q_mu(M) at ``dps`` digits; ``digits``: significant digits on which it agrees with a
    second evaluation (SVD and q) at a higher working precision; ``singular_values`` at dps."""

    value: object
    digits: int
    singular_values: list
    dps: int
    ctx: object = dataclasses.field(repr=False, compare=False)


def schatten_q(M, mu, dps: int = 30) -> SchattenResult:
    """mu^2 sum_i q(sigma_i(M)/mu^2) to ``dps`` verified digits (M: rows of exact numbers)."""
    dps = precision.check_dps(dps)
    rows = check_matrix(M, "M")
    mu = check_positive(mu, "mu")
    extra = precision.GUARD_DIGITS
    for _ in range(MAX_ROUNDS):
        if dps + 2 * extra > MAX_WORKING_DPS:
            break
        low, _, lost = _evaluate(rows, mu, dps + extra)
        if lost + precision.GUARD_DIGITS <= extra:
            high, sigma, _ = _evaluate(rows, mu, dps + 2 * extra)
            ctx = high.context
            digits = min(dps, int(precision.agreeing_digits_of_numbers(ctx, ctx.convert(low), high)))
            if digits >= dps:
                out = precision.context(dps)
                return SchattenResult(out.convert(high), digits, [out.convert(x) for x in sigma], dps, out)
        extra = max(2 * extra, lost + 2 * precision.GUARD_DIGITS)
    raise NoConvergence(f"Q_mu(M) did not reach {dps} verified digits in {MAX_ROUNDS} precision rounds "
                        f"within MAX_WORKING_DPS={MAX_WORKING_DPS}")


def _evaluate(rows, mu, dps: int):
    """(Q_mu(M), singular values, digits lost to cancellation in the sum of q's terms) at dps."""
    from krtheory.derive.engine import derive_diagonal
    from krtheory.derive.potential import potential_function

    ctx = precision.context(dps)
    q = potential_function(derive_diagonal(2), ctx)
    scale = ctx.mpf(mu) ** 2
    sigma = list(ctx.svd_r(ctx.matrix([[ctx.mpf(v) for v in row] for row in rows]), compute_uv=False))
    values, sizes = [], []
    for x in filter(None, sigma):  # q(0) = 0 exactly (a verified step of the derivation)
        value, terms = q(x / scale)
        values.append(value)
        sizes.append(max(abs(t) for t in terms))
    total = scale * ctx.fsum(values)
    largest = scale * ctx.fsum(sizes)
    if total == 0:
        return total, sigma, 0 if largest == 0 else dps
    return total, sigma, max(0, math.ceil(float(ctx.log10(largest / abs(total)))))
