"""The two limits of the depth-D regularizer (§5, Theorem 3; Appendix E) and of
the predictor it selects, in the paper's normalization Q^D_alpha(beta) = alpha^D sum q_D(beta_i/alpha^D).

* kernel, alpha -> oo: Q^D ~ (D-2)/(4D) alpha^-D ||beta||^2. From
  q_D(u) = k2 u^2 - k4 u^4 + O(u^6), k2 = (D-2)/(4D), k4 = (D-1)(D-2)(3D-4)/(96 D^3), the relative
  error is -(k4/k2) alpha^(-2D) sum beta^4/||beta||^2 (next order alpha^(-4D)).
* rich, alpha -> 0: Q^D -> ||beta||_1, polynomially: from q_D(u) = |u| - (D/2)|u|^(2/D) + C + o(1)
  the relative error is -(D/2) alpha^(D-2) sum |beta_i|^(2/D) / ||beta||_1 (next order alpha^2 relative).
* beta_alpha = argmin Q^D s.t. X beta = y -> beta*_l2 at rate alpha^(-2D) (the quartic term), and
  -> the certified beta*_l1 at rate alpha^D: off the support beta_i = alpha^D h_D(nu_i) with the
  dual nu_i held inside (-1, 1) by the strict l1 certificate (D >= 3: no log, unlike D = 2).

q_D is the derived potential (krtheory.derive.engine, never retyped); the constants above are typed
from the series of q_D (derived by hand from h_D, Appendix E) as the independent expectation. Each error is computed at two working
precisions and its agreeing digits are reported. beta_alpha is the solve's prediction, tied to
the flow by thm3.depth-D. :func:`interpolator_distances` is depth-generic (the depth-2 checks in
diagonal_interpolator_limits could use it too).
"""

from __future__ import annotations

import math
from fractions import Fraction

from krtheory.claims import Claim, Domain, RunConfig, Status, Verdict, register
from krtheory.precision import Tolerance, agreeing_digits_of_numbers, context
from proofs_checks._ladders import (D_VECTOR, fitted_slope, l1_limit_verdict, l2_limit_verdict,
                                    seeded_beta)

#: alpha ladders per depth, deep in each asymptotic regime: kernel relative errors alpha^(-2D)
#: from about 1e-6 down to 1e-30 (D = 100: 4e-20 .. 6e-61); rich ones alpha^(D-2) from 1e-2 .. 1e-8
#: (D = 3) down to 1e-8 .. 1e-32 (D = 10), next-order terms alpha^2 relative below 1e-4
#: (the same in quick and full mode: each ladder takes about a second). D = 100 is on the kernel
#: side only: on the rich side the error alpha^98 leaves float range (alpha < 1e-3) before the
#: next order alpha^2 is well below CONSTANT_BAND, and each q needs ~300 digits next to h's pole
KERNEL_ALPHAS = {3: ("10", "100", "1000", "10000"), 5: ("10", "100", "1000"), 10: ("2", "4", "8", "16"),
                 100: ("1.25", "1.5", "2")}
RICH_ALPHAS = {3: ("1e-2", "1e-4", "1e-6", "1e-8"), 5: ("1e-2", "1e-3", "1e-4", "1e-5"),
               10: ("1e-1", "1e-2", "1e-3", "1e-4")}
#: digits Q's error term must keep beyond the base: the two evaluations must agree this well
ERROR_DIGITS = 15
#: base working digits, to which the cancellation costs are added (see _working_dps)
BASE_DPS = 40
#: the second evaluation has this many more digits; its agreement verifies the first
VERIFY_EXTRA = 20
#: a fitted log-log slope must match the predicted exponent to this many units: next-order terms
#: are below 1e-4 relative on every ladder, which shifts the slope by far less
SLOPE_BAND = 0.02
#: the leading error constant must match the series prediction this well at the ladder's far end,
#: where the next order is at most alpha^2 = 1e-8 (rich, D = 10) or alpha^(-2D) <= 1e-6 (kernel)
CONSTANT_BAND = 1e-6
_VECTORS = f"seeded dyadic beta in R^{D_VECTOR}, w0 = 1"
_DIGITS = {"working digits": f"{BASE_DPS} + cancellation cost", "verified at": f"+{VERIFY_EXTRA}"}
KERNEL = Domain(_VECTORS, alphas=KERNEL_ALPHAS, extras=_DIGITS)
RICH = Domain(_VECTORS, alphas=RICH_ALPHAS, extras=_DIGITS)


def paper_regularizer(depth: int, alpha, beta, ctx):
    """Q^D_alpha(beta) = alpha^D sum q_D(beta_i/alpha^D) (Theorem 3) with the derived q_D
    (potential.potential_function); ``alpha`` and ``beta`` are numbers of ``ctx``."""
    from krtheory.derive.engine import derive_diagonal
    from krtheory.derive.potential import potential_function

    q = potential_function(derive_diagonal(depth), ctx)
    scale = alpha ** depth
    return scale * ctx.fsum(q(b / scale)[0] for b in beta)


def _working_dps(side: str, depth: int, alpha: str) -> int:
    """Digits that leave ERROR_DIGITS in the relative error after what the evaluation costs.

    kernel: q(u) ~ u^2 is a sum of O(1) terms (2 log10(1/u) = 2D log10(alpha) digits lost) and the
    error is alpha^(-2D) below Q (as many again); rich: the error is alpha^(D-2) below Q, and the
    root h^-1 = 1 - O(alpha^(D-2)) then still has BASE_DPS digits next to 1 (q is stationary in
    the root, so its rounding enters only to second order)."""
    decades = abs(math.log10(float(alpha)))
    cost = 4 * depth * decades if side == "kernel" else (depth - 2) * decades
    return BASE_DPS + ERROR_DIGITS + math.ceil(cost)


def _relative_error(depth: int, alpha: str, beta_text, limit, dps: int):
    """Q^D_alpha(beta)/limit - 1 at ``dps`` digits."""
    ctx = context(dps)
    alpha_mp, beta = ctx.mpf(alpha), [ctx.mpf(b) for b in beta_text]
    return paper_regularizer(depth, alpha_mp, beta, ctx) / limit(depth, alpha_mp, beta, ctx) - 1


def _ladder(config: RunConfig, side: str, ladders: dict, exponent, limit, constant) -> Verdict:
    """Relative error of Q^D against its limit on each depth's alpha ladder: fitted exponent and
    leading constant against the series prediction, each error verified at two precisions."""
    beta_text = seeded_beta(config.seed)
    rows, statuses = [], []
    for depth, alphas in ladders.items():
        errors, digits = [], []
        for alpha in alphas:
            dps = _working_dps(side, depth, alpha)
            low = _relative_error(depth, alpha, beta_text, limit, dps)
            high = _relative_error(depth, alpha, beta_text, limit, dps + VERIFY_EXTRA)
            errors.append(high)
            digits.append(round(agreeing_digits_of_numbers(high.context, high.context.convert(low), high), 1))
        ctx = errors[-1].context
        slope = fitted_slope([float(a) for a in alphas], [float(e) for e in errors])
        expected_slope = exponent(depth)
        predicted = constant(depth, [ctx.mpf(b) for b in beta_text], ctx)
        observed = errors[-1] / ctx.mpf(alphas[-1]) ** expected_slope
        constant_error = float(abs(observed / predicted - 1))
        if min(digits) < ERROR_DIGITS:
            status = Status.INCONCLUSIVE
        elif abs(slope - expected_slope) <= SLOPE_BAND and constant_error <= CONSTANT_BAND:
            status = Status.HOLDS
        else:
            status = Status.REFUTED
        statuses.append(status)
        rows.append({"depth": depth, "alphas": list(alphas), "status": status.value,
                     "relative_errors": [ctx.nstr(e, 6) for e in errors], "error_digits": digits,
                     "fitted_exponent": round(slope, 5), "expected_exponent": expected_slope,
                     "error_constant": ctx.nstr(observed, 10), "series_constant": ctx.nstr(predicted, 10),
                     "constant_relative_error": f"{constant_error:.2e}"})
    status = Status.combine(*statuses)
    exponents = ", ".join(f"D={r['depth']}: {r['fitted_exponent']:.4f} (expected {r['expected_exponent']})"
                          for r in rows)
    return Verdict(status, f"{status.value.lower()}: fitted exponents of the relative error {exponents}",
                   {"beta": list(beta_text), "ladders": rows, "slope_band": SLOPE_BAND,
                    "constant_band": CONSTANT_BAND, "error_digits_required": ERROR_DIGITS,
                    "seed": config.seed})


def _k4_over_k2(depth: int) -> Fraction:
    """k4/k2 of q_D(u) = k2 u^2 - k4 u^4 (small-u series, typed): (D-1)(3D-4)/(24 D^2)."""
    k2 = Fraction(depth - 2, 4 * depth)
    k4 = Fraction((depth - 1) * (depth - 2) * (3 * depth - 4), 96 * depth ** 3)
    return k4 / k2


def _kernel_limit(depth, alpha, beta, ctx):
    """(D-2)/(4D) alpha^-D ||beta||^2 (Theorem 3, kernel limit)."""
    return ctx.mpf(depth - 2) / (4 * depth) * alpha ** -depth * ctx.fsum(b * b for b in beta)


def _kernel_constant(depth, beta, ctx):
    ratio = _k4_over_k2(depth)
    return (-ctx.mpf(ratio.numerator) / ratio.denominator * ctx.fsum(b ** 4 for b in beta)
            / ctx.fsum(b * b for b in beta))


def _rich_limit(depth, alpha, beta, ctx):
    return ctx.fsum(abs(b) for b in beta)


def _rich_constant(depth, beta, ctx):
    """-(D/2) sum |beta_i|^(2/D) / ||beta||_1 (large-u expansion, typed)."""
    return -ctx.mpf(depth) / 2 * ctx.fsum(abs(b) ** (ctx.mpf(2) / depth) for b in beta) / \
        ctx.fsum(abs(b) for b in beta)


def check_kernel_limit(config: RunConfig) -> Verdict:
    return _ladder(config, "kernel", KERNEL.alphas_in(config.mode), lambda depth: -2 * depth,
                   _kernel_limit, _kernel_constant)


def check_rich_limit(config: RunConfig) -> Verdict:
    return _ladder(config, "rich", RICH.alphas_in(config.mode), lambda depth: depth - 2, _rich_limit,
                   _rich_constant)


# -- the predictor's limits (Theorem 3, "Furthermore") -------------------------------------------
PREDICTOR_DEPTH = 3
#: distances ~ alpha^-6 fall from 1e-9 to 1e-33 (resolved at 60 digits)
L2 = Domain(f"exact dyadic, D = {PREDICTOR_DEPTH}, w0 = 1", problems=("planted-5x12",),
            alphas=("10", "100", "1000", "10000", "100000"), dps=60)
#: distances ~ alpha^3 fall from 1e-4 to 1e-22: the last still 38 digits above the solve's rounding
L1 = Domain(f"exact dyadic, planted sparse, D = {PREDICTOR_DEPTH}, w0 = 1", problems=("planted-5x12",),
            alphas=("1e-2", "1e-3", "1e-4", "1e-6", "1e-8"), dps=60)
#: fitted exponent of the distance must match -2D (l2) or D (l1) within this band: the next-order
#: corrections are relative alpha^-2D resp. alpha^(D-2) at the near end of each ladder
PREDICTOR_SLOPE_BAND = 0.05
#: at the smallest alpha the l1 distance must be below this fraction of ||beta*_l1||_1
L1_FINAL_RELATIVE = 1e-20


def check_l2_limit(config: RunConfig) -> Verdict:
    return l2_limit_verdict(L2, config.mode, PREDICTOR_DEPTH, -2 * PREDICTOR_DEPTH, PREDICTOR_SLOPE_BAND)


def check_l1_limit(config: RunConfig) -> Verdict:
    return l1_limit_verdict(L1, config.mode, PREDICTOR_DEPTH, L1_FINAL_RELATIVE, PREDICTOR_DEPTH,
                            PREDICTOR_SLOPE_BAND)


register(Claim(
    id="thm3.kernel-limit",
    statement="Q^D_alpha(beta) = alpha^D sum q_D(beta_i/alpha^D) ~ (D-2)/(4D) alpha^-D ||beta||_2^2 as "
              "alpha -> oo, relative error O(alpha^(-2D)) with constant -(k4/k2) sum beta^4/||beta||^2",
    reference="§5, Theorem 3 (kernel limit); small-u series of q_D",
    domain=KERNEL,
    tolerance=Tolerance.criterion(f"fitted exponent within {SLOPE_BAND} of -2D, error constant matched "
                                  f"to {CONSTANT_BAND:.0e}, each error verified to {ERROR_DIGITS} digits"),
    check=check_kernel_limit))

register(Claim(
    id="thm3.rich-limit",
    statement="Q^D_alpha(beta) -> ||beta||_1 as alpha -> 0 for D >= 3 with no log normalization, relative "
              "error O(alpha^(D-2)) (polynomial) with constant -(D/2) sum |beta_i|^(2/D) / ||beta||_1",
    reference="§5, Theorem 3 and the discussion after it; large-u expansion of q_D",
    domain=RICH,
    tolerance=Tolerance.criterion(f"fitted exponent within {SLOPE_BAND} of D-2, error constant matched "
                                  f"to {CONSTANT_BAND:.0e}, each error verified to {ERROR_DIGITS} digits"),
    check=check_rich_limit))

register(Claim(
    id="thm3.limit-l2",
    statement="beta_alpha = argmin Q^D_alpha s.t. X beta = y -> beta*_l2 as alpha -> oo (D = 3), at rate "
              "alpha^(-2D)",
    reference="§5, Theorem 3 ('Furthermore', kernel side)",
    domain=L2,
    tolerance=Tolerance.criterion(f"fitted exponent within {PREDICTOR_SLOPE_BAND} of -2D, distances "
                                  "strictly decreasing"),
    check=check_l2_limit))

register(Claim(
    id="thm3.limit-l1",
    statement="beta_alpha = argmin Q^D_alpha s.t. X beta = y -> beta*_l1 as alpha -> 0 (D = 3), at the "
              "polynomial rate alpha^D (the dual stays inside (-1, 1))",
    reference="§5, Theorem 3 ('Furthermore', rich side) and 'the scale of alpha needed is polynomial'",
    domain=L1,
    tolerance=Tolerance(20, f"relative l1 distance at the smallest alpha below 1e-20, fitted exponent "
                            f"within {PREDICTOR_SLOPE_BAND} of D, strictly decreasing"),
    check=check_l1_limit))
