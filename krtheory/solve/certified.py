"""python-flint backend: arb Newton polish of the KKT system and a Krawczyk certificate.

The implicit-bias prediction is beta_i = a_i h(b_i t_i), t = X^T lam, where lam solves
F(lam) = X beta(lam) - y = 0 (the paper's dual problem, eqs. (18)–(19), and Theorem 3), with Jacobian
J(lam) = X diag(a_i b_i h'(b_i t_i)) X^T. As measured (2026-11) to work best:

1. start from the float64 solution (krtheory.solve.float64; krtheory.solve.mp's mpmath one when double
   is out of range), on a maximal independent set of rows chosen exactly (rational Gram matrix);
2. polish by damped Newton on arb midpoints at ~3.33 dps + log2(weight range of J) + 30 bits
   (:mod:`krtheory.solve._arb_system`). Only F and beta need that precision: the Newton
   direction solves with J formed in double (scaled by powers of two), which still gains
   ~16 - log10 cond(J) digits per step; when the steps stop shrinking by CONTRACTION, J is
   formed in arb instead;
3. certify by the Krawczyk test (:mod:`krtheory.solve.krawczyk`).

A certificate that fails raises the precision and retries; after CERTIFY_ATTEMPTS the result
says UNCERTIFIED and why. flint's global precision is only changed inside ``workprec``
blocks, which restore it.
"""

from __future__ import annotations

import dataclasses
import math

from krtheory._linalg import independent_rows
from krtheory._search import STEP_CAP, line_search
from krtheory._validation import check_positive_int
from krtheory.errors import NoConvergence
from krtheory.precision import GUARD_DIGITS, check_dps
from krtheory.solve._arb import decimal_upper, flint_module, mids, to_arb
from krtheory.solve._arb_system import GUARD_BITS, ArbSystem, needed_bits
from krtheory.solve._dual import (DualSolution, SolveStatus, boundary_step, largest, not_converged, pulled_inside,
                                  raised_precision, scatter, settled, start_on_kept)
from krtheory.solve.krawczyk import certify as certify_at

#: Newton iterations of the polish (all precisions together) before NoConvergence: from a
#: double start 3–5 suffice; far weak directions (alpha ~ 1e-100) took up to 500 (§5).
DEFAULT_MAX_ITERATIONS = 600
#: Certification attempts; each failure multiplies the precision by PRECISION_GROWTH.
CERTIFY_ATTEMPTS = 3
PRECISION_GROWTH = 2
#: A float64 lam is used as the start (even when its status is OUT_OF_RANGE) when its
#: relative residual is below this: Newton then converges in a few steps (D=3, alpha=1e-6: 4
#: iterations, 0.1 s, against 3 s for the mpmath start). Farther starts near a bounded domain's
#: boundary can take hundreds of damped steps, where mpmath's continuation takes a second.
FLOAT_START_RESIDUAL = 1e-6
#: Digits of the mpmath start used when double cannot represent the solution.
MPMATH_START_DPS = 20
#: A full Newton step with J in double must shrink the next step by at least this factor,
#: else J is formed in arb from then on (double resolves ~16 - log10 cond(J) digits per step).
CONTRACTION = 1e-3
#: Once the steps are below 10^-(dps/2) relative, this many in a row that do not halve the
#: smallest step so far mean a floor: first J is formed in arb, then the precision is raised
#: by half (the bits estimate ignores cond(J): planted-5x12 at alpha = 100 stalls at 1e-45 at
#: 163 bits).
STALL_ITERATIONS = 3


# -- Newton polish ------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _Polish:
    lam: list                 # arb midpoints
    iterations: int
    converged: bool
    needed_bits: int | None = None   # restart at this precision when set


def _polish(system, lam, dps: int, budget: int) -> _Polish:
    """Damped Newton on arb midpoints until the step changes beta by at most
    10^-(dps + GUARD_DIGITS/2) max|beta| (then taken: the error left is at most that times the
    contraction, the step itself for J in arb, <= CONTRACTION for J in double); the line
    search is krtheory._search.line_search on the directional derivative of the dual.
    Returns with ``needed_bits`` set when the precision is too low: for the weights' range, or
    when the final steps stall (STALL_ITERATIONS)."""
    from krtheory.solve.float64 import LINE_SEARCH_EVALUATIONS

    flint = system.flint
    in_double, previous, best, stalled = True, None, None, 0
    with flint.ctx.workprec(system.bits):
        tolerance = flint.arb(10) ** -(dps + GUARD_DIGITS // 2)
        closing = flint.arb(10) ** -(dps // 2)  # below this the steps must keep shrinking
        for iteration in range(1, budget + 1):
            lam_col = system.column(lam)
            u = mids(system.u(lam_col))
            beta = mids(system.beta(u))
            w = mids(system.weights(u))
            needed = system.needed_bits(dps, w, u)
            if needed > system.bits:
                return _Polish(lam, iteration - 1, False, needed)
            gradient = system.residual(beta).mid()
            step = system.newton_step(w, gradient, in_double)
            step_col = system.column(step)
            c = mids((system.Xt * step_col).entries())
            changes = [wi * ci for wi, ci in zip(w, c)]
            change, scale = largest(changes), largest(beta)
            if settled(changes, scale, tolerance):
                return _Polish([(v + s).mid() for v, s in zip(lam, step)], iteration, True)
            if in_double and previous is not None and change > CONTRACTION * previous:
                in_double = False  # double no longer resolves J well enough: form it in arb
            if change <= closing * scale:  # final phase: a step that does not halve the best one stalls
                stalled = stalled + 1 if best is not None and change > best / 2 else 0
                best = change if best is None else min(best, change)
                if stalled >= STALL_ITERATIONS and in_double:
                    in_double, stalled = False, 0
                elif stalled >= STALL_ITERATIONS:  # rounding at this precision (cond(J)) is the floor
                    return _Polish(lam, iteration, False, system.bits + system.bits // 2)
            du = [bi * ci for bi, ci in zip(system.b, c)]
            c_row = flint.arb_mat(1, len(c), c)
            y_step = (system.y.transpose() * step_col)[0, 0].mid()

            def psi(s):
                trial = [ui + s * d for ui, d in zip(u, du)]
                if not system.inside(trial):
                    return None
                value = ((c_row * system.column(system.beta(trial)))[0, 0] - y_step).mid()
                return value if value.is_finite() else None

            psi0 = ((c_row * system.column(beta))[0, 0] - y_step).mid()
            first = min(flint.arb(1), (STEP_CAP / max(abs(d) for d in du)).mid())
            boundary = boundary_step(u, du, system.radius)
            if boundary is not math.inf:
                boundary = boundary.mid()
            s = (line_search(psi, psi0, first, flint.arb(1), boundary, LINE_SEARCH_EVALUATIONS)
                 if psi0 < 0 else None)
            if s is None:  # psi lost in rounding: near the solution, where the full step is right
                s = first
                while not system.inside([ui + s * d for ui, d in zip(u, du)]):
                    s = s / 2
            lam = [(v + s * st).mid() for v, st in zip(lam, step)]
            previous = change if s == 1 else None
    return _Polish(lam, budget, False)


def _feasible(system, lam):
    """``lam`` pulled inside the link's domain (:func:`pulled_inside` from k = half the precision):
    a start rounded to fewer digits than the boundary is close (e.g. an mpmath start at 20 digits
    with the domain's boundary 1e-30 away) moves only by that rounding."""
    flint = system.flint
    with flint.ctx.workprec(system.bits):
        return pulled_inside(lam, lambda v: system.inside(system.u(system.column(v))),
                             lambda v, k: [(x * (1 - flint.arb(2) ** -k)).mid() for x in v], system.bits // 2)


# -- the solve ---------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ArbSolution(DualSolution):
    """beta = a h(b X^T lam) polished in arb and, when ``status`` is CERTIFIED, enclosed:
    ``radius`` (decimal, rounded up) bounds max_i |beta[i] - beta*_i| rigorously and ``digits``
    = floor(log10(max|beta| / radius)) (capped at dps; None unless certified). ``beta``, ``lam``
    are exact arb midpoints (lam: 0 on rows dropped as dependent); ``beta_balls`` the certified
    enclosures; ``residual`` a rounded-up decimal bound on ||X beta - y||_2 over all rows.
    ``status`` is CERTIFIED, UNCERTIFIED (``message`` says why) or POLISHED (certify=False)."""

    beta_balls: list | None
    radius: str | None
    bits: int
    dps: int
    start: str

    @property
    def certified_digits(self) -> int | None:
        return self.digits

    def beta_strings(self, digits: int | None = None) -> list[str]:
        """beta as decimal strings with ``digits`` (default: the certified digits, else dps)
        significant digits."""
        digits = digits or self.digits or self.dps
        return [b.str(max(digits, 1), radius=False, more=True) for b in self.beta]


def solve_link_flint(problem, link, *, dps: int = 50, certify: bool = True, start=None,
                     max_iterations: int = DEFAULT_MAX_ITERATIONS) -> ArbSolution:
    """beta at ``dps`` digits by arb Newton polish, certified by the Krawczyk test when
    ``certify`` (module docstring). ``start``: an initial lam (n numbers: floats, exact strings,
    mpf or arb); by default the float64 solution, or mpmath's when double is out of range.
    Raises NotApplicable without python-flint, InvalidArgument for bad input, NoConvergence when
    the polish needs more than ``max_iterations`` Newton iterations."""
    dps = check_dps(dps)
    link.check_dimension(problem.d)
    check_positive_int(max_iterations, "max_iterations")
    flint_module()
    kept = independent_rows(problem)
    lam, origin = _start(problem, link, kept, start)
    bits = _start_bits(problem, link, kept, lam, dps)
    iterations, attempts, certificate = 0, 0, None
    while True:
        system = ArbSystem(problem, link, kept, bits)
        polish = _polish(system, _feasible(system, lam), dps, max_iterations - iterations)
        iterations += polish.iterations
        lam = polish.lam
        if polish.needed_bits is not None:
            bits = raised_precision(polish.needed_bits, bits, GUARD_BITS)
            continue
        if not polish.converged:
            raise NoConvergence(not_converged("the arb Newton polish", max_iterations, f" (at {bits} bits)"))
        if not certify:
            break
        certificate = certify_at(system, lam)
        attempts += 1
        if certificate.passed or attempts == CERTIFY_ATTEMPTS:
            break
        bits *= PRECISION_GROWTH
    return _result(problem, system, lam, certificate, certify, iterations, dps, origin)


def _start_bits(problem, link, kept, lam, dps: int) -> int:
    """The precision the polish starts at: :meth:`ArbSystem.needed_bits` estimated in double at the start
    (with the same 5/4 margin as a restart), so that the polish need not build its system twice
    (~40 ms at 100 x 1000); the base ~3.33 dps + GUARD_BITS when double cannot tell. The polish
    still checks the bits it needs at every iteration."""
    import numpy as np

    from krtheory.solve._evaluate import evaluator
    from krtheory.solve.float64 import float_data

    base = needed_bits(dps, [])
    if link.parameters:  # the double evaluators take no link parameters
        return base
    weights = evaluator(link)
    if weights.out_of_range is not None:
        return base
    with np.errstate(all="ignore"):
        u = weights.b * (float_data(problem)[0][list(kept)].T @ np.array([float(v) for v in lam]))
        sizes = np.floor(weights.log_weights(u) / math.log(2))  # as floor_log2 of the arb weights
        gap = weights.radius - float(np.max(np.abs(u)))
    if not (np.all(np.isfinite(sizes)) and gap > 0):
        return base
    edge = 0 if weights.radius == math.inf else math.floor(math.log2(weights.radius)) - math.floor(math.log2(gap))
    needed = needed_bits(dps, sizes, edge)
    return needed * 5 // 4 if needed > base else base


def _start(problem, link, kept, start):
    """The initial lam on the kept rows (exact arbs) and where it came from."""
    if start is not None:
        return start_on_kept(start, problem.n, kept, to_arb), "given"
    import numpy as np

    from krtheory.solve.mp import solve_link
    from krtheory.solve.float64 import solve_link_float

    if not link.parameters:  # the float64 path takes no per-coordinate link parameters
        result = solve_link_float(problem, link)
        if np.all(np.isfinite(result.lam)) and result.relative_residual <= FLOAT_START_RESIDUAL:
            return [to_arb(result.lam[i]) for i in kept], f"float64 ({result.status.code})"

    mp = solve_link(problem, link, dps=MPMATH_START_DPS, verify=False)
    return [to_arb(mp.lam[i]) for i in kept], "mpmath"


def _result(problem, system, lam, certificate, certify, iterations, dps, origin) -> ArbSolution:
    flint = system.flint
    arb = flint.arb
    with flint.ctx.workprec(system.bits):
        lam_all = scatter(system.kept, lam, problem.n, arb(0))
        lam_col = flint.arb_mat(problem.n, 1, lam_all)
        u = [bi * t for bi, t in zip(system.b, (system.X_all.transpose() * lam_col).entries())]
        passed = certificate is not None and certificate.passed
        balls = certificate.beta_balls if passed else None
        beta = mids(balls) if passed else mids(system.beta(u))
        r = system.X_all * system.column(beta) - system.y_all
        residual = decimal_upper(sum((abs(v).upper() ** 2 for v in r.entries()), arb(0)).sqrt())
        radius = digits = None
        if passed:
            bound = max(b.rad() for b in balls)
            radius = decimal_upper(bound)
            scale = max(abs(b) for b in beta)
            digits = dps if bound == 0 else _digits(scale, bound, dps)
    if not certify:
        status, message = SolveStatus.POLISHED, "not certified (certify=False)"
    elif passed:
        status, message = SolveStatus.CERTIFIED, f"Krawczyk test passed at {system.bits} bits: {certificate.reason}"
    else:
        status, message = SolveStatus.UNCERTIFIED, certificate.reason
    return ArbSolution(beta=beta, lam=lam_all, residual=residual, iterations=iterations, digits=digits,
                       status=status, message=message, backend="flint", kept_rows=tuple(system.kept),
                       beta_balls=balls, radius=radius, bits=system.bits, dps=dps, start=origin)


def _digits(scale, bound, cap: int) -> int:
    """floor(log10(scale / bound)) rounded down rigorously, clamped to [0, cap]."""
    if scale == 0:
        return 0
    ratio = (bound.upper() / scale.lower()).log() / flint_module().arb(10).log()
    return max(0, min(cap, -int(ratio.upper().ceil().unique_fmpz())))
