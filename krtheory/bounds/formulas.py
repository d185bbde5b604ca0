"""The printed alpha-scaling bounds of the paper (Theorem 2, Appendix D Lemmas 1-3, Section 5 /
Theorem 3 for depth D), as functions of the problem (through ||beta*_l1||_1, ||beta*_l2||_2, d)
and eps, evaluated in an mpmath context, so that e.g. exp(-200) ~ 1.4e-87 prints instead of
underflowing:

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
"""

from __future__ import annotations

import decimal
from fractions import Fraction

from krtheory.errors import InvalidArgument
from krtheory._validation import check_depth, parse_number

#: Working precision of the solves and references unless a caller asks for another.
DEFAULT_DPS = 30
#: Significant digits of the alpha values probed (exact decimal strings).
ALPHA_DIGITS = 10
#: Deepest model the bounds accept (the derivation engine's limit).
MAX_DEPTH_CHECKED = 100


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


def positive_number(ctx, value, name: str):
    """``value`` as a number of ``ctx``; InvalidArgument unless it is > 0."""
    number = ctx.mpf(value)
    if not number > 0:
        raise InvalidArgument(f"{name} must be > 0 but got {name}={value}")
    return number


# -- the printed bounds, in a context ---------------------------------------------------
def theorem2_l1_bound(norm1, d: int, eps, ctx):
    """Theorem 2 (l1 side): alpha <= min{(2(1+eps)B)^(-(2+eps)/(2eps)), exp(-d/(eps B))}."""
    B, e = positive_number(ctx, norm1, "norm1"), ctx.mpf(check_eps(eps, d))
    return min((2 * (1 + e) * B) ** (-(2 + e) / (2 * e)), ctx.exp(-d / (e * B)))


def theorem2_l2_bound(norm2, eps, ctx):
    """Theorem 2 (l2 side): alpha >= sqrt(2(1+eps)(1+2/eps) ||beta*_l2||_2) (root over the norm)."""
    N, e = positive_number(ctx, norm2, "norm2"), ctx.mpf(check_eps(eps))
    return ctx.sqrt(2 * (1 + e) * (1 + 2 / e) * N)


def lemma1_alpha(norm1, d: int, eps, ctx):
    """Lemma 1: alpha_1(eps, ||beta||_1, d) = min{1, sqrt(B), (2B)^(-1/(2eps)), exp(-d/(2 eps B))}."""
    B, e = positive_number(ctx, norm1, "norm1"), ctx.mpf(check_eps(eps))
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
    N, e = positive_number(ctx, norm2, "norm2"), ctx.mpf(check_eps(eps))
    return ctx.sqrt(N) * (1 + e ** (-ctx.one / 4))


def depth_bound(norm1, d: int, eps, depth: int, ctx):
    """§6 (derived): alpha = [(2eps/D)(1+eps)^(-2/D) (B/d)^(1-2/D)]^(1/(D-2)); alpha at or below it
    gives ||beta_inf,D||_1 <= (1+eps) B for depth D >= 3."""
    D = check_depth(depth)
    if D < 3:
        raise InvalidArgument(f"the depth-D bound needs depth >= 3 (depth 2 is Theorem 2) but got depth={depth!r}")
    B, e = positive_number(ctx, norm1, "norm1"), ctx.mpf(check_eps(eps))
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
        return decimal_text(mantissa.scaleb(exponent))
    return _scientific(mantissa, exponent)


def _scientific(mantissa: decimal.Decimal, exponent: int) -> str:
    """mantissa * 10^exponent in e-notation, the exponent added as an int (any size)."""
    digits, _, own = format(mantissa, "e").partition("e")
    return f"{digits}e{int(own) + exponent:+d}"


def decimal_text(value: decimal.Decimal) -> str:
    """A decimal as plain digits for moderate sizes, else in e-notation (exact either way)."""
    return str(value) if -4 <= value.adjusted() < ALPHA_DIGITS else format(value, "e")
