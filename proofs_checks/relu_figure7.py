"""§7.1, Figure 7: the univariate two-layer ReLU net between the kernel and the rich limit.

(a) As alpha grows, the trained net approaches the kernel predictor of its own initialization
    (sup distance on a grid falls along the alpha ladder; the log-log slope is fitted), and that
    predictor depends on the layer scaling.
(b) As alpha shrinks, the trained net approaches the linear-spline interpolant, for every scaling
    (checked at width 1000; at width 300, seed 0, scaling (c) at alpha = 1e-2 converges to another
    interpolant 0.138 away and GD from alpha = 1e-4 stalls in (b) and (c): the check is REFUTED there).
(c) Which spline the kernel limit is, per scaling: measured with the closed-form infinite-width
    kernels (and, in full mode, the empirical kernels of wide inits), not assumed.
Sup distances are on the 201-point grid of [-sqrt 3, sqrt 3]; the splines come from numpy.interp
and scipy's natural CubicSpline, independently of the networks.
"""

from __future__ import annotations

import numpy as np

from krtheory.claims import Claim, Domain, RunConfig, Status, Verdict, register
from krtheory.experiments import relu
from krtheory.nets import kernels, univariate
from krtheory.precision import Tolerance

KERNEL_DOMAIN = Domain(
    "Figure 7 data (9 points), unbiased two-layer ReLU net, GD to loss < 1e-8 (quick 1e-6)",
    alphas={"quick": ("10", "1000"), "full": ("1", "10", "100")},
    extras={"panels": {"quick": ("b",), "full": ("a", "b", "c")}, "width": {"quick": 30, "full": 300}})
RICH_DOMAIN = Domain(
    "Figure 7 data (9 points), unbiased two-layer ReLU net, GD to loss < 1e-8",
    alphas={"quick": ("1e-4",), "full": ("1e-4", "1e-2", "0.1")},
    extras={"panels": {"quick": ("a",), "full": ("a", "b", "c")}, "width": {"quick": 100, "full": 1000}})
SPLINE_DOMAIN = Domain(
    "Figure 7 data, tangent-kernel interpolants of the three layer scalings",
    extras={"width": {"quick": 1000, "full": 10000}, "empirical seeds": {"quick": 0, "full": 3}})

#: the width of Figure 7 in the paper
PAPER_WIDTH = 10_000
#: the trained net counts as at the kernel predictor / at the linear spline within this distance
NEAR = 0.02
#: a kernel interpolant counts as "nearer" one spline when the other is this many times farther
SEPARATION = 1.5


def _train(panel: str, alpha: float, width: int, max_steps: int, target: float = relu.FIG7_TARGET) -> dict:
    return relu.fig7_point({"panel": panel, "alpha": alpha, "width": width, "seed": 0,
                            "max_steps": max_steps, "target": target})


def _fit_slope(alphas, distances) -> float:
    return float(np.polyfit(np.log(alphas), np.log(distances), 1)[0])


def check_kernel_limit(config: RunConfig) -> Verdict:
    mode = config.mode
    alphas = [float(a) for a in KERNEL_DOMAIN.alphas_in(mode)]
    width = KERNEL_DOMAIN.extra("width", mode)
    target = 1e-6 if mode == "quick" else relu.FIG7_TARGET
    evidence, statuses = {}, []
    for panel in KERNEL_DOMAIN.extra("panels", mode):
        rows = [_train(panel, a, width, 200_000, target) for a in alphas]
        if not all(r["converged"] for r in rows):
            statuses.append(Status.INCONCLUSIVE)
            evidence[panel] = {"note": [r["note"] for r in rows if not r["converged"]]}
            continue
        gaps = [r["sup_to_kernel"] for r in rows]
        slope = _fit_slope(alphas, gaps)
        falls = all(b < a for a, b in zip(gaps, gaps[1:])) and slope < 0 and gaps[-1] < NEAR
        statuses.append(Status.HOLDS if falls else Status.REFUTED)
        evidence[panel] = {"alphas": alphas, "sup_to_kernel": gaps, "loglog_slope": slope,
                           "steps": [r["steps"] for r in rows]}
    # the predictor depends on the scaling: the infinite-width interpolants of (a) and (b) at the
    # paper's width differ
    grid = relu.FIG7_GRID
    interpolants = {p: kernels.interpolate(univariate.infinite_width_kernel(relu.FIG7_X, relu.FIG7_X, PAPER_WIDTH, 1.0, p),
                                           univariate.infinite_width_kernel(grid, relu.FIG7_X, PAPER_WIDTH, 1.0, p),
                                           relu.FIG7_Y) for p in ("a", "b")}
    differ = relu.sup_distance(interpolants["a"], interpolants["b"])
    statuses.append(Status.HOLDS if differ > 2 * NEAR else Status.REFUTED)
    evidence["sup_distance_kernel_interpolants_a_vs_b"] = differ
    status = Status.combine(*statuses)
    summary = "; ".join(f"({p}) sup|f - f_kernel| {', '.join(f'{g:.2e}' for g in e['sup_to_kernel'])} "
                        f"for alpha {', '.join(f'{a:g}' for a in alphas)} (log-log slope {e['loglog_slope']:.2f})"
                        for p, e in evidence.items() if isinstance(e, dict) and "sup_to_kernel" in e)
    summary += f"; the kernel interpolants of scalings (a) and (b) at k = {PAPER_WIDTH} differ by {differ:.3f} in sup"
    return Verdict(status, summary, evidence)


def check_rich_limit(config: RunConfig) -> Verdict:
    mode = config.mode
    alphas = sorted(float(a) for a in RICH_DOMAIN.alphas_in(mode))
    width = RICH_DOMAIN.extra("width", mode)
    evidence, statuses, parts = {}, [], []
    for panel in RICH_DOMAIN.extra("panels", mode):
        rows = [_train(panel, a, width, 400_000) for a in alphas]
        record = {"alphas": alphas, "converged": [r["converged"] for r in rows],
                  "sup_to_linear": [r["sup_to_linear"] for r in rows],
                  "sup_to_cubic": [r["sup_to_cubic"] for r in rows]}
        evidence[panel] = record
        converged = [r for r in rows if r["converged"]]
        if not converged:
            statuses.append(Status.INCONCLUSIVE)
            parts.append(f"({panel}) no run reached the loss target")
            continue
        first = converged[0]  # the smallest alpha that converged
        near = first["sup_to_linear"] < NEAR and first["sup_to_linear"] * 5 < first["sup_to_cubic"]
        statuses.append(Status.HOLDS if near else Status.REFUTED)
        skipped = [f"{r['alpha']:g}" for r in rows if not r["converged"] and r["alpha"] < first["alpha"]]
        parts.append(f"({panel}) alpha {first['alpha']:g}: sup|f - linear spline| {first['sup_to_linear']:.2e}, "
                     f"|f - cubic| {first['sup_to_cubic']:.3f}"
                     + (f" (alpha {', '.join(skipped)} stopped above the loss target at the step budget)" if skipped else ""))
    return Verdict(Status.combine(*statuses), "; ".join(parts), evidence)


def check_which_spline(config: RunConfig) -> Verdict:
    mode = config.mode
    width = SPLINE_DOMAIN.extra("width", mode)
    limits = relu.infinite_width_limits(width)
    expected = {"a": "cubic", "b": "linear", "c": "linear"}
    evidence, statuses = {"infinite_width": limits, "expected_nearest": expected}, []
    for panel, d in limits.items():
        other = "linear" if expected[panel] == "cubic" else "cubic"
        statuses.append(Status.HOLDS if d[other] > SEPARATION * d[expected[panel]] else Status.REFUTED)
    seeds = SPLINE_DOMAIN.extra("empirical seeds", mode)
    if seeds:
        empirical = {}
        reference = relu.splines()
        for panel in limits:
            values = []
            for seed in range(seeds):
                arch = univariate.architecture(width)
                theta0 = univariate.initialize(width, 1.0, panel, np.random.default_rng(seed))
                f = kernels.kernel_predictor(arch, theta0, relu.FIG7_X[:, None], relu.FIG7_Y, relu.FIG7_GRID[:, None])
                values.append((relu.sup_distance(f, reference["linear"]), relu.sup_distance(f, reference["cubic"])))
            empirical[panel] = values
            other = "linear" if expected[panel] == "cubic" else "cubic"
            index = {"linear": 0, "cubic": 1}
            statuses.append(Status.HOLDS if all(v[index[other]] > SEPARATION * v[index[expected[panel]]]
                                                for v in values) else Status.REFUTED)
        evidence["empirical_linear_cubic"] = empirical
    summary = "; ".join(f"({p}) nearest the {expected[p]} spline: sup distance to linear {d['linear']:.3f}, "
                        f"to natural cubic {d['cubic']:.3f}, max {d['max']:.3f}" for p, d in limits.items())
    return Verdict(Status.combine(*statuses), summary + f" (infinite width at k = {width})", evidence)


register(Claim(
    id="relu7.kernel-limit",
    statement="As alpha grows the univariate two-layer ReLU net trained from alpha*w0 approaches the tangent-"
              "kernel interpolant of its own initialization (the sup distance falls along the alpha ladder), "
              "and that interpolant changes with the relative scaling of the layers",
    reference="§7.1, Figure 7; §3 (kernel regime)",
    domain=KERNEL_DOMAIN,
    tolerance=Tolerance.criterion(f"distances decrease strictly with alpha, log-log slope < 0, the last below "
                                  f"{NEAR}; interpolants (a) and (b) differ by more than {2 * NEAR}"),
    check=check_kernel_limit))

register(Claim(
    id="relu7.rich-limit",
    statement="As alpha shrinks the univariate two-layer ReLU net approaches the linear-spline interpolant, "
              "whatever the layer scaling",
    reference="§7.1, Figure 7 (rich limit; Savarese et al. 2019)",
    domain=RICH_DOMAIN,
    tolerance=Tolerance.criterion(f"at the smallest alpha whose GD reached the loss target: sup distance to the "
                                  f"linear spline below {NEAR} and 5 times below that to the natural cubic spline; "
                                  f"INCONCLUSIVE for a scaling where no run converged"),
    check=check_rich_limit))

register(Claim(
    id="relu7.which-spline",
    statement="The kernel limit is not one spline: with the output layer dominating (scaling a) the tangent-"
              "kernel interpolant is nearer the natural cubic spline; with the first layer dominating (b) or the "
              "two balanced (c) it is nearer the linear spline (measured; the paper says 'cubic-spline-like')",
    reference="§7.1, Figure 7 (kernel limit; Williams et al. 2019)",
    domain=SPLINE_DOMAIN,
    tolerance=Tolerance.criterion(f"the other spline at least {SEPARATION} times farther in sup distance, for the "
                                  f"closed-form infinite-width kernel and (full) every seed's empirical kernel"),
    check=check_which_spline))
