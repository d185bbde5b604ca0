"""The dual ODE: the n-dimensional trajectory path, cross-checked against the parameter flow.

Along the gradient flow of a separable model (paper eq. (1), :mod:`krtheory.flow.models`), the
parameters of coordinate i depend on t only through the drive s_i(t) = -2 int_0^t (X^T r)_i:
they solve d theta_i/ds = grad P(theta_i), which is how :mod:`krtheory.derive.engine` builds the link,
so beta_i(t) = a_i h(b_i s_i(t)) at every t (the KKT-ODE argument behind Theorems 1 and 3).
With lam(t) = -2 int_0^t r, s = X^T lam and the whole trajectory solves

    lam' = -2 (X beta(lam) - y),   beta(lam) = a h(b X^T lam),   lam(0) = 0,

n unknowns instead of the d m parameters; lam(t) tends to the solution of the KKT system. The
Jacobian -2 X diag(w) X^T (w = a b h'(b X^T lam)) is symmetric negative semidefinite, with
the stiffness ratio ~1/alpha^2 of small alpha (measured) that LSODA handles:
Measured (2026-11): it finishes every case in 0.02-5 s where explicit methods stalled.

float64 throughout, with the float fast path's evaluator (log domain where needed): a fast
trajectory, not high-precision evidence (that is :func:`krtheory.flow.driver.integrate_flow`; the
``thm1.dual-trajectory`` claim and the tests compare the two). Links with per-coordinate
parameters are taken when the float path's evaluator takes them (the biased form).
"""

from __future__ import annotations

import dataclasses
import enum
import math
import time
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from krtheory.errors import InvalidArgument
from krtheory.links import Link
from krtheory.problem import Problem
from krtheory._validation import check_instance, parse_number
from krtheory.solve._evaluate import MAX_LOG, evaluator
from krtheory.solve.float64 import float_rows, relative_residual, solve_link_float

#: Stop once ||X beta - y|| / || |X||beta| + |y| || is below this (float64 resolves ~1e-14).
RESIDUAL_TARGET = 1e-12
#: LSODA's relative tolerance; its absolute one is this times ATOL_SCALE max|lam*| (lam* the
#: float64 KKT solution).
RTOL = 1e-12
#: lam(t) grows from 0 to lam*, and beta is linear in lam near 0, so the absolute tolerance must
#: resolve lam(t) far below max|lam*|: against the 30-digit flow at t in [0.01, 0.5] the worst
#: relative difference fell from 1.1e-9 (factor 1) to 2.3e-11 (1e-3); 1e-6 gave 1.7e-11 but made the
#: stiff tail of depth 3, alpha = 1e-2 on 10 x 40 27x slower (9 s instead of 0.3 s).
ATOL_SCALE = 1e-3
#: The flow-time budget: measured: the flow needs t ~ 2e6 at alpha = 1e-8.
MAX_TIME = 1e12


class TrajectoryStatus(str, enum.Enum):
    """How a dual trajectory ended. A ``str`` (``TrajectoryStatus.OK == "ok"``, and JSON reports
    keep the plain word); ``advice`` says what it means and what to do."""

    OK = "ok"
    NOT_CONVERGED = "not_converged"
    FAILED = "failed"
    OUT_OF_RANGE = "out_of_range"

    def __str__(self) -> str:
        return self.value

    @property
    def advice(self) -> str:
        return {
            "ok": "the residual target was reached at final_time",
            "not_converged": "max_time or max_seconds ran out first: raise them (small alpha needs long "
                             "flow times)",
            "failed": "the integrator stopped (message says why): use the parameter flow (integrate_flow)",
            "out_of_range": "double cannot evaluate the link at these scales: use the parameter flow at "
                            "high precision (integrate_flow)",
        }[self.value]


@dataclasses.dataclass(frozen=True)
class DualTrajectory:
    """beta(t) along the dual ODE and where it ended (``status``: a :class:`TrajectoryStatus`,
    with ``message`` saying what happened). Arrays are numpy float64."""

    times: tuple[float, ...]
    beta: tuple                  # beta(t) at each requested time
    final_time: float
    final_beta: object
    final_lam: object
    relative_residual: float     # at final_time
    status: TrajectoryStatus
    message: str
    evaluations: int             # right-hand sides
    seconds: float

    @property
    def ok(self) -> bool:
        return self.status is TrajectoryStatus.OK


def dual_trajectory(problem, link, times: Sequence = (), *, residual_target: float = RESIDUAL_TARGET,
                    max_time: float = MAX_TIME, rtol: float = RTOL,
                    max_seconds: float | None = None) -> DualTrajectory:
    """Integrate lam' = -2 (X a h(b X^T lam) - y) from lam = 0 with LSODA (module docstring):
    beta at each of ``times`` (flow times >= 0, any order), then on until the relative
    residual is below ``residual_target``, t = ``max_time`` or ``max_seconds`` of wall time
    (extreme alpha: 1e-30 at depth 2 needs t ~ 1e11 and minutes).

    Parameters
    ----------
    problem : Problem
        X beta = y, consistent.
    link : Link
        beta_i = a_i h(b_i t_i) of dimension d, without per-coordinate parameters unless h has
        the biased form the float64 evaluator takes.
    times : sequence of float
        Flow times >= 0 at which to report beta(t).
    residual_target : float
        Stop once ||X beta - y|| / || |X||beta| + |y| || is below this (in (0, 1)).
    max_time : float
        Stop at this flow time.
    rtol : float
        LSODA's relative tolerance (in (0, 1)).
    max_seconds : float, optional
        Stop after this much wall time.

    Returns
    -------
    DualTrajectory
        beta at each of ``times``, the final time, beta, lam and residual, and a ``status``
        (a :class:`TrajectoryStatus`) with a ``message``.

    Raises
    ------
    InvalidArgument
        A link of the wrong dimension or with per-coordinate parameters that the float64
        evaluator does not take, an inconsistent X beta = y, bad times or tolerances.

    Examples
    --------
    Theorem 1's link at alpha = 1 (beta_i = 2 sinh(4 t_i)) on a 1 x 3 problem:

    >>> import sympy
    >>> from krtheory import Link, Problem, dual_trajectory
    >>> nu = sympy.Symbol("nu")
    >>> link = Link("depth 2", nu, 2 * sympy.sinh(nu), 2 * sympy.cosh(nu) - 2, sympy.oo, ["1"] * 3, ["4"] * 3)
    >>> path = dual_trajectory(Problem.from_rows([["1", "2", "0"]], ["5"]), link, times=(1.0,))
    >>> str(path.status), [round(float(b), 6) for b in path.final_beta]
    ('ok', [0.924747, 2.037626, 0.0])
    """
    from scipy.integrate import solve_ivp

    check_instance(problem, Problem, "problem")
    check_instance(link, Link, "link")
    link.check_dimension(problem.d)
    sample_times = sorted(_time(v, "times entry") for v in times)
    target, horizon, rtol = (_open_unit(residual_target, "residual_target"),
                             _time(max_time, "max_time"), _open_unit(rtol, "rtol"))
    if max_seconds is not None:
        max_seconds = _time(max_seconds, "max_seconds")
    ev = evaluator(link)  # refuses per-coordinate parameters without a biased form
    rows = float_rows(problem)  # refuses an inconsistent system
    X, Xt, y = rows.X_all, rows.Xt_all, rows.y_all
    start, counter = time.perf_counter(), [0]
    lam0 = np.zeros(problem.n)

    def state(lam):
        """(beta, ||X beta - y|| / || |X||beta| + |y| ||) at lam."""
        with np.errstate(all="ignore"):
            beta = ev.raw_beta(ev.b * (Xt @ lam))
            return beta, relative_residual(X @ beta - y, rows.abs_X_all @ abs(beta) + rows.abs_y_all)

    def finish(t, lam, status, message, betas=()):
        beta, relative = state(lam)
        if status == "ok" and not relative <= target:
            status, message = "not_converged", f"{message}, but {relative:.3g} at the point returned"
        return DualTrajectory(tuple(sample_times), tuple(betas), float(t), beta, lam, relative,
                              TrajectoryStatus(status),
                              message, counter[0], time.perf_counter() - start)

    if ev.out_of_range:
        return finish(0.0, lam0, "out_of_range", ev.out_of_range)

    def rhs(t, lam):
        counter[0] += 1
        if max_seconds is not None and time.perf_counter() - start > max_seconds:
            raise _Stop(t, lam, "not_converged", f"the wall-clock budget max_seconds={max_seconds:g} ran out "
                                                 f"at t={t:.6g}")
        with np.errstate(all="ignore"):
            value = -2 * (X @ ev.raw_beta(ev.b * (Xt @ lam)) - y)
        if not np.isfinite(value).all():
            raise _Stop(t, lam, "out_of_range", f"beta overflows double at t={t:.6g} (a trial state of "
                                                "LSODA): this trajectory needs more range than float64")
        return value

    def jacobian(t, lam):
        with np.errstate(all="ignore"):
            _, w, top = ev.evaluate(ev.b * (Xt @ lam))
            return (-2 * math.exp(min(top, MAX_LOG))) * ((X * w) @ Xt)  # exact below e^MAX_LOG

    def residual_event(t, lam):  # at half the target: LSODA locates the crossing only roughly
        return state(lam)[1] - target / 2

    residual_event.terminal, residual_event.direction = True, -1
    scale = solve_link_float(problem, link)
    atol = rtol * ATOL_SCALE * (float(np.max(np.abs(scale.lam))) if scale.ok and np.any(scale.lam) else 1e-300)
    options = {"method": "LSODA", "jac": jacobian, "rtol": rtol, "atol": atol}
    t, lam, betas = 0.0, lam0, []
    try:
        with np.errstate(all="ignore"):
            if sample_times and sample_times[-1] > 0:
                run = solve_ivp(rhs, (0.0, sample_times[-1]), lam0, t_eval=sample_times, **options)
                if run.status != 0:
                    return finish(run.t[-1], run.y[:, -1], "failed", f"LSODA stopped: {run.message}")
                betas = [ev.raw_beta(ev.b * (Xt @ v)) for v in run.y.T]
                t, lam = sample_times[-1], run.y[:, -1]
            elif sample_times:  # all at t = 0
                betas = [ev.raw_beta(np.zeros(problem.d)) for _ in sample_times]
            if residual_event(t, lam) <= 0:
                return finish(t, lam, "ok", f"residual below {target:g} at t={t:.6g}", betas)
            if t >= horizon:
                return finish(t, lam, "not_converged", f"max_time={horizon:g} reached", betas)
            run = solve_ivp(rhs, (t, horizon), lam, events=residual_event, **options)
    except _Stop as stop:
        return finish(stop.t, stop.lam, stop.status, stop.message, betas)
    if run.status == 1:
        return finish(run.t_events[0][0], run.y_events[0][0], "ok",
                      f"residual below {target:g} at t={run.t_events[0][0]:.6g}", betas)
    if run.status == 0:
        return finish(horizon, run.y[:, -1], "not_converged",
                      f"the residual stayed above {target:g} up to max_time={horizon:g}", betas)
    return finish(run.t[-1], run.y[:, -1], "failed", f"LSODA stopped: {run.message}", betas)


class _Stop(Exception):
    """Ends the integration from inside the right-hand side: a budget ran out, or the right-hand
    side is not finite (LSODA would carry on with it)."""

    def __init__(self, t, lam, status: str, message: str):
        super().__init__(message)
        self.t, self.lam, self.status, self.message = float(t), np.array(lam), status, message


def _time(value, name: str) -> float:
    """A finite flow time >= 0 as a float."""
    text = parse_number(value, name)
    if Fraction(text) < 0:
        raise InvalidArgument(f"{name} must be >= 0 but got {name}={value!r}")
    return float(Fraction(text))


def _open_unit(value, name: str) -> float:
    text = parse_number(value, name)
    if not 0 < Fraction(text) < 1:
        raise InvalidArgument(f"{name} must be in (0, 1) but got {name}={value!r}")
    return float(Fraction(text))
