"""The gradient flow of asymmetric matrix factorization (§6, Figure 5), to its limit.

L(U, V) = sum_n (<X_n, U V^T> - y_n)^2 (no 1/2, paper §2), U (D1 x k), V (D2 x k). With
W = [U; V] and R = sum_n r_n X_n (r = residual), the flow is W' = -2 S W, S = [[0, R], [R^T, 0]]:
the raw flow on U, V. It depends on W only through M-bar = W W^T (§6, the lifted problem), so a
factor F (p x r, p = D1 + D2, r = min(k, p)) with F F^T = W(0) W(0)^T follows the same flow,
F(t) F(t)^T = W(t) W(t)^T exactly. That is how this module integrates every width: the factored
form of rank min(k, p), stable where the lifted matrix equation is not (it drifts off the rank-k
set when the residual cannot vanish; :mod:`krtheory.flow.gram`).

Two arithmetics:

* float64 (``dps=None``): scipy's LSODA on the factor with the analytic Jacobian
  -2 (S (x) I_r + D^T G D) (D = dvec(M)/dF, G = A^T A), in time chunks that double; a second
  integration at a 1000 x tighter tolerance over the same chunks gives ``integration_error``
  (INTEGRATION_SAFETY times the difference).
* ``dps`` digits: explicit Taylor series of the cubic ODE on fixed-point integers
  (:mod:`krtheory.flow.matrix_taylor`); ``integration_error`` sums the local truncation and
  rounding estimates. Explicit, so meant for small or well-conditioned problems (budgets apply).

**The limit and its accuracy (estimates).** With g(t) = ||F'(t)||_F decaying like exp(-lam t)
(lam read off g at t/4, t/2, t), |F(oo) - F(t)| <~ g / lam and |M(oo) - M(t)|_F <~
2 ||F||_2 g / lam (``tail_error``, times TAIL_SAFETY). The flow stops once the tail is below the
target, or (float64) once g is at the rounding floor. ``error_estimate`` = integration + tail +
output rounding, an estimate of max_ij |M_ij - M_oo,ij|, never a proof.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import time as _time

import numpy as np

from krtheory.errors import InvalidArgument, NoConvergence
from krtheory.flow.measurements import MatrixMeasurements
from krtheory._validation import check_instance

#: Safety factor on the tail estimate 2 ||F||_2 g / lam (g decays only roughly exponentially).
TAIL_SAFETY = 3.0
#: The two decay rates read off g must agree to this ratio before the tail is trusted.
RATE_AGREEMENT = 0.8
#: float64: LSODA's default rtol, and the check integration's factor on it (the difference of the
#: two is the integration error).
RTOL, CHECK_FACTOR = 1e-10, 1e-3
#: float64: the integration error is this multiple of |M(RTOL) - M(CHECK_RTOL)| (the check run's
#: own error, with LSODA's error control only roughly proportional to rtol, is not zero).
INTEGRATION_SAFETY = 2.0
#: float64: relative target of the tail (relative to max(1, max|M|)).
FLOAT_TARGET = 1e-11
#: float64: g below this times ||F||_F (||R||_F + |y|) is rounding noise: the flow has stopped.
FLOAT_FLOOR = 1e-13
#: Default step budgets: Taylor steps at dps, right-hand side evaluations in float64.
MAX_TAYLOR_STEPS, MAX_EVALUATIONS = 200_000, 2_000_000
#: Largest p = D1 + D2 of the float64 engine: its dense Jacobian has (p r)^2 <= p^4 entries.
MAX_FACTOR_ROWS = 64
#: Flow-time budget (the slow components of a rich flow converge at rate ~ alpha^2 k).
MAX_TIME = 1e12


class MatrixFlowStatus(enum.Enum):
    CONVERGED = "converged"
    MAX_TIME = "max_time: the flow-time budget ran out before the tail estimate was small"
    MAX_SECONDS = "max_seconds: the wall-clock budget ran out"
    MAX_STEPS = "max_steps: the step budget ran out"


@dataclasses.dataclass(frozen=True)
class MatrixFlowResult:
    """The flow's end point: ``M`` = U V^T (D1 x D2), the factor ``F`` = [U; V] (p x r), float64
    arrays; at ``dps`` digits also ``M_exact`` (rows of mpf of ``ctx``). ``error_estimate``
    estimates max_ij |M_ij - M_oo,ij| (module docstring)."""

    M: np.ndarray
    F: np.ndarray
    loss: float
    time: float
    status: MatrixFlowStatus
    error_estimate: float
    integration_error: float
    tail_error: float
    steps: int
    seconds: float
    width: float
    dps: int | None = None
    method: str = "lsoda"
    M_exact: list | None = dataclasses.field(default=None, repr=False)
    ctx: object = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def converged(self) -> bool:
        return self.status is MatrixFlowStatus.CONVERGED

    @property
    def digits(self) -> int:
        """Significant digits of max|M| the error estimate supports (0 .. 16 or dps)."""
        scale = float(np.abs(self.M).max())
        cap = 16 if self.dps is None else self.dps
        if self.error_estimate <= 0:
            return cap
        if scale == 0 or not math.isfinite(self.error_estimate):
            return 0
        return max(0, min(cap, int(math.floor(math.log10(scale / self.error_estimate)))))

    def M_strings(self) -> list[list[str]]:
        """D1 rows of decimal strings, each entry with the significant digits the (absolute)
        error estimate supports for it, "0" where |M_ij| is below the estimate."""
        cap = 16 if self.dps is None else self.dps
        rows = self.M_exact if self.M_exact is not None else self.M
        out = []
        for row in rows:
            cells = []
            for v in row:
                size = abs(float(v))
                if size <= self.error_estimate or size == 0:
                    cells.append("0")
                    continue
                shown = cap if self.error_estimate <= 0 else max(1, min(cap, int(math.floor(
                    math.log10(size / self.error_estimate)))))
                cells.append(self.ctx.nstr(v, shown, strip_zeros=False) if self.M_exact is not None
                             else f"{float(v):.{shown}g}")
            out.append(cells)
        return out

    def as_strings(self) -> dict:
        return {"M": self.M_strings(), "loss": f"{self.loss:.6g}", "time": f"{self.time:.6g}",
                "status": self.status.value, "error_estimate": f"{self.error_estimate:.3g}",
                "integration_error": f"{self.integration_error:.3g}",
                "tail_error": f"{self.tail_error:.3g}", "digits": self.digits,
                "accuracy": "estimate", "steps": self.steps, "seconds": round(self.seconds, 3),
                "width": "inf" if self.width == math.inf else int(self.width),
                "rank": int(self.F.shape[1]), "dps": self.dps, "method": self.method}


def integrate_matrix_flow(measurements: MatrixMeasurements, U0, V0, *, dps: int | None = None,
                          **budgets) -> MatrixFlowResult:
    """The flow of L(U, V) from U(0) = U0 (D1 x k), V(0) = V0 (D2 x k), any width k: through the
    factor of W(0) W(0)^T (:func:`initial_factor`), :func:`integrate_factor_flow`. U0, V0 are
    rows of exact strings (or numbers)."""
    check_instance(measurements, MatrixMeasurements, "measurements")
    D1, D2 = measurements.shape
    U0, V0 = [list(map(list, X)) for X in (U0, V0)]
    for name, X, rows in (("U0", U0, D1), ("V0", V0, D2)):
        if len(X) != rows:
            raise InvalidArgument(f"{name} has {len(X)} rows but the shape {D1}x{D2} needs {rows}")
    k = len(U0[0])
    if any(len(row) != k for row in U0 + V0):
        raise InvalidArgument(f"U0 and V0 must have the same number of columns (the width k = {k})")
    if dps is None:
        return integrate_factor_flow(measurements, initial_factor(np.array(U0 + V0, dtype=float)),
                                     width=k, **budgets)
    from krtheory.flow.matrix_taylor import exact_factor

    return integrate_factor_flow(measurements, None, width=k, dps=dps,
                                 exact=exact_factor(U0 + V0, dps), **budgets)


def initial_factor(W0: np.ndarray) -> np.ndarray:
    """F (p x min(k, p)) with F F^T = W0 W0^T: W0 itself when k <= p, else R^T from the QR
    factorization W0^T = Q R (float64)."""
    p, k = W0.shape
    if k <= p:
        return W0.copy()
    return np.linalg.qr(W0.T, mode="r").T


def integrate_factor_flow(measurements: MatrixMeasurements, F0, *, width, dps: int | None = None,
                          exact=None, max_time: float = MAX_TIME, max_seconds: float | None = None,
                          max_steps: int | None = None, target: float | None = None,
                          check: bool = True, rtol: float = RTOL, throw: bool = False) -> MatrixFlowResult:
    """The flow F' = -2 S(F F^T) F from F0 (p x r float64; or ``exact``, the fixed-point factor
    at ``dps``) until the tail estimate is below ``target`` x max(1, max|M|) (default: 1e-11 in
    float64, 10^-(dps+1) at dps). ``check`` (float64) runs the tighter second integration at
    ``rtol`` x CHECK_FACTOR. Budgets: flow time, wall seconds, steps (float64: right-hand side
    evaluations; dps: Taylor steps); when one runs out the result says so in ``status``
    (or NoConvergence with ``throw``)."""
    check_instance(measurements, MatrixMeasurements, "measurements")
    if max_steps is None:
        max_steps = MAX_TAYLOR_STEPS if dps is not None else MAX_EVALUATIONS
    if dps is not None:
        from krtheory.flow.matrix_taylor import taylor_flow

        result = taylor_flow(measurements, exact, width=width, dps=dps, max_time=max_time,
                             max_seconds=max_seconds, max_steps=max_steps, target=target)
    else:
        F0 = np.asarray(F0, dtype=float)
        D1, D2 = measurements.shape
        if F0.ndim != 2 or F0.shape[0] != D1 + D2 or not np.all(np.isfinite(F0)):
            raise InvalidArgument(f"the initial factor must be a finite ({D1 + D2} x r) array")
        if D1 + D2 > MAX_FACTOR_ROWS:
            raise InvalidArgument(f"the float64 matrix flow takes D1 + D2 <= {MAX_FACTOR_ROWS} (its dense "
                                  f"Jacobian), not {D1}x{D2}")
        result = _float_flow(FactorSystem(measurements), F0, width, max_time, max_seconds, max_steps,
                             FLOAT_TARGET if target is None else target, check, rtol)
    if throw and not result.converged:
        raise NoConvergence(f"matrix flow: {result.status.value} (t = {result.time:.3g}, "
                            f"loss = {result.loss:.3g})")
    return result


class FactorSystem:
    """The right-hand side F' = -2 S F and its Jacobian for one set of measurements (float64)."""

    def __init__(self, measurements: MatrixMeasurements):
        self.D1, self.D2 = measurements.shape
        self.A, self.y = measurements.operator(), measurements.targets()
        self.G = self.A.T @ self.A

    def residual(self, M: np.ndarray) -> np.ndarray:
        """R = sum_n r_n X_n (D1 x D2), r = A vec(M) - y."""
        return (self.A.T @ (self.A @ M.ravel() - self.y)).reshape(self.D1, self.D2)

    def loss(self, M: np.ndarray) -> float:
        r = self.A @ M.ravel() - self.y
        return float(r @ r)

    def derivative(self, F: np.ndarray) -> np.ndarray:
        U, V = F[:self.D1], F[self.D1:]
        R = self.residual(U @ V.T)
        return -2.0 * np.vstack([R @ V, R.T @ U])

    def jacobian(self, F: np.ndarray) -> np.ndarray:
        """d vec(F')/d vec(F) = -2 (S (x) I_r + D^T G D), D = d vec(U V^T)/d vec(F)."""
        D1, D2 = self.D1, self.D2
        p, r = F.shape
        U, V = F[:D1], F[D1:]
        R = self.residual(U @ V.T)
        S = np.zeros((p, p))
        S[:D1, D1:], S[D1:, :D1] = R, R.T
        D = np.concatenate([np.einsum("ik,jc->ijkc", np.eye(D1), V).reshape(D1 * D2, D1 * r),
                            np.einsum("ic,jl->ijlc", U, np.eye(D2)).reshape(D1 * D2, D2 * r)], axis=1)
        return -2.0 * (np.kron(S, np.eye(r)) + D.T @ self.G @ D)


class TailMonitor:
    """g = ||F'||_F at step points; the tail estimate 2 ||F||_2 g / lam (module docstring)."""

    def __init__(self):
        self.history: list[tuple[float, float]] = []
        self.last_rate: float | None = None  # the last rate both windows agreed on

    def add(self, t: float, g: float) -> None:
        self.history.append((t, g))

    def rate(self) -> float | None:
        """lam from g at ~t/4, ~t/2 and t when both windows agree (RATE_AGREEMENT), else None."""
        t, g = self.history[-1]
        if t <= 0 or g <= 0:
            return None
        quarter, half = (min(self.history, key=lambda e: abs(e[0] - f * t)) for f in (0.25, 0.5))
        if not quarter[0] < half[0] < t or min(quarter[1], half[1]) <= 0:
            return None
        early = math.log(quarter[1] / half[1]) / (half[0] - quarter[0])
        late = math.log(half[1] / g) / (t - half[0])
        if early <= 0 or late <= 0 or min(early, late) < RATE_AGREEMENT * max(early, late):
            return None
        self.last_rate = min(early, late)
        return self.last_rate

    def tail(self, F_norm2: float, rate: float | None = None) -> float:
        """The tail estimate at the latest point, with the rate read there (or ``rate``)."""
        rate = self.rate() if rate is None else rate
        return math.inf if rate is None else TAIL_SAFETY * 2.0 * F_norm2 * self.history[-1][1] / rate


class _Budget(Exception):
    """Raised inside the right-hand side when the wall-clock or evaluation budget is spent."""

    def __init__(self, status: MatrixFlowStatus):
        self.status = status


def _float_flow(system: FactorSystem, F0, width, max_time, max_seconds, max_steps, target,
                check, rtol) -> MatrixFlowResult:
    from scipy.integrate import solve_ivp

    start = _time.perf_counter()
    shape = F0.shape
    calls = [0]

    def rhs(t, f):
        calls[0] += 1
        if calls[0] > max_steps:
            raise _Budget(MatrixFlowStatus.MAX_STEPS)
        if max_seconds is not None and calls[0] % 64 == 0 and _time.perf_counter() - start > max_seconds:
            raise _Budget(MatrixFlowStatus.MAX_SECONDS)
        return system.derivative(f.reshape(shape)).ravel()

    jac = lambda t, f: system.jacobian(f.reshape(shape))  # noqa: E731
    scale = float(np.abs(system.y).max()) + float(np.abs(F0).max()) ** 2
    t, T = 0.0, 1.0 / max(scale, 1e-300)
    states = {"main": F0.ravel(), "check": F0.ravel()} if check else {"main": F0.ravel()}
    tolerances = {"main": rtol, "check": rtol * CHECK_FACTOR}
    monitor, status = TailMonitor(), MatrixFlowStatus.MAX_TIME
    monitor.add(0.0, float(np.linalg.norm(system.derivative(F0))))
    tail = math.inf
    while T <= max_time:
        try:
            advanced = {}
            for name, f in states.items():
                solution = solve_ivp(rhs, (t, T), f, method="LSODA", jac=jac, rtol=tolerances[name],
                                     atol=tolerances[name] * 1e-3 * max(1.0, float(np.abs(f).max())))
                if not solution.success:
                    raise NoConvergence(f"matrix flow: LSODA failed at t = {solution.t[-1]:.3g}: "
                                        f"{solution.message}")
                advanced[name] = solution.y[:, -1]
        except _Budget as budget:  # the state stays at the last chunk's end
            status = budget.status
            break
        states = advanced
        t = T
        F = states["main"].reshape(shape)
        g = float(np.linalg.norm(system.derivative(F)))
        monitor.add(t, g)
        F_norm2 = float(np.linalg.norm(F, 2))
        tail = monitor.tail(F_norm2) if g > 0 else 0.0
        M = F[:system.D1] @ F[system.D1:].T
        floor = FLOAT_FLOOR * np.linalg.norm(F) * (np.linalg.norm(system.residual(M)) + np.linalg.norm(system.y))
        if g <= floor:  # rounding noise: the tail at the last decay rate read, else g t
            tail = (monitor.tail(F_norm2, monitor.last_rate) if monitor.last_rate
                    else 2.0 * F_norm2 * g * t)
        if tail <= target * max(1.0, float(np.abs(M).max())) or g <= floor:
            status = MatrixFlowStatus.CONVERGED
            break
        T *= 2.0
    F = states["main"].reshape(shape)
    M = F[:system.D1] @ F[system.D1:].T
    integration = 0.0
    if check:
        Fc = states["check"].reshape(shape)
        integration = INTEGRATION_SAFETY * float(np.abs(M - Fc[:system.D1] @ Fc[system.D1:].T).max())
    rounding = 4 * np.finfo(float).eps * float(np.abs(M).max()) * math.sqrt(shape[0] * shape[1])
    return MatrixFlowResult(M=M, F=F, loss=system.loss(M), time=t, status=status,
                            error_estimate=integration + tail + rounding, integration_error=integration,
                            tail_error=tail, steps=calls[0], seconds=_time.perf_counter() - start,
                            width=width, dps=None, method="lsoda" + (" + check" if check else ""))
