"""The alpha-scaling bounds of the paper and how tight they are (Theorem 2, Appendix D Lemmas 1-3, Section 5 / Theorem 3 for depth D).

Printed bounds, as functions of the problem (through ||beta*_l1||_1, ||beta*_l2||_2, d) and eps,
evaluated in an mpmath context, so that e.g. exp(-200) ~ 1.4e-87 prints instead of underflowing:

* Theorem 2, l1 side (0 < eps < d):  alpha <= min{(2(1+eps)B)^(-(2+eps)/(2 eps)), exp(-d/(eps B))}
  gives ||beta_inf||_1 <= (1+eps) B, B = ||beta*_l1||_1;
* Theorem 2, l2 side:  alpha >= sqrt(2(1+eps)(1+2/eps) ||beta*_l2||_2) gives
  ||beta_inf||_2^2 <= (1+eps) ||beta*_l2||_2^2;
* Lemma 1: alpha_1 = min{1, sqrt(B), (2B)^(-1/(2 eps)), exp(-d/(2 eps B))} gives
  (1-eps) B <= Q_alpha(beta)/ln(1/alpha^2) <= (1+eps) B for B = ||beta||_1;
* Lemma 2 (d >= max{e, 12^(4 eps)}): for alpha >= d^(-1/4-1/(8 eps)) the witnesses e_1 and
  1_d/sqrt(d) have sqrt(d) Q(e_1)/Q(1_d/sqrt(d)) >= 1+eps (Q is not ~ l1);
* Lemma 3: alpha_2 = sqrt(||beta||_2)(1 + eps^(-1/4)) gives (1-eps)||beta||^2 <= 4 alpha^2 Q_alpha(beta)
  <= (1+eps)||beta||^2;
* §6 (depth D >= 3, derived there): alpha^(D-2) <= (2 eps/D)(1+eps)^(-2/D) (B/d)^(1-2/D) gives
  ||beta_inf,D||_1 <= (1+eps) B. (Proof: h_D(z) <= (1-z)^(-D/(D-2)) makes
  h_D^-1(t) >= 1 - t^(-(D-2)/D), so q_D(u) >= |u| - (D/2)|u|^(2/D); then Hoelder.)

Measured thresholds (:func:`measure_thresholds`): the guarantee ||beta_alpha||_1 <= (1+eps)B is
probed on a grid uniform in log alpha from the printed l1 bound up to the kernel regime (one solve
per point, warm-started, shared by every eps), the first violation above the bound is bracketed
and bisected on log alpha; likewise the l2 guarantee scanning down from the top. The guarantees
need not be monotone in alpha, so the scan reports how often each changes along the grid. Each
probe's decision is certified-enough: the solve's verified digits bound the error of the norm,
and the precision is raised until that error is below the margin of the comparison.
"""

from __future__ import annotations

import dataclasses
import decimal
import functools
import math
from fractions import Fraction

from krtheory.errors import InvalidArgument, NoConvergence, NotApplicable
from krtheory.precision import GUARD_DIGITS, agreeing_digits, check_dps, context, to_decimal
from krtheory._validation import parse_number
from krtheory._validation import check_depth

#: Working precision of the solves and references unless a caller asks for another.
DEFAULT_DPS = 30
#: References and bounds are recomputed this many digits higher to verify their digits.
VERIFY_EXTRA_DIGITS = 20
#: A probe whose comparison is not resolved at its precision is redone at twice the precision,
#: up to this many digits (beyond: NoConvergence naming this budget).
MAX_PROBE_DPS = 960
#: Significant digits of the alpha values probed (exact decimal strings).
ALPHA_DIGITS = 10
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
#: Deepest model the bounds accept (the derivation engine's limit).
MAX_DEPTH_CHECKED = 100
#: Witness thresholds (Lemma 2 ratio = 1+eps) are bisected on x = ln(alpha^D) to this width.
WITNESS_X_WIDTH = Fraction(1, 10 ** 6)
#: Bracket expansion steps for the witness threshold before NoConvergence (x doubles each step).
WITNESS_EXPANSIONS = 40


# -- validated inputs -------------------------------------------------------------------
def check_eps(eps, d: int | None = None) -> str:
    """eps > 0 (and eps < d when ``d`` is given: Theorem 2 is stated for 0 < eps < d) as its
    exact string."""
    text = parse_number(eps, "eps")
    value = Fraction(text)
    if value <= 0 or (d is not None and value >= d):
        where = f"0 < eps < d = {d}" if d is not None else "eps > 0"
        raise InvalidArgument(f"eps must satisfy {where} but got eps={eps!r}")
    return text


def _positive(ctx, value, name: str):
    number = ctx.mpf(value)
    if not number > 0:
        raise InvalidArgument(f"{name} must be > 0 but got {name}={value}")
    return number


# -- the printed bounds, in a context ---------------------------------------------------
def theorem2_l1_bound(norm1, d: int, eps, ctx):
    """Theorem 2 (l1 side): alpha <= min{(2(1+eps)B)^(-(2+eps)/(2eps)), exp(-d/(eps B))}."""
    B, e = _positive(ctx, norm1, "norm1"), ctx.mpf(check_eps(eps, d))
    return min((2 * (1 + e) * B) ** (-(2 + e) / (2 * e)), ctx.exp(-d / (e * B)))


def theorem2_l2_bound(norm2, eps, ctx):
    """Theorem 2 (l2 side): alpha >= sqrt(2(1+eps)(1+2/eps) ||beta*_l2||_2) (root over the norm)."""
    N, e = _positive(ctx, norm2, "norm2"), ctx.mpf(check_eps(eps))
    return ctx.sqrt(2 * (1 + e) * (1 + 2 / e) * N)


def lemma1_alpha(norm1, d: int, eps, ctx):
    """Lemma 1: alpha_1(eps, ||beta||_1, d) = min{1, sqrt(B), (2B)^(-1/(2eps)), exp(-d/(2 eps B))}."""
    B, e = _positive(ctx, norm1, "norm1"), ctx.mpf(check_eps(eps))
    return min(ctx.one, ctx.sqrt(B), (2 * B) ** (-1 / (2 * e)), ctx.exp(-d / (2 * e * B)))


def lemma2_least_dimension(eps, ctx):
    """Lemma 2's hypothesis d >= max{e, 12^(4 eps)}: the right-hand side."""
    return max(ctx.e, ctx.mpf(12) ** (4 * ctx.mpf(check_eps(eps))))


def lemma2_alpha(d: int, eps, ctx):
    """Lemma 2: alpha = d^(-1/4 - 1/(8 eps)), for d >= max{e, 12^(4 eps)} (InvalidArgument below)."""
    least = lemma2_least_dimension(eps, ctx)
    if isinstance(d, bool) or not isinstance(d, int) or d < least:
        raise InvalidArgument(f"Lemma 2 needs an integer d >= max(e, 12^(4 eps)) = {ctx.nstr(least, 6)} "
                              f"but got d={d!r} with eps={eps}")
    return ctx.mpf(d) ** (-ctx.one / 4 - 1 / (8 * ctx.mpf(eps)))


def lemma3_alpha(norm2, eps, ctx):
    """Lemma 3: alpha_2(eps, ||beta||_2) = sqrt(||beta||_2) (1 + eps^(-1/4))."""
    N, e = _positive(ctx, norm2, "norm2"), ctx.mpf(check_eps(eps))
    return ctx.sqrt(N) * (1 + e ** (-ctx.one / 4))


def depth_bound(norm1, d: int, eps, depth: int, ctx):
    """§6 (derived): alpha = [(2eps/D)(1+eps)^(-2/D) (B/d)^(1-2/D)]^(1/(D-2)); alpha at or below it
    gives ||beta_inf,D||_1 <= (1+eps) B for depth D >= 3."""
    D = check_depth(depth)
    if D < 3:
        raise InvalidArgument(f"the depth-D bound needs depth >= 3 (depth 2 is Theorem 2) but got depth={depth!r}")
    B, e = _positive(ctx, norm1, "norm1"), ctx.mpf(check_eps(eps))
    inner = (2 * e / D) * (1 + e) ** (ctx.mpf(-2) / D) * (B / d) ** (1 - ctx.mpf(2) / D)
    return inner ** (ctx.one / (D - 2))


def decimal_beside(ctx, value, known_digits: int, side: str, digits: int = ALPHA_DIGITS) -> str:
    """An exact decimal with ``digits`` significant digits on the safe ``side`` ("below"/"above")
    of ``value``, a number known to ``known_digits`` significant digits: <= value (1 - 10^-known)
    or >= value (1 + 10^-known). Any exponent: the decimal module rounds only the mantissa, the
    exponent is carried as an int (decimal's own exponents end near 10^18, where 1e-2e18 became
    0e-1000000000000000008 and 1e2e18 raised Overflow)."""
    if side not in ("below", "above"):
        raise InvalidArgument(f"side must be 'below' or 'above' but got side={side!r}")
    margin = ctx.mpf(10) ** (-known_digits)
    target = value * (1 - margin) if side == "below" else value * (1 + margin)
    coefficient, _, exponent = ctx.nstr(target, digits + 2).partition("e")
    exponent = int(exponent or 0)
    rounding = decimal.Context(prec=digits)
    mantissa = rounding.create_decimal(coefficient)
    beyond = (lambda m: ctx.mpf(_scientific(m, exponent)) > target) if side == "below" else (
        lambda m: ctx.mpf(_scientific(m, exponent)) < target)
    while beyond(mantissa):
        mantissa = rounding.next_minus(mantissa) if side == "below" else rounding.next_plus(mantissa)
    if -4 <= mantissa.adjusted() + exponent < ALPHA_DIGITS:
        return _show(mantissa.scaleb(exponent))
    return _scientific(mantissa, exponent)


def _scientific(mantissa: decimal.Decimal, exponent: int) -> str:
    """mantissa * 10^exponent in e-notation, the exponent added as an int (any size)."""
    digits, _, own = format(mantissa, "e").partition("e")
    return f"{digits}e{int(own) + exponent:+d}"


def _show(value: decimal.Decimal) -> str:
    """A decimal as plain digits for moderate sizes, else in e-notation (exact either way)."""
    return str(value) if -4 <= value.adjusted() < ALPHA_DIGITS else format(value, "e")


# -- references and the bounds of a problem ---------------------------------------------
@dataclasses.dataclass(frozen=True)
class References:
    """||beta*_l1||_1, ||beta*_l2||_2^2 and max_i |beta*_l2,i| at ``dps`` digits (numbers of ``ctx``),
    each with an error estimate: the difference from a recomputation VERIFY_EXTRA_DIGITS higher
    plus 10^-dps of the value. ``coarse`` holds (norm1, norm2) at dps, for verifying bound digits."""

    norm1: object
    norm1_error: object
    norm2sq: object
    norm2sq_error: object
    l2_max: object
    l1_certified: bool
    l1_reason: str
    coarse: tuple
    dps: int
    ctx: object = dataclasses.field(repr=False, compare=False)

    @property
    def norm2(self):
        return self.ctx.sqrt(self.norm2sq)


@functools.lru_cache(maxsize=64)
def _norms(problem, dps: int):
    from krtheory.references import min_l1, min_l2

    l1, l2 = min_l1(problem, dps=dps), min_l2(problem, dps=dps)
    ctx = context(dps + GUARD_DIGITS)
    return (ctx.fsum(abs(ctx.convert(b)) for b in l1.beta), ctx.fsum(ctx.convert(b) ** 2 for b in l2.beta),
            max(abs(ctx.convert(b)) for b in l2.beta), l1.certified, l1.reason)


def references(problem, dps: int = DEFAULT_DPS) -> References:
    """The reference norms the bounds and guarantees use. Raises InvalidArgument for a problem with
    no interpolant (inconsistent X beta = y) and for y = 0 (every guarantee is then trivial)."""
    dps = check_dps(dps)
    coarse = _norms(problem, dps)
    fine = _norms(problem, dps + VERIFY_EXTRA_DIGITS)
    ctx = context(dps + VERIFY_EXTRA_DIGITS + GUARD_DIGITS)
    if fine[0] == 0:
        raise InvalidArgument(f"{problem.name}: y = 0, so beta*_l1 = beta*_l2 = 0 and every bound is vacuous")
    floor = ctx.mpf(10) ** (-dps)
    errors = [abs(ctx.convert(a) - ctx.convert(b)) + floor * abs(ctx.convert(b)) for a, b in zip(coarse[:2], fine[:2])]
    return References(ctx.convert(fine[0]), errors[0], ctx.convert(fine[1]), errors[1], ctx.convert(fine[2]),
                      fine[3], fine[4], (coarse[0], coarse[0].context.sqrt(coarse[1])), dps, ctx)


@dataclasses.dataclass(frozen=True)
class PrintedBounds:
    """The bounds for one problem, eps and depth (numbers of the references' context).

    ``l1``: Theorem 2's l1 condition at depth 2, the §6 condition at depth >= 3 (alpha at or below);
    ``l2``: Theorem 2's l2 condition (alpha at or above; None at depth >= 3: no statement).
    Lemma 1 uses B = ||beta*_l1||_1, Lemma 3 ||beta*_l2||_2 (depth 2 only); ``lemma2`` is None
    where d < max{e, 12^(4 eps)}. ``digits``: significant digits on which every value agrees
    with its recomputation from the coarser references.
    """

    eps: str
    depth: int
    d: int
    l1: object
    l2: object | None
    lemma1: object | None
    lemma2: object | None
    lemma3: object | None
    digits: int
    refs: References

    def alpha_l1(self) -> str:
        """The l1 condition rounded down to an exact decimal (a safe probe point)."""
        return decimal_beside(self.refs.ctx, self.l1, self.digits, "below")

    def alpha_l2(self) -> str | None:
        """The l2 condition rounded up to an exact decimal."""
        return None if self.l2 is None else decimal_beside(self.refs.ctx, self.l2, self.digits, "above")

    def as_strings(self, digits: int = 15) -> dict:
        shown = min(digits, self.digits)
        values = {"l1_bound": self.l1, "l2_bound": self.l2, "lemma1_alpha": self.lemma1,
                  "lemma2_alpha": self.lemma2, "lemma3_alpha": self.lemma3}
        return {k: None if v is None else to_decimal(self.refs.ctx, v, shown) for k, v in values.items()}


def _bound_values(norm1, norm2, d: int, eps: str, depth: int, ctx) -> list:
    if depth >= 3:
        return [depth_bound(norm1, d, eps, depth, ctx), None, None, None, None]
    lemma2 = lemma2_alpha(d, eps, ctx) if d >= lemma2_least_dimension(eps, ctx) else None
    return [theorem2_l1_bound(norm1, d, eps, ctx), theorem2_l2_bound(norm2, eps, ctx),
            lemma1_alpha(norm1, d, eps, ctx), lemma2, lemma3_alpha(norm2, eps, ctx)]


def printed_bounds(problem, eps, *, depth: int = 2, dps: int = DEFAULT_DPS) -> PrintedBounds:
    """Every printed bound for ``problem`` and ``eps`` (0 < eps < d at depth 2) at ``dps`` digits."""
    depth = check_depth(depth, MAX_DEPTH_CHECKED)
    eps = check_eps(eps, problem.d if depth == 2 else None)
    refs = references(problem, dps)
    exact = references(problem, dps + _lost_digits(refs, problem.d, eps, depth))
    values = _bound_values(exact.norm1, exact.norm2, problem.d, eps, depth, exact.ctx)
    coarse_ctx = exact.coarse[0].context
    coarse = _bound_values(exact.coarse[0], exact.coarse[1], problem.d, eps, depth, coarse_ctx)
    digits = min([min(dps, int(agreeing_digits(exact.ctx, v, exact.ctx.convert(c))))
                  for v, c in zip(values, coarse) if v is not None])
    return PrintedBounds(eps, depth, problem.d, *values, digits=digits, refs=refs)


def _lost_digits(refs, d: int, eps: str, depth: int) -> int:
    """Digits the bounds lose to conditioning: a bound b^p or exp(c/B) has relative condition
    number |p| or |ln bound| with respect to the norms, and its exponent must itself be exact to
    the digits shown, so the references are taken log10(2 + 1/eps + d/(eps B) + max |ln bound|)
    digits higher (e.g. ~31 more at eps = 1e-30, where exp(-d/(eps B)) ~ 10^(-2.5e30))."""
    ctx = refs.ctx
    e = ctx.mpf(eps)
    values = _bound_values(refs.norm1, refs.norm2, d, eps, depth, ctx)
    size = 2 + 1 / e + d / (e * refs.norm1) + max(abs(ctx.log(v)) for v in values if v is not None)
    return int(ctx.ceil(ctx.log10(size))) + 1


# -- the regularizer and the Lemma 2 witnesses ------------------------------------------
def _derivation(depth: int):
    from krtheory.derive.engine import derive_diagonal

    return derive_diagonal(depth)


def _q_verified(derivation, z, ctx, dps: int):
    """q_D(z) for a ctx number z, verified to ``dps`` digits (potential.potential_value); z is passed
    with dps + GUARD_DIGITS digits, which moves q by at most 2 10^-(dps+GUARD) relative."""
    from krtheory.derive.potential import potential_value

    return ctx.mpf(potential_value(derivation, to_decimal(ctx, z, dps + GUARD_DIGITS), dps)[0])


def regularizer(beta, alpha, *, depth: int = 2, dps: int = DEFAULT_DPS):
    """Q^D_alpha(beta) = alpha^D sum_i q_D(beta_i/alpha^D) (eq. 4 at D = 2, Theorem 3 at D >= 3; the
    paper's normalization) for exact ``beta`` entries and ``alpha``. Every q value is verified to
    ``dps`` digits and all terms are >= 0, so the sum carries dps - 1 digits: returns (value, digits)."""
    derivation = _derivation(check_depth(depth, MAX_DEPTH_CHECKED))
    dps = check_dps(dps)
    ctx = context(dps + 2 * GUARD_DIGITS)
    scale = _positive(ctx, parse_number(alpha, "alpha"), "alpha") ** depth
    total = ctx.fsum(_q_verified(derivation, ctx.mpf(parse_number(b, f"beta entry {i}")) / scale, ctx, dps)
                     for i, b in enumerate(beta, start=1))
    return scale * total, dps - 1


def _witness_ratio(q, d: int, inverse_scale, ctx):
    """Q^D(e_1)/Q^D(1_d/sqrt(d)) = q(Z)/(d q(Z/sqrt(d))), Z = alpha^-D: Q is separable, so the
    d-vector is never built."""
    return q(inverse_scale) / (d * q(inverse_scale / ctx.sqrt(d)))


def witness_ratio(d: int, alpha, *, depth: int = 2, dps: int = DEFAULT_DPS):
    """Lemma 2's sqrt(d) Q^D_alpha(e_1)/Q^D_alpha(1_d/sqrt(d)) (>= 1+eps means Q is not
    (1+eps)-proportional to l1) at an exact or ctx-number ``alpha``; returns (value, digits)."""
    derivation = _derivation(check_depth(depth, MAX_DEPTH_CHECKED))
    dps = check_dps(dps)
    d = _dimension(d)
    ctx = context(dps + 2 * GUARD_DIGITS)
    a = _positive(ctx, alpha if not isinstance(alpha, str) else parse_number(alpha, "alpha"), "alpha")
    ratio = _witness_ratio(lambda z: _q_verified(derivation, z, ctx, dps), d, a ** (-depth), ctx)
    return ctx.sqrt(d) * ratio, dps - 1


def _dimension(d) -> int:
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise InvalidArgument(f"d must be a positive integer but got d={d!r}")
    return d


#: Figure 3(b): d, the depths and the x = ln(alpha^D) columns of the table.
FIG3B_DIMENSION = 100
FIG3B_DEPTHS = (2, 3, 5, 10, 100)
FIG3B_X = tuple(range(-8, 2))


def fig3b_table(*, d: int | None = None, depths=None, xs=None, dps: int = 20) -> list[list]:
    """Figure 3(b): rows [D, ratio at each x], ratio = Q^D_alpha(e_1)/Q^D_alpha(1_d/sqrt(d)) at
    alpha^D = e^x (natural log), each value verified to ``dps`` - 1 digits (numbers of a context);
    d, depths and xs default to FIG3B_DIMENSION, FIG3B_DEPTHS and FIG3B_X."""
    d = _dimension(FIG3B_DIMENSION if d is None else d)
    depths, xs, dps = FIG3B_DEPTHS if depths is None else depths, FIG3B_X if xs is None else xs, check_dps(dps)
    ctx = context(dps + 2 * GUARD_DIGITS)
    rows = []
    for depth in depths:
        derivation = _derivation(check_depth(depth, MAX_DEPTH_CHECKED))
        q = functools.partial(_q_verified, derivation, ctx=ctx, dps=dps)
        rows.append([depth] + [_witness_ratio(q, d, ctx.exp(-ctx.mpf(parse_number(x, "x"))), ctx) for x in xs])
    return rows


@dataclasses.dataclass(frozen=True)
class WitnessThreshold:
    """The largest alpha with sqrt(d) Q(e_1)/Q(1_d/sqrt(d)) <= 1+eps (the ratio is nondecreasing
    in alpha): x = ln(alpha^D) lies in [x_low, x_high], where the verified ratio is <= 1+eps at
    x_low and > 1+eps at x_high."""

    d: int
    eps: str
    depth: int
    x_low: object
    x_high: object
    ratio_low: object
    ratio_high: object

    @property
    def ln_alpha(self):
        return self.x_low / self.depth


def witness_threshold(d: int, eps, *, depth: int = 2, dps: int = DEFAULT_DPS) -> WitnessThreshold:
    """Bisect x = ln(alpha^D) for the witness ratio crossing 1+eps (searched with q compiled at
    ``dps``; the two bracket ends are then re-evaluated with verified q values)."""
    from krtheory.derive.potential import potential_function

    d, dps, depth = _dimension(d), check_dps(dps), check_depth(depth, MAX_DEPTH_CHECKED)
    eps = check_eps(eps)
    ctx = context(dps + 2 * GUARD_DIGITS)
    target = 1 + ctx.mpf(eps)
    if ctx.sqrt(d) <= target:
        raise InvalidArgument(f"the witness ratio tends to sqrt(d) = {ctx.nstr(ctx.sqrt(d), 6)} <= 1+eps: "
                              f"no threshold for d={d}, eps={eps}")
    derivation = _derivation(depth)
    fast = potential_function(derivation, ctx)

    def above(x):
        return ctx.sqrt(d) * _witness_ratio(lambda z: fast(z)[0], d, ctx.exp(-x), ctx) > target

    low, high = ctx.mpf(-1), ctx.one
    for _ in range(WITNESS_EXPANSIONS):
        if not above(low):
            break
        low *= 2
    for _ in range(WITNESS_EXPANSIONS):
        if above(high):
            break
        high *= 2
    if above(low) or not above(high):
        raise NoConvergence(f"the witness ratio did not cross 1+eps within WITNESS_EXPANSIONS={WITNESS_EXPANSIONS} "
                            f"doublings of x = ln(alpha^D)")
    while high - low > ctx.mpf(WITNESS_X_WIDTH.numerator) / WITNESS_X_WIDTH.denominator:
        middle = (low + high) / 2
        low, high = (low, middle) if above(middle) else (middle, high)
    verified = [witness_ratio(d, ctx.exp(x / depth), depth=depth, dps=dps)[0] for x in (low, high)]
    if not verified[0] <= target < verified[1]:
        raise NoConvergence(f"verified witness ratios {[ctx.nstr(v, 8) for v in verified]} do not bracket "
                            f"1+eps = {ctx.nstr(target, 8)} at dps={dps}")
    return WitnessThreshold(d, eps, depth, low, high, verified[0], verified[1])


# -- measured thresholds ----------------------------------------------------------------
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
    return _show(mantissa.scaleb(exponent))


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
    is bisected on log10 alpha to ``bracket_decades``. ``scan`` wraps the grid's iteration (e.g. a
    progress bar)."""
    depth, dps = check_depth(depth, MAX_DEPTH_CHECKED), check_dps(dps)
    if not eps_values:
        raise InvalidArgument("eps_values must name at least one eps")
    step = Fraction(parse_number(grid_step, "grid_step"))
    if step <= 0:
        raise InvalidArgument(f"grid_step must be > 0 decades but got grid_step={grid_step!r}")
    if isinstance(max_points, bool) or not isinstance(max_points, int) or max_points < 2:
        raise InvalidArgument(f"max_points must be an integer >= 2 but got max_points={max_points!r}")
    width = Fraction(parse_number(bracket_decades, "bracket_decades"))
    if width <= 0:
        raise InvalidArgument(f"bracket_decades must be > 0 but got bracket_decades={bracket_decades!r}")
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
