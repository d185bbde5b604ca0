"""The minimum nuclear norm reference of §6: argmin ||M||_* s.t. <X_n, M> = y_n (n = 1..N).

The rich limit the paper compares matrix factorization with (Figure 5). Solved with cvxpy and
Clarabel (extra ``convex``); the solver's status must be "optimal" ("optimal_inaccurate" is a
failure here). The certificate is krtheory's own, from weak duality: for any Lambda = sum_n l_n X_n,

    ||M||_* >= <Lambda, M> / ||Lambda||_2 = <l, y> / ||Lambda||_2   for every feasible M,

so the equality multipliers rescaled by the spectral norm give a ``lower_bound`` (either sign
is valid; the larger is taken; a second candidate, l = A vec(P Q^T) from the primal's singular
vectors of its numerical rank, is tried too and the better bound kept); the primal point projected onto the affine set {A vec(M) = y}
(least-norm correction, exact for completion: the observed entries are set to the data) gives
an ``upper_bound`` = its nuclear norm. ``gap`` = upper - lower >= 0 bounds how far
``nuclear_norm`` (= upper) is from the minimum, up to the float64 rounding of the two norms
(``rounding``, reported beside it).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from krtheory.errors import InvalidArgument, MissingExtra, NoConvergence


@dataclasses.dataclass(frozen=True)
class NuclearResult:
    M: np.ndarray
    nuclear_norm: float
    lower_bound: float
    gap: float
    rounding: float
    status: str
    solver: str
    seconds: float

    def as_strings(self) -> dict:
        """``M`` in full (17 digits: a feasible point, not a certified minimizer, which need not be
        unique), the two bounds in full, ``gap`` and ``rounding`` to 3 digits."""
        return {"M": [[f"{v:.17g}" for v in row] for row in self.M],
                "M_accuracy": "a feasible point (observed entries exact) whose nuclear norm is within gap "
                              "(+ rounding) of the minimum; its entries are not certified",
                "nuclear_norm": f"{self.nuclear_norm:.17g}", "gap": f"{self.gap:.3g}",
                "lower_bound": f"{self.lower_bound:.17g}", "rounding": f"{self.rounding:.3g}",
                "status": self.status, "solver": self.solver,
                "seconds": round(self.seconds, 3)}


def min_nuclear_norm(shape, A: np.ndarray, y: np.ndarray) -> NuclearResult:
    """argmin ||M||_* s.t. A vec(M) = y (rows of A: vec(X_n), row-major), with its certificate."""
    import time

    try:
        import cvxpy as cp
    except ImportError:
        raise MissingExtra("cvxpy", "convex") from None
    if "CLARABEL" not in cp.installed_solvers():
        raise MissingExtra("clarabel", "convex")
    D1, D2 = shape
    A, y = np.asarray(A, dtype=float), np.asarray(y, dtype=float)
    if A.ndim != 2 or A.shape[1] != D1 * D2 or y.shape != (A.shape[0],):
        raise InvalidArgument(f"the measurement operator must be N x {D1 * D2} with N targets")
    start = time.perf_counter()
    X = cp.Variable((D1, D2))
    constraint = A @ cp.vec(X, order="C") == y
    problem = cp.Problem(cp.Minimize(cp.normNuc(X)), [constraint])
    try:
        problem.solve(solver="CLARABEL")
    except cp.error.SolverError as error:
        raise NoConvergence(f"nuclear norm: Clarabel failed ({str(error)[:80]})") from None
    if problem.status != "optimal":
        raise NoConvergence(f"nuclear norm: Clarabel status {problem.status!r} (only 'optimal' is "
                            "accepted)")
    M = _project(np.asarray(X.value), A, y)
    multipliers = np.asarray(constraint.dual_value, dtype=float).ravel()
    upper, lower, rounding = certificate(M, A, y, multipliers)
    return NuclearResult(M=M, nuclear_norm=upper, lower_bound=lower, gap=max(upper - lower, 0.0),
                         rounding=rounding, status=problem.status, solver="clarabel",
                         seconds=time.perf_counter() - start)


def _project(M: np.ndarray, A: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The nearest (Frobenius) M' with A vec(M') = y: M + A^+ (y - A vec(M))."""
    correction = np.linalg.lstsq(A, y - A @ M.ravel(), rcond=None)[0]
    projected = M.ravel() + correction
    completion = np.all((A == 0) | (A == 1)) and np.all(A.sum(axis=1) == 1) and np.all(A.sum(axis=0) <= 1)
    if completion:  # set the observed entries to the data exactly
        rows = A.argmax(axis=1)
        projected[rows] = y
    return projected.reshape(M.shape)


def certificate(M: np.ndarray, A: np.ndarray, y: np.ndarray, multipliers: np.ndarray):
    """(upper, lower, rounding): ||M||_* of the feasible M, the best dual bound
    |<l, y>| / ||sum l_n X_n||_2 over the candidates l (the multipliers, and A vec(P Q^T) from M's
    singular vectors), and a bound on the float64 rounding of both (a few ulps per singular value)."""
    P, singular, Qt = np.linalg.svd(M, full_matrices=False)
    upper = float(singular.sum())
    rank = int(np.sum(singular > singular[0] * 1e-9)) if singular[0] > 0 else 0
    candidates = [multipliers, A @ (P[:, :rank] @ Qt[:rank]).ravel()]
    lower = max(_dual_bound(l, A, y, M.shape) for l in candidates)
    eps = np.finfo(float).eps
    rounding = 8 * eps * max(M.shape) * (upper + abs(lower) + float(np.abs(y).sum()))
    return upper, lower, rounding


def _dual_bound(l: np.ndarray, A: np.ndarray, y: np.ndarray, shape) -> float:
    spectral = float(np.linalg.norm((A.T @ l).reshape(shape), 2))
    return abs(float(l @ y)) / spectral if spectral > 0 else 0.0
