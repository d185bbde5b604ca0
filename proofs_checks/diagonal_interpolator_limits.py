"""§4 (after eqs. 6-7) and Theorem 2's setting: the predictor beta_alpha = argmin Q_alpha s.t.
X beta = y tends to beta*_l2 as alpha -> oo and to beta*_l1 as alpha -> 0.

On a built-in exact dyadic problem with a planted sparse beta*, so the distances can be
followed far below 1e-16 at high precision. beta_alpha is the solve's prediction of the
derived hypentropy; Theorem 1 (thm1.*) ties it to the flow. Expected behaviour (PERFORMANCE.md
§5): ||beta_alpha - beta*_l2|| ~ C alpha^-4 (from q(z) = z^2/4 - z^4/192: the first correction to
the quadratic is relative alpha^-4), and ||beta_alpha - beta*_l1||_1 -> 0 like a
problem-dependent power of alpha.
"""

from __future__ import annotations

from krtheory.builtin_problems import builtin_problem
from krtheory.claims import Claim, RunConfig, Status, Verdict, register
from krtheory.precision import Tolerance
from krtheory.references import min_l1, min_l2
from proofs_checks._ladders import fitted_slope, interpolator_distances

PROBLEM = "planted-5x12"
DPS = 60
L2_ALPHAS = ("10", "100", "1000", "10000", "100000")
L1_ALPHAS = ("1e-2", "1e-4", "1e-8", "1e-16", "1e-32")
#: fitted exponent of ||beta_alpha - beta*_l2|| against alpha must be -4 within this band
SLOPE_BAND = 0.05
#: at the smallest alpha the l1 distance must be below this fraction of ||beta*_l1||_1: far below
#: double precision's 1e-16, so the claim is seen where float64 cannot see it
L1_FINAL_RELATIVE = 1e-20


def check_l2_limit(config: RunConfig) -> Verdict:
    problem = builtin_problem(PROBLEM)
    l2 = min_l2(problem, dps=DPS)
    rows, ctx = interpolator_distances(problem, 2, L2_ALPHAS, l2.beta,
                                       lambda v, c: c.sqrt(c.fsum(x * x for x in v)), DPS)
    slope = fitted_slope([float(a) for a in L2_ALPHAS], [float(d) for d, _ in rows])
    decreasing = all(b[0] < a[0] for a, b in zip(rows, rows[1:]))
    status = Status.HOLDS if decreasing and abs(slope + 4) <= SLOPE_BAND else Status.REFUTED
    return Verdict(status, f"||beta_alpha - beta*_l2||_2 falls from {ctx.nstr(rows[0][0], 3)} to "
                           f"{ctx.nstr(rows[-1][0], 3)} over alpha 1e1..1e5, fitted exponent "
                           f"{slope:.4f} (expected -4)", {
        "problem": PROBLEM, "dps": DPS, "alphas": list(L2_ALPHAS),
        "distances": [ctx.nstr(d, 6) for d, _ in rows], "solve_digits": [g for _, g in rows],
        "fitted_exponent": round(slope, 5), "slope_band": SLOPE_BAND})


def check_l1_limit(config: RunConfig) -> Verdict:
    problem = builtin_problem(PROBLEM)
    l1 = min_l1(problem, dps=DPS)
    if l1.status != "certified":
        return Verdict(Status.INCONCLUSIVE, f"the l1 reference could not be certified: {l1.reason}",
                       {"problem": PROBLEM, "l1_status": l1.status, "reason": l1.reason})
    rows, ctx = interpolator_distances(problem, 2, L1_ALPHAS, l1.beta,
                                       lambda v, c: c.fsum(abs(x) for x in v), DPS)
    scale = ctx.fsum(abs(ctx.convert(b)) for b in l1.beta)
    final = rows[-1][0] / scale
    slope = fitted_slope([float(a) for a in L1_ALPHAS], [float(d) for d, _ in rows])
    decreasing = all(b[0] < a[0] for a, b in zip(rows, rows[1:]))
    status = Status.HOLDS if decreasing and final <= L1_FINAL_RELATIVE else Status.REFUTED
    return Verdict(status, f"||beta_alpha - beta*_l1||_1 / ||beta*_l1||_1 falls to {ctx.nstr(final, 3)} "
                           f"at alpha = {L1_ALPHAS[-1]} (fitted exponent {slope:.3f}); the l1 vertex "
                           f"is certified by its dual certificate", {
        "problem": PROBLEM, "dps": DPS, "alphas": list(L1_ALPHAS),
        "distances": [ctx.nstr(d, 6) for d, _ in rows], "solve_digits": [g for _, g in rows],
        "fitted_exponent": round(slope, 4), "l1_support": list(l1.support),
        "max_off_support_certificate": ctx.nstr(ctx.convert(l1.max_off_support), 6),
        "final_relative_distance": ctx.nstr(final, 6), "required": f"{L1_FINAL_RELATIVE:.0e}"})


register(Claim(
    id="diag2.limit-l2",
    statement="beta_alpha = argmin Q_alpha s.t. X beta = y -> beta*_l2 as alpha -> oo, at rate alpha^-4",
    reference="§4, kernel regime (after eq. 6) and Theorem 2 (l2 side)",
    domain=f"built-in {PROBLEM} (exact dyadic), w0 = 1, alpha in {{{', '.join(L2_ALPHAS)}}}, dps {DPS}",
    tolerance=Tolerance.criterion(f"fitted exponent within {SLOPE_BAND} of -4, distances strictly decreasing"),
    check=check_l2_limit))

register(Claim(
    id="diag2.limit-l1",
    statement="beta_alpha = argmin Q_alpha s.t. X beta = y -> beta*_l1 as alpha -> 0",
    reference="§4, rich regime (after eq. 7; Gunasekar et al. 2017, Cor. 2)",
    domain=f"built-in {PROBLEM} (exact dyadic, planted sparse), w0 = 1, alpha in "
           f"{{{', '.join(L1_ALPHAS)}}}, dps {DPS}",
    tolerance=Tolerance(20, "relative l1 distance at the smallest alpha below 1e-20, strictly decreasing"),
    check=check_l1_limit))
