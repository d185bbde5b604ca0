"""The parameter-space gradient flow, integrated at high precision: the independent evidence.

It integrates the real thing, paper eq. (1): ``w' = -grad L(w)`` with
``L(w) = sum_n (<beta_w, x_n> - y_n)^2`` (no 1/2) from ``w(0)`` given by the model, for the
separable polynomial models of :mod:`krtheory.flow.models` (``beta_i = P(theta_i)``):

    theta_i' = -2 g_i grad P(theta_i),   g = X^T r,   r = X beta - y.

It never uses a link function, potential or dual variable (those live in other modules and are
what the flow is compared against), and it imports none of them.

**Method: variable-order Taylor series** (automatic Taylor coefficients of the ODE solution).
The right-hand side is polynomial in theta, so the Taylor coefficients at t0 follow from the
recurrence ``theta_{k+1} = -2/(k+1) * sum_j g_j (grad P)_{k-j}`` with the monomials of P built
from Cauchy products (squares by the symmetric half-sum), r_k = X beta_k, g_k = X^T r_k, as
Python generated once per polynomial (:mod:`krtheory.flow._kernel`; the steps: :mod:`krtheory.flow.taylor`). The recurrences run on integers (mpmath's MPZ, i.e. gmpy2 mpz) in mpmath's fixed-point convention
(``ctx.to_fixed``, as mpmath's own series code does) at ``P = prec + guard`` bits, P large
enough that every parameter converts exactly; the state between steps is kept as numbers of
the private working context (dps + GUARD_DIGITS). The coefficients are those of the rescaled
time s = (t - t0)/H, ``c_k = theta_k H^k`` with H = 2 x the previous step, evaluated at s <= 1:
their size stays bounded whatever the time scale (steps ~1e-5 at alpha = 100, ~1 at alpha =
1e-2), the time reparametrization that the fast and the slow ends need.

**Order and step (error control).** For each order q = 4 ... q_max (q_max = ceil(-ln(tol)/2 + 1),
the Jorba–Zou order for the local tolerance tol) the step is the largest s*H for which the last
two terms ``|c_{q-1}| s^{q-1}``, ``|c_q| s^q`` are <= tol (Jorba–Zou's two-term test), and at most
0.9 * sigma_q / lambda, where sigma_q >= 0.37 q + 1.3 is the real stability interval of the
degree-q truncated exponential (the Jacobian -Hess L is symmetric, so only the real axis
matters) and lambda bounds the largest eigenvalue of Hess L (float64, step choice only).
The order with the most step per unit of work is taken: high orders in smooth transients, low
orders (stability-limited) in the stiff tail of small alpha, where the number of steps is
~ T * lambda_max / (0.4 q) (an explicit method's price for stiffness).
``tol = 10^-(dps + LOCAL_EXTRA_DIGITS + c) * max|theta|`` and the working precision is
dps + GUARD_DIGITS + c digits, c the digits beta = P(theta) cancels at theta(0) beyond
GUARD_DIGITS (0 unless alpha is large: the kernel regime, ``_cancelled_digits``).
float64 is used only for these step-size and error-growth estimates, never for a digit of theta.

**Stiff flows** (``method="auto"`` or ``"radau"``). Measured on a (10, 40) dyadic problem that
the flow fits sparsely: at alpha = 1e-6 (depth 2) lambda_min(A) at the limit is ~2e-3 against
lambda_max ~ 60, the flow needs t ~ 3e4, and the Taylor steps stay at ~0.09 (~4e5 steps, an
hour or more); depth 3 at alpha = 1e-2 needs t ~ 5e6. ``method="auto"`` (the choice for small alpha)
takes Taylor steps while they are limited by accuracy and hands over to Radau IIA collocation
steps (:mod:`krtheory.flow.radau`: L-stable, order 2s - 1, s ~ 20 at 30 digits, exact
fixed-point residuals, float64 Newton corrections) once stability holds the Taylor steps down
(see ``_Switch``); both then reach t ~ 1e4 .. 1e7 in a few hundred steps (15-40 s). With
``"auto"``/``"radau"`` the flow also runs until the estimated tail is below
10^-(dps - TAIL_SLACK_DIGITS) max|beta| (unless ``loss_target`` is given).

**Error estimate** (``FlowResult.error_estimate``, an estimate of |beta(T) - beta_inf| that
trusts the local error estimates):

* integration: the local errors (last Taylor terms, or the Radau embedded estimate, plus the
  fixed-point and conversion rounding) carried to T by the linearized flow, as an error
  ellipsoid (:mod:`krtheory.flow.error`; a logarithmic-norm bound above 400 parameters); the
  beta error is its support function in the direction of grad P_i.
* tail: "flow up to T, plus the tail". beta_i' = -2 |grad P_i|^2 g_i and r' = -A r with
  A = 2 X diag(|grad P_i|^2) X^T, so ``|beta_inf - beta(T)|_i <= 2 G_i^2 |X_{:,i}| |r(T)| / m``
  with m <= lambda_min(A) and G_i >= |grad P_i| on a box the flow provably never leaves:
  certified in ball arithmetic by :mod:`krtheory.flow.tail` (python-flint) for every start within
  the integration error of theta(T) (``FlowResult.tail_certified``); without python-flint, or if
  the certificate fails, the float64 estimate at T times TAIL_SAFETY, labelled as such.
* the rounding of the returned numbers to ``dps`` digits.

**The loop** (:func:`integrate_flow`) knows the two integrators only through the stepper
contract of :mod:`krtheory.flow._base` (``TaylorStepper``, ``RadauStepper``): at each step point
it takes the flow there from the current stepper, stops or checks the budgets, asks for one step,
carries its local error to the end and takes the requested samples; ``_Switch`` says which
stepper takes the next step.

**Stopping.** The flow stops at the first step point with
``loss <= 10^(-2 (dps - RESIDUAL_SLACK_DIGITS)) * max(1, |y|^2)`` (or ``loss_target``), i.e.
|r| <= 1e-36 |y| at dps 40, which puts the tail near 1e-33 for lambda_min(A) ~ 0.05; it raises
:class:`NoConvergence` naming the budget (max_steps, max_time in flow time, max_seconds of wall
time) that runs out first.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import time as _time
from collections.abc import Callable, Sequence
from fractions import Fraction

import mpmath
import numpy as np

from krtheory import precision
from krtheory.errors import InvalidArgument, NoConvergence
from krtheory.flow._kernel import _FloatInfo, _Kernel
from krtheory.flow.error import IntegrationError, jacobian, polynomial_gradient
from krtheory.flow.models import SeparableModel
from krtheory.flow.radau import RadauStepper
from krtheory.flow.tail import tail_bound
from krtheory.flow.taylor import TaylorStepper
from krtheory._validation import check_instance, check_positive, check_positive_int, parse_number
from krtheory.problem import Problem

#: Local tolerance per step: this many digits below the requested dps (relative to max|theta|),
#: the room for summing the local errors of thousands of steps and for their growth.
LOCAL_EXTRA_DIGITS = 5
#: Stop at |r| <= 10^-(dps - RESIDUAL_SLACK_DIGITS) * max(1, |y|): the tail |beta_inf - beta(T)|
#: is ~ |r(T)| * |grad P|^2 |X| / lambda_min(A), i.e. a few digits above |r(T)| when
#: lambda_min(A) ~ 0.01 .. 0.1 (alpha = 1e-2), so the limit still has ~dps - 8 digits.
RESIDUAL_SLACK_DIGITS = 4
#: Safety factor on the tail bound: A (hence lambda_min) is taken at T, in float64.
TAIL_SAFETY = 2
#: Fixed-point bits the float64 step control converts (float(int) overflows past 2^1024).
MAX_FIXED_BITS = 960
#: The integrators integrate_flow offers (see its docstring).
METHODS = ("taylor", "radau", "auto")
#: With "radau"/"auto", stop only once the estimated tail is below 10^-(dps - this) max|beta|.
TAIL_SLACK_DIGITS = 6
#: "auto": this many stability-limited Taylor steps in a row mean the flow is stiff ...
STIFF_STEPS = 8
#: ... and the Radau steps take over if the flow still has more than this many such Taylor steps
#: to go (estimated from the slowest decay rate of the loss, 2 lambda_min(A)): setting them up
#: costs about as much as a dozen Taylor steps.
MIN_STIFF_WORK = 50
#: "auto": the first Radau step is this multiple of the last (stability-limited) Taylor step.
RADAU_FIRST_STEP = 10.0
#: "auto": Radau steps taken before their speed is compared with the Taylor steps'.
RADAU_TRIAL = 3


class FlowStatus(enum.Enum):
    """How the flow ended; each value says what to do about it."""

    CONVERGED = "converged: the loss reached its target"
    MAX_STEPS = "the step budget ran out: raise max_steps (flow --max-steps)"
    MAX_TIME = "the flow-time budget ran out: raise max_time"
    MAX_SECONDS = "the wall-clock budget ran out: raise max_seconds (flow --max-seconds)"
    STEP_SIZE = ("the Radau step size collapsed (a stage solve kept failing): try "
                 "method='taylor' or a higher dps")


@dataclasses.dataclass(frozen=True)
class FlowSample:
    """The flow at a requested time: beta(t), theta(t) and the integration error estimate of
    beta(t) there (numbers of the result's context)."""

    time: object
    beta: list
    parameters: list
    error_estimate: object


@dataclasses.dataclass(frozen=True)
class FlowResult:
    """The flow's limit and how well it is known. Numbers are of ``ctx`` (``dps`` digits).

    ``error_estimate`` = ``integration_error`` + ``tail_error`` + output rounding, an estimate
    of max_i |beta_i(returned) - beta_inf,i| (module docstring: how each part is formed). The
    evidence is "the flow up to ``time``, plus the tail": ``tail_certified`` says whether the
    tail part is a proof (given theta(T) within the integration error) or an estimate.
    """

    beta: list
    parameters: list
    loss: object
    time: object
    steps: int
    error_estimate: object
    integration_error: object
    tail_error: object
    dps: int
    seconds: float
    samples: tuple = ()
    ctx: object = dataclasses.field(default=None, repr=False, compare=False)
    #: the integrator that ran: "taylor", "radau IIA s=..", or "auto: taylor N steps + radau ..".
    method: str = "taylor"
    #: Radau (stiff) steps among ``steps``.
    stiff_steps: int = 0
    #: whether ``tail_error`` is a rigorous bound (arb ball arithmetic, :mod:`krtheory.flow.tail`)
    #: for the flow from any state within the integration error estimate of theta(T); else an
    #: estimate, and ``tail_method`` says why.
    tail_certified: bool = False
    tail_method: str = ""
    #: CONVERGED, or which budget stopped the flow (only with ``integrate_flow(throw=False)``);
    #: ``message`` is then the NoConvergence text (where, at what loss).
    status: "FlowStatus" = None
    message: str = ""

    def __post_init__(self):
        if self.status is None:
            object.__setattr__(self, "status", FlowStatus.CONVERGED)

    @property
    def converged(self) -> bool:
        return self.status is FlowStatus.CONVERGED

    @property
    def digits(self) -> int:
        """Significant digits of max|beta| that the error estimate supports (0 .. dps)."""
        return _supported_digits(self.ctx, max(abs(b) for b in self.beta), self.error_estimate,
                                 self.dps)

    def beta_strings(self) -> list[str]:
        """Each beta_i with only the digits the error estimate supports (``"0"`` when
        |beta_i| is below the error estimate)."""
        return [_earned(self.ctx, b, self.error_estimate, self.dps) for b in self.beta]

    def as_strings(self) -> dict:
        """JSON-able decimal strings: beta (earned digits), loss, time, error estimate."""
        short = lambda x: precision.to_decimal(self.ctx, x, 6)  # noqa: E731
        return {"beta": self.beta_strings(), "loss": short(self.loss), "time": short(self.time),
                "error_estimate": short(self.error_estimate),
                "integration_error": short(self.integration_error),
                "tail_error": short(self.tail_error), "digits": self.digits,
                "steps": self.steps, "dps": self.dps, "seconds": round(self.seconds, 3),
                "method": self.method, "stiff_steps": self.stiff_steps,
                "tail_certified": self.tail_certified, "tail_method": self.tail_method}


def integrate_flow(model: SeparableModel, problem: Problem, *, dps: int = 40, loss_target=None,
                   max_steps: int = 200_000, max_time=None, max_seconds: float | None = None,
                   times: Sequence = (), progress: Callable | None = None,
                   method: str = "auto", throw: bool = True) -> FlowResult:
    """Integrate ``w' = -grad L(w)`` from the model's initialization until the loss is tiny.

    ``loss_target`` (exact number) overrides the dps-derived stopping loss; ``max_time`` bounds
    the flow time t, ``max_seconds`` the wall time; ``times`` asks for beta(t) at those flow
    times (``FlowResult.samples``, in increasing time; the flow runs at least to the last);
    ``progress(t, loss, steps)`` is called after every step. ``method``: "auto" (the default:
    Taylor, handing over to Radau while stability holds the Taylor steps down, as at small
    alpha; as fast as "taylor" where the flow is not stiff), "taylor" (explicit Taylor steps
    only) or "radau" (Radau IIA steps only, :mod:`krtheory.flow.radau`). With "radau" or "auto" and no ``loss_target`` the flow also runs until the
    estimated tail is below 10^-(dps - TAIL_SLACK_DIGITS) max|beta|.
    Raises :class:`InvalidArgument` for bad input and, with ``throw`` (the default),
    :class:`NoConvergence` naming the budget that ran out; with ``throw=False`` it returns the
    flow at the last step point instead, with ``status`` saying which budget ran out (the
    partial evidence: ``error_estimate`` then bounds nothing about the limit).
    """
    check_instance(model, SeparableModel, "model")
    check_instance(problem, Problem, "problem")
    dps = precision.check_dps(dps)
    check_positive_int(max_steps, "max_steps")
    if method not in METHODS:
        raise InvalidArgument(f"method must be one of {', '.join(METHODS)} but got method={method!r}")
    _check_interpolable(problem)
    cancelled = _cancelled_digits(model, problem.d)  # carried by the precision and the tolerance
    work = precision.context(dps + precision.GUARD_DIGITS + cancelled)
    out = precision.context(dps)
    theta = model.initial_parameters(work, problem.d)
    sample_times = sorted(work.mpf(_non_negative(v, "times entry")) for v in times)
    horizon = None if max_time is None else work.mpf(check_positive(max_time, "max_time"))
    if loss_target is None:
        y_norm2 = work.fsum(v * v for v in problem.y_mp(work))
        target = work.mpf(10) ** (-2 * (dps - RESIDUAL_SLACK_DIGITS)) * max(work.one, y_norm2)
    else:
        target = work.mpf(check_positive(loss_target, "loss_target"))
    tail_target = (None if method == "taylor" or loss_target is not None
                   else 10.0 ** -(dps - TAIL_SLACK_DIGITS))

    kernel = _Kernel(model.polynomial, problem)
    _check_float_range(kernel, theta, dps, cancelled)
    _check_moves(model, problem, work, theta, target)
    log2_tol = -(dps + LOCAL_EXTRA_DIGITS + cancelled) * math.log2(10)  # relative to max|theta|
    steppers = {"taylor": TaylorStepper(kernel, work, log2_tol)}
    if method != "taylor":
        steppers["radau"] = RadauStepper(kernel, work, log2_tol)
    switch = _Switch(method)
    start = _time.perf_counter()
    t, steps, h = work.zero, 0, None  # h: the current stepper's proposal for its next step
    error, pending, samples = IntegrationError(problem.d, kernel.m), None, []
    status, message = FlowStatus.CONVERGED, ""
    try:
        while True:
            began = _time.perf_counter()
            stepper = steppers[switch.current]
            point = stepper.at(theta, t, kernel.fixed_bits(theta, work.prec), h)
            loss = point.loss
            info = kernel.float_info(theta, point.g, point.P)
            if pending is not None:  # the previous step's error carried over the step
                h_taken, le, J, mu = pending
                error = error.advanced(h_taken, le, J, max(mu, info.mu))
            while sample_times and sample_times[0] <= t:
                samples.append(_sample(model, kernel, work, out, sample_times.pop(0), theta, error))
            if loss <= target and not sample_times and (
                    tail_target is None or _tail_bound(kernel, info, float(work.sqrt(loss)))
                    <= tail_target * float(max(abs(b) for b in model.beta(work, theta)))):
                break
            budgets = lambda: _check_budgets(steps, max_steps, t, horizon, start,  # noqa: E731
                                             max_seconds, loss, target)
            budgets()
            J = None if error.scalar else jacobian(kernel, info.theta, info.g)
            record = stepper.step(point, h, log2_tol + math.log2(info.theta_max or 1.0), info=info,
                                  J=J, until=sample_times[0] if sample_times else None,
                                  check=budgets)
            while record.dense is not None and sample_times and sample_times[0] <= record.t:
                tau = sample_times.pop(0)  # dense output inside the step
                inside = error.advanced(float(tau - t), record.local_error, J, info.mu)
                samples.append(_sample(model, kernel, work, out, tau, record.dense(tau), inside))
            theta, t, h = record.theta, record.t, record.h_next
            if switch.after(record, _time.perf_counter() - began,
                            lambda: _remaining_time(kernel, info, loss, target)):
                h = switch.radau_h if switch.current == "radau" else None
            steps += 1
            pending = (record.h, record.local_error, J, info.mu)
            if progress is not None:
                progress(float(t), float(loss), steps)
    except NoConvergence as exc:  # theta, t, error, info: the last step point reached
        if throw:
            raise
        status, message = getattr(exc, "status", FlowStatus.STEP_SIZE), str(exc)

    beta = model.beta(work, theta)
    residual = [work.fdot(row, beta) - v for row, v in zip(problem.X_mp(work), problem.y_mp(work))]
    loss = work.fsum(v * v for v in residual)
    integration = error.beta_bound(polynomial_gradient(kernel.polynomial, info.theta))
    tail = tail_bound(kernel, theta, error.coordinate_radii(),
                      _tail_bound(kernel, info, float(work.sqrt(loss))))
    rounding_out = float(max(abs(b) for b in beta)) * 2.0 ** (1 - out.prec)
    total = out.mpf(integration) + out.mpf(tail.bound) + out.mpf(rounding_out)
    return FlowResult(
        beta=[out.mpf(b) for b in beta], parameters=[[out.mpf(v) for v in row] for row in theta],
        loss=out.mpf(loss), time=out.mpf(t), steps=steps, error_estimate=total,
        integration_error=out.mpf(integration), tail_error=out.mpf(tail.bound), dps=dps,
        seconds=_time.perf_counter() - start, samples=tuple(samples), ctx=out,
        method=switch.describe(steppers.get("radau")), stiff_steps=switch.radau_steps,
        tail_certified=tail.certified, tail_method=tail.method, status=status, message=message)


class _Switch:
    """Which stepper takes the next step. "taylor" and "radau" never change; "auto" hands over
    to the Radau steps after STIFF_STEPS Taylor steps in a row were held down by the stability
    interval (the stiff regime) when more than MIN_STIFF_WORK of them would still be needed,
    starting at RADAU_FIRST_STEP times the last Taylor step, and back to Taylor when the Radau
    steps advance the flow more slowly per second of wall time than the Taylor steps did (after
    RADAU_TRIAL steps; the patience then doubles)."""

    def __init__(self, method: str):
        self.method = method
        self.current = "radau" if method == "radau" else "taylor"
        self.limited, self.patience = 0, STIFF_STEPS
        self.taylor_rate = self.radau_rate = self.radau_h = None
        self.taylor_steps = self.radau_steps = self.trial = 0

    def after(self, record, seconds: float, remaining_time) -> bool:
        """Account for a step of the current stepper (``remaining_time()``: the flow time still
        to go); whether the next step is the other stepper's."""
        if self.current == "radau":
            return self._after_radau(record.h, seconds, record.h_next)
        return self._after_taylor(record.h, seconds, record.limited,
                                  lambda: remaining_time() / record.h)

    def _after_taylor(self, h: float, seconds: float, limited: bool, remaining_steps) -> bool:
        self.taylor_steps += 1
        self.taylor_rate = _average(self.taylor_rate, h / max(seconds, 1e-9))
        self.limited = self.limited + 1 if limited else 0
        if (self.method == "auto" and self.limited >= self.patience
                and remaining_steps() > MIN_STIFF_WORK):
            self.current, self.trial, self.radau_rate = "radau", 0, None
            self.radau_h = max(RADAU_FIRST_STEP * h, self.radau_h or 0.0)
            return True
        return False

    def _after_radau(self, h: float, seconds: float, h_next: float) -> bool:
        self.radau_steps += 1
        self.trial += 1
        self.radau_h = h_next
        self.radau_rate = _average(self.radau_rate, h / max(seconds, 1e-9))
        if (self.method == "auto" and self.trial >= RADAU_TRIAL and self.taylor_rate is not None
                and self.radau_rate < self.taylor_rate):
            self.current, self.limited = "taylor", 0
            self.patience *= 2
            return True
        return False

    def describe(self, radau_stepper) -> str:
        radau = "" if radau_stepper is None else f"radau IIA s={radau_stepper.stages}+1"
        if self.method == "taylor":
            return "taylor"
        if self.method == "radau":
            return radau
        return f"auto: taylor {self.taylor_steps} steps + {radau} {self.radau_steps} steps"


def _remaining_time(kernel, info, loss, target) -> float:
    """Flow time until loss <= target if the loss decays at its slowest rate 2 lambda_min(A)."""
    if loss <= target:
        return 0.0
    lam = _lambda_min(kernel, info)
    return math.log(float(loss / target)) / (2 * lam) if lam > 0 else math.inf


def _average(previous, value, weight: float = 0.3):
    return value if previous is None else (1 - weight) * previous + weight * value


def _tail_bound(kernel: _Kernel, info: _FloatInfo, residual_norm: float) -> float:
    """TAIL_SAFETY * max_i 2 |grad P_i|^2 |X_{:,i}| |r(T)| / lambda_min(A) (module docstring)."""
    if residual_norm == 0:
        return 0.0
    lam = _lambda_min(kernel, info)
    if lam == 0:
        return math.inf
    return float(TAIL_SAFETY * np.max(2 * info.grad_sq * kernel.column_norms) * residual_norm / lam)


def _lambda_min(kernel: _Kernel, info: _FloatInfo) -> float:
    """The smallest positive eigenvalue of A = 2 X diag(|grad P_i|^2) X^T (float64; 0 if none):
    on the range of X, where the residual lives."""
    A = 2.0 * (kernel.X_float * info.grad_sq) @ kernel.X_float.T
    eig = np.linalg.eigvalsh(A)
    positive = eig[eig > eig[-1] * A.shape[0] * np.finfo(float).eps]
    return float(positive[0]) if positive.size else 0.0


def _sample(model, kernel, work, out, tau, theta, error) -> FlowSample:
    bound = error.beta_bound(polynomial_gradient(kernel.polynomial,
                                       np.array([[float(v) for v in row] for row in theta])))
    return FlowSample(out.mpf(tau), [out.mpf(b) for b in model.beta(work, theta)],
                      [[out.mpf(v) for v in row] for row in theta], out.mpf(bound))


def _check_interpolable(problem: Problem) -> None:
    """InvalidArgument when X beta = y has no solution: the loss then never reaches 0.

    Full row rank (float64 rank n, the usual overparametrized case) settles it at once;
    otherwise rank X and rank [X | y] are compared exactly (fraction elimination), and an X
    whose exact rank exceeds its float64 rank (sigma_min below float64 resolution) is refused:
    the flow would need times ~1/sigma_min^2."""
    X_float = problem.X_float()
    float_rank = np.linalg.matrix_rank(X_float)
    if float_rank == problem.n:
        return
    X, y = problem.X_fraction(), problem.y_fraction()
    rank = _rank(X)
    if _rank([row + [v] for row, v in zip(X, y)]) > rank:
        raise InvalidArgument(f"{problem.name}: y is not in the range of X (no beta has "
                              "X beta = y), so the loss of the flow cannot reach 0")
    if rank > float_rank:
        raise InvalidArgument(
            f"{problem.name}: X is numerically singular (float64 rank {float_rank} < exact rank "
            f"{rank}): the residual decays at rate ~sigma_min(X)^2 < 1e-30 sigma_max(X)^2, so the flow would "
            "need flow times beyond reach (and its float64 step control cannot resolve that "
            "direction); remove or separate the nearly dependent rows, or predict the limit with "
            "krtheory solve --backend mpmath")


def _rank(rows) -> int:
    """Exact rank of a matrix of Fractions (Gaussian elimination)."""
    rows, rank = [list(r) for r in rows], 0
    for col in range(len(rows[0])):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(rank + 1, len(rows)):
            factor = rows[i][col] / rows[rank][col]
            rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank])]
        rank += 1
    return rank


def _check_float_range(kernel: _Kernel, theta, dps: int, cancelled: int) -> None:
    """InvalidArgument when theta(0) is beyond the float64 step control: an overflowing grad P,
    Hess P, or fixed-point values of more than MAX_FIXED_BITS bits, which the working precision
    (dps + GUARD_DIGITS + ``cancelled`` digits), tiny nonzero entries or both may need; the
    message names the largest dps that fits, if any."""
    with np.errstate(over="ignore", invalid="ignore"):
        th = np.array([[float(v) for v in row] for row in theta])
        grad_sq, hess = kernel.polynomial.jet_float(th)
        finite = np.isfinite(th).all() and np.isfinite(grad_sq).all() and np.isfinite(hess).all()
    if not finite:
        raise InvalidArgument("flow: the initial parameters overflow the float64 step control "
                              "(theta(0), grad P or Hess P beyond 1e308): lower alpha or the shape "
                              "entries")
    bits = lambda digits: kernel.fixed_bits(  # noqa: E731
        theta, mpmath.libmp.dps_to_prec(digits + precision.GUARD_DIGITS + cancelled))
    P = bits(dps)
    if P <= MAX_FIXED_BITS:
        return
    limit = f"{P} fixed-point bits, beyond the {MAX_FIXED_BITS} that the float64 step control converts"
    kernel_regime = (f"beta = P(theta) cancels ~{cancelled + precision.GUARD_DIGITS} digits at theta(0) "
                     "(large alpha: the kernel regime, whose alpha -> inf limit is the min-l2 "
                     "interpolant: krtheory solve --family l2)")
    fits = [n for n in range(dps - 1, precision.MIN_DPS - 1, -1) if bits(n) <= MAX_FIXED_BITS][:1]
    if fits:
        why = f"; {kernel_regime}" if cancelled else ""
        raise InvalidArgument(f"flow: dps={dps} needs {limit}: use dps <= {fits[0]}{why}")
    if cancelled:
        raise InvalidArgument(f"flow: {kernel_regime}, so the flow needs {limit}: lower alpha")
    raise InvalidArgument(
        f"flow: the smallest nonzero initial parameter needs {limit}: raise alpha or the shape "
        "entries")


def _cancelled_digits(model: SeparableModel, d: int) -> int:
    """Digits beyond GUARD_DIGITS that beta_i = P(theta_i) loses to cancellation at theta(0):
    log10 of max_i sum_t |c_t theta_i^e_t| (2 alpha^D for the diagonal model, whose beta(0) = 0).
    At large alpha (the kernel regime) theta stays ~alpha while beta = O(1): an error e in theta
    is one of ~e * 10^digits in beta, so the working precision and the local tolerance (relative
    to max|theta|) get these digits (without them the loss stalled above its target, or the
    error estimate exceeded beta); up to GUARD_DIGITS of them cost earned digits instead."""
    ctx = precision.context(15)
    size = max(ctx.fsum(abs(ctx.mpf(c.numerator) / c.denominator) * ctx.fprod(abs(v) ** k for v, k in zip(row, e))
                        for c, e in model.polynomial.terms())
               for row in model.initial_parameters(ctx, d))
    return max(0, math.ceil(ctx.log10(size)) - precision.GUARD_DIGITS) if size else 0


def _check_moves(model, problem: Problem, work, theta, target) -> None:
    """InvalidArgument when grad P(theta_i(0)) = 0 for every coordinate i (e.g. U0 = V0 = 0):
    then theta' = -2 g grad P(theta) = 0 and the flow stays at theta(0), with loss above target."""
    polynomial = model.polynomial
    for row in theta:
        for j in range(polynomial.n_parameters):
            if work.fsum(work.mpf(c.numerator) / c.denominator * work.fprod(v ** k for v, k in zip(row, e))
                         for c, e in polynomial.derivative(j)):
                return
    beta = model.beta(work, theta)
    residual = [work.fdot(row, beta) - v for row, v in zip(problem.X_mp(work), problem.y_mp(work))]
    if work.fsum(v * v for v in residual) > target:
        raise InvalidArgument("flow: grad P(theta_i(0)) = 0 in every coordinate (e.g. U0 = V0 = 0), "
                              "so theta(0) is a stationary point and the loss never decreases: "
                              "start from a nonzero initialization")


def _check_budgets(steps, max_steps, t, horizon, start, max_seconds, loss, target):
    """NoConvergence (with ``.status``, the FlowStatus) when a budget ran out."""
    where = f"at t={float(t):.6g} with loss {float(loss):.3g} (target {float(target):.3g})"
    if steps >= max_steps:
        _stop(FlowStatus.MAX_STEPS, f"the step budget max_steps={max_steps} ran out {where}")
    if horizon is not None and t >= horizon:
        _stop(FlowStatus.MAX_TIME, f"the time budget max_time={float(horizon):.6g} ran out {where}")
    if max_seconds is not None and _time.perf_counter() - start > max_seconds:
        _stop(FlowStatus.MAX_SECONDS,
              f"the wall-clock budget max_seconds={max_seconds} ran out {where}")


def _stop(status: FlowStatus, text: str):
    exc = NoConvergence(f"flow: {text}")
    exc.status = status
    raise exc


def _non_negative(value, name: str) -> str:
    text = parse_number(value, name)
    if Fraction(text) < 0:
        raise InvalidArgument(f"{name} must be >= 0 but got {name}={value!r}")
    return text


def _supported_digits(ctx, scale, error, dps: int) -> int:
    if error == 0:
        return dps
    if scale == 0 or error >= scale:
        return 0
    return max(0, min(dps, int(ctx.floor(ctx.log10(scale / error)))))


def _earned(ctx, value, error, dps: int) -> str:
    digits = _supported_digits(ctx, abs(value), error, dps)
    return "0" if digits == 0 else precision.to_decimal(ctx, value, digits)
