"""Explicit regularization, §4 eqs. (8)-(9): R_{alpha,w0}(beta) = min ||w - alpha w0||^2 s.t. F(w) = beta.

For the depth-2 model, per coordinate with c = alpha*w0_i:
    R_c(beta) = min (u - c)^2 + (v - c)^2  s.t.  u^2 - v^2 = beta.
The program derives, with sympy: the Lagrange conditions, u = c/(1 - mu), v = c/(1 + mu); the
link beta = c^2 h(mu), h(mu) = 4 mu/(1 - mu^2)^2 on (-1, 1); the envelope identity
dR/dbeta = mu (so the KKT system of argmin R s.t. X beta = y is X c^2 h(X^T nu) = y, a link with
a = c^2, b = 1); the value r(mu) = 2 mu^2 (1 + mu^2)/(1 - mu^2)^2 at unit scale; and, by
eliminating mu with a resultant, the paper's quartic
    p_z(r) = r^4 - 6 r^3 + (12 - 2 z^2) r^2 - (8 + 10 z^2) r + z^2 + z^4,
of which r(z) is the *smaller* real root (the paper says "the unique real root": for z != 0 there
are two).

:func:`r_value` evaluates r(z) = r(mu) at the mu solving h(mu) = |z| (r is even, h odd) from the
derived expressions, with verified digits. Near mu -> 1 (large |z|) it works in the gap
g = 1 - mu, so mu never rounds to 1 and no digit is lost to 1 - mu.
"""

from __future__ import annotations

import dataclasses
import functools

from krtheory import precision
from krtheory.derive.abstract import AbstractDerivation
from krtheory.derive.checks import Step, StepStatus, positivity_step
from krtheory.derive.derivation import printer
from krtheory.derive.symbols import on_domain
from krtheory.errors import InvalidArgument, NoConvergence
from krtheory.derive.potential import MAX_POTENTIAL_DPS
from krtheory._validation import parse_number

#: The root solve of h(mu) = t uses mu itself on [0, 1/2] and the gap g = 1 - mu on (0, 1/2]:
#: mu = 1/2 is where h(mu) = 32/9; both variables keep full relative precision on their side.
SWITCH = "1/2"
#: Newton on the log-scale equation stops when its step is below 2**-(prec - ROOT_SLACK_BITS).
ROOT_SLACK_BITS = 4


@dataclasses.dataclass(frozen=True)
class ExplicitDerivation(AbstractDerivation):
    """The explicit regularizer's link and quartic, with the verification steps.

    Field names match :class:`krtheory.derive.derivation.Derivation` where they mean the same thing, so
    :func:`krtheory.families.diagonal.link_from_derivation` builds its Link the same way."""

    c: object
    nu: object                 # the Lagrange multiplier mu
    lagrange_solution: dict    # {u: c/(1-mu), v: c/(1+mu)}
    link: object               # h(mu) = 4 mu/(1-mu^2)^2
    amplitude: object          # a(c) = c^2
    rate: object               # b(c) = 1
    nu_radius: object          # 1
    dual_potential: object     # G(mu) = int_0^mu h
    value: object              # r(mu) at unit scale
    z: object
    r: object                  # symbol of the quartic's unknown
    quartic: object            # p_z(r)
    steps: tuple

    def as_dict(self, fmt: str = "sympy") -> dict:
        """Every field printed with ``fmt`` (sympy, latex or python; mappings entrywise), the
        steps as dicts, and ``verified``."""
        show = printer(fmt)
        record = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name == "steps":
                value = [step.as_dict() for step in value]
            elif isinstance(value, dict):
                value = {show(k): show(v) for k, v in value.items()}
            else:
                value = show(value)
            record[field.name] = value
        record["verified"] = self.verified()
        return record


def _symbolic_zero(name: str, expr) -> Step:
    import sympy

    residual = sympy.simplify(expr)
    return Step(name, StepStatus.VERIFIED if residual == 0 else StepStatus.FAILED, "symbolic", str(residual))


@functools.cache
def derive_explicit() -> ExplicitDerivation:
    """Carry out the derivation of R (eqs. 8-9) for the depth-2 model; cached."""
    import sympy

    u, v = sympy.symbols("u v", real=True)
    c = sympy.Symbol("c", positive=True)
    mu, z = sympy.symbols("mu z", real=True)
    beta, r = sympy.symbols("beta r", real=True)
    lagrangian = (u - c) ** 2 + (v - c) ** 2 - mu * (u ** 2 - v ** 2 - beta)
    [solution] = sympy.solve([sympy.diff(lagrangian, u), sympy.diff(lagrangian, v)], [u, v], dict=True)
    scaled_link = sympy.factor((u ** 2 - v ** 2).subs(solution))
    amplitude = sympy.simplify(scaled_link.subs(mu, sympy.Rational(1, 2)) /
                               scaled_link.subs({mu: sympy.Rational(1, 2), c: 1}))
    link = sympy.factor(sympy.simplify(scaled_link / amplitude))
    value = sympy.factor(sympy.simplify(((u - c) ** 2 + (v - c) ** 2).subs(solution) / amplitude))
    nu = sympy.Dummy("t", real=True)
    dual_potential = sympy.simplify(sympy.integrate(link.subs(mu, nu), (nu, 0, mu)))
    resultant = sympy.resultant(sympy.numer(sympy.together(link - z)),
                                sympy.numer(sympy.together(value - r)), mu)
    quartic = sympy.Poly(resultant, r).monic().as_expr()
    paper = (r ** 4 - 6 * r ** 3 + (12 - 2 * z ** 2) * r ** 2 - (8 + 10 * z ** 2) * r + z ** 2 + z ** 4)
    slope = sympy.factor(sympy.diff(link, mu))
    steps = (
        _symbolic_zero("Lagrange conditions hold at the solution",
                       sum(sympy.diff(lagrangian, p).subs(solution) ** 2 for p in (u, v))),
        _symbolic_zero("link scales as a(c) h(mu): a(c) = c^2 is mu-free",
                       sympy.diff(scaled_link / link, mu)),
        _symbolic_zero("envelope: dR/dbeta = mu (the dual variable has rate b = 1)",
                       sympy.diff(value, mu) / sympy.diff(link, mu) - mu),
        positivity_step("h is increasing on (-1, 1): h' > 0", on_domain(slope, mu, {}),
                       "symbolic (affine factors 1 -+ mu > 0 on the domain)"),
        _symbolic_zero("dual potential G' = h, G(0) = 0",
                       sympy.diff(dual_potential, mu) - link + dual_potential.subs(mu, 0)),
        _symbolic_zero("eliminating mu gives the paper's quartic p_z(r)", quartic - paper),
        _smaller_root_step(link, value, quartic, mu, z, r),
    )
    return ExplicitDerivation(c=c, nu=mu, lagrange_solution=solution, link=link, amplitude=amplitude,
                              rate=sympy.Integer(1), nu_radius=sympy.Integer(1),
                              dual_potential=dual_potential, value=value, z=z, r=r,
                              quartic=quartic, steps=steps)


def _smaller_root_step(link, value, quartic, mu, z, r, dps: int = 50) -> Step:
    """At seeded mu in (-1, 1): r(mu) is a root of p_{z(mu)} and the smaller of its two real roots."""
    import random

    from krtheory.precision import context, lambdify

    ctx = context(dps)
    h = lambdify(mu, link, ctx)
    r_of = lambdify(mu, value, ctx)
    import sympy

    coefficients = [lambdify(z, cf, ctx) for cf in sympy.Poly(quartic, r).all_coeffs()]
    rng = random.Random(0)
    worst, counts = ctx.zero, set()
    for _ in range(5):
        m = ctx.mpf(rng.uniform(-0.95, 0.95))
        zz = h(m)
        roots = ctx.polyroots([cf(zz) for cf in coefficients], maxsteps=200, extraprec=2 * dps)
        real = sorted(ctx.re(x) for x in roots if abs(ctx.im(x)) < ctx.mpf(10) ** (-dps // 2))
        counts.add(len(real))
        worst = max(worst, abs(real[0] - r_of(m)) / max(ctx.one, abs(real[0])))
    ok = worst < ctx.mpf(10) ** (-(dps - 10)) and counts == {2}
    return Step("r is the smaller of the quartic's two real roots (not unique)",
                StepStatus.VERIFIED if ok else StepStatus.FAILED,
                f"numeric: {dps} digits at 5 seeded mu in (-0.95, 0.95); real roots per z: {sorted(counts)}",
                ctx.nstr(worst, 3))


# -- numerics: r(z) with verified digits -------------------------------------------------------
@functools.cache
def _branches():
    """For each side of SWITCH: (variable, h, d log h / d log variable, r) as sympy expressions.

    The mu side is the derivation's h(mu), r(mu); the gap side substitutes mu = 1 - g and factors,
    so (1 - mu) appears as g itself. Both log-derivatives are derived here, never typed."""
    import sympy

    derivation = derive_explicit()
    mu, g = derivation.nu, sympy.Symbol("g", positive=True)
    sides = []
    for variable, link, value in ((mu, derivation.link, derivation.value),
                                  (g, sympy.factor(derivation.link.subs(mu, 1 - g)),
                                   sympy.factor(derivation.value.subs(mu, 1 - g)))):
        slope = sympy.factor(variable * sympy.diff(sympy.log(link), variable))
        sides.append((variable, link, slope, value))
    return tuple(sides)


def r_function(ctx):
    """r(z) for ``ctx`` numbers: the mu in [0, 1) with h(mu) = |z| by Newton on
    log h = log|z| in the log of mu (or of g = 1 - mu past SWITCH), bracketed; then r(mu)."""
    compiled = [tuple(precision.lambdify(side[0], expr, ctx) for expr in side[1:]) for side in _branches()]
    switch = ctx.mpf(SWITCH)
    threshold = compiled[0][0](switch)  # h(1/2)

    def r(z_value):
        t = abs(z_value)
        if t == 0:
            return ctx.zero
        gap_side = t > threshold
        h, slope, value = compiled[gap_side]
        # log h is -2 log g + O(g) on the gap side, log 4 + log mu + O(mu^2) on the mu side
        guess = -ctx.log(t) / 2 if gap_side else ctx.log(t / 4)
        x = ctx.exp(_log_newton(ctx, h, slope, ctx.log(t), min(guess, ctx.log(switch)),
                                ctx.log(switch), decreasing=gap_side))
        return value(x)

    return r


def _log_newton(ctx, h, slope, target, start, top, decreasing: bool):
    """s <= top with log h(e^s) = target: Newton on a function that is nearly linear in s,
    safeguarded by bisection once a bracket is known (monotone: h increasing in mu,
    decreasing in g)."""
    sign = -1 if decreasing else 1
    lo, hi = None, top
    s = start
    budget = 2 * ctx.prec + 64
    for _ in range(budget):
        x = ctx.exp(s)
        f = sign * (ctx.log(h(x)) - target)
        if f == 0:
            return s
        if f < 0:
            lo = s
        else:
            hi = s
        step = f / (sign * slope(x))
        s_new = s - step
        if not (lo is None or lo < s_new) or not s_new < hi:
            s_new = (lo + hi) / 2 if lo is not None else hi - 2 * abs(step) - 1
        if abs(s_new - s) <= max(ctx.one, abs(s)) * ctx.ldexp(1, ROOT_SLACK_BITS - ctx.prec):
            return s_new
        s = s_new
    raise NoConvergence(f"explicit link h(mu) = e^{ctx.nstr(target, 10)}: bracketed Newton used all "
                        f"{budget} iterations at {ctx.dps} digits")


@functools.lru_cache(maxsize=32)
def _compiled(dps: int):
    ctx = precision.context(dps)
    return ctx, r_function(ctx)


def r_value(z, dps: int = 30) -> tuple[str, int]:
    """r(z) of eq. (9) (unit scale: R_{alpha,1}(beta) = alpha^2 sum r(beta_i/alpha^2)) to ``dps``
    verified significant digits: (decimal string, digits).

    Evaluated at dps + GUARD_DIGITS and verified by a second evaluation at dps + 2 GUARD_DIGITS
    (no cancellation: r(mu) and r(1 - g) are products of factors bounded away from 0)."""
    dps = precision.check_dps(dps)
    if dps > MAX_POTENTIAL_DPS:
        raise InvalidArgument(f"Expected dps <= {MAX_POTENTIAL_DPS} for a potential value but got dps={dps}")
    text = parse_number(z, "z")
    ctx_low, r_low = _compiled(dps + precision.GUARD_DIGITS)
    ctx, r_high = _compiled(dps + 2 * precision.GUARD_DIGITS)
    low, high = r_low(ctx_low.mpf(text)), r_high(ctx.mpf(text))
    if high == 0:
        return "0", dps
    if precision.agreeing_digits_of_numbers(ctx, ctx.mpf(low), high) < dps:
        raise NoConvergence(f"r({text}): evaluations at {ctx_low.dps} and {ctx.dps} digits do not agree "
                            f"to {dps} digits")
    return precision.to_decimal(ctx, high, dps), dps
