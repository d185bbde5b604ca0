"""Numerics of a derived potential: ``q(z)`` from the derivation's expression (never retyped),
with verified digits.

A derivation is compiled once into a :class:`PotentialProgram`: plain data (the mpmath source
text of q's top-level terms, of h and h' when q needs h^{-1}, the exact radius, range and
initial prediction), evaluated without sympy, so that :mod:`krtheory._cache` can keep it across
processes (:func:`builtin_program`: a warm ``krtheory potential`` call imports no sympy).
:meth:`PotentialProgram.function` compiles ``q`` for an mpmath context; without a closed-form
inverse link (D >= 3) it evaluates ``q(z) = |z|*root - G(root)`` (Theorem 3, eq. 60) after
solving ``root = h^{-1}(|z|)`` by Newton safeguarded with bisection. :func:`potential_value`
raises the working precision until the digits lost to cancellation among the top-level terms
leave the requested digits plus guard digits and a second evaluation with more digits agrees.
"""

from __future__ import annotations

import dataclasses
import functools
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from krtheory import precision
from krtheory.errors import InvalidArgument, NoConvergence, NotApplicable
from krtheory._search import bracket_middle

#: Rounds of precision increase in :func:`potential_value` before giving up (the extra digits
#: at least double per round), and the most working digits it may use: q at 60000 digits
#: takes about a second; z = 1e-10000 needs 20000 (cancellation in 2 - sqrt(4 + z**2)).
MAX_PRECISION_ROUNDS = 12
MAX_WORKING_DPS = 60_000
#: Most digits :func:`potential_value` returns, leaving room under MAX_WORKING_DPS for guard
#: digits, the verifying re-evaluation and moderate cancellation.
MAX_POTENTIAL_DPS = 10_000
#: Newton on h(x) = t stops when its step is below 2**-(prec - ROOT_SLACK_BITS) relative.
ROOT_SLACK_BITS = 4


#: Significant digits accepted in z (sympy's parser goes through Python ints, which print at
#: most 4300 digits; no supported dps needs more).
MAX_INPUT_DIGITS = 4000


def _parse_number(value, name: str) -> str:
    """A finite decimal number given exactly (str or int), as a string."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidArgument(f"{name} must be an exact decimal string but got {name}={value!r}")
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidArgument(f"{name} must be a decimal number but got {name}={value!r}") from None
    if not parsed.is_finite():
        raise InvalidArgument(f"{name} must be finite but got {name}={value!r}")
    if len(parsed.as_tuple().digits) > MAX_INPUT_DIGITS:
        raise InvalidArgument(f"{name} has more than {MAX_INPUT_DIGITS} significant digits")
    if abs(parsed.adjusted()) > precision.MAX_DPS:
        raise InvalidArgument(f"{name} must have a decimal exponent within +-{precision.MAX_DPS} "
                              f"but got {name}={value!r}")
    return str(parsed)


@dataclasses.dataclass(frozen=True)
class PotentialProgram:
    """A derived potential q as plain data, evaluated without sympy.

    ``terms``: mpmath source text of q's top-level terms in (x0, x1) = (z, root), whose size
    against q measures the digits lost to cancellation; ``link``/``dlink``: h and h' in x0 = nu
    when q has no closed-form inverse link (root = h^{-1}(|z|)), else None; ``radius``: the
    domain (-R, R) of h (None: the real line); ``lower``/``upper``: the range of h, where q is
    defined (exact "p/q" text, "-oo"/"oo", or sympy text for an irrational end); ``origin``:
    beta(0), where q = 0 exactly ("p/q", or None when irrational); ``failed``: names of the
    derivation's failed steps."""

    family: str
    depth: int | None
    terms: tuple[str, ...]
    link: str | None
    dlink: str | None
    radius: Fraction | None
    lower: str
    upper: str
    origin: str | None
    failed: tuple[str, ...]

    def function(self, ctx):
        """q(z) for ``ctx`` numbers: ``(value, terms)``. Without a closed-form inverse link it
        first solves ``root = h^{-1}(|z|)`` (NoConvergence when the precision cannot resolve it)."""
        terms = [precision.compile_source(2, term, ctx) for term in self.terms]
        if self.link is not None:
            h, dh = (precision.compile_source(1, text, ctx) for text in (self.link, self.dlink))

        def potential(z_value):
            x = ctx.zero
            if self.link is not None and z_value != 0:
                x = _solve_link(ctx, h, dh, abs(z_value), self.radius)
            values = [term(z_value, x) for term in terms]
            return ctx.fsum(values), values

        return potential

    def in_range(self, z: Fraction) -> bool:
        """Whether z lies in the open range (lower, upper) of h."""
        return _above(z, self.lower) and _above(-z, _negated(self.upper))

    def as_dict(self) -> dict:
        return {**dataclasses.asdict(self), "radius": None if self.radius is None else str(self.radius)}

    @classmethod
    def from_dict(cls, data: dict) -> "PotentialProgram":
        fields = {field.name for field in dataclasses.fields(cls)}
        if set(data) != fields:
            raise ValueError(f"a potential program has the fields {sorted(fields)}, not {sorted(data)}")
        texts = (data["lower"], data["upper"], *data["failed"]) + (() if data["origin"] is None else (data["origin"],))
        if not (isinstance(data["terms"], list) and isinstance(data["failed"], list)
                and all(isinstance(text, str) for text in texts)):
            raise ValueError("a potential program's terms, range, origin and steps are text")
        radius = None if data["radius"] is None else Fraction(data["radius"])
        for term in data["terms"]:
            precision.check_source(2, term)
        if (data["link"] is None) != (data["dlink"] is None):
            raise ValueError("a potential program has both h and h' or neither")
        for text in (data["link"], data["dlink"]):
            if text is not None:
                precision.check_source(1, text)
        return cls(**{**data, "radius": radius, "terms": tuple(data["terms"]), "failed": tuple(data["failed"])})


def _above(z: Fraction, end: str) -> bool:
    """z > end for an end written as "-oo", "oo", "p/q" or sympy text (irrational)."""
    if end in ("-oo", "oo"):
        return end == "-oo"
    try:
        return z > Fraction(end)
    except ValueError:
        import sympy

        return bool(sympy.Rational(z.numerator, z.denominator) > sympy.sympify(end))


def _negated(end: str) -> str:
    return {"oo": "-oo", "-oo": "oo"}.get(end, f"-({end})")


@functools.lru_cache(maxsize=64)
def program(derivation) -> PotentialProgram:
    """The :class:`PotentialProgram` of a derivation (q from the derived expression, never
    retyped). NotApplicable when q still has link parameters (symbolic initial values)."""
    import sympy as sp

    from krtheory.derive.symbols import nu, root, z

    unbound = sorted(map(str, derivation.potential.free_symbols - {z, root}))
    if unbound:
        raise NotApplicable(f"q depends on the link parameters {', '.join(unbound)}: derive with "
                            f"numeric initial values to evaluate it")
    link = dlink = None
    if derivation.inverse_link is None:
        link = precision.source([nu], derivation.link)
        dlink = precision.source([nu], sp.diff(derivation.link, nu))
    radius = None if derivation.nu_radius == sp.oo else Fraction(str(sp.Rational(derivation.nu_radius)))
    origin = derivation.initial_prediction()

    def end(value) -> str:
        if value in (sp.oo, -sp.oo):
            return str(value)
        return str(value) if value.is_Rational else sp.srepr(value)

    return PotentialProgram(
        family=derivation.family, depth=derivation.depth,
        terms=tuple(precision.source([z, root], term) for term in sp.Add.make_args(derivation.potential)),
        link=link, dlink=dlink, radius=radius,
        lower=end(derivation.link_range.start), upper=end(derivation.link_range.end),
        origin=str(origin) if origin.is_Rational else None,
        failed=_failed_steps(derivation))


def _failed_steps(derivation) -> tuple[str, ...]:
    from krtheory.derive.checks import StepStatus

    return tuple(step.name for step in derivation.steps if step.status is StepStatus.FAILED)


def builtin_program(family: str, depth) -> PotentialProgram:
    """The program of the verified built-in derivation ``family`` at ``depth``, reused across
    processes (:mod:`krtheory._cache`; a corrupt entry is re-derived and overwritten)."""
    from krtheory import _cache
    from krtheory._validation import check_depth

    if family != "diagonal":
        from krtheory.derive.engine import derive

        return program(derive(family, depth))  # the engine's one-line error for other families
    depth = check_depth(depth)  # the engine's depth cap applies on a miss: nothing beyond it is stored
    key = {"family": family, "depth": depth}
    stored = _cache.load("potential", key)
    if stored is not None:
        try:
            return PotentialProgram.from_dict(stored)
        except (ValueError, TypeError, KeyError, ZeroDivisionError):
            pass  # never trusted when unreadable: derive again and overwrite
    from krtheory.derive.engine import derive

    derivation = derive(family, depth)
    compiled = program(derivation)
    if derivation.verified():
        _cache.store("potential", key, compiled.as_dict())
    return compiled


def potential_function(derivation, ctx):
    """q(z) for ``ctx`` numbers from a derivation (or its program): ``(value, terms)`` with the
    top-level terms of the sum (see :meth:`PotentialProgram.function`)."""
    return _program_of(derivation).function(ctx)


def _program_of(derivation_or_program) -> PotentialProgram:
    if isinstance(derivation_or_program, PotentialProgram):
        return derivation_or_program
    return program(derivation_or_program)


@functools.lru_cache(maxsize=64)
def _compiled(compiled: PotentialProgram, dps: int):
    """(ctx, q) at ``dps`` digits, compiled once per program and working precision."""
    ctx = precision.context(dps)
    return ctx, compiled.function(ctx)


def _solve_link(ctx, h, dh, target, radius):
    """h^{-1}(target) for target > 0 (h increasing with h(0) = 0, a verified step) on
    (-radius, radius) (an exact Fraction; None: the real line).

    In v = -log(1 - x/R) on (-R, R) (x = -R expm1(-v): the gap R e^-v never cancels), v = x on
    the real line: Newton on phi(v) = log h(x(v)) - log target, nearly linear where h grows like
    a power of the gap or exponentially, or, when that step overshoots left of the bracket,
    Newton on h in x, or, right of the root, the chord point x target / h(x) (left of the root
    for convex h); safeguarded by a bracket [lo, hi] bisected geometrically while it spans more
    than a factor 4. Near the pole of h_D and at tiny targets this takes 5-20 evaluations where
    Newton in x took ~1000 (q_100(1e300): 1.3 s -> 0.015 s). Stops when x stops moving, or when
    rounding in h (cancellation at tiny x) outweighs h(x) - target: the caller's second
    precision then sees the digits lost. NoConvergence when the root is closer to the edge than
    the precision resolves.
    """
    bounded = radius is not None
    if bounded:
        R = ctx.mpf(radius.numerator) / radius.denominator
        hi = (ctx.prec - ROOT_SLACK_BITS) * ctx.ln2  # beyond, the gap R e^-v is below x's ulp
        if not h(-R * ctx.expm1(-hi)) >= target:
            raise NoConvergence(f"h^-1({ctx.nstr(target, 10)}) lies closer to the domain's edge {radius} than "
                                f"{ctx.dps} digits resolve")

        def point(v):  # R (1 - e^-v), accurate for small v too
            return -R * ctx.expm1(-v)

        def coordinate(x):  # the inverse of point
            return -ctx.log1p(-x / R) if 0 <= x < R else ctx.nan

        def slope(v):  # dx/dv
            return R * ctx.exp(-v)
    else:
        hi = ctx.one
        while h(hi) < target:
            hi = 2 * hi

        def point(v):
            return v

        def coordinate(x):
            return x

        def slope(v):
            return ctx.one
    # h(x) <= h'(x_hi) x on [0, x_hi] when h is convex there: a positive lower end for the
    # geometric bisection (kept only if it really lies below the root)
    x_lo = target / dh(point(hi))
    lo = coordinate(x_lo) if x_lo > 0 and h(x_lo) <= target else ctx.zero
    log_target = ctx.log(target)
    tolerance = ctx.ldexp(1, ROOT_SLACK_BITS - ctx.prec)
    budget, phi_before = 2 * ctx.prec + 64, None  # phi before the last Newton step (None after a bisection)
    v = ctx.ln2 if bounded else hi / 2  # x = R/2, or half the doubled bound: Newton from mid-domain
    if not lo < v < hi:
        v = bracket_middle(lo, hi)
    x = point(v)
    for _ in range(budget):
        hx = h(x)
        phi = ctx.log(hx) - log_target if hx > 0 else -ctx.inf  # -inf: h(x) rounds to 0, x far below
        if phi == 0:
            return x
        lo, hi = (v, hi) if phi < 0 else (lo, v)
        # a Newton step is taken while it lands inside the bracket and halves |phi| (as it does
        # near a smooth root): on log h in v first, else on h in x (for convex h it stays right
        # of the root, where the step in v may overshoot past lo)
        newton = phi_before is None or abs(phi) <= abs(phi_before) / 2
        v_new = v - phi * hx / (dh(x) * slope(v)) if hx > 0 else hi
        if newton and not lo < v_new < hi and phi > 0:
            v_new = coordinate(x - (hx - target) / dh(x))
        newton = newton and lo < v_new < hi
        if not newton and phi > 0:  # the chord from (0, 0): left of the root for convex h
            chord = coordinate(x * (target / hx))
            if lo < chord < hi:
                v_new, newton = chord, True
        if not newton:
            if hx > 0 and _rounding_dominates(ctx, h, x, hx, phi):
                return x  # the caller's second precision sees the digits lost
            v_new = bracket_middle(lo, hi)
        if v_new in (lo, hi):  # the bracket is exhausted at this precision
            return x
        x_new = point(v_new)  # converged once x itself stops moving (e^-v may be below x's ulp)
        if abs(x_new - x) <= abs(x_new) * tolerance:
            return x_new
        v, x, phi_before = v_new, x_new, (phi if newton else None)
    raise NoConvergence(f"h^-1({ctx.nstr(target, 10)}): safeguarded Newton used all {budget} "
                        f"iterations at {ctx.dps} digits")


def _rounding_dominates(ctx, h, x, hx, phi) -> bool:
    """Whether h(x)'s rounding error (its change at twice the precision; cancellation at tiny x
    loses log2(1/x) bits) is at least 1/16 of h(x) - target ~ phi h(x): x is then within a few
    rounding units of the root, as close as this precision gets."""
    with ctx.extraprec(ctx.prec):
        accurate = h(x)
    return abs(accurate - hx) >= abs(phi * hx) / 16


def _q_at(compiled: PotentialProgram, z_text: str, dps: int):
    """(ctx, q(z), digits lost to cancellation in the top-level sum) at ``dps`` digits."""
    ctx, q = _compiled(compiled, dps)
    try:
        value, terms = q(ctx.mpf(z_text))
    except NoConvergence:  # h^{-1} not resolvable at this precision: count every digit as lost
        return ctx, None, dps
    largest = max(abs(term) for term in terms)
    if value == 0:
        return ctx, value, 0 if largest == 0 else dps
    return ctx, value, max(0, int(ctx.ceil(ctx.log10(largest / abs(value)))))


def potential_value(derivation, z, dps: int = 30) -> tuple[str, int]:
    """q(z) to ``dps`` verified significant digits: (decimal string, digits), from a derivation
    or its :class:`PotentialProgram`.

    The working precision is raised until (i) the digits lost to cancellation among the
    top-level terms (max |term| / |q|, e.g. 2 - sqrt(4 + z**2) + z*asinh(z/2) loses
    2*log10(1/|z|) digits for small z) leave ``dps`` + guard digits, and (ii) a second
    evaluation with more digits agrees to ``dps`` significant digits.
    """
    dps = precision.check_dps(dps)
    if dps > MAX_POTENTIAL_DPS:
        raise InvalidArgument(f"Expected dps <= {MAX_POTENTIAL_DPS} for a potential value but got "
                              f"dps={dps}")
    z_text = _parse_number(z, "z")
    failed = derivation.failed if isinstance(derivation, PotentialProgram) else _failed_steps(derivation)
    if failed:
        raise NotApplicable(f"the {derivation.family} D={derivation.depth} derivation has failed "
                            f"steps: {list(failed)}")
    compiled = _program_of(derivation)  # NotApplicable before anything else if q has link parameters
    z_exact = Fraction(z_text)
    if not compiled.in_range(z_exact):
        raise InvalidArgument(f"z must lie in the range ({compiled.lower}, {compiled.upper}) of the link h "
                              f"(where q is defined) but got z={z!r}")
    if compiled.origin is not None and z_exact == Fraction(compiled.origin):  # q(beta(0)) = 0 is a verified step
        return "0", dps
    extra = precision.GUARD_DIGITS
    for _ in range(MAX_PRECISION_ROUNDS):
        working = dps + extra
        if working > MAX_WORKING_DPS:
            break
        _, low, lost = _q_at(compiled, z_text, working)
        if lost + precision.GUARD_DIGITS <= extra:
            ctx, high, _ = _q_at(compiled, z_text, working + extra)
            if high is not None and precision.agreeing_digits_of_numbers(ctx, ctx.mpf(low), high) >= dps:
                return precision.to_decimal(ctx, high, dps), dps
        extra = max(2 * extra, lost + 2 * precision.GUARD_DIGITS)
    raise NoConvergence(f"q({z_text}) did not reach {dps} verified digits within {MAX_PRECISION_ROUNDS} "
                        f"precision rounds and {MAX_WORKING_DPS} working digits (last: {working})")
