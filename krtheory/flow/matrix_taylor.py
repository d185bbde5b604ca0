"""The matrix-factorization flow F' = -2 S(F F^T) F (§6) at ``dps`` digits: Taylor series.

The right-hand side is cubic in F = [U; V], so the Taylor coefficients at a step point follow
from Cauchy products (U_k, V_k the coefficients of the rescaled time s = tau / H):

    M_k = sum_j U_j V_{k-j}^T,   R_k = sum_n <X_n, M_k> X_n - [k = 0] sum_n y_n X_n,
    U_{k+1} = -2 H/(k+1) sum_j R_j V_{k-j},   V_{k+1} = -2 H/(k+1) sum_j R_j^T U_{k-j},

computed on Python integers in fixed point (P = working bits + GUARD_BITS; numpy object arrays).
Order q = ceil(-ln(tol)/2) + 1 (Jorba and Zou's choice for the local tolerance tol =
10^-(dps + LOCAL_EXTRA_DIGITS) x max(1, max|F|)); the step s* H is the largest for which the last
two terms |c_{q-1}| s^{q-1}, |c_q| s^q are below tol; their sum is the local error estimate. The
stopping rule and the tail estimate are :mod:`krtheory.flow.matrix`'s. An explicit method: the
number of steps grows like (flow time) x (largest Hessian eigenvalue), so stiff flows (very small
alpha^2 k, ill-conditioned measurements) run out of budget here; use float64 for them.
"""

from __future__ import annotations

import math
import time as _time

import numpy as np

from krtheory import precision
from krtheory.flow.matrix import MatrixFlowResult, MatrixFlowStatus, TailMonitor
from krtheory._validation import parse_number

#: Local tolerance: this many digits below dps (room for summing thousands of local errors).
LOCAL_EXTRA_DIGITS = 5
#: Fixed-point guard bits beyond the working context's precision.
GUARD_BITS = 24
#: Largest step as a multiple of the step scale H (the series is evaluated at s <= this).
MAX_S = 2.0
#: Keep a point of g(t) for the decay-rate estimate only when t grew by this factor.
HISTORY_SPACING = 1.02


def exact_factor(W0_rows, dps: int):
    """(ctx, F): W0 = [U0; V0] read exactly into a working context (dps + GUARD_DIGITS), and a
    factor F with F F^T = W0 W0^T: W0 itself when k <= p, else Q sqrt(Lambda) from the symmetric
    eigendecomposition of W0 W0^T at working precision."""
    ctx = precision.context(precision.check_dps(dps) + precision.GUARD_DIGITS)
    W0 = [[ctx.mpf(parse_number(v, f"U0/V0 row {i}, column {j}")) for j, v in enumerate(row, 1)]
          for i, row in enumerate(W0_rows, 1)]
    p, k = len(W0), len(W0[0])
    if k <= p:
        return ctx, W0
    G = ctx.matrix([[ctx.fdot(a, b) for b in W0] for a in W0])
    E, Q = ctx.eigsy(G)
    roots = [ctx.sqrt(max(e, ctx.zero)) for e in E]
    return ctx, [[Q[i, j] * roots[j] for j in range(p)] for i in range(p)]


class _FixedSystem:
    """The measurements in fixed point at P bits: the residual of a Taylor coefficient."""

    def __init__(self, measurements, ctx, P: int):
        self.P, self.shape = P, measurements.shape
        fixed = lambda v: ctx.to_fixed(ctx.mpf(v), P)  # noqa: E731
        self.y = np.array([fixed(v) for v in measurements.values], dtype=object)
        if measurements.is_completion:
            D1, D2 = self.shape
            self.mask = np.zeros((D1, D2), dtype=object)
            self.Y = np.zeros((D1, D2), dtype=object)
            for (i, j), v in zip(measurements.entries, self.y):
                self.mask[i, j], self.Y[i, j] = 1, v
            self.A = None
        else:
            self.A = np.array([[fixed(v) for row in X for v in row] for X in measurements.matrices],
                              dtype=object)

    def residual(self, M_k, k: int):
        """(R_k, r_k): R_k (D1 x D2) and the residual vector (k = 0) or its coefficient."""
        if self.A is None:
            R = self.mask * M_k - (self.Y if k == 0 else 0)
            return R, R
        r = (self.A.dot(M_k.ravel()) >> self.P) - (self.y if k == 0 else 0)
        return (self.A.T.dot(r) >> self.P).reshape(self.shape), r


def taylor_flow(measurements, exact, *, width, dps: int, max_time, max_seconds, max_steps,
                target) -> MatrixFlowResult:
    ctx, F = exact
    P = ctx.prec + GUARD_BITS
    D1, D2 = measurements.shape
    system = _FixedSystem(measurements, ctx, P)
    one = 1 << P
    U = np.array([[ctx.to_fixed(v, P) for v in row] for row in F[:D1]], dtype=object)
    V = np.array([[ctx.to_fixed(v, P) for v in row] for row in F[D1:]], dtype=object)
    p, r = D1 + D2, U.shape[1]
    digits = dps + LOCAL_EXTRA_DIGITS
    q = math.ceil(digits * math.log(10) / 2) + 1
    target = 10.0 ** -(dps + 1) if target is None else target
    scale = max(abs(float(v)) for v in measurements.values) + _max(U, V, P) ** 2
    H = 1.0 / max(scale, 1e-300)
    t_fixed, steps, integration = 0, 0, 0.0
    monitor, start = TailMonitor(), _time.perf_counter()
    status = MatrixFlowStatus.MAX_TIME
    while True:
        H_fixed = max(int(H * one), 1)
        Uc, Vc, loss = _coefficients(system, U, V, H_fixed, q, P)
        t = t_fixed / one
        g = math.sqrt(_norm2(Uc[1], P) + _norm2(Vc[1], P)) / (H_fixed / one)
        if not monitor.history or t >= HISTORY_SPACING * monitor.history[-1][0]:
            monitor.add(t, g)
        F_size = max(1.0, _max(U, V, P))
        M_max = float(np.abs(U.dot(V.T) >> P).max()) / one
        tail = monitor.tail(_spectral(U, V, P)) if g > 0 else 0.0
        if tail <= target * max(1.0, M_max):
            status = MatrixFlowStatus.CONVERGED
            break
        if t > max_time or steps >= max_steps or (max_seconds is not None
                                                   and _time.perf_counter() - start > max_seconds):
            status = (MatrixFlowStatus.MAX_TIME if t > max_time else MatrixFlowStatus.MAX_STEPS
                      if steps >= max_steps else MatrixFlowStatus.MAX_SECONDS)
            break
        tol = 10.0 ** -digits * F_size
        norms = [max(_max(Uc[k], Vc[k], P), 1e-300) for k in (q - 1, q)]
        s = min(MAX_S, (tol / norms[0]) ** (1 / (q - 1)), (tol / norms[1]) ** (1 / q))
        s_fixed = int(s * one)
        local = norms[0] * s ** (q - 1) + norms[1] * s ** q + q * p * r / one
        integration += local * math.sqrt(p * r) * 2 * math.sqrt(_norm2(U, P) + _norm2(V, P))
        U, V = _horner(Uc, s_fixed, P), _horner(Vc, s_fixed, P)
        t_fixed += (s_fixed * H_fixed) >> P
        steps += 1
        H = max(s, 1e-3) * H * 1.5
    out = precision.context(dps)
    to_mp = lambda X: [[ctx.mpf(v) / one for v in row] for row in X]  # noqa: E731
    Um, Vm = to_mp(U), to_mp(V)
    M_exact = [[out.mpf(ctx.fdot(a, b)) for b in Vm] for a in Um]
    M = np.array([[float(v) for v in row] for row in M_exact])
    rounding = float(np.abs(M).max()) * 2.0 ** (1 - out.prec)
    return MatrixFlowResult(
        M=M, F=np.array([[float(v) for v in row] for row in Um + Vm]), loss=loss, time=t_fixed / one,
        status=status, error_estimate=integration + tail + rounding, integration_error=integration,
        tail_error=tail, steps=steps, seconds=_time.perf_counter() - start, width=width, dps=dps,
        method=f"taylor order {q}, {P}-bit fixed point", M_exact=M_exact, ctx=out)


def _coefficients(system: _FixedSystem, U, V, H_fixed: int, q: int, P: int):
    """The Taylor coefficients U_0..U_q, V_0..V_q in s = tau/H, and the loss at s = 0 (float)."""
    Uc, Vc, Rc = [U], [V], []
    loss = 0.0
    for k in range(q):
        M_k = sum(Uc[j].dot(Vc[k - j].T) for j in range(k + 1)) >> P
        R_k, r_k = system.residual(M_k, k)
        if k == 0:
            loss = sum(float(v) ** 2 for v in np.ravel(r_k)) / float(1 << P) ** 2
        Rc.append(R_k)
        dU = sum(Rc[j].dot(Vc[k - j]) for j in range(k + 1)) >> P
        dV = sum(Rc[j].T.dot(Uc[k - j]) for j in range(k + 1)) >> P
        factor = -2 * H_fixed
        Uc.append(((dU * factor) >> P) // (k + 1))
        Vc.append(((dV * factor) >> P) // (k + 1))
    return Uc, Vc, loss


def _horner(coefficients, s_fixed: int, P: int):
    acc = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        acc = ((acc * s_fixed) >> P) + c
    return acc


def _max(U, V, P: int) -> float:
    return max(max(abs(int(v)) for v in U.flat), max(abs(int(v)) for v in V.flat)) / float(1 << P)


def _norm2(X, P: int) -> float:
    return sum(float(v) ** 2 for v in X.flat) / float(1 << P) ** 2


def _spectral(U, V, P: int) -> float:
    F = np.array([[float(v) for v in row] for row in np.vstack([U, V])]) / float(1 << P)
    return float(np.linalg.norm(F, 2))
