"""The two limits of the depth-2 hypentropy (§4, eqs. 6-7) and of the predictor it selects.

* eq. (6): 4 alpha^2 Q_{alpha,w0}(beta) -> sum beta_i^2 / w0_i^2 as alpha -> oo, error O(alpha^-4);
  from q(z) = z^2/4 - z^4/192 + ... the error is ~ sum beta_i^4/(48 w0_i^6) alpha^-4.
* eq. (7): Q_{alpha,w0}(beta)/ln(1/alpha^2) -> ||beta||_1 as alpha -> 0, error O(1/ln(1/alpha^2));
  from q(z) = |z| ln|z| - |z| + 2 + O(1/|z|) the error is ~ C/ln(1/alpha^2),
  C = sum |beta_i| (ln(|beta_i|/w0_i^2) - 1).
* beta_alpha := argmin Q_alpha s.t. X beta = y tends to beta*_l2 as alpha -> oo (distance
  ~ alpha^-4) and to beta*_l1 as alpha -> 0, on exact dyadic problems, followed far below 1e-16.

Q is the derived regularizer (krtheory.derive.engine), evaluated at high precision; the expected
rates and constants come from the series of the paper's q (§4, eqs. 4-7), typed here.
beta_alpha is the solve's prediction: Theorem 1 (checked against the flow by thm1.*) makes it
the flow limit; at alpha = 1e-30 no flow can be integrated.
"""

from __future__ import annotations

from fractions import Fraction

from krtheory.claims import Claim, Domain, RunConfig, Status, Verdict, register
from krtheory.precision import Tolerance, context
from krtheory.families.diagonal import initial_scales, regularizer_value
from proofs_checks._ladders import D_VECTOR, fitted_slope, seeded_beta

_VECTORS = f"seeded dyadic beta in R^{D_VECTOR}, w0 = 1 and a random dyadic shape"
KERNEL = Domain(_VECTORS, alphas=("10", "100", "1000", "10000", "100000"), dps=60)
RICH = Domain(_VECTORS, alphas=("1e-5", "1e-10", "1e-20", "1e-40", "1e-80"), dps=60)
#: a fitted log-log slope must match the predicted exponent to this many units: the ladders are
#: deep in the asymptotic regime, where the next-order terms shift the slope by < 1e-3 for eq. (6)
#: and by O(alpha^2 ln) for eq. (7)
SLOPE_BAND = 0.02
#: the leading error constant must match the series prediction to this relative accuracy at the
#: ladder's far end (next-order terms: alpha^-2 relative for eq. 6, alpha^2 ln(alpha) for eq. 7)
CONSTANT_BAND = 1e-6


def _test_vectors(seed: int):
    """A seeded dyadic beta with no zero entry and a positive dyadic shape, plus w0 = 1."""
    import numpy as np

    rng = np.random.default_rng(seed + 1)
    shape = tuple(str(Fraction(int(k), 16)) for k in rng.integers(8, 33, D_VECTOR))
    return seeded_beta(seed), [None, shape]


def _ladder(config: RunConfig, domain: Domain, expected_slope: float, limit, error_constant, scaled_error):
    """Q on the domain's alpha ladder for each shape: fitted slope and constant vs the series
    prediction."""
    from krtheory.derive.engine import derive_diagonal

    derivation = derive_diagonal(2)
    alphas = domain.alphas_in(config.mode)
    ctx = context(domain.dps)
    beta_text, shapes = _test_vectors(config.seed)
    beta = [ctx.mpf(b) for b in beta_text]
    rows, statuses = [], []
    for shape in shapes:
        w0 = [ctx.one] * D_VECTOR if shape is None else [ctx.mpf(s) for s in shape]
        errors, xs = [], []
        for alpha in alphas:
            Q = regularizer_value(derivation, beta, initial_scales(alpha, shape, D_VECTOR), ctx)
            errors.append(scaled_error(Q, ctx.mpf(alpha), beta, w0, ctx) - limit(beta, w0, ctx))
            xs.append(ctx.mpf(alpha))
        slope_x = [float(abs(ctx.log(x))) if expected_slope == -1 else float(x) for x in xs]
        slope = fitted_slope(slope_x, [float(e) for e in errors])
        predicted = error_constant(beta, w0, ctx)
        observed = errors[-1] * (ctx.log(1 / xs[-1] ** 2) if expected_slope == -1 else xs[-1] ** 4)
        constant_error = float(abs(observed / predicted - 1))
        ok = abs(slope - expected_slope) <= SLOPE_BAND and constant_error <= CONSTANT_BAND
        statuses.append(Status.HOLDS if ok else Status.REFUTED)
        rows.append({"shape": "1" if shape is None else list(shape),
                     "errors": [ctx.nstr(e, 6) for e in errors], "fitted_slope": round(slope, 5),
                     "expected_slope": expected_slope,
                     "error_constant": ctx.nstr(observed, 10),
                     "series_constant": ctx.nstr(predicted, 10),
                     "constant_relative_error": f"{constant_error:.2e}"})
    status = Status.combine(*statuses)
    return status, {"beta": list(beta_text), "alphas": list(alphas), "dps": domain.dps, "ladders": rows,
                    "slope_band": SLOPE_BAND, "constant_band": CONSTANT_BAND}


def check_kernel_limit(config: RunConfig) -> Verdict:
    status, evidence = _ladder(
        config, KERNEL, -4.0,
        limit=lambda b, w, ctx: ctx.fsum(x * x / (s * s) for x, s in zip(b, w)),
        error_constant=lambda b, w, ctx: -ctx.fsum(x ** 4 / (48 * s ** 6) for x, s in zip(b, w)),
        scaled_error=lambda Q, a, b, w, ctx: 4 * a * a * Q)
    slopes = ", ".join(f"{r['fitted_slope']:.4f}" for r in evidence["ladders"])
    return Verdict(status, f"4 alpha^2 Q -> sum beta^2/w0^2 with fitted error slopes {slopes} "
                           f"(expected -4) on alpha 1e1..1e5, w0 = 1 and a random shape", evidence)


def check_rich_limit(config: RunConfig) -> Verdict:
    status, evidence = _ladder(
        config, RICH, -1.0,
        limit=lambda b, w, ctx: ctx.fsum(abs(x) for x in b),
        error_constant=lambda b, w, ctx: ctx.fsum(abs(x) * (ctx.log(abs(x) / (s * s)) - 1)
                                                   for x, s in zip(b, w)),
        scaled_error=lambda Q, a, b, w, ctx: Q / ctx.log(1 / (a * a)))
    slopes = ", ".join(f"{r['fitted_slope']:.4f}" for r in evidence["ladders"])
    return Verdict(status, f"Q/ln(1/alpha^2) -> ||beta||_1 with fitted error slopes {slopes} "
                           f"against ln(1/alpha^2) (expected -1) on alpha 1e-5..1e-80", evidence)


register(Claim(
    id="eq6.kernel-limit",
    statement="4 alpha^2 Q_{alpha,w0}(beta) -> sum_i beta_i^2/w0_i^2 as alpha -> oo, error O(alpha^-4)",
    reference="§4, eq. (6)",
    domain=KERNEL,
    tolerance=Tolerance.criterion("error constant sum beta^4/(48 w0^6) matched to 1e-6; fitted slope within 0.02 of -4"),
    check=check_kernel_limit))

register(Claim(
    id="eq7.rich-limit",
    statement="Q_{alpha,w0}(beta)/ln(1/alpha^2) -> ||beta||_1 as alpha -> 0, error O(1/ln(1/alpha^2))",
    reference="§4, eq. (7)",
    domain=RICH,
    tolerance=Tolerance.criterion("error constant sum |b|(ln(|b|/w0^2) - 1) matched to 1e-6; "
                                  "fitted slope within 0.02 of -1"),
    check=check_rich_limit))
