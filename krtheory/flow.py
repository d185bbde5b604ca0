"""The parameter-space gradient flow, integrated at high precision: the independent evidence.

It integrates the real thing, paper eq. (1): ``w' = -grad L(w)`` with
``L(w) = sum_n (<beta_w, x_n> - y_n)^2`` (no 1/2) from ``w(0)`` given by the model, for the
separable polynomial models of :mod:`krtheory.models` (``beta_i = P(theta_i)``):

    theta_i' = -2 g_i grad P(theta_i),   g = X^T r,   r = X beta - y.

It never uses a link function, potential or dual variable (those live in other modules and are
what the flow is compared against), and it imports none of them.

**Method: variable-order Taylor series** (automatic Taylor coefficients of the ODE solution).
The right-hand side is polynomial in theta, so the Taylor coefficients at t0 follow from the
recurrence ``theta_{k+1} = -2/(k+1) * sum_j g_j (grad P)_{k-j}`` with the monomials of P built
from Cauchy products (squares by the symmetric half-sum), r_k = X beta_k, g_k = X^T r_k. The
recurrences run on integers (mpmath's MPZ, i.e. gmpy2 mpz) in mpmath's fixed-point convention
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
``tol = 10^-(dps + LOCAL_EXTRA_DIGITS) * max|theta|``.
float64 is used only for these step-size and error-growth estimates, never for a digit of theta.

**Error estimate** (``FlowResult.error_estimate``, a bound on |beta(T) - beta_inf| up to the
usual trust in local error estimates):

* integration: the global error E in theta obeys E' <= mu E + local errors, mu the logarithmic
  norm of -Hess L, bounded by ``2 max_i |g_i| |Hess P(theta_i)|_2`` (Hess L = 2 J^T J +
  2 sum_i g_i Hess P_i and J^T J >= 0). So ``E_{k+1} = E_k exp(mu_k h_k) + le_k + round_k``,
  with le_k the last included Taylor terms and round_k the fixed-point and conversion rounding;
  the beta error is ``max_i |grad P(theta_i)| * E``.
* tail: beta_i' = -2 |grad P_i|^2 g_i and r' = -A r with A = 2 X diag(|grad P_i|^2) X^T, so
  ``|r(t)| <= |r(T)| exp(-lambda_min(A) (t - T))`` and
  ``|beta_inf - beta(T)|_i <= 2 |grad P_i|^2 |X_{:,i}| |r(T)| / lambda_min(A)``, times
  TAIL_SAFETY (A is evaluated at T; it moves by no more than the tail itself afterwards).
* the rounding of the returned numbers to ``dps`` digits.

**Stopping.** The flow stops at the first step point with
``loss <= 10^(-2 (dps - RESIDUAL_SLACK_DIGITS)) * max(1, |y|^2)`` (or ``loss_target``), i.e.
|r| <= 1e-36 |y| at dps 40, which puts the tail near 1e-33 for lambda_min(A) ~ 0.05; it raises
:class:`NoConvergence` naming the budget (max_steps, max_time in flow time, max_seconds of wall
time) that runs out first.
"""

from __future__ import annotations

import dataclasses
import math
import time as _time
from collections.abc import Callable, Sequence
from fractions import Fraction
from operator import mul

from mpmath.libmp import MPZ

from krtheory import precision
from krtheory.errors import InvalidArgument, NoConvergence
from krtheory.models import SeparableModel
from krtheory.problem import Problem, parse_number

#: Local tolerance per step: this many digits below the requested dps (relative to max|theta|),
#: the room for summing the local errors of thousands of steps and for their growth.
LOCAL_EXTRA_DIGITS = 5
#: Stop at |r| <= 10^-(dps - RESIDUAL_SLACK_DIGITS) * max(1, |y|): the tail |beta_inf - beta(T)|
#: is ~ |r(T)| * |grad P|^2 |X| / lambda_min(A), i.e. a few digits above |r(T)| when
#: lambda_min(A) ~ 0.01 .. 0.1 (alpha = 1e-2), so the limit still has ~dps - 8 digits.
RESIDUAL_SLACK_DIGITS = 4
#: Safety factor on the tail bound: A (hence lambda_min) is taken at T, in float64.
TAIL_SAFETY = 2
#: Lowest Taylor order tried (the stiff tail prefers low orders: stability per unit work).
MIN_ORDER = 4
#: Fraction of the real stability interval used, since lambda is taken at the step start.
STABILITY_MARGIN = 0.9
#: A step may grow at most this factor over the previous one. The jet is expanded with
#: H = MAX_STEP_GROWTH * (previous step) and evaluated at s = h/H <= 1, so the fixed-point
#: rounding of c_k is never amplified by s^k.
MAX_STEP_GROWTH = 2.0
#: Fixed-point guard bits beyond the working precision (sums of up to q_max + 1 products).
FIXED_GUARD_BITS = 16


def stability_interval(order: int) -> float:
    """A lower bound of the real stability interval [-sigma, 0] of the degree-``order``
    truncated exponential sum_{k<=q} z^k/k! (numerically: 2.78 at q=4, 5.06 at 10, 8.82 at 20,
    12.55 at 30, 23.68 at 60; the line 0.37 q + 1.3 stays below for q >= 4)."""
    return 0.37 * order + 1.3


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
    of max_i |beta_i(returned) - beta_inf,i| (module docstring: how each part is formed).
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
                "steps": self.steps, "dps": self.dps, "seconds": round(self.seconds, 3)}


def integrate_flow(model: SeparableModel, problem: Problem, *, dps: int = 40, loss_target=None,
                   max_steps: int = 200_000, max_time=None, max_seconds: float | None = None,
                   times: Sequence = (), progress: Callable | None = None) -> FlowResult:
    """Integrate ``w' = -grad L(w)`` from the model's initialization until the loss is tiny.

    ``loss_target`` (exact number) overrides the dps-derived stopping loss; ``max_time`` bounds
    the flow time t, ``max_seconds`` the wall time; ``times`` asks for beta(t) at those flow
    times (``FlowResult.samples``, in increasing time; the flow runs at least to the last);
    ``progress(t, loss, steps)`` is called after every step.
    Raises :class:`InvalidArgument` for bad input and :class:`NoConvergence` naming the budget
    that ran out.
    """
    dps = precision.check_dps(dps)
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise InvalidArgument(f"max_steps must be a positive int but got max_steps={max_steps!r}")
    _check_interpolable(problem)
    work = precision.context(dps + precision.GUARD_DIGITS)
    out = precision.context(dps)
    theta = model.initial_parameters(work, problem.d)
    sample_times = sorted(work.mpf(_positive(v, "times entry", allow_zero=True)) for v in times)
    horizon = None if max_time is None else work.mpf(_positive(max_time, "max_time"))
    if loss_target is None:
        y_norm2 = work.fsum(v * v for v in problem.y_mp(work))
        target = work.mpf(10) ** (-2 * (dps - RESIDUAL_SLACK_DIGITS)) * max(work.one, y_norm2)
    else:
        target = work.mpf(_positive(loss_target, "loss_target"))

    kernel = _Kernel(model.polynomial, problem)
    log2_tol = -(dps + LOCAL_EXTRA_DIGITS) * math.log2(10)  # relative to max|theta|
    q_max = max(MIN_ORDER + 2, math.ceil(-log2_tol * math.log(2) / 2 + 1))  # Jorba-Zou order
    start = _time.perf_counter()
    t, steps, H = work.zero, 0, None  # H: the largest step the next jet allows
    error, pending, samples = 0.0, None, []
    while True:
        P = kernel.fixed_bits(theta, work.prec)
        jet = _Jet(kernel, theta, P, 1.0 if H is None else H)
        info = kernel.float_info(theta, jet.first_gradient(), P)
        if pending is not None:  # the previous step's error, grown at the larger end's rate
            h, le, mu = pending
            error = error * math.exp(max(mu, info.mu) * h) + le
        loss = jet.loss(work)
        while sample_times and sample_times[0] <= t:
            samples.append(_sample(model, work, out, sample_times.pop(0), theta, info, error))
        if loss <= target and not sample_times:
            break
        _check_budgets(steps, max_steps, t, horizon, start, max_seconds, loss, target)
        if H is None:  # first step: up to the fastest time scale at theta(0)
            H = 1.0 / info.lam if info.lam > 0 else 1.0
            jet = _Jet(kernel, theta, P, H)
        q, s, last = _choose_order(jet, log2_tol + math.log2(info.theta_max or 1.0), q_max,
                                   info.lam * H)
        S = int(math.ldexp(s, P))
        h = work.ldexp(S * jet.H_fixed, -2 * P)  # the step actually taken, exactly
        # local error: last included terms + fixed-point rounding (each c_k within ~(q+2)
        # units of 2^-P, summed over q+1 terms at s <= 1) + rounding theta to the working
        # precision; as a 2-norm over all d*m parameters
        rounding = (q + 2) ** 2 * 2.0 ** -P + info.theta_max * 2.0 ** -work.prec
        local = (last + rounding) * math.sqrt(len(theta) * kernel.m)
        while sample_times and sample_times[0] <= t + h:  # dense output inside the step
            tau = sample_times.pop(0)
            theta_tau = jet.evaluate(work, q, int((tau - t) / h * S))
            bound = error * math.exp(info.mu * s * H) + local
            samples.append(_sample(model, work, out, tau, theta_tau, info, bound))
        theta = jet.evaluate(work, q, S)
        t += h
        steps += 1
        pending = (s * H, local, info.mu)
        H = MAX_STEP_GROWTH * s * H
        if progress is not None:
            progress(float(t), float(loss), steps)

    beta = model.beta(work, theta)
    residual = [work.fdot(row, beta) - v for row, v in zip(problem.X_mp(work), problem.y_mp(work))]
    loss = work.fsum(v * v for v in residual)
    integration = error * math.sqrt(float(info.grad_sq.max()))
    tail = _tail_bound(kernel, info, float(work.sqrt(loss)))
    rounding_out = float(max(abs(b) for b in beta)) * 2.0 ** (1 - out.prec)
    total = out.mpf(integration) + out.mpf(tail) + out.mpf(rounding_out)
    return FlowResult(
        beta=[out.mpf(b) for b in beta], parameters=[[out.mpf(v) for v in row] for row in theta],
        loss=out.mpf(loss), time=out.mpf(t), steps=steps, error_estimate=total,
        integration_error=out.mpf(integration), tail_error=out.mpf(tail), dps=dps,
        seconds=_time.perf_counter() - start, samples=tuple(samples), ctx=out)


# -- Taylor coefficients in fixed point -----------------------------------------------------
@dataclasses.dataclass
class _FloatInfo:
    """float64 control data at one point: step-size and error-growth estimates only."""

    lam: float         # bound of the largest eigenvalue of Hess L
    mu: float          # bound of the logarithmic norm of -Hess L
    grad_sq: object    # |grad P(theta_i)|^2 per coordinate (numpy array)
    theta_max: float   # max |theta_ij|


class _Kernel:
    """The recurrence plan for one polynomial P and problem: which monomials are Cauchy
    products of which, and the fixed-point X, y at each number of bits used."""

    def __init__(self, polynomial, problem: Problem):
        import numpy as np

        self.polynomial = polynomial
        self.m = m = polynomial.n_parameters
        self.X, self.y = problem.X_fraction(), problem.y_fraction()
        self.X_float = problem.X_float()
        self.column_norms = np.sqrt((self.X_float ** 2).sum(axis=0))
        self._fixed = {}
        unit = lambda j: tuple(int(i == j) for i in range(m))  # noqa: E731
        index = {unit(j): j for j in range(m)}
        #: (node, a, b): node = node a * node b, in topological order; nodes 0..m-1 are theta
        self.products: list[tuple[int, int, int]] = []
        self.n_nodes = m

        def node(e):
            """Node of the monomial theta**e (None for e = 0, the constant 1)."""
            if not any(e):
                return None
            if e not in index:
                if all(k % 2 == 0 for k in e):
                    a = b = node(tuple(k // 2 for k in e))
                else:
                    j = next(i for i in range(m) if e[i] % 2)
                    a, b = node(e[:j] + (e[j] - 1,) + e[j + 1:]), j
                index[e] = self.n_nodes
                self.products.append((self.n_nodes, a, b))
                self.n_nodes += 1
            return index[e]

        self.beta_terms = [(c, node(e)) for c, e in polynomial.terms()]
        #: theta_j' = -2 g dP/dtheta_j: one combination node per j, -2 c e_j folded in
        self.gradient = []
        for j in range(m):
            terms = [(-2 * c, node(e)) for c, e in polynomial.derivative(j)]
            self.gradient.append((self.n_nodes, terms))
            self.n_nodes += 1

    def fixed_bits(self, theta, prec: int) -> int:
        """Bits P such that every nonzero parameter converts exactly (P >= prec - mag) with
        guard bits for the sums; rounded up to a multiple of 32 so that the fixed-point X, y
        are reused."""
        below = max([0] + [-int(v.context.mag(v)) for row in theta for v in row if v])
        return 32 * math.ceil((prec + below + FIXED_GUARD_BITS) / 32)

    def data(self, P: int):
        """X, X^T, y as P-bit fixed-point integers (exact rationals, rounded down)."""
        if P not in self._fixed:
            X = [[_fixed(v, P) for v in row] for row in self.X]
            self._fixed[P] = (X, [list(col) for col in zip(*X)], [_fixed(v, P) for v in self.y])
        return self._fixed[P]

    def float_info(self, theta, g0, P: int) -> _FloatInfo:
        import numpy as np

        th = np.array([[float(v) for v in row] for row in theta])
        grad_sq, hess = self.polynomial.jet_float(th)
        hess_norm = np.abs(np.linalg.eigvalsh(hess)).max(axis=1)
        g = np.array([math.ldexp(v, -P) for v in g0])
        lam_A = float(np.linalg.eigvalsh(2.0 * (self.X_float * grad_sq) @ self.X_float.T)[-1])
        mu = float(2.0 * np.max(np.abs(g) * hess_norm))
        return _FloatInfo(lam_A + mu, mu, grad_sq, float(np.abs(th).max()))


def _fixed(c: Fraction, P: int):
    """floor(c 2^P) as mpmath's integer type (gmpy2's mpz when available: faster products)."""
    return MPZ((c.numerator << P) // c.denominator)


class _Jet:
    """Scaled Taylor coefficients ``c_k = theta_k H^k`` of theta(t0 + s H), order by order.

    ``series[i][node]`` is the list of fixed-point coefficients of one node (parameter,
    monomial, gradient combination) of coordinate i; ``g[i]`` those of (X^T r)_i."""

    def __init__(self, kernel: _Kernel, theta, P: int, H: float):
        self.kernel, self.P = kernel, P
        self.H_fixed = H_fixed = MPZ(int(math.ldexp(H, P)))
        self.X, self.XT, self.y = kernel.data(P)
        self.beta_terms = _prepare(kernel.beta_terms, P)
        # theta_j' = -2 g dP/dtheta_j; a single-term derivative c*theta**e needs no node of its
        # own: its coefficient is folded with H into one multiplier
        self.gradient = []
        for node, terms in kernel.gradient:
            if len(terms) == 1 and terms[0][1] is not None:
                c, n = terms[0]
                self.gradient.append((n, None, (_fixed(c, P) * H_fixed) >> P))
            else:
                self.gradient.append((node, _prepare(terms, P), H_fixed))
        extra = kernel.n_nodes - kernel.m
        self.series = [[[MPZ(v.context.to_fixed(v, P))] for v in row] + [[] for _ in range(extra)]
                       for row in theta]
        self.g = [[] for _ in theta]
        self.bits = [max(abs(nodes[j][0]) for nodes in self.series
                         for j in range(kernel.m)).bit_length()]
        self.order = 0
        self.residual0 = None
        self.advance()

    def advance(self):
        """Order k of the monomials, beta, r and g, and order k+1 of the parameters."""
        k, P = self.order, self.P
        k1, half, products = k + 1, (k + 1) // 2, self.kernel.products
        beta = []
        for nodes in self.series:
            for n, a, b in products:
                A = nodes[a]
                if a == b:  # square: symmetric half of the Cauchy sum
                    v = 2 * sum(map(mul, A[:half], A[k:k - half:-1])) if half else 0
                    if not k % 2:
                        v += A[k // 2] * A[k // 2]
                else:
                    v = sum(map(mul, A[:k1], nodes[b][k::-1]))
                nodes[n].append(v >> P)
            beta.append(_combine(self.beta_terms, nodes, k, P))
        r = [sum(map(mul, row, beta)) >> P for row in self.X]
        if k == 0:
            r = [ri - yi for ri, yi in zip(r, self.y)]
            self.residual0 = r
        big = 0
        for nodes, g, col in zip(self.series, self.g, self.XT):
            g.append(sum(map(mul, col, r)) >> P)
            for j, (n, terms, multiplier) in enumerate(self.gradient):
                if terms is not None:
                    nodes[n].append(_combine(terms, nodes, k, P))
                new = (((sum(map(mul, g, nodes[n][k::-1])) >> P) * multiplier) >> P) // k1
                nodes[j].append(new)
                big = max(big, abs(new))
        self.bits.append(big.bit_length())
        self.order = k1

    def log2_coefficient(self, k: int) -> float:
        """log2 of max_ij |c_k|, the scaled order-k parameter coefficients (-inf if all 0)."""
        return self.bits[k] - self.P if self.bits[k] else -math.inf

    def loss(self, ctx):
        """L at the expansion point (exact from the fixed-point residual, then rounded)."""
        return ctx.ldexp(sum(v * v for v in self.residual0), -2 * self.P)

    def first_gradient(self) -> list:
        """g = X^T r at the expansion point (fixed point)."""
        return [g[0] for g in self.g]

    def evaluate(self, ctx, q: int, s_fixed: int):
        """theta at s = s_fixed / 2^P from the coefficients 0..q (Horner in fixed point)."""
        P, m, theta = self.P, self.kernel.m, []
        for nodes in self.series:
            row = []
            for c in nodes[:m]:
                acc = c[q]
                for k in range(q - 1, -1, -1):
                    acc = ((acc * s_fixed) >> P) + c[k]
                row.append(ctx.ldexp(int(acc), -P))
            theta.append(row)
        return theta


def _prepare(terms, P: int):
    """``sum_t c_t * monomial_t`` ready for :func:`_combine`: integer coefficients exact,
    the others as P-bit fixed point, the constant monomial (node None) apart."""
    whole = [(MPZ(c.numerator), n) for c, n in terms if c.denominator == 1 and n is not None]
    parts = [(_fixed(c, P), n) for c, n in terms if c.denominator != 1 and n is not None]
    return whole, parts, sum((_fixed(c, P) for c, n in terms if n is None), MPZ(0))


def _combine(prepared, nodes, k: int, P: int):
    """Order k of a prepared combination of one coordinate's monomials."""
    whole, parts, constant = prepared
    total = sum(c * nodes[n][k] for c, n in whole)
    if parts:
        total += sum(c * nodes[n][k] for c, n in parts) >> P
    return total + constant if k == 0 else total


def _choose_order(jet: _Jet, log2_tol: float, q_max: int, lam_H: float):
    """(order q, step factor s, last-term size) maximizing step per unit of work."""
    best = None
    while jet.order < MIN_ORDER:
        jet.advance()
    while True:
        q = jet.order
        s = 2.0 ** min([0.0] + [(log2_tol - jet.log2_coefficient(j)) / j for j in (q - 1, q)
                                 if jet.log2_coefficient(j) > -math.inf])
        if lam_H > 0:
            s = min(s, STABILITY_MARGIN * stability_interval(q) / lam_H)
        work = q * (q + 40)  # per order: fixed call overhead ~ 20x one term of the Cauchy sums
        if best is None or s / work > best[1] / best[2]:
            best = (q, s, work)
        if q >= q_max or q > best[0]:  # past the best order: efficiency is unimodal in q
            break
        jet.advance()
    q, s, _ = best
    last = max(2.0 ** (jet.log2_coefficient(j) + j * math.log2(s)) if s > 0 else 0.0
               for j in (q - 1, q))
    return q, s, last


def _tail_bound(kernel: _Kernel, info: _FloatInfo, residual_norm: float) -> float:
    """TAIL_SAFETY * max_i 2 |grad P_i|^2 |X_{:,i}| |r(T)| / lambda_min(A) (module docstring)."""
    import numpy as np

    if residual_norm == 0:
        return 0.0
    A = 2.0 * (kernel.X_float * info.grad_sq) @ kernel.X_float.T
    eig = np.linalg.eigvalsh(A)
    positive = eig[eig > eig[-1] * A.shape[0] * np.finfo(float).eps]
    if not positive.size:
        return math.inf
    return float(TAIL_SAFETY * np.max(2 * info.grad_sq * kernel.column_norms) * residual_norm
                 / positive[0])


def _sample(model, work, out, tau, theta, info, error) -> FlowSample:
    bound = error * math.sqrt(float(info.grad_sq.max()))
    return FlowSample(out.mpf(tau), [out.mpf(b) for b in model.beta(work, theta)],
                      [[out.mpf(v) for v in row] for row in theta], out.mpf(bound))


def _check_interpolable(problem: Problem) -> None:
    """InvalidArgument when X beta = y has no solution: the loss then never reaches 0.

    Full row rank (float64 rank n, the usual overparametrized case) settles it at once;
    otherwise rank X and rank [X | y] are compared exactly (fraction elimination)."""
    import numpy as np

    if np.linalg.matrix_rank(problem.X_float()) == problem.n:
        return
    X, y = problem.X_fraction(), problem.y_fraction()
    if _rank([row + [v] for row, v in zip(X, y)]) > _rank(X):
        raise InvalidArgument(f"{problem.name}: y is not in the range of X (no beta has "
                              "X beta = y), so the loss of the flow cannot reach 0")


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


def _check_budgets(steps, max_steps, t, horizon, start, max_seconds, loss, target):
    where = f"at t={float(t):.6g} with loss {float(loss):.3g} (target {float(target):.3g})"
    if steps >= max_steps:
        raise NoConvergence(f"flow: the step budget max_steps={max_steps} ran out {where}")
    if horizon is not None and t >= horizon:
        raise NoConvergence(f"flow: the time budget max_time={float(horizon):.6g} ran out {where}")
    if max_seconds is not None and _time.perf_counter() - start > max_seconds:
        raise NoConvergence(
            f"flow: the wall-clock budget max_seconds={max_seconds} ran out {where}")


def _positive(value, name: str, allow_zero: bool = False) -> str:
    text = parse_number(value, name)
    if Fraction(text) < 0 or (Fraction(text) == 0 and not allow_zero):
        raise InvalidArgument(f"{name} must be > 0 but got {name}={value!r}")
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
