"""The sweep fast path: float64 dual solves along alpha of a link with the same scale on every
coordinate (e.g. the diagonal model at w0 = 1, Theorems 1 and 3: beta_i = alpha^D h_D(b(alpha)
(X^T lam)_i)) on float64 data, warm-started, with an mpmath fallback where double is not enough.

``link_for(alpha, d)`` builds the link at alpha on d coordinates (the caller's family, e.g.
``krtheory.families.diagonal.implicit_link``). The log-domain evaluator is built from its
one-coordinate link and broadcast over the d coordinates (building the d-coordinate link costs
more than a solve at d = 1000). Each solve starts from the multipliers of the solved alpha
nearest in log alpha. A point is handed to the mpmath backend (and says so in ``backend`` and
``fallback``) when the amplitude a(alpha) (alpha^D for the diagonal model) is below
:data:`SCALE_FLOOR`, when the float64 solve fails (a Hessian singular in double), or when its relative residual ||X beta - y|| / || |X||beta| + |y| || exceeds the
path's tolerance. beta = a h(b X^T lam) holds by construction, so the residual is the one KKT
condition left to check: an iteration that stopped at double's rounding floor (status
OUT_OF_RANGE, e.g. D >= 3 at small alpha, where b X^T lam nears the domain's boundary) or ran
out of iterations is kept when its residual is within the tolerance (its status is recorded):
a sweep that needs 8 digits of the residual sets the tolerance to 1e-8.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import types
from fractions import Fraction

import numpy as np

from krtheory.errors import InvalidArgument
from krtheory.solve._dual import SolveStatus
from krtheory.solve._evaluate import evaluator
from krtheory.solve.float64 import (RESIDUAL_TOLERANCE, UNDAMPED_STEPS, FloatRows,
                                    _newton, _result, _undamped)

#: An amplitude a(alpha) (alpha^D) below this goes to mpmath: the log-domain evaluation reaches e^-700, but the Newton
#: weights alpha^D b h'(.) and the multipliers ~ ln(1/alpha^D) lose resolution well before
#: (the float64 backend's own OUT_OF_RANGE checks catch the rest).
SCALE_FLOOR = 1e-150
#: Digits of the mpmath fallback (its result is rounded to double for the table).
FALLBACK_DPS = 30
#: Newton iterations per float64 solve along a path (warm starts need 50-270 at worst, see
#: krtheory.solve.float64; a solve that runs out is judged by its residual).
PATH_MAX_ITERATIONS = 300


@dataclasses.dataclass(frozen=True)
class PathSolution:
    """The predicted beta at one alpha (float64 array) and how it was obtained: ``backend``
    "float64" or "mpmath", ``fallback`` why mpmath was used ("" when it was not),
    ``relative_residual`` ||X beta - y|| / || |X||beta| + |y| || of the returned beta in double,
    ``iterations`` Newton iterations of the float64 solve (of mpmath's, after a fallback),
    ``status`` the solve's status code ("ok"; "out_of_range" or "not_converged" for a float64
    iteration that stopped short of its own tests with a residual within the path's tolerance)."""

    alpha: float
    beta: np.ndarray
    backend: str
    fallback: str
    relative_residual: float
    iterations: int
    status: str


def float_rows_of(X: np.ndarray, y: np.ndarray) -> FloatRows:
    """The float64 backend's row data for X (n x d, independent rows) and y."""
    X = np.ascontiguousarray(X, dtype=float)
    y = np.ascontiguousarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],) or not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise InvalidArgument(f"X must be a finite n x d array and y n finite values, got shapes {X.shape}, {y.shape}")
    if np.linalg.matrix_rank(X) < X.shape[0]:
        raise InvalidArgument(f"the {X.shape[0]} rows of X are linearly dependent (in double)")
    arrays = {"X_all": X, "Xt_all": X.T, "abs_X_all": abs(X), "y_all": y, "abs_y_all": abs(y), "X": X,
              "Xt": X.T, "abs_X": abs(X), "abs_Xt": abs(X.T), "y": y, "abs_y": abs(y)}
    for name, array in arrays.items():
        arrays[name] = array = np.ascontiguousarray(array)
        array.flags.writeable = False
    return FloatRows(kept=tuple(range(X.shape[0])), y_norm=float(np.linalg.norm(y)), **arrays)


class UniformPath:
    """Solves of one problem (float64 X, y) along alpha for the links ``link_for(alpha, d)``,
    whose amplitude and rate are the same on every coordinate."""

    def __init__(self, X, y, link_for, *, dps: int = FALLBACK_DPS,
                 residual_tolerance: float = RESIDUAL_TOLERANCE, scale_floor: float = SCALE_FLOOR,
                 max_iterations: int = PATH_MAX_ITERATIONS):
        self.rows, self.link_for, self.dps = float_rows_of(X, y), link_for, dps
        self.residual_tolerance, self.scale_floor = residual_tolerance, scale_floor
        self.max_iterations = max_iterations
        self.shape = types.SimpleNamespace(n=self.rows.X.shape[0], d=self.rows.X.shape[1])
        self._solved: list[tuple[float, np.ndarray]] = []  # (ln alpha, lam), sorted
        self._problem = None

    def solve(self, alpha: float) -> PathSolution:
        alpha = float(alpha)
        if not (math.isfinite(alpha) and alpha > 0):
            raise InvalidArgument(f"alpha must be a positive finite number, got alpha={alpha!r}")
        unit = self.link_for(alpha, 1)
        if len(set(unit.amplitude)) != 1 or len(set(unit.rate)) != 1:
            raise InvalidArgument(f"link {unit.name!r}: a uniform path needs one amplitude and one rate")
        amplitude = Fraction(unit.amplitude[0])
        if amplitude < Fraction(self.scale_floor):
            return self._mpmath(alpha, f"the amplitude a(alpha) = {float(amplitude):.3g} is below "
                                       f"{self.scale_floor:g}", None)
        try:
            solution = self._float(alpha, unit)
        except np.linalg.LinAlgError as error:  # the Hessian is singular in double
            return self._mpmath(alpha, f"float64: {error}", self._start(alpha))
        if not solution.relative_residual <= self.residual_tolerance:  # also catches nan
            return self._mpmath(alpha, f"float64 {solution.status.code} with residual "
                                       f"{solution.relative_residual:.2g} (tolerance {self.residual_tolerance:g}): "
                                       f"{solution.message}", self._start(alpha))
        self._remember(alpha, solution.lam)
        return PathSolution(alpha, solution.beta, "float64", "", solution.relative_residual, solution.iterations,
                            solution.status.code)

    def _start(self, alpha: float):
        """The multipliers of the solved alpha nearest in log alpha (None before the first)."""
        if not self._solved:
            return None
        x = math.log(alpha)
        i = bisect.bisect([s[0] for s in self._solved], x)
        near = [self._solved[j] for j in (i - 1, i) if 0 <= j < len(self._solved)]
        return min(near, key=lambda s: abs(s[0] - x))[1]

    def _remember(self, alpha: float, lam) -> None:
        bisect.insort(self._solved, (math.log(alpha), np.array(lam)), key=lambda s: s[0])

    def _float(self, alpha: float, unit):
        """The float64 backend's damped Newton (krtheory.solve.float64) on these rows, with the
        evaluator of the one-coordinate link ``unit`` broadcast over the coordinates."""
        rows, ev = self.rows, evaluator(unit)
        start = self._start(alpha)
        lam = np.zeros(self.shape.n) if start is None else start.copy()
        if ev.radius != math.inf:  # D >= 3: keep b (X^T lam) inside (-1, 1)
            while float(np.max(np.abs(ev.b * (rows.Xt @ lam)), initial=0.0)) >= ev.radius:
                lam = lam / 2
        iterations, status, message = 0, SolveStatus.OUT_OF_RANGE, ev.out_of_range
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            if message is None:
                lam, iterations, converged = _undamped(rows, ev, lam, min(UNDAMPED_STEPS, self.max_iterations))
                if converged:
                    status, message = SolveStatus.OK, f"converged in {iterations} Newton iterations"
                else:
                    lam, iterations, status, message = _newton(rows, ev, lam, self.max_iterations, iterations)
            return _result(self.shape, rows, lam, ev, iterations, status, message)

    def _mpmath(self, alpha: float, reason: str, start) -> PathSolution:
        """The mpmath backend at FALLBACK_DPS digits on the exact binary values of X and y, from
        ``start`` (a neighbouring alpha's multipliers) when it lies in the link's domain."""
        from krtheory.problem import Problem
        from krtheory.solve.mp import solve_link

        if self._problem is None:
            self._problem = Problem.from_rows(self.rows.X.tolist(), self.rows.y.tolist(), name="path", warn=False)
        link = self.link_for(alpha, self.shape.d)
        try:
            result = solve_link(self._problem, link, dps=self.dps, verify=False, start=start)
        except InvalidArgument:  # the start is outside a bounded link's domain here
            result = solve_link(self._problem, link, dps=self.dps, verify=False)
        beta = np.array([float(b) for b in result.beta])
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            gradient = self.rows.X @ beta - self.rows.y
            scale = np.linalg.norm(self.rows.abs_X @ abs(beta) + self.rows.abs_y)
        relative = float(np.linalg.norm(gradient) / scale) if scale > 0 else 0.0
        return PathSolution(alpha, beta, "mpmath", reason, relative, result.iterations, result.status.code)
