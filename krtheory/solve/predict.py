"""One entry point for the implicit-bias prediction with a choice of numerical backend.

``mpmath`` (reference: damped Newton at any dps, digits verified by a re-solve), ``flint``
(python-flint arb polish + Krawczyk certificate: a rigorous radius), ``numpy`` (float64 fast
path: ~16 digits at best, honest status). ``auto`` takes flint when python-flint is installed
and falls back to mpmath with a one-line notice otherwise, or when the arb polish fails, or when
its certificate (normwise) leaves some component fewer digits than it gives max |beta_i|.
"""

from __future__ import annotations

import dataclasses
import warnings

from krtheory.errors import InvalidArgument, NoConvergence, NotApplicable
from krtheory.links import Link
from krtheory.precision import context
from krtheory.problem import Problem
from krtheory._validation import check_instance
from krtheory.solve._dual import DualSolution, SolveStatus


class BackendNotice(UserWarning):
    """A backend was replaced by another (e.g. python-flint missing)."""


@dataclasses.dataclass(frozen=True)
class Prediction:
    """The predicted limit beta (numbers of a ``dps``-digit mpmath context) and how well it is
    known: ``digits`` significant digits (verified by re-solving, or certified by a ball when
    ``certified``; None for the float64 path, whose accuracy is only estimated), ``radius`` a
    rigorous bound on max|beta_i - beta*_i| when certified; ``residual`` as printed and
    ``detail`` the backend's own record. ``solution`` is the backend's DualSolution it views."""

    beta: list
    digits: int | None
    dps: int
    backend: str
    certified: bool
    radius: str | None
    residual: str
    detail: dict
    solution: DualSolution = dataclasses.field(repr=False, compare=False)


def flint_available() -> bool:
    try:
        from krtheory.solve._arb import flint_module

        flint_module()
    except NotApplicable:
        return False
    return True


def predict(problem, link, *, dps: int = 50, backend: str = "auto", certify: bool = True,
            start=None) -> Prediction:
    """argmin of the link's regularizer s.t. X beta = y with the chosen backend."""
    check_instance(problem, Problem, "problem")
    check_instance(link, Link, "link")
    if backend not in BACKENDS:
        raise InvalidArgument(f"backend must be one of {', '.join(BACKENDS)} but got backend={backend!r}")
    if backend == "numpy" and not _float_takes(link):
        warnings.warn(f"the numpy backend does not take links with per-coordinate parameters "
                      f"outside the biased form P e^(k nu) - M e^(-k nu) ({link.name}); using the mpmath "
                      "backend", BackendNotice, stacklevel=2)
        backend = "mpmath"
    auto = backend == "auto"
    if auto:
        backend = "flint"
    if backend == "flint" and not flint_available():
        from krtheory.solve._arb import FLINT_MISSING

        warnings.warn(f"{FLINT_MISSING}; using the mpmath backend", BackendNotice, stacklevel=2)
        backend = "mpmath"
    try:
        prediction = METHODS[backend](problem, link, dps, certify, start)
    except NoConvergence as failure:
        if not (auto and backend == "flint"):
            raise
        reason = str(failure)
    else:
        if not (auto and backend == "flint" and certify):
            return prediction
        if not prediction.certified:
            reason = f"no certificate ({prediction.detail['message']})"
        elif prediction.detail["componentwise_digits"] < prediction.digits:
            reason = (f"the certificate gives some component only {prediction.detail['componentwise_digits']} "
                      f"of the {prediction.digits} digits it gives max |beta_i|")
        else:
            return prediction
    # auto promises verified digits: a polish that failed, could not be certified or certifies
    # small components to fewer digits hands over to mpmath, whose digits are verified by re-solving
    warnings.warn(f"{reason}; using the mpmath backend", BackendNotice, stacklevel=2)
    return _mpmath(problem, link, dps, certify, start)


def _mpmath(problem, link, dps, certify, start) -> Prediction:
    from krtheory.solve.mp import solve_link

    result = solve_link(problem, link, dps=dps, start=start)
    return Prediction(result.beta, result.digits, dps, result.backend, False, None,
                      result.ctx.nstr(result.residual, 6),
                      {"iterations": result.iterations, "working_dps": result.working_dps,
                       "componentwise_digits": result.componentwise_digits, "lam": result.lam}, result)


def _flint(problem, link, dps, certify, start) -> Prediction:
    from krtheory.solve.certified import solve_link_flint

    result = solve_link_flint(problem, link, dps=dps, certify=certify, start=start)
    ctx = context(dps)
    beta = [ctx.mpf(tuple(int(v) for v in b.mid().man_exp())) for b in result.beta]
    certified = result.status is SolveStatus.CERTIFIED
    return Prediction(beta, result.digits if certified else 0, dps, result.backend, certified,
                      result.radius if certified else None, result.residual,
                      {"status": result.status.code, "message": result.message,
                       "componentwise_digits": (_componentwise_digits(ctx, beta, result.radius, dps)
                                                if certified else None),
                       "iterations": result.iterations, "bits": result.bits, "start": result.start}, result)


def _componentwise_digits(ctx, beta, radius: str, cap: int) -> int:
    """The fewest significant digits the certificate gives any component (0..cap):
    floor(log10(|beta_i| / radius)), 0 for a component within the radius of 0. ``digits`` is
    normwise (the radius against max |beta_i|); this is the per-component count, as mpmath's
    backend reports it (a 1e308 column makes beta_1 ~ 5e-309 smaller than the radius)."""
    bound = ctx.mpf(radius)
    if bound == 0:
        return cap
    fewest = cap
    for b in beta:
        if abs(b) <= bound:
            return 0
        fewest = min(fewest, int(ctx.floor(ctx.log10(abs(b) / bound))))
    return max(fewest, 0)


def _numpy(problem, link, dps, certify, start) -> Prediction:
    """float64; outside double's range (or when its residual check fails) it falls back to
    mpmath with a notice instead of returning a number it cannot vouch for."""
    from krtheory.solve.float64 import solve_link_float

    result = solve_link_float(problem, link, start=start)
    if result.status is not SolveStatus.OK:
        warnings.warn(f"the float64 fast path returned {result.status.code} ({result.message}); "
                      "using the mpmath backend", BackendNotice, stacklevel=3)
        return _mpmath(problem, link, dps, certify, None)
    ctx = context(dps)
    return Prediction([ctx.mpf(float(b)) for b in result.beta], result.digits, dps, result.backend, False, None,
                      f"{result.residual:.3e}", {"iterations": result.iterations,
                                                 "relative_residual": result.relative_residual}, result)


def _float_takes(link) -> bool:
    from krtheory.solve._evaluate import takes

    return takes(link)


#: The solve of each backend, all called as (problem, link, dps, certify, start).
METHODS = {"mpmath": _mpmath, "flint": _flint, "numpy": _numpy}
#: The CLI's --backend choices.
BACKENDS = ("auto",) + tuple(METHODS)
