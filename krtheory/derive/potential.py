"""Numerics of a derived potential: ``q(z)`` from the derivation's expression (never retyped),
with verified digits.

:func:`potential_function` compiles ``q`` for an mpmath context; without a closed-form inverse
link (D >= 3) it evaluates ``q(z) = |z|*root - G(root)`` (Theorem 3, eq. 60) after solving
``root = h^{-1}(|z|)`` by Newton safeguarded with bisection. :func:`potential_value` raises the
working precision until the digits lost to cancellation among the top-level terms leave the
requested digits plus guard digits and a second evaluation with more digits agrees.
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation

import sympy as sp

from krtheory import precision
from krtheory.derive.engine import Derivation, nu, root, z
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


def potential_function(derivation: Derivation, ctx):
    """q(z) for ``ctx`` numbers, from the derived expression (never retyped); returns
    ``(value, terms)`` with the top-level terms of the sum, whose size against the value
    measures the digits lost to cancellation.

    Without a closed-form inverse link (D >= 3) it first solves ``root = h^{-1}(|z|)`` by
    Newton safeguarded with bisection (NoConvergence when the precision cannot resolve it).
    NotApplicable when q still has link parameters (symbolic initial values).
    """
    unbound = sorted(map(str, derivation.potential.free_symbols - {z, root}))
    if unbound:
        raise NotApplicable(f"q depends on the link parameters {', '.join(unbound)}: derive with "
                            f"numeric initial values to evaluate it")
    terms = [precision.lambdify([z, root], term, ctx) for term in sp.Add.make_args(derivation.potential)]
    if derivation.inverse_link is None:
        h = precision.lambdify([nu], derivation.link, ctx)
        dh = precision.lambdify([nu], sp.diff(derivation.link, nu), ctx)

    def potential(z_value):
        x = ctx.zero
        if derivation.inverse_link is None and z_value != 0:
            x = _solve_link(ctx, h, dh, abs(z_value), derivation.nu_radius)
        values = [term(z_value, x) for term in terms]
        return ctx.fsum(values), values

    return potential


@functools.lru_cache(maxsize=64)
def _compiled(derivation: Derivation, dps: int):
    """(ctx, q) at ``dps`` digits, compiled once per derivation and working precision."""
    ctx = precision.context(dps)
    return ctx, potential_function(derivation, ctx)


def _solve_link(ctx, h, dh, target, radius):
    """h^{-1}(target) for target > 0 (h increasing with h(0) = 0, a verified step).

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
    bounded = radius != sp.oo
    if bounded:
        bound = sp.Rational(radius)
        R = ctx.mpf(bound.p) / bound.q
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


def _q_at(derivation: Derivation, z_text: str, dps: int):
    """(ctx, q(z), digits lost to cancellation in the top-level sum) at ``dps`` digits."""
    ctx, q = _compiled(derivation, dps)
    try:
        value, terms = q(ctx.mpf(z_text))
    except NoConvergence:  # h^{-1} not resolvable at this precision: count every digit as lost
        return ctx, None, dps
    largest = max(abs(term) for term in terms)
    if value == 0:
        return ctx, value, 0 if largest == 0 else dps
    return ctx, value, max(0, int(ctx.ceil(ctx.log10(largest / abs(value)))))


def potential_value(derivation: Derivation, z, dps: int = 30) -> tuple[str, int]:
    """q(z) to ``dps`` verified significant digits: (decimal string, digits).

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
    failed = [step.name for step in derivation.steps if step.status == "failed"]
    if failed:
        raise NotApplicable(f"the {derivation.family} D={derivation.depth} derivation has failed "
                            f"steps: {failed}")
    _compiled(derivation, dps)  # NotApplicable before anything else if q has link parameters
    z_exact = sp.Rational(z_text)
    if not derivation.link_range.contains(z_exact):
        raise InvalidArgument(f"z must lie in the range {derivation.link_range} of the link h (where q "
                              f"is defined) but got z={z!r}")
    if z_exact == derivation.initial_prediction():  # exact: q(beta(0)) = 0 is a verified step
        return "0", dps
    extra = precision.GUARD_DIGITS
    for _ in range(MAX_PRECISION_ROUNDS):
        working = dps + extra
        if working > MAX_WORKING_DPS:
            break
        _, low, lost = _q_at(derivation, z_text, working)
        if lost + precision.GUARD_DIGITS <= extra:
            ctx, high, _ = _q_at(derivation, z_text, working + extra)
            if high is not None and precision.agreeing_digits_of_numbers(ctx, ctx.mpf(low), high) >= dps:
                return precision.to_decimal(ctx, high, dps), dps
        extra = max(2 * extra, lost + 2 * precision.GUARD_DIGITS)
    raise NoConvergence(f"q({z_text}) did not reach {dps} verified digits within {MAX_PRECISION_ROUNDS} "
                        f"precision rounds and {MAX_WORKING_DPS} working digits (last: {working})")
