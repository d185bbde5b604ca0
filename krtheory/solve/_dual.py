"""The contract every dual solve shares (mpmath, float64, arb): its result and status, the start
vector on the kept rows, the step back into a bounded domain, the convergence and budget tests,
the precision raise.

Each backend runs damped Newton on the strictly convex dual Phi(lam) = sum_i (a_i/b_i) G(b_i t_i)
- y^T lam, t = X^T lam (the paper's eqs. (18)–(19), Theorems 3 and 4), on the rows of X that
:func:`krtheory._linalg.exact_rows` keeps; beta_i = a_i h(b_i t_i) at its minimizer.
"""

from __future__ import annotations

import dataclasses
import enum
import math

from krtheory.errors import InvalidArgument


class SolveStatus(enum.Enum):
    """How a dual solve ended; each value says what it means and what to do about it."""

    OK = "converged: beta solves X beta = y to the backend's accuracy"
    CERTIFIED = "converged, and the Krawczyk test proved that a ball around beta holds the solution"
    POLISHED = "converged but not certified (certify=False): pass certify=True for a rigorous radius"
    UNCERTIFIED = ("converged, but the Krawczyk test failed: raise dps, or use the mpmath backend "
                   "(digits verified by a re-solve)")
    OUT_OF_RANGE = "double cannot represent or resolve this solution: use the mpmath or flint backend"
    NOT_CONVERGED = "the Newton iteration ran out of iterations: raise max_iterations"
    STALLED = ("no Newton step decreases the dual or the residual (rounding in double): use the mpmath "
               "or flint backend")

    @property
    def code(self) -> str:
        """The short name results and JSON records print ("ok", "certified", "out_of_range", ...)."""
        return self.name.lower()

    @property
    def converged(self) -> bool:
        return self in (SolveStatus.OK, SolveStatus.CERTIFIED, SolveStatus.POLISHED, SolveStatus.UNCERTIFIED)


@dataclasses.dataclass(frozen=True)
class DualSolution:
    """beta = a h(b X^T lam) from one backend. ``lam`` has one entry per row of X (0 on rows
    dropped as dependent, see ``kept_rows``); ``residual`` is ||X beta - y||_2 over all rows (a
    number of the backend's arithmetic, or a rounded-up decimal bound); ``digits`` the significant
    digits the backend vouches for (verified or certified; None when it only estimates them);
    ``status`` how the solve ended, ``message`` the details. Each backend adds its own fields."""

    beta: object
    lam: object
    residual: object
    iterations: int
    digits: int | None
    status: SolveStatus
    message: str
    backend: str
    kept_rows: tuple[int, ...]

    @property
    def ok(self) -> bool:
        """Whether the iteration converged (status OK, CERTIFIED, POLISHED or UNCERTIFIED)."""
        return self.status.converged


def start_on_kept(start, n: int, kept, convert) -> list:
    """A user's start lam (one entry per row of X) restricted to the kept rows, each entry through
    ``convert``; InvalidArgument for a wrong length or entries that are not numbers."""
    if isinstance(start, (str, bytes)) or not hasattr(start, "__len__") or len(start) != n:
        raise InvalidArgument(f"start must have one entry per row of X (n={n}), got start={start!r}")
    try:
        return [convert(start[i]) for i in kept]
    except (TypeError, ValueError):
        raise InvalidArgument(f"start must hold numbers, got start={start!r}") from None


def scatter(kept, values, n: int, zero) -> list:
    """Multipliers of the kept rows spread to all n rows; rows dropped as dependent get ``zero``."""
    full = [zero] * n
    for i, v in zip(kept, values):
        full[i] = v
    return full


def pulled_inside(lam, inside, shrink, finest: int = 1):
    """The step back into a bounded domain: ``lam`` itself when ``inside(lam)``, else lam scaled by
    ``shrink(lam, k)`` = lam (1 - 2^-k) for k = finest, finest - 1, ..., 1 (compounded) until it is
    inside, then halved until it is (lam = 0 always is). A start rounded to fewer digits than the
    boundary is close moves only by that rounding when ``finest`` is about the precision."""
    for k in range(finest, 0, -1):
        if inside(lam):
            return lam
        lam = shrink(lam, k)
    while not inside(lam):
        lam = shrink(lam, 1)
    return lam


def boundary_step(u, du, radius):
    """The first step s > 0 with max_i |u_i + s du_i| = radius (inf for radius None or inf): where a
    line search along u + s du leaves a bounded domain. ``u``, ``du``: sequences or numpy arrays."""
    if radius is None or radius == math.inf:
        return math.inf
    if hasattr(du, "ndim"):  # numpy
        moving = du != 0
        sign = 2.0 * (du[moving] > 0) - 1
        reach = (radius - sign * u[moving]) / abs(du[moving])
        return float(reach.min(initial=math.inf))
    reach = [(radius - (ui if d > 0 else -ui)) / abs(d) for ui, d in zip(u, du) if d != 0]
    return min(reach) if reach else math.inf


def largest(values):
    """max_i |values_i| (0 for none); sequences or numpy arrays."""
    if hasattr(values, "ndim"):
        return float(abs(values).max(initial=0.0))
    return max(map(abs, values), default=0)


def settled(change, size, tolerance) -> bool:
    """The convergence test before taking a full Newton step: it changes beta (by ``change``,
    w_i (X^T step)_i) by at most ``tolerance`` times ``size`` = max|beta|; the error left is then
    of the order of its square."""
    return largest(change) <= tolerance * size


def not_converged(what: str, budget: int, where: str = "") -> str:
    """The message of a solve whose iteration budget ran out."""
    return f"{what} did not converge in max_iterations={budget} iterations{where}: raise max_iterations"


def raised_precision(needed, current: int, guard: int) -> int:
    """A new working precision (digits or bits) when an iteration needs ``needed``: that plus a
    quarter, so that it is not raised every step, and at least ``guard`` above ``current``;
    twice ``current`` when the need is unbounded (inf)."""
    if needed == math.inf:
        return 2 * current
    return max(int(needed) * 5 // 4, current + guard)
