"""Explicit Taylor steps of the flow: variable-order Taylor series in fixed point.

The coefficients of theta(t0 + s H) come from the recurrence of :class:`krtheory.flow._kernel._OrderProgram`
(``c_k = theta_k H^k``); the order and step follow Jorba–Zou's two-term test capped by the real
stability interval of the truncated exponential (module docstring of :mod:`krtheory.flow.driver`).
"""

from __future__ import annotations

import math

from mpmath.libmp import MPZ

from krtheory.flow._base import AbstractStepper, FlowPoint, StepRecord
from krtheory.flow._kernel import _Kernel, float_to_fixed

#: Lowest Taylor order tried (the stiff tail prefers low orders: stability per unit work).
MIN_ORDER = 4
#: Fraction of the real stability interval used, since lambda is taken at the step start.
STABILITY_MARGIN = 0.9
#: A step may grow at most this factor over the previous one. The jet is expanded with
#: H = MAX_STEP_GROWTH * (previous step) and evaluated at s = h/H <= 1, so the fixed-point
#: rounding of c_k is never amplified by s^k.
MAX_STEP_GROWTH = 2.0


def stability_interval(order: int) -> float:
    """A lower bound of the real stability interval [-sigma, 0] of the degree-``order``
    truncated exponential sum_{k<=q} z^k/k! (numerically: 2.78 at q=4, 5.06 at 10, 8.82 at 20,
    12.55 at 30, 23.68 at 60; the line 0.37 q + 1.3 stays below for q >= 4)."""
    return 0.37 * order + 1.3


def max_order(log2_tol: float) -> int:
    """Jorba–Zou's order for a relative local tolerance 2^log2_tol: ceil(-ln(tol)/2 + 1), at
    least MIN_ORDER + 2."""
    return max(MIN_ORDER + 2, math.ceil(-log2_tol * math.log(2) / 2 + 1))


class TaylorStepper(AbstractStepper):
    """Explicit variable-order Taylor steps (module docstring of :mod:`krtheory.flow.driver`):
    the jet of theta at the point, expanded with H = the proposed step, evaluated at the s <= 1
    that the order choice allows; dense output from the same jet."""

    name = "taylor"

    def __init__(self, kernel: _Kernel, work, log2_tol: float):
        """``work``: the working context; ``log2_tol``: the local tolerance relative to
        max|theta| (sets the highest order tried)."""
        self.kernel, self.work, self.q_max = kernel, work, max_order(log2_tol)

    def at(self, theta, t, P: int, h: float | None) -> FlowPoint:
        jet = _Jet(self.kernel, theta, P, 1.0 if h is None else h)
        return FlowPoint(theta, t, P, jet.first_gradient(), jet.loss(self.work), jet)

    def step(self, point: FlowPoint, h: float | None, log2_tol: float, *, info, J,
             until=None, check=lambda: None) -> StepRecord:
        work, P, jet = self.work, point.P, point.prepared
        if h is None:  # first step: up to the fastest time scale at theta
            h = 1.0 / info.lam if info.lam > 0 else 1.0
            jet = _Jet(self.kernel, point.theta, P, h)
        q, s, last, limited = _choose_order(jet, log2_tol, self.q_max, info.lam * h)
        S = float_to_fixed(s, P)
        taken = work.ldexp(S * jet.H_fixed, -2 * P)  # the step actually taken, exactly
        # local error: last included terms + fixed-point rounding (each c_k within ~(q+2)
        # units of 2^-P, summed over q+1 terms at s <= 1) + rounding theta to the working
        # precision; as a 2-norm over all d*m parameters
        rounding = (q + 2) ** 2 * 2.0 ** -P + info.theta_max * 2.0 ** -work.prec
        local = (last + rounding) * math.sqrt(len(point.theta) * self.kernel.m)
        dense = lambda tau: jet.evaluate(work, q, int((tau - point.t) / taken * S))  # noqa: E731
        return StepRecord(jet.evaluate(work, q, S), point.t + taken, s * h, local,
                          MAX_STEP_GROWTH * s * h, limited, dense)


class _Jet:
    """Scaled Taylor coefficients ``c_k = theta_k H^k`` of theta(t0 + s H), order by order.

    ``series[i][node]`` is the list of fixed-point coefficients of one node (parameter,
    monomial, gradient combination) of coordinate i; ``g[i]`` those of (X^T r)_i."""

    def __init__(self, kernel: _Kernel, theta, P: int, H: float):
        self.kernel, self.P = kernel, P
        self.H_fixed = H_fixed = MPZ(float_to_fixed(H, P))
        self.X, self.XT, self.y = kernel.data(P)
        self.constants = kernel.order_program.constants(P, H_fixed)
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
        r, big = self.kernel.order_program.run(self.series, self.g, self.X, self.XT, self.y,
                                               self.order, self.P, self.constants)
        if self.order == 0:
            self.residual0 = r
        self.bits.append(big.bit_length())
        self.order += 1

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


def _choose_order(jet: _Jet, log2_tol: float, q_max: int, lam_H: float):
    """(order q, step factor s, last-term size, whether stability limited s) maximizing step per
    unit of work."""
    best = None
    while jet.order < MIN_ORDER:
        jet.advance()
    while True:
        q = jet.order
        s = 2.0 ** min([0.0] + [(log2_tol - jet.log2_coefficient(j)) / j for j in (q - 1, q)
                                 if jet.log2_coefficient(j) > -math.inf])
        cap = STABILITY_MARGIN * stability_interval(q) / lam_H if lam_H > 0 else math.inf
        limited = cap < s
        s = min(s, cap)
        work = q * (q + 40)  # per order: fixed call overhead ~ 20x one term of the Cauchy sums
        if best is None or s / work > best[1] / best[2]:
            best = (q, s, work, limited)
        if q >= q_max or q > best[0]:  # past the best order: efficiency is unimodal in q
            break
        jet.advance()
    q, s, _, limited = best
    last = max(2.0 ** (jet.log2_coefficient(j) + j * math.log2(s)) if s > 0 else 0.0
               for j in (q - 1, q))
    return q, s, last, limited
