"""Stiff steps of the parameter flow: Radau IIA collocation with a mixed-precision Newton.

The explicit Taylor steps of :mod:`krtheory.flow.taylor` are limited by stability to
h <= ~0.4 q / lambda_max(Hess L). In the tail of a small-alpha flow Hess L has eigenvalues from
~10^2 (the fitted support) down to lambda_min(A) ~ 1e-3 .. 1e-5 (the off-support weights), and the
tail lasts ~60 / lambda_min: millions of explicit steps. Radau IIA with s stages (Hairer & Wanner,
*Solving ODEs II*, §IV.5) is the collocation method at the zeros c_1 < ... < c_s = 1 of
P_s(2x - 1) - P_{s-1}(2x - 1): order 2s - 1, stage order s, L-stable (its stability function is the
(s-1, s) Pade approximant of e^z, which vanishes at z = -inf) and stiffly accurate (y1 is the last
stage). Its steps are limited by accuracy in the slow components only.

**One step** solves the stage equations ``Z = h (A (x) I) F(y0 + Z)`` for the s x N stage
increments (N = d m parameters, F the flow's right-hand side):

* the residual ``G(Z) = h (A (x) I) F(y0 + Z) - Z`` is exact up to fixed-point rounding: integers
  at P bits (gmpy2), the same arithmetic as the Taylor jets, with A rounded to P bits;
* the Newton correction solves ``(I - h (A (x) I) diag(J_1..J_s)) delta = G`` in float64 with J_i
  the Jacobian of F at stage i, ``J = -2 U^T U - 2 diag(g_k Hess P_k)``, ``U = X diag(grad P)``
  (exact formula, float64 values), by preconditioned Richardson iteration; the preconditioner is
  the simplified-Newton matrix ``I - h A (x) J(y0)`` diagonalized by the eigenvectors of A
  (Butcher's transformation) and of the symmetric J(y0) = -Hess L (one N x N eigh per step).
  This is iterative refinement: every exact residual gains ~15 digits, so a solve needs 2-3 of
  them from a float64 predictor (the collocation equations solved in float64 first);
* **error control by an embedded pair**: the step is taken with s and with s + 1 stages (the
  latter started from the s-stage collocation polynomial); ``err = max |y_s - y_(s+1)|``
  estimates the local error of the s-stage step (O(h^(2s)) in the non-stiff components), the
  step is accepted when err <= tol, and err is reported as the local error of the (s+1)-stage
  result that is kept (conservative: its own error is O(h^(2s+2))).

``tol`` is the same absolute local tolerance as the Taylor steps. float64 is used for the Newton
corrections, step sizes and error estimates only: every digit of theta comes from the exact
residual.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
from mpmath.libmp import MPZ

from krtheory import precision
from krtheory.errors import NoConvergence
from krtheory.flow._base import AbstractStepper, FlowPoint, StepRecord
from krtheory.flow._kernel import _Kernel, _to_fixed, fixed_to_float, float_to_fixed
from krtheory.flow.error import jacobian

#: Exact (fixed-point) residual evaluations per stage solve before the step is rejected.
MAX_NEWTON = 8
#: A Newton correction must shrink by at least this factor per residual, else the step is rejected.
NEWTON_CONTRACTION = 0.5
#: Newton stops when the last correction is below this fraction of the local tolerance.
NEWTON_FRACTION = 1e-2
#: Float64 Richardson sweeps per correction; they stop below INNER_ACCURACY (relative to the
#: residual) or when a sweep no longer gains INNER_STALL; a correction that is not accurate to
#: INNER_REQUIRED counts as a failed Newton step (the exact residual loop could not converge).
MAX_INNER = 40
INNER_ACCURACY = 1e-14
INNER_STALL = 0.3
INNER_REQUIRED = 1e-4
#: Float64 iterations of the big step's predictor (the collocation equations solved in float64).
FLOAT_PREDICTOR_ITERATIONS = 6
#: Step-size controller: new h = h * clip(SAFETY (tol/err)^(1/2s), MIN_SHRINK, MAX_GROWTH).
SAFETY = 0.9
MIN_SHRINK = 0.2
MAX_GROWTH = 4.0
#: Stages: s = clip(ceil((digits of the local tolerance) / DIGITS_PER_STAGE), MIN..MAX): the
#: order 2s - 1 grows with the accuracy asked for, as the Taylor order does (measured: at 35
#: digits s = 8 steps ~0.07 of the solution's time scale, s = 16 ~1-2; s = 20 was fastest).
DIGITS_PER_STAGE = 1.75
MIN_STAGES = 6
MAX_STAGES = 32
#: Newton steps polishing each Radau node from its float64 value (quadratic: 15 -> 1000 digits).
NODE_NEWTON_STEPS = 8
#: Up to this many fixed-point bits float64 conversions take the fast path (while the scaled
#: values stay below 2^1024).
FAST_CONVERSION_BITS = 960


def stages_for(log10_tolerance: float) -> int:
    """The number of Radau stages used for a local tolerance 10^log10_tolerance."""
    return max(MIN_STAGES, min(MAX_STAGES, math.ceil(-log10_tolerance / DIGITS_PER_STAGE)))


@dataclasses.dataclass(frozen=True)
class Tableau:
    """Radau IIA with ``stages`` stages: the nodes (float64), A at ``bits`` bits (exact to
    2^-bits) and in float64, and A's eigen-decomposition (float64)."""

    stages: int
    bits: int
    nodes: tuple
    A: tuple            # rows of ints: floor(A_ij 2^bits)
    A_float: object     # numpy s x s
    eigenvalues: object
    eigenvectors: object
    inverse_eigenvectors: object
    pairs: tuple        # one index per real eigenvalue / conjugate pair (imaginary part >= 0)
    partners: tuple     # for each pair index: its conjugate's index (itself when real)


@functools.lru_cache(maxsize=16)
def radau_tableau(stages: int, bits: int) -> Tableau:
    """Nodes: zeros of P_s(2x-1) - P_{s-1}(2x-1) (Legendre polynomials), from numpy's
    Legendre-basis companion matrix (float64) polished by Newton in mpmath (three-term
    recurrence); A_ij = int_0^(c_i) l_j (l_j the Lagrange basis on the nodes: the collocation
    conditions C(s)). Computed with 2 s + 20 digits beyond ``bits`` (the monomial coefficients of
    l_j cancel ~s digits)."""
    ctx = precision.context(math.ceil(bits / math.log2(10)) + 2 * stages + 20)
    s = stages
    guesses = np.polynomial.legendre.legroots([0.0] * (s - 1) + [-1.0, 1.0])
    nodes = []
    for u in sorted(float(v.real) for v in guesses)[:-1]:  # the last zero is u = 1 exactly
        u = ctx.mpf(u)
        for _ in range(NODE_NEWTON_STEPS):
            value, slope = _radau_polynomial(ctx, s, u)
            u -= value / slope
            if abs(value / slope) < ctx.eps ** 0.6:  # quadratic: the next step is far below eps
                value, slope = _radau_polynomial(ctx, s, u)
                u -= value / slope
                break
        nodes.append((u + 1) / 2)
    nodes.append(ctx.one)  # P_n(1) = 1 for all n
    A = [[None] * s for _ in range(s)]
    for j, c_j in enumerate(nodes):  # A_ij = int_0^c_i l_j, l_j the Lagrange basis polynomial
        coefficients = [ctx.one]  # of prod_(k != j) (x - c_k) / (c_j - c_k), lowest first
        for k, c_k in enumerate(nodes):
            if k != j:
                scale = 1 / (c_j - c_k)
                coefficients = [(a - c_k * b) * scale for a, b in
                                zip([ctx.zero] + coefficients, coefficients + [ctx.zero])]
        integral = [ctx.zero] + [a / (n + 1) for n, a in enumerate(coefficients)]
        for i, c_i in enumerate(nodes):
            A[i][j] = ctx.polyval(integral[::-1], c_i)
    A_float = np.array([[float(v) for v in row] for row in A])
    eigenvalues, eigenvectors = np.linalg.eig(A_float)
    pairs = tuple(k for k, lam in enumerate(eigenvalues) if lam.imag >= 0)
    partners = tuple(int(np.argmin(np.abs(eigenvalues - np.conj(eigenvalues[k])))) for k in pairs)
    return Tableau(
        stages=s, bits=bits, nodes=tuple(float(v) for v in nodes),
        A=tuple(tuple(MPZ(int(ctx.floor(ctx.ldexp(v, bits)))) for v in row) for row in A),
        A_float=A_float, eigenvalues=eigenvalues, eigenvectors=eigenvectors,
        inverse_eigenvectors=np.linalg.inv(eigenvectors), pairs=pairs, partners=partners)


def _radau_polynomial(ctx, s: int, u):
    """(P_s(u) - P_(s-1)(u), its derivative) by the Legendre recurrences
    (k+1) P_(k+1) = (2k+1) u P_k - k P_(k-1) and P'_(k+1) = P'_(k-1) + (2k+1) P_k."""
    p_prev, p, d_prev, d = ctx.one, u, ctx.zero, ctx.one
    for k in range(1, s):
        p_prev, p = p, ((2 * k + 1) * u * p - k * p_prev) / (k + 1)
        d_prev, d = d, d_prev + (2 * k + 1) * p_prev
    return p - p_prev, d - d_prev


def _lagrange(grid, points):
    """W with W[i, j] = l_j(points[i]), l_j the Lagrange basis on ``grid``."""
    W = np.ones((len(points), len(grid)))
    for j, xj in enumerate(grid):
        for k, xk in enumerate(grid):
            if k != j:
                W[:, j] *= (points - xk) / (xj - xk)
    return W


@dataclasses.dataclass(frozen=True)
class _Attempt:
    """A step attempt: theta(t0 + h) (fixed point, P bits), h = h_fixed 2^-P exactly, the local
    error estimate, the largest final Newton correction (float64) and the controller's next h."""

    theta: object
    h_fixed: int
    error: float
    newton: float
    h_next: float = 0.0


class RadauStepper(AbstractStepper):
    """Radau IIA steps of ``theta' = -2 g grad P(theta)`` for one kernel (see the module docstring).

    ``kernel`` is the :class:`krtheory.flow._kernel._Kernel` (the monomial plan and the fixed-point
    data), ``work`` the working context, ``log2_tol`` the local tolerance relative to max|theta|
    (sets the number of stages, :func:`stages_for`)."""

    name = "radau"

    def __init__(self, kernel: _Kernel, work, log2_tol: float):
        self.kernel, self.work = kernel, work
        self.stages = stages_for(log2_tol * math.log10(2))
        self.polynomial = kernel.polynomial
        self.gram = kernel.X_float.T @ kernel.X_float  # X^T X
        self._fields = {}
        self.float_field = _Field(kernel, None)

    def field(self, P: int):
        if P not in self._fields:
            self._fields[P] = _Field(self.kernel, P)
        return self._fields[P]

    def at(self, theta, t, P: int, h: float | None) -> FlowPoint:
        fixed = _to_fixed(theta, P)
        _, _, g, r = self.field(P)(fixed[None])
        return FlowPoint(theta, t, P, g[0], self.work.ldexp(sum(v * v for v in r[0]), -2 * P), fixed)

    def step(self, point: FlowPoint, h: float | None, log2_tol: float, *, info, J,
             until=None, check=lambda: None) -> StepRecord:
        """The first accepted step from h (default 1/info.lam) down, ending at ``until`` at the
        latest (to ~2^-P of it, not beyond); its local error adds the embedded estimate, the
        last Newton correction and the rounding (fixed point, working precision, the step's
        end in time), as a 2-norm over all parameters."""
        work, P, t = self.work, point.P, point.t
        cap = None if until is None else max(1, int(work.floor(work.ldexp(until - t, P))))
        attempt = self._advance(point.prepared, P, h or 1.0 / info.lam, 2.0 ** log2_tol, check,
                                cap, J)
        theta = [[work.ldexp(int(v), -P) for v in row] for row in attempt.theta.tolist()]
        end = until if attempt.h_fixed == cap else t + work.ldexp(attempt.h_fixed, -P)
        rounding = ((self.stages + 2) ** 2 * 2.0 ** -P + info.theta_max * 2.0 ** -work.prec
                    + 2.0 ** (1 - P) * info.speed)
        local = (attempt.error + attempt.newton + rounding) * math.sqrt(len(theta) * self.kernel.m)
        return StepRecord(theta, end, fixed_to_float(attempt.h_fixed, P), local, attempt.h_next)

    def _advance(self, theta_fixed, P: int, h: float, tol: float, check,
                 cap: int | None = None, J=None) -> _Attempt:
        """The first accepted attempt from h down: a failed Newton solve halves h, an error above
        ``tol`` shrinks it as the controller says; ``check()`` (the caller's budgets) runs before
        every attempt; no step exceeds ``cap`` 2^-P; ``J``: the Jacobian at theta if the caller
        has it. Raises NoConvergence when h falls below 2^(2-P)."""
        if J is None:
            J = self._jacobian(theta_fixed, P)
        spectrum = np.linalg.eigh((J + J.T) / 2)
        while True:
            check()
            if h < math.ldexp(1.0, 2 - P):
                raise NoConvergence(f"flow: the Radau step size fell below 2^(2-{P}) (a stage "
                                    "solve kept failing)")
            h_fixed = MPZ(float_to_fixed(h, P))
            attempt = self._attempt(theta_fixed, P, h_fixed if cap is None else min(h_fixed, cap),
                                    tol, spectrum)
            if attempt is None:
                h *= 0.5
                continue
            h_next = self.next_step(fixed_to_float(attempt.h_fixed, P), attempt.error, tol, self.stages)
            if attempt.error <= tol:
                return dataclasses.replace(attempt, h_next=h_next)
            h = h_next

    def _attempt(self, theta_fixed, P: int, h_fixed, tol: float, spectrum) -> _Attempt | None:
        """One step of h = h_fixed 2^-P with s and with s + 1 stages (``spectrum``: eigh of the
        Jacobian at theta); None when a Newton solve does not converge (the caller halves h)."""
        d, m = theta_fixed.shape
        N = d * m
        coarse, fine = radau_tableau(self.stages, P), radau_tableau(self.stages + 1, P)
        if h_fixed <= 0:
            return None
        h = fixed_to_float(h_fixed, P)
        factors = self._preconditioner(spectrum, h, coarse)
        predictor = self._float_solve(_to_float(theta_fixed, P).reshape(N), h, factors, coarse)
        if predictor is None:
            return None
        Zc = self._solve(theta_fixed, P, h_fixed, factors, _from_float(predictor, P), tol, coarse)
        if Zc is None:
            return None
        # the s+1 stages start from the s-stage collocation polynomial (stage order s)
        grid = np.concatenate([[0.0], coarse.nodes])
        guess = _lagrange(grid, np.array(fine.nodes)) @ np.vstack([np.zeros((1, N)),
                                                                  _to_float(Zc[0], P)])
        Zf = self._solve(theta_fixed, P, h_fixed, self._preconditioner(spectrum, h, fine),
                         _from_float(guess, P), tol, fine)
        if Zf is None:
            return None
        end = theta_fixed + Zf[0][-1].reshape(d, m)
        error = float(np.abs(_to_float(Zc[0][-1] - Zf[0][-1], P)).max())
        return _Attempt(end, int(h_fixed), error, max(Zc[1], Zf[1]))

    @staticmethod
    def next_step(h: float, error: float, tol: float, stages: int) -> float:
        """The controller: h * clip(SAFETY (tol/err)^(1/2s), MIN_SHRINK, MAX_GROWTH)."""
        factor = MAX_GROWTH if error == 0 else SAFETY * (tol / error) ** (1.0 / (2 * stages))
        return h * min(MAX_GROWTH, max(MIN_SHRINK, factor))

    # -- the linear algebra (float64) ---------------------------------------------------------
    def _jacobian(self, theta_fixed, P):
        """J = dF/dtheta at one state, N x N float64 (:func:`krtheory.flow.error.jacobian`)."""
        _, grad, g, _ = self.field(P)(theta_fixed[None])
        return jacobian(self.kernel, _to_float(theta_fixed, P), _to_float(g[0], P),
                        _to_float(grad[0], P) / -2.0)

    def _preconditioner(self, spectrum, h: float, tableau):
        """The simplified-Newton matrix I - h A (x) J0 inverted through the eigenvectors of A
        and of the symmetric J0 = Q diag(mu) Q^T: (Q, 1 / (1 - h lambda_k mu_j)) for one
        eigenvalue lambda_k of A per conjugate pair."""
        mu, Q = spectrum
        lam = tableau.eigenvalues[list(tableau.pairs)]
        return Q, 1.0 / (1.0 - h * lam[:, None] * mu[None, :])

    def _apply_preconditioner(self, factors, tableau, x):
        Q, scale = factors
        W = tableau.inverse_eigenvectors @ x
        solved = ((W[list(tableau.pairs)] @ Q) * scale) @ Q.T
        out = np.empty(W.shape, dtype=complex)
        out[list(tableau.pairs)] = solved
        out[list(tableau.partners)] = np.conj(solved)
        return np.real(tableau.eigenvectors @ out)

    def _correction(self, R, factors, tableau, h: float, data):
        """delta with (I - h (A (x) I) diag(J_i)) delta = R (float64, preconditioned Richardson);
        None when the sweeps do not reach INNER_REQUIRED."""
        dP, g, H = data
        s, N = R.shape
        shape = dP.shape

        def apply(v):
            v3 = v.reshape(shape)
            t = (dP * v3).sum(-1) @ self.gram
            Jv = -2.0 * (dP * t[..., None] + g[..., None] * (H @ v3[..., None])[..., 0])
            return v - h * (tableau.A_float @ Jv.reshape(s, N))

        scale = np.abs(R).max()
        if scale == 0:
            return np.zeros_like(R)
        delta = self._apply_preconditioner(factors, tableau, R)
        previous = math.inf
        for _ in range(MAX_INNER):
            residual = R - apply(delta)
            size = np.abs(residual).max()
            if size <= INNER_ACCURACY * scale or size > INNER_STALL * previous:
                break
            previous = size
            delta = delta + self._apply_preconditioner(factors, tableau, residual)
        return delta if min(size, previous) <= INNER_REQUIRED * scale else None

    def _float_solve(self, y0f, h: float, factors, tableau):
        """The big step's stage increments from the collocation equations in float64 (a
        predictor: ~1e-16 relative), or None when float64 Newton does not converge."""
        s, N = tableau.stages, y0f.size
        d, m = N // self.kernel.m, self.kernel.m
        Z = np.zeros((s, N))
        for _ in range(FLOAT_PREDICTOR_ITERATIONS):
            Y = (y0f[None] + Z).reshape(s, d, m)
            F = self.float_field(Y)[0]
            R = h * (tableau.A_float @ F.reshape(s, N)) - Z
            delta = self._correction(R, factors, tableau, h, self._float_data(Y))
            if delta is None or not np.all(np.isfinite(delta)):
                return None
            Z = Z + delta
            if np.abs(delta).max() <= 1e-14 * max(np.abs(Z).max(), 1e-300):
                break
        return Z

    def _solve(self, y0, P: int, h_fixed: int, factors, Z, tol: float, tableau):
        """Newton with exact residuals from the predictor Z (s x N fixed point): (Z, estimated
        remaining error) or None. It stops when the correction is below NEWTON_FRACTION tol, or
        when theta/(1 - theta) |delta| is, theta = |delta_k| / |delta_(k-1)| the observed
        contraction (Hairer & Wanner IV.8: the error left after applying delta_k)."""
        s = tableau.stages
        d, m = y0.shape
        N = d * m
        hA = (np.array(tableau.A, dtype=object) * h_fixed) >> P
        h = fixed_to_float(h_fixed, P)
        field = self.field(P)
        y0f = _to_float(y0, P).reshape(1, N)
        Zf = _to_float(Z, P)
        previous = math.inf
        for _ in range(MAX_NEWTON):
            F = field((y0.reshape(1, N) + Z).reshape(s, d, m))[0]
            R = _to_float((hA.dot(F.reshape(s, N)) >> P) - Z, P)
            data = self._float_data((y0f + Zf).reshape(s, d, m))
            delta = self._correction(R, factors, tableau, h, data)
            if delta is None:
                return None
            Z = Z + _from_float(delta, P)
            Zf = Zf + delta
            size = float(np.abs(delta).max())
            if size <= NEWTON_FRACTION * tol:
                return Z, size
            if previous < math.inf:
                ratio = size / previous
                if ratio >= NEWTON_CONTRACTION:
                    return None
                left = size * ratio / (1 - ratio)
                if left <= NEWTON_FRACTION * tol:
                    return Z, left
            previous = size
        return None

    def _float_data(self, Y):
        """float64 grad P (k, d, m), g (k, d) and Hess P (k, d, m, m) at the stage values Y: the
        Jacobians' data (a Newton matrix needs no more: the exact residual sets the digits)."""
        _, gradient, g, _ = self.float_field(Y)
        _, hess = self.polynomial.jet_float(Y.reshape(-1, Y.shape[-1]))
        return gradient / -2.0, g, hess.reshape(Y.shape + (Y.shape[-1],))


class _Field:
    """``F(theta) = -2 g grad P(theta)`` for a batch of states (k, d, m): P-bit fixed point on
    numpy object arrays of integers, or float64 when P is None. Returns F, -2 grad P (k, d, m),
    g = X^T r (k, d) and r (k, n)."""

    def __init__(self, kernel: _Kernel, P: int | None):
        self.P, self.products = P, kernel.products
        self.m = kernel.m
        if P is None:
            self.X = kernel.X_float
            self.y = np.array([float(v) for v in kernel.y])
        else:
            X, _, y = kernel.data(P)
            self.X = np.array(X, dtype=object)
            self.y = np.array(y, dtype=object)
        self.beta_terms = [self._term(c, n) for c, n in kernel.beta_terms]
        self.gradient_terms = [[self._term(c, n) for c, n in terms] for _, terms in kernel.gradient]

    def _term(self, c, node):
        """(multiplier, node, shift): integer coefficients multiply exactly, others in fixed point;
        a constant term (node None) is its value c (2^P in fixed point)."""
        if self.P is None:
            return float(c), node, False
        if node is None:
            return MPZ((c.numerator << self.P) // c.denominator), None, False
        if c.denominator == 1:
            return MPZ(c.numerator), node, False
        return MPZ((c.numerator << self.P) // c.denominator), node, True

    def _combine(self, terms, nodes, like):
        total = 0 * like
        for c, node, shift in terms:
            if node is None:  # the constant monomial
                total = total + c
                continue
            v = nodes[node] if c == 1 else (-nodes[node] if c == -1 else c * nodes[node])
            total = total + ((v >> self.P) if shift else v)
        return total

    def __call__(self, theta):
        P = self.P
        nodes = {j: theta[..., j] for j in range(self.m)}
        for n, a, b in self.products:
            v = nodes[a] * nodes[b]
            nodes[n] = v if P is None else v >> P
        like = nodes[0]
        beta = self._combine(self.beta_terms, nodes, like)
        if P is None:
            r = beta @ self.X.T - self.y
            g = r @ self.X
        else:
            r = (beta.dot(self.X.T) >> P) - self.y
            g = r.dot(self.X) >> P
        gradient = np.stack([self._combine(t, nodes, like) for t in self.gradient_terms], axis=-1)
        F = g[..., None] * gradient
        return (F if P is None else F >> P), gradient, g, r


def _to_float(a, P: int):
    """Fixed-point integers (any shape) as float64 values a 2^-P (each correctly rounded)."""
    a = np.asarray(a, dtype=object)
    if P <= FAST_CONVERSION_BITS:
        try:
            values = np.fromiter(map(float, a.ravel()), float, a.size)
            return np.ldexp(values, -P).reshape(a.shape)
        except OverflowError:  # |a| >= 2^1024: values beyond 2^(1024 - P), as theta at large alpha
            pass
    return np.array([_int_to_float(v, P) for v in a.ravel()]).reshape(a.shape)


def _int_to_float(v, P: int) -> float:
    extra = max(0, int(v).bit_length() - 64)
    return math.ldexp(float(v >> extra), extra - P)


def _from_float(f, P: int):
    """float64 values as P-bit fixed-point integers, floor(f 2^P) (exact for |f| >= 2^-P)."""
    with np.errstate(over="ignore"):
        scaled = np.ldexp(f, P) if P <= FAST_CONVERSION_BITS else None
    if scaled is not None and np.isfinite(scaled).all():  # else f 2^P >= 2^1024: the slow path
        return np.fromiter(map(MPZ, scaled.ravel().tolist()), dtype=object,
                           count=f.size).reshape(f.shape)
    mantissa, exponent = np.frexp(f.ravel())
    mantissa = np.ldexp(mantissa, 53).astype(np.int64).tolist()
    shifts = (exponent.astype(np.int64) - 53 + P).tolist()
    return np.fromiter((MPZ(m) << k if k >= 0 else MPZ(m) >> -k for m, k in zip(mantissa, shifts)),
                       dtype=object, count=f.size).reshape(f.shape)
