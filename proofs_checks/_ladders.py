"""Helpers shared by the limit checks: seeded exact test vectors, log-log slope fits, and the
distance of the predictor argmin Q to a reference along an alpha ladder."""

from __future__ import annotations

import math
from fractions import Fraction

from krtheory.precision import context

#: length of the seeded test vectors beta
D_VECTOR = 8


def fitted_slope(xs, ys) -> float:
    """Least-squares slope of log|y| against log x."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(abs(y)) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def seeded_beta(seed: int) -> tuple[str, ...]:
    """A seeded dyadic beta in R^D_VECTOR with no zero entry, entries in [1/8, 4] in magnitude."""
    import numpy as np

    rng = np.random.default_rng(seed)
    signs, sizes = rng.choice([-1, 1], D_VECTOR), rng.integers(1, 33, D_VECTOR)
    return tuple(str(Fraction(int(s * k), 8)) for s, k in zip(signs, sizes))


def interpolator_distances(problem, depth: int, alphas, reference, norm, dps: int):
    """norm(beta_alpha - reference) for beta_alpha = argmin Q^D_alpha s.t. X beta = y at each alpha
    (the solve of the derived link, warm-started along the ladder), with the solve's digits."""
    from krtheory.families.diagonal import implicit_link
    from krtheory.solve.mp import solve_link

    ctx = context(dps)
    ref = [ctx.convert(v) for v in reference]
    out, start = [], None
    for alpha in alphas:
        solved = solve_link(problem, implicit_link("diagonal", depth, alpha, None, problem.d), dps=dps,
                            start=start)
        start = solved.lam
        out.append((norm([ctx.convert(b) - r for b, r in zip(solved.beta, ref)], ctx), solved.digits))
    return out, ctx


def _predictor_verdict(problem_name, depth, dps, alphas, rows, ctx, expected, band, extra_ok,
                       label, evidence):
    from krtheory.claims import Status, Verdict

    slope = fitted_slope([float(a) for a in alphas], [float(d) for d, _ in rows])
    decreasing = all(b[0] < a[0] for a, b in zip(rows, rows[1:]))
    rate_ok = expected is None or abs(slope - expected) <= band
    status = Status.combine(*(Status.HOLDS if ok else Status.REFUTED
                             for ok in (decreasing, extra_ok, rate_ok)))
    expectation = "problem-dependent" if expected is None else f"expected {expected}"
    return Verdict(status, f"{label} falls from {ctx.nstr(rows[0][0], 3)} to {ctx.nstr(rows[-1][0], 3)} "
                           f"over alpha {alphas[0]}..{alphas[-1]} at D = {depth}, fitted exponent "
                           f"{slope:.4f} ({expectation})", {
        "problem": problem_name, "depth": depth, "dps": dps, "alphas": list(alphas),
        "distances": [ctx.nstr(d, 6) for d, _ in rows], "solve_digits": [g for _, g in rows],
        "fitted_exponent": round(slope, 5), "expected_exponent": expected, "slope_band": band,
        **evidence})


def l2_limit_verdict(domain, mode: str, depth: int, expected: int, band: float):
    """argmin Q -> beta*_l2 as alpha -> oo on the domain's problem and alpha ladder: distances
    strictly decreasing, fitted exponent ``expected`` within ``band``."""
    from krtheory.builtin_problems import builtin_problem
    from krtheory.references import min_l2

    [problem_name], alphas, dps = domain.problems_in(mode), domain.alphas_in(mode), domain.dps
    problem = builtin_problem(problem_name)
    l2 = min_l2(problem, dps=dps)
    rows, ctx = interpolator_distances(problem, depth, alphas, l2.beta,
                                       lambda v, c: c.sqrt(c.fsum(x * x for x in v)), dps)
    return _predictor_verdict(problem_name, depth, dps, alphas, rows, ctx, expected, band, True,
                              "||beta_alpha - beta*_l2||_2", {})


def l1_limit_verdict(domain, mode: str, depth: int, final_relative: float, expected: int | None,
                     band: float):
    """argmin Q -> beta*_l1 (certified) as alpha -> 0 on the domain's problem and alpha ladder:
    distances strictly decreasing, the last one below ``final_relative`` of ||beta*_l1||_1, and
    (when ``expected`` is given) the fitted exponent within ``band``; INCONCLUSIVE when the l1
    vertex cannot be certified."""
    from krtheory.builtin_problems import builtin_problem
    from krtheory.claims import Status, Verdict
    from krtheory.references import min_l1

    [problem_name], alphas, dps = domain.problems_in(mode), domain.alphas_in(mode), domain.dps
    problem = builtin_problem(problem_name)
    l1 = min_l1(problem, dps=dps)
    if l1.status != "certified":
        return Verdict(Status.INCONCLUSIVE, f"the l1 reference could not be certified: {l1.reason}",
                       {"problem": problem_name, "l1_status": l1.status, "reason": l1.reason})
    rows, ctx = interpolator_distances(problem, depth, alphas, l1.beta,
                                       lambda v, c: c.fsum(abs(x) for x in v), dps)
    final = rows[-1][0] / ctx.fsum(abs(ctx.convert(b)) for b in l1.beta)
    return _predictor_verdict(problem_name, depth, dps, alphas, rows, ctx, expected, band,
                              final <= final_relative, "||beta_alpha - beta*_l1||_1", {
        "l1_support": list(l1.support),
        "max_off_support_certificate": ctx.nstr(ctx.convert(l1.max_off_support), 6),
        "final_relative_distance": ctx.nstr(final, 6), "required": f"{final_relative:.0e}"})
