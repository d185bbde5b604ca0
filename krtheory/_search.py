"""The one step search the dual solvers share (float64, mpmath, arb midpoints): bracketing
bisection and the directional-derivative line search of damped Newton on the strictly convex
dual Phi (the paper's dual problem, eqs. (18)–(19))."""

from __future__ import annotations

import math

#: The first trial point of each line search moves b_i t_i by at most this much (sup norm):
#: uncapped first steps (~alpha^-2 long at small alpha) were measured to stall the search.
STEP_CAP = 20
#: Accept a step s where psi(s) lies in [-ETA |psi(0)|, 0] (Phi decreased, and by nearly its
#: minimum along the ray), or the full Newton step when |psi(1)| <= ETA |psi(0)| (near the
#: solution psi(1)/psi(0) = O(|step|), so the convergence stays quadratic).
ETA = 0.1


def bracket_middle(lo, hi, boundary=math.inf):
    """Bisect [lo, hi] in the scale that fits it: geometric when hi/lo exceeds 4, geometric in the
    distance to a (finite) boundary when that shrinks by more than a factor 4, else arithmetic.
    Works for floats, mpmath numbers and arb midpoints alike."""
    if lo > 0 and hi > 4 * lo:
        return (lo * hi) ** 0.5
    if boundary != math.inf and boundary - lo > 4 * (boundary - hi) > 0:
        return boundary - ((boundary - lo) * (boundary - hi)) ** 0.5
    return (lo + hi) / 2


def line_search(psi, psi0, first, full, boundary, evaluations: int):
    """A step s > 0 with psi(s) in [-ETA |psi0|, 0], or s = ``full`` (the Newton step) with
    |psi(full)| <= ETA |psi0|; psi is the directional derivative of Phi along the ray (increasing,
    psi0 = psi(0) < 0), None where the trial point overflows or leaves the domain; ``boundary``
    the first step that leaves a bounded domain (or inf). Brackets by doubling from ``first`` and
    bisects with :func:`bracket_middle` (h blows up at the boundary). Returns the largest step
    found below the zero of psi when none qualifies, or None. Works for floats, mpmath numbers
    and exact arb midpoints alike (``boundary`` may then be an arb, or inf)."""
    lo, hi, s = 0 * first, None, first
    half = lo + 0.5  # in the arithmetic of ``first``: a float 0.5**2048 would underflow to 0
    approach = 1
    for _ in range(evaluations):
        if s >= boundary:
            approach *= 2
            s = boundary - (boundary - lo) * half ** approach
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
