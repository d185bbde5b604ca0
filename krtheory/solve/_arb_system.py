"""The KKT system of the certified backend on arb balls: F(lam) = X beta(lam) - y on the kept
rows, its Jacobian J = X diag(a_i b_i h'(b_i t_i)) X^T and beta_i = a_i h(b_i t_i) at one
precision (the paper's dual problem, eqs. (18)–(19), Theorems 3 and 4), with the precision it
needs and the Newton direction (J in double, scaled by powers of two, or in arb)."""

from __future__ import annotations

import functools
import math
from fractions import Fraction

from krtheory._linalg import _fmpq, rational_data
from krtheory.solve._arb import arb_function, flint_module, floor_log2, mids, scaled_doubles

#: Bits per decimal digit.
BITS_PER_DIGIT = math.log2(10)
#: Bits beyond dps and the weight range (measured: ~3.33 dps + log2(range) + 30 bits suffice).
GUARD_BITS = 30


class ArbSystem:
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
            step = double_newton_step(self.X_double, w, gradient.entries())
            if step is not None:
                return step
        return mids(self.jacobian(w).mid().solve(-gradient, algorithm="approx").entries())

    def inside(self, u) -> bool:
        return self.radius is None or all(abs(v) < self.radius for v in u)

    def needed_bits(self, dps: int, w, u) -> int:
        """:func:`needed_bits` of the arb weights and, on a bounded domain, the gap to its edge."""
        sizes = [floor_log2(x) for x in w if x != 0]
        if self.radius is None or not u:
            return needed_bits(dps, sizes)
        gap = self.radius - max(abs(v) for v in u)
        return needed_bits(dps, sizes, floor_log2(self.radius) - floor_log2(gap) if gap > 0 else self.bits)


def needed_bits(dps: int, sizes, edge: int = 0) -> int:
    """~3.33 dps + (max - min of ``sizes``, the floor(log2) of the weights of J) + GUARD_BITS, plus
    ``edge`` = floor(log2 radius) - floor(log2 gap) when b_i t_i comes within gap of a bounded
    domain's boundary (rounding u_i costs that much of h)."""
    spread = max(sizes) - min(sizes) if len(sizes) else 0
    return math.ceil(BITS_PER_DIGIT * dps) + int(spread) + max(0, int(edge)) + GUARD_BITS


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


def double_newton_step(X_double, w, gradient):
    """-(X diag(w) X^T)^-1 gradient computed in double after scaling w and the gradient by powers
    of two (exact arbs); None when double cannot hold it."""
    import numpy as np

    from krtheory.solve.float64 import solve_scaled

    w_scaled, w_shift = scaled_doubles(w)
    g_scaled, g_shift = scaled_doubles(gradient)
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
