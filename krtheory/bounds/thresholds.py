"""Measured thresholds of the printed bounds (:func:`measure_thresholds`): the guarantee
||beta_alpha||_1 <= (1+eps)B is probed on a grid uniform in log alpha from the printed l1 bound
up to the kernel regime (one solve per point, warm-started, shared by every eps), the first
violation above the bound is bracketed and bisected on log alpha; likewise the l2 guarantee
scanning down from the top. The guarantees need not be monotone in alpha, so the scan reports
how often each changes along the grid. Each probe's decision is certified-enough: the solve's
verified digits bound the error of the norm, and the precision is raised until that error is
below the margin of the comparison.
"""

from __future__ import annotations

import dataclasses
import decimal
import math
from fractions import Fraction

from krtheory.bounds.formulas import ALPHA_DIGITS, DEFAULT_DPS, MAX_DEPTH_CHECKED, check_eps, decimal_text
from krtheory.bounds.printed import VERIFY_EXTRA_DIGITS, PrintedBounds, References, printed_bounds, references
from krtheory.errors import InvalidArgument, NoConvergence, NotApplicable
from krtheory.precision import check_dps, context, to_decimal
from krtheory.problem import Problem
from krtheory._validation import check_depth, check_instance, check_positive_int, parse_number

#: A probe whose comparison is not resolved at its precision is redone at twice the precision,
#: up to this many digits (beyond: NoConvergence naming this budget).
MAX_PROBE_DPS = 960
#: The solver builds the link's amplitude alpha^D as an exact rational; below this alpha its
#: decimal expansion exceeds Python's integer-string limit (and the working precision ~ -log10
#: alpha digits makes each solve slow), so probes stop here.
SMALLEST_ALPHA = Fraction(1, 10 ** 2000)
SMALLEST_ALPHA_TEXT = "1e-2000"
#: The grid's top is the alpha where alpha^D = KERNEL_RATIO * max|beta*_l2,i|: there
#: |beta_i/alpha^D| <= 1/KERNEL_RATIO, q is quadratic to ~1e-17 and beta_alpha = beta*_l2 to ~1e-17.
KERNEL_RATIO = 10 ** 8
#: Default grid spacing in decades of alpha, and the most grid points (the spacing grows to fit).
GRID_STEP = Fraction(1, 4)
MAX_GRID_POINTS = 120
#: Bisection on log10 alpha stops when the bracket is this many decades wide (alpha to ~2e-4).
BRACKET_DECADES = Fraction(1, 10 ** 4)


@dataclasses.dataclass(frozen=True)
class Probe:
    """One solve at ``alpha``: ``ratio1`` = ||beta_alpha||_1/||beta*_l1||_1 and ``ratio2`` =
    ||beta_alpha||_2^2/||beta*_l2||_2^2 (numbers), ``verdicts[(side, i)]`` whether the guarantee
    of side "l1"/"l2" holds for the i-th eps, decided beyond the combined error of solve and
    references; ``digits`` the solve's verified digits at ``dps``."""

    alpha: str
    ratio1: object
    ratio2: object
    verdicts: dict
    digits: int
    dps: int


class _Prober:
    """Solves at successive alphas, warm-started from the nearest alpha probed so far."""

    def __init__(self, problem, depth: int, dps: int, eps_values):
        self.problem, self.depth, self.dps = problem, depth, dps
        self.eps = list(eps_values)
        self.starts = []          # (log10 alpha, lam, rate_1)
        self.count = 0
        self.max_dps = dps
        self.min_digits = None

    def references(self, dps) -> References:
        return references(self.problem, dps + VERIFY_EXTRA_DIGITS)

    def probe(self, alpha: str, checks) -> Probe:
        from krtheory.families.diagonal import implicit_link
        from krtheory.solve.mp import solve_link

        if Fraction(alpha) < SMALLEST_ALPHA:
            raise NotApplicable(f"alpha={alpha} is below SMALLEST_ALPHA={SMALLEST_ALPHA_TEXT}, the smallest alpha "
                                "the solver's exact link amplitudes support")
        dps = self.dps
        while True:
            link = implicit_link("diagonal", self.depth, alpha, None, self.problem.d)
            result = solve_link(self.problem, link, dps=dps, start=self._start(alpha, link))
            self.count += 1
            refs = self.references(dps)
            verdicts = {check: self._decide(check, result, refs) for check in checks}
            self.max_dps = max(self.max_dps, dps)
            if all(v is not None for v in verdicts.values()):
                break
            dps *= 2
            if dps > MAX_PROBE_DPS:
                open_checks = sorted(c for c, v in verdicts.items() if v is None)
                raise NoConvergence(f"at alpha={alpha} the guarantees {open_checks} "
                                    f"stay within the solve's error up to MAX_PROBE_DPS={MAX_PROBE_DPS} digits")
        ctx = result.ctx
        self.starts.append((_log10(alpha), result.lam, Fraction(link.rate[0])))
        self.min_digits = result.digits if self.min_digits is None else min(self.min_digits, result.digits)
        norm1, norm2sq = _norms_of(result.beta, ctx)
        return Probe(alpha, norm1 / ctx.convert(refs.norm1), norm2sq / ctx.convert(refs.norm2sq), verdicts,
                     result.digits, dps)

    def _start(self, alpha: str, link):
        """The nearest probed alpha's lam, rescaled so that b_i (X^T lam)_i is unchanged (the rate b
        depends on alpha at depth >= 3, and then the domain of b t is bounded)."""
        if not self.starts:
            return None
        here = _log10(alpha)
        _, lam, rate = min(self.starts, key=lambda s: abs(s[0] - here))
        factor = rate / Fraction(link.rate[0])
        return [v * factor.numerator / factor.denominator for v in lam]

    def _decide(self, check, result, refs):
        """True/False when ||beta||_1 <= (1+eps)B (or ||beta||_2^2 <= (1+eps)N) holds/fails beyond
        the errors; None when the margin is within them (more digits needed)."""
        side, i = check
        ctx = refs.ctx
        beta = [ctx.convert(b) for b in result.beta]
        norm1, norm2sq = _norms_of(beta, ctx)
        largest = max(abs(b) for b in beta)
        unit = largest * ctx.mpf(10) ** (-(result.digits or 0))
        factor = 1 + ctx.mpf(self.eps[i])
        if side == "l1":
            value, error = norm1, len(beta) * unit
            target, target_error = factor * refs.norm1, factor * refs.norm1_error
        else:
            value, error = norm2sq, 2 * norm1 * unit + len(beta) * unit ** 2
            target, target_error = factor * refs.norm2sq, factor * refs.norm2sq_error
        if value + error <= target - target_error:
            return True
        if value - error > target + target_error:
            return False
        return None


def _norms_of(beta, ctx):
    return ctx.fsum(abs(b) for b in beta), ctx.fsum(b * b for b in beta)


def _log10(alpha: str) -> float:
    """log10 of an exact decimal (any exponent), as a float: enough to place grid points. The
    decimal module's exponents end near 10^18, so beyond 10^17 the exponent is added as an int."""
    mantissa, _, exponent = alpha.lower().partition("e")
    if abs(int(exponent or 0)) < 10 ** 17:
        return float(decimal.Decimal(alpha).log10(decimal.Context(prec=20)))
    return float(decimal.Decimal(mantissa).log10(decimal.Context(prec=20))) + int(exponent)


def _alpha_at(log10_alpha) -> str:
    """10^t as an exact decimal with ALPHA_DIGITS significant digits."""
    exponent = math.floor(log10_alpha)
    mantissa = decimal.Context(prec=ALPHA_DIGITS).create_decimal(10 ** (log10_alpha - exponent))
    return decimal_text(mantissa.scaleb(exponent))


@dataclasses.dataclass(frozen=True)
class Threshold:
    """The measured threshold of one guarantee for one eps.

    ``status``: "bracketed" (``value`` is the last alpha where the guarantee holds before the first
    violation met when scanning from the bound's side; ``bracket`` = [holds, fails] ends of the
    bisection), "no violation" (it holds at every grid point scanned: no finite threshold on the
    grid), "bound violated" (it fails at a grid point where the printed statement promises it)
    or "violated at the top of the grid" (l2 without a printed bound). ``scan_start``: where the scan
    began (the bound, or SMALLEST_ALPHA when an l1 bound lies below it: then the statement itself
    is not probed). ``changes``: how often the
    verdict flips along the scanned grid (> 1: not monotone there); ``tightness``: log10 of
    threshold/bound (l1) or bound/threshold (l2), the orders of magnitude the printed bound gives
    away (None without a bound or a threshold)."""

    side: str
    status: str
    value: str | None
    bracket: tuple[str, str] | None
    bound: str | None
    tightness: float | None
    changes: int
    scan_start: str

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class ThresholdReport:
    """Printed bounds and measured thresholds for one problem, eps and depth."""

    problem: str
    eps: str
    depth: int
    bounds: PrintedBounds
    l1: Threshold
    l2: Threshold
    grid: list
    grid_step_decades: float
    bracket_decades: float
    probes: int
    max_dps: int
    min_digits: int

    NOTE = ("the guarantees need not be monotone in alpha: each threshold is the first violation met when "
            "scanning the grid from its bound's side (l1: upwards from the l1 bound; l2: downwards from the "
            "top of the grid), bisected on log alpha to {bracket} decades; 'changes' counts how often the "
            "verdict flips along the grid, and violations narrower than the grid step are not resolved")

    def as_dict(self) -> dict:
        bounds = self.bounds.as_strings()
        refs = self.bounds.refs
        return {
            "problem": self.problem, "eps": self.eps, "depth": self.depth, **bounds,
            "bound_digits": self.bounds.digits,
            "l1_threshold": self.l1.value, "l2_threshold": self.l2.value,
            "tightness_l1": self.l1.tightness, "tightness_l2": self.l2.tightness,
            "l1": self.l1.as_dict(), "l2": self.l2.as_dict(),
            "norm1_l1_reference": to_decimal(refs.ctx, refs.norm1, 15),
            "norm2_l2_reference": to_decimal(refs.ctx, refs.norm2, 15),
            "l1_reference_certified": refs.l1_certified,
            "grid_points": len(self.grid), "grid_step_decades": self.grid_step_decades,
            "grid": self.grid, "probes": self.probes, "max_dps": self.max_dps,
            "min_solve_digits": self.min_digits,
            "note": self.NOTE.format(bracket=self.bracket_decades),
        }


def guarantee_at(problem, alpha, eps_values, *, depth: int = 2, dps: int = DEFAULT_DPS) -> Probe:
    """Both guarantees at one exact ``alpha`` for each eps (verdicts keyed ("l1"|"l2", index))."""
    depth, dps = check_depth(depth, MAX_DEPTH_CHECKED), check_dps(dps)
    eps = [check_eps(e) for e in eps_values]
    alpha = parse_number(alpha, "alpha")
    if Fraction(alpha) <= 0:
        raise InvalidArgument(f"alpha must be > 0 but got alpha={alpha!r}")
    return _Prober(problem, depth, dps, eps).probe(alpha, [(s, i) for i in range(len(eps)) for s in ("l1", "l2")])


def measure_thresholds(problem, eps_values, *, depth: int = 2, dps: int = DEFAULT_DPS,
                       grid_step=GRID_STEP, max_points: int = MAX_GRID_POINTS,
                       bracket_decades=BRACKET_DECADES, scan=iter) -> list[ThresholdReport]:
    """Printed bounds and measured thresholds of the l1 and l2 guarantees for each eps, on one grid
    of solves shared by all eps (the norms of beta_alpha do not depend on eps); each first violation
    is bisected on log10 alpha to ``bracket_decades``.

    Parameters
    ----------
    problem : Problem
        X beta = y, consistent.
    eps_values : sequence of numbers
        The eps of Theorem 2's guarantees ||beta_alpha||_1 <= (1 + eps) ||beta*_l1||_1 (alpha
        small enough) and ||beta_alpha||_2^2 <= (1 + eps) ||beta*_l2||_2^2 (alpha large enough).
    depth : int
        The depth D of the model.
    dps : int
        Working precision in decimal digits.
    grid_step : number
        Spacing of the grid of alpha in decades (> 0).
    max_points : int
        At most this many grid points (>= 2; the step widens to fit).
    bracket_decades : number
        Bisect each first violation to this width in decades (> 0).
    scan : callable
        Wraps the iteration over the grid (e.g. a progress bar); ``iter`` by default.

    Returns
    -------
    list of ThresholdReport
        One per eps: the printed bounds, the l1 and l2 thresholds (value, bracket, status,
        tightness) and the grid scanned.

    Raises
    ------
    InvalidArgument
        A bad depth, dps, grid_step, max_points or bracket_decades, no eps, or a bad eps.

    Examples
    --------
    >>> from krtheory import Problem, measure_thresholds
    >>> problem = Problem.from_rows([["1", "2", "0"]], ["5"])
    >>> [(r.eps, r.l1.status, r.l2.status) for r in measure_thresholds(problem, ["0.5"], dps=20, max_points=4)]
    [('0.5', 'no violation', 'no violation')]
    """
    depth, dps = check_depth(depth, MAX_DEPTH_CHECKED), check_dps(dps)
    if not eps_values:
        raise InvalidArgument("eps_values must name at least one eps")
    step = Fraction(parse_number(grid_step, "grid_step"))
    if step <= 0:
        raise InvalidArgument(f"grid_step must be > 0 decades but got grid_step={grid_step!r}")
    check_positive_int(max_points, "max_points", minimum=2)
    width = Fraction(parse_number(bracket_decades, "bracket_decades"))
    if width <= 0:
        raise InvalidArgument(f"bracket_decades must be > 0 but got bracket_decades={bracket_decades!r}")
    check_instance(problem, Problem, "problem")
    bounds = [printed_bounds(problem, e, depth=depth, dps=dps) for e in eps_values]
    prober = _Prober(problem, depth, dps, [b.eps for b in bounds])
    grid, used_step = _grid(bounds, depth, float(step), max_points)
    checks = [(side, i) for i in range(len(bounds)) for side in ("l1", "l2")]
    probes = [prober.probe(alpha, checks) for alpha in scan(grid)]
    reports = []
    for i, b in enumerate(bounds):
        l1 = _threshold(prober, grid, probes, ("l1", i), b.alpha_l1(), True, float(width))
        l2 = _threshold(prober, grid, probes, ("l2", i), b.alpha_l2(), False, float(width))
        rows = [{"alpha": p.alpha, "l1_ratio": to_decimal(p.ratio1.context, p.ratio1, 12),
                 "l2_ratio": to_decimal(p.ratio2.context, p.ratio2, 12),
                 "l1_holds": p.verdicts[("l1", i)], "l2_holds": p.verdicts[("l2", i)]} for p in probes]
        reports.append(ThresholdReport(problem.name, b.eps, depth, b, l1, l2, rows, used_step, float(width),
                                       prober.count, prober.max_dps, prober.min_digits))
    return reports


def _grid(bounds, depth: int, step: float, max_points: int):
    """Probe points uniform in log10 alpha from the smallest l1 bound to the top (kernel regime or
    the largest l2 bound, whichever is larger), plus every bound's own probe point."""
    refs = bounds[0].refs
    kernel = to_decimal(refs.ctx, (KERNEL_RATIO * refs.l2_max) ** (refs.ctx.one / depth), ALPHA_DIGITS)
    special = [_scan_start(b.alpha_l1()) for b in bounds] + [b.alpha_l2() for b in bounds if b.l2 is not None]
    low = min(_log10(a) for a in special)
    high = max([_log10(kernel)] + [_log10(a) for a in special])
    count = max(2, math.ceil((high - low) / step) + 1)
    if count > max_points:
        count = max_points
    used = (high - low) / (count - 1)
    points = {_alpha_at(low + k * used) for k in range(1, count - 1)} | set(special) | {_alpha_at(high)}
    return sorted(points, key=Fraction), round(used, 6)


def _scan_start(bound: str) -> str:
    """The l1 scan starts at the bound, or at SMALLEST_ALPHA when the bound lies below it
    (compared at 30 digits, exact for these short decimals: Fraction("1e-1e17") builds a
    10^17-digit integer)."""
    ctx = context(30)
    return bound if ctx.mpf(bound) >= ctx.mpf(SMALLEST_ALPHA_TEXT) else SMALLEST_ALPHA_TEXT


def _threshold(prober, grid, probes, check, bound, upward: bool, width: float) -> Threshold:
    """Scan from the bound's side (l1: up from the l1 bound; l2: down from the top), bisect the
    first violation. The printed statement promises the guarantee at every grid point on the far
    side of the bound (l1: alpha <= bound; l2: alpha >= bound): a violation there refutes it."""
    side, n = check[0], len(grid)
    start = None if bound is None else grid.index(_scan_start(bound))
    probed = start is not None and grid[start] == bound
    promised = [] if not probed else (range(start + 1) if upward else range(start, n))
    order = list(range(start, n)) if upward else list(range(n - 1, -1, -1))
    verdicts = [probes[k].verdicts[check] for k in order]
    changes = sum(a != b for a, b in zip(verdicts, verdicts[1:]))
    if any(not probes[k].verdicts[check] for k in promised):
        return Threshold(side, "bound violated", None, None, bound, None, changes, grid[order[0]])
    first = next((j for j, v in enumerate(verdicts) if not v), None)
    if first is None:
        return Threshold(side, "no violation", None, None, bound, None, changes, grid[order[0]])
    if first == 0:
        return Threshold(side, "violated at the top of the grid", None, None, bound, None, changes, grid[order[0]])
    good, bad = grid[order[first - 1]], grid[order[first]]
    while abs(_log10(bad) - _log10(good)) > width:
        middle = _alpha_at((_log10(good) + _log10(bad)) / 2)
        if middle in (good, bad):
            break
        if prober.probe(middle, [check]).verdicts[check]:
            good = middle
        else:
            bad = middle
    tightness = None
    if bound is not None:
        ratio = _log10(good) - _log10(bound)
        tightness = round(ratio if upward else -ratio, 4)
    return Threshold(side, "bracketed", good, (good, bad), bound, tightness, changes, grid[order[0]])
