"""Helpers shared by the limit checks: seeded exact test vectors, log-log slope fits, and the
distance of the predictor argmin Q to a reference along an alpha ladder."""

from __future__ import annotations

import math
from fractions import Fraction

from krtheory.precision import context

#: length of the seeded test vectors beta
D_VECTOR = 8


def fitted_slope(xs, ys) -> float:
    """Least-squares slope of log|y| against log x."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(abs(y)) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def seeded_beta(seed: int) -> tuple[str, ...]:
    """A seeded dyadic beta in R^D_VECTOR with no zero entry, entries in [1/8, 4] in magnitude."""
    import numpy as np

    rng = np.random.default_rng(seed)
    signs, sizes = rng.choice([-1, 1], D_VECTOR), rng.integers(1, 33, D_VECTOR)
    return tuple(str(Fraction(int(s * k), 8)) for s, k in zip(signs, sizes))


def interpolator_distances(problem, depth: int, alphas, reference, norm, dps: int):
    """norm(beta_alpha - reference) for beta_alpha = argmin Q^D_alpha s.t. X beta = y at each alpha
    (the solve of the derived link, warm-started along the ladder), with the solve's digits."""
    from krtheory.regularizers import implicit_link
    from krtheory.solve import solve_link

    ctx = context(dps)
    ref = [ctx.convert(v) for v in reference]
    out, start = [], None
    for alpha in alphas:
        solved = solve_link(problem, implicit_link("diagonal", depth, alpha, None, problem.d), dps=dps,
                            start=start)
        start = solved.lam
        out.append((norm([ctx.convert(b) - r for b, r in zip(solved.beta, ref)], ctx), solved.digits))
    return out, ctx
