"""The regularizer Q^D_alpha at the paper's normalization and the Lemma 2 witnesses e_1 and
1_d/sqrt(d): their ratio sqrt(d) Q(e_1)/Q(1_d/sqrt(d)) (>= 1+eps: Q is not (1+eps)-proportional
to l1), the alpha where it crosses 1+eps, and the table of Figure 3(b)."""

from __future__ import annotations

import dataclasses
import functools
from fractions import Fraction

from krtheory.bounds.formulas import DEFAULT_DPS, MAX_DEPTH_CHECKED, check_eps, positive_number
from krtheory.errors import InvalidArgument, NoConvergence
from krtheory.precision import GUARD_DIGITS, check_dps, context, lambdify, to_decimal
from krtheory._validation import check_depth, check_positive_int, parse_number

#: Witness thresholds (Lemma 2 ratio = 1+eps) are bisected on x = ln(alpha^D) to this width.
WITNESS_X_WIDTH = Fraction(1, 10 ** 6)
#: Bracket expansion steps for the witness threshold before NoConvergence (x doubles each step).
WITNESS_EXPANSIONS = 40


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
    paper's normalization) for exact ``beta`` entries and ``alpha``: the derived regularizer
    sum_i w(alpha) q_D(beta_i/a(alpha)) at w0 = 1 (:func:`krtheory.families.diagonal.regularizer_value`,
    a(alpha) = alpha^D) times a(alpha)/w(alpha), the alpha-dependent part of the rate b (alpha^(D-2))
    that the implicit regularizer drops. Every q value is verified to ``dps`` digits and all terms
    are >= 0, so the sum carries dps - 1 digits: returns (value, digits)."""
    from krtheory.families.diagonal import initial_scales, regularizer_value

    derivation = _derivation(check_depth(depth, MAX_DEPTH_CHECKED))
    dps = check_dps(dps)
    ctx = context(dps + 2 * GUARD_DIGITS)
    alpha = parse_number(alpha, "alpha")
    alpha_value = positive_number(ctx, alpha, "alpha")
    entries = [ctx.mpf(parse_number(b, f"beta entry {i}")) for i, b in enumerate(beta, start=1)]
    implicit = regularizer_value(derivation, entries, initial_scales(alpha, None, len(entries)), ctx,
                                 q=lambda z: _q_verified(derivation, z, ctx, dps))
    dropped = lambdify(derivation.c, derivation.amplitude / derivation.weight(), ctx)
    return dropped(alpha_value) * implicit, dps - 1


def _witness_ratio(q, d: int, inverse_scale, ctx):
    """Q^D(e_1)/Q^D(1_d/sqrt(d)) = q(Z)/(d q(Z/sqrt(d))), Z = alpha^-D: Q is separable, so the
    d-vector is never built."""
    return q(inverse_scale) / (d * q(inverse_scale / ctx.sqrt(d)))


def witness_ratio(d: int, alpha, *, depth: int = 2, dps: int = DEFAULT_DPS):
    """Lemma 2's sqrt(d) Q^D_alpha(e_1)/Q^D_alpha(1_d/sqrt(d)) (>= 1+eps means Q is not
    (1+eps)-proportional to l1) at an exact or ctx-number ``alpha``; returns (value, digits)."""
    derivation = _derivation(check_depth(depth, MAX_DEPTH_CHECKED))
    dps = check_dps(dps)
    d = check_positive_int(d, "d")
    ctx = context(dps + 2 * GUARD_DIGITS)
    a = positive_number(ctx, alpha if not isinstance(alpha, str) else parse_number(alpha, "alpha"), "alpha")
    ratio = _witness_ratio(lambda z: _q_verified(derivation, z, ctx, dps), d, a ** (-depth), ctx)
    return ctx.sqrt(d) * ratio, dps - 1


#: Figure 3(b): d, the depths and the x = ln(alpha^D) columns of the table.
FIG3B_DIMENSION = 100
FIG3B_DEPTHS = (2, 3, 5, 10, 100)
FIG3B_X = tuple(range(-8, 2))


def fig3b_table(*, d: int | None = None, depths=None, xs=None, dps: int = 20) -> list[list]:
    """Figure 3(b): rows [D, ratio at each x], ratio = Q^D_alpha(e_1)/Q^D_alpha(1_d/sqrt(d)) at
    alpha^D = e^x (natural log), each value verified to ``dps`` - 1 digits (numbers of a context);
    d, depths and xs default to FIG3B_DIMENSION, FIG3B_DEPTHS and FIG3B_X."""
    d = check_positive_int(FIG3B_DIMENSION if d is None else d, "d")
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

    d, dps, depth = check_positive_int(d, "d"), check_dps(dps), check_depth(depth, MAX_DEPTH_CHECKED)
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
