"""Appendix D's lemmas behind Theorem 2, checked at the alphas they name.

* lemma1.sandwich: alpha <= alpha_1(eps, ||beta||_1, d) gives
  (1-eps)||beta||_1 <= Q_alpha(beta)/ln(1/alpha^2) <= (1+eps)||beta||_1;
* lemma3.sandwich: alpha >= alpha_2(eps, ||beta||_2) gives (1-eps)||beta||^2 <= 4 alpha^2 Q_alpha(beta)
  <= (1+eps)||beta||^2;
* lemma2.witness: for d >= max{e, 12^(4 eps)} and alpha >= d^(-1/4-1/(8eps)),
  sqrt(d) Q(e_1)/Q(1_d/sqrt d) >= 1+eps (Q is not proportional to l1), for d up to 1e8 without
  building a d-vector (Q is separable), and the ratio is nondecreasing in alpha. The evidence adds
  the measured alpha where the ratio crosses 1+eps, i.e. how tight Lemma 2's alpha is.

beta: seeded random dyadic vectors of several sizes and scales; alpha: the lemma's alpha rounded
to the safe side, and further into the lemma's range. Q is the derived hypentropy (krtheory.derive.engine)
with every q value verified to DPS digits; margins are far larger than 10^-DPS.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from krtheory.bounds.formulas import decimal_beside, lemma1_alpha, lemma2_alpha, lemma2_least_dimension, lemma3_alpha
from krtheory.bounds.witness import regularizer, witness_ratio, witness_threshold
from krtheory.claims import Claim, Domain, RunConfig, Status, Verdict, register
from krtheory.precision import Tolerance, context

DPS = 30
_VECTORS = "seeded random dyadic beta, d in [2, 12], ||beta||_1 from ~1e-2 to ~1e2"
_EPS = {"quick": ("0.1", "0.5"), "full": ("0.05", "0.1", "0.25", "0.5", "0.9")}
_COUNT = {"quick": 4, "full": 16}
#: the lemma's alpha moved into its range by these powers of 10
_POWERS = {"quick": (0, 3), "full": (0, 1, 10)}
_MOVED = "alpha = the lemma's alpha moved 10^k into its range, k in"
SANDWICH = Domain(_VECTORS, alphas=_EPS, parameter="eps", dps=DPS, extras={"vectors": _COUNT, _MOVED: _POWERS})
#: d: the smallest allowed and these; alpha: Lemma 2's alpha times 10^k (the lemma holds for
#: every alpha >= its alpha)
LEMMA2 = Domain("separable evaluation, no d-vector", alphas=("0.25", "0.5", "1"), parameter="eps", dps=DPS,
                extras={"d = the smallest allowed and": {"quick": (10 ** 4, 10 ** 8),
                                                         "full": tuple(10 ** k for k in range(2, 9))},
                        "alpha = Lemma 2's alpha x 10^k, k in": (0, 1, 2, 4)})
MARGIN = Tolerance(DPS - 2, "q values verified to 30 digits; the sandwich/witness inequalities are "
                            "decided when their margin exceeds 1e-28 relative")


def random_vectors(seed: int, count: int):
    """Seeded dyadic vectors: d in [2, 12], entries k/8 (some zero), scaled by 2^s, s in [-6, 6]."""
    import numpy as np

    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        d = int(rng.integers(2, 13))
        entries = rng.integers(-16, 17, size=d)
        if not entries.any():
            entries[0] = 1
        scale = Fraction(2) ** int(rng.integers(-6, 7))
        out.append([str(Fraction(int(k), 8) * scale) for k in entries])
    return out


def _norms(beta, ctx):
    values = [ctx.mpf(Fraction(b).numerator) / Fraction(b).denominator for b in beta]
    return ctx.fsum(abs(v) for v in values), ctx.sqrt(ctx.fsum(v * v for v in values))


def _sandwich(config: RunConfig, lemma: int) -> Verdict:
    mode = config.mode
    count, eps_values = SANDWICH.extra("vectors", mode), SANDWICH.alphas_in(mode)
    multipliers = SANDWICH.extra(_MOVED, mode)
    ctx = context(DPS + 10)
    rows, worst = [], None
    for beta in random_vectors(config.seed, count):
        norm1, norm2 = _norms(beta, ctx)
        for eps in eps_values:
            e = ctx.mpf(eps)
            if lemma == 1:
                alpha = lemma1_alpha(norm1, len(beta), eps, ctx)
                side, exact = "below", norm1
            else:
                alpha = lemma3_alpha(norm2, eps, ctx)
                side, exact = "above", norm2 ** 2
            for k in multipliers:
                a_text = decimal_beside(ctx, alpha * ctx.mpf(10) ** (-k if lemma == 1 else k), DPS, side)
                a = ctx.mpf(a_text)
                Q, _ = regularizer(beta, a_text, dps=DPS)
                value = ctx.convert(Q) / ctx.log(1 / a ** 2) if lemma == 1 else 4 * a ** 2 * ctx.convert(Q)
                deviation = value / exact - 1
                slack = (e - abs(deviation)) / e   # >= 0: inside the sandwich
                rows.append({"d": len(beta), "norm": ctx.nstr(exact, 8), "eps": eps, "alpha": a_text,
                             "relative_deviation": ctx.nstr(deviation, 6), "slack_fraction": ctx.nstr(slack, 6)})
                worst = slack if worst is None else min(worst, slack)
    decided = ctx.mpf(10) ** (-MARGIN.digits)
    status = Status.HOLDS if worst > decided else (Status.REFUTED if worst < -decided else Status.INCONCLUSIVE)
    quantity = "Q/ln(1/alpha^2) vs ||beta||_1" if lemma == 1 else "4 alpha^2 Q vs ||beta||_2^2"
    return Verdict(status, f"{status.value.lower()}: {quantity} within (1 +- eps) on {len(rows)} cases at "
                           f"alpha_{1 if lemma == 1 else 2} and beyond; smallest remaining fraction of eps "
                           f"{ctx.nstr(worst, 4)}",
                   {"dps": DPS, "seed": config.seed, "cases": rows})


def check_lemma2(config: RunConfig) -> Verdict:
    ctx = context(DPS + 10)
    rows, failures, mode = [], [], config.mode
    ladder = LEMMA2.extra("alpha = Lemma 2's alpha x 10^k, k in", mode)
    for eps in LEMMA2.alphas_in(mode):
        smallest = int(ctx.ceil(lemma2_least_dimension(eps, ctx)))
        dimensions = LEMMA2.extra("d = the smallest allowed and", mode)
        for d in (smallest,) + tuple(n for n in dimensions if n > smallest):
            alpha = lemma2_alpha(d, eps, ctx)
            ratios = []
            for k in ladder:
                a_text = decimal_beside(ctx, alpha * ctx.mpf(10) ** k, DPS, "above")
                ratios.append(ctx.convert(witness_ratio(d, a_text, dps=DPS)[0]))
            holds = all(r >= 1 + ctx.mpf(eps) for r in ratios)
            monotone = all(b >= a for a, b in zip(ratios, ratios[1:]))
            measured = witness_threshold(d, eps, dps=DPS)
            slack = float((ctx.log(alpha) - ctx.convert(measured.ln_alpha)) / ctx.ln10)
            if not (holds and monotone):
                failures.append(f"d={d}, eps={eps}")
            rows.append({"eps": eps, "d": d, "lemma2_alpha": ctx.nstr(alpha, 8),
                         "sqrt_d_ratios": [ctx.nstr(r, 8) for r in ratios],
                         "measured_alpha": ctx.nstr(ctx.exp(ctx.convert(measured.ln_alpha)), 8),
                         "lemma2_over_measured_log10": round(slack, 4)})
    status = Status.combine(*(Status.REFUTED for _ in failures))
    lowest = min(Decimal(r["sqrt_d_ratios"][0]) - 1 - Decimal(r["eps"]) for r in rows)
    return Verdict(status, f"{status.value.lower()}: sqrt(d) Q(e_1)/Q(1_d/sqrt d) >= 1+eps and nondecreasing on "
                           f"alpha = d^(-1/4-1/(8eps)) x 10^{{{','.join(map(str, ladder))}}} for {len(rows)} (d, eps) pairs, d up to "
                           f"{max(r['d'] for r in rows):.0e}; smallest excess over 1+eps {lowest:.3g}; Lemma 2's "
                           f"alpha lies {min(r['lemma2_over_measured_log10'] for r in rows):.2f}.."
                           f"{max(r['lemma2_over_measured_log10'] for r in rows):.2f} decades above the measured "
                           f"crossing" + (f"; failed: {failures}" if failures else ""),
                   {"dps": DPS, "cases": rows})


register(Claim(
    id="lemma1.sandwich",
    statement="alpha <= alpha_1 = min{1, sqrt(B), (2B)^(-1/(2eps)), exp(-d/(2eps B))}, B = ||beta||_1, implies "
              "(1-eps) B <= Q_alpha(beta)/ln(1/alpha^2) <= (1+eps) B",
    reference="Appendix D, Lemma 1",
    domain=SANDWICH,
    tolerance=MARGIN,
    check=lambda config: _sandwich(config, 1)))

register(Claim(
    id="lemma3.sandwich",
    statement="alpha >= alpha_2 = sqrt(||beta||_2)(1 + eps^(-1/4)) implies (1-eps)||beta||_2^2 <= "
              "4 alpha^2 Q_alpha(beta) <= (1+eps)||beta||_2^2",
    reference="Appendix D, Lemma 3",
    domain=SANDWICH,
    tolerance=MARGIN,
    check=lambda config: _sandwich(config, 3)))

register(Claim(
    id="lemma2.witness",
    statement="For d >= max{e, 12^(4eps)} and alpha >= d^(-1/4-1/(8eps)): sqrt(d) Q_alpha(e_1)/Q_alpha(1_d/sqrt d) "
              ">= 1+eps, so Q_alpha is not (1+eps)-proportional to ||.||_1; the ratio is nondecreasing in alpha",
    reference="Appendix D, Lemma 2 and footnote 3",
    domain=LEMMA2,
    tolerance=MARGIN,
    check=check_lemma2))
