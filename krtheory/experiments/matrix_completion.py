"""Figure 5 (§6): matrix completion by wide factorizations, scale alpha^2 against width k.

Set-up (paper Figure 5): Y* = u* v*^T, u*, v* ~ N(0, I_10), 60 of the 100 entries observed
(uniformly without replacement), U(0), V(0) with i.i.d. N(0, alpha^2) entries, the gradient flow
of the squared loss on the observed entries to its limit M (the paper ran gradient descent with
step 1e-5; here the flow itself, :mod:`krtheory.flow.matrix`). Every width is computed in the
lifted Gram space: M-bar(0) = W(0) W(0)^T is sampled by Bartlett's decomposition
(:func:`krtheory.flow.gram.wishart_factor`), so k = 5e5 costs what k = 20 does.

Quantities per point: the excess nuclear norm ||M||_* - ||Y*||_* (left panel), the RMS change
on the unobserved entries sqrt(mean (M - U(0) V(0)^T)^2) (right panel), and the RMS error against
Y* there. Columns: the paper's widths, and "inf", the kernel limit alpha^2 k -> oo, computed as
the flow from M-bar(0) = c I with c = KERNEL_C. A third panel puts every point against alpha^2 k
beside the k = oo flows from M-bar(0) = (alpha^2 k) I at fixed alpha^2 k (the limit of the
columns): the transition the paper places near alpha^2 k ~ 1.
"""

from __future__ import annotations

import math
import statistics
import time

import numpy as np

from krtheory.errors import MissingExtra, NoConvergence
from krtheory.experiments._figure import (Comparison, FigureContext, FigureResult, Scale, pyplot,
                                          save_figure, save_problem, write_csv)
from krtheory.flow.gram import lifted, wishart_factor
from krtheory.flow.matrix import integrate_factor_flow
from krtheory.flow.measurements import MatrixMeasurements

SIZE, OBSERVED = 10, 60
ALPHA2 = (1e-2, 2.5e-3, 1e-4, 1e-6, 1e-8)
WIDTHS = (10, 50, 100, 250, 500, 1e3, 5e3, 1e4, 5e4, 1e5, 5e5, math.inf)
#: The "inf" column: M-bar(0) = KERNEL_C I (alpha^2 k = oo for every row: the kernel limit).
KERNEL_C = 1e6
#: k = oo at fixed alpha^2 k = c: the flows from M-bar(0) = c I of the third panel.
LIMIT_C = (1e-4, 1e-3, 1e-2, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0)
SEEDS = {Scale.QUICK: 2, Scale.DEFAULT: 3, Scale.PAPER: 5}
#: Wall seconds per flow: the rich corner (alpha^2 k <= 1e-5) converges its last components at
#: rate ~ alpha^2 k; a flow stopped by this budget keeps its status and error estimate in the CSV.
MAX_SECONDS = {Scale.QUICK: 1.5, Scale.DEFAULT: 3.0, Scale.PAPER: 5.0}
#: The flows' tail target (relative) and LSODA tolerance; no check run (module note in the CSV).
TARGET, RTOL = 1e-6, 1e-8
COLUMNS = ("problem", "seed", "alpha2", "k", "alpha2_k", "excess_nuclear_norm", "rms_unobserved_change",
           "rms_unobserved_error", "loss", "status", "error_estimate", "flow_time", "seconds",
           "cpu_seconds", "nuclear_min_excess")
SEED_BASE = 5


def completion_problem(seed: int):
    """(measurements, Y*, mask) of one seed: Y* = u v^T, 60 observed entries."""
    rng = np.random.default_rng([SEED_BASE, seed])
    u, v = rng.standard_normal(SIZE), rng.standard_normal(SIZE)
    Y = np.outer(u, v)
    cells = np.sort(rng.choice(SIZE * SIZE, OBSERVED, replace=False))
    measurements = MatrixMeasurements(shape=(SIZE, SIZE), values=tuple(repr(float(Y.flat[c])) for c in cells),
                                      entries=tuple((int(c // SIZE), int(c % SIZE)) for c in cells))
    mask = np.zeros(SIZE * SIZE, dtype=bool)
    mask[cells] = True
    return measurements, Y, mask.reshape(SIZE, SIZE)


def point_value(point: dict) -> dict:
    """One flow of Figure 5: the point's seed, alpha2 and k ("inf": M-bar(0) = c I)."""
    seed, k = int(point["seed"]), float(point["k"])
    measurements, Y, mask = completion_problem(seed)
    p = 2 * SIZE
    if k == math.inf:
        F0, scale = wishart_factor(None, p, math.inf, float(point["c"])), float(point["c"])
    else:
        alpha2 = float(point["alpha2"])
        rng = np.random.default_rng([SEED_BASE, seed, round(-1000 * math.log10(alpha2)), int(k)])
        F0, scale = wishart_factor(rng, p, k, alpha2), alpha2 * k
    M0 = lifted(F0)[:SIZE, SIZE:]
    cpu = time.process_time()
    result = integrate_factor_flow(measurements, F0, width=k, check=False, target=TARGET, rtol=RTOL,
                                   max_seconds=float(point["max_seconds"]))
    unobserved = ~mask
    return {**point, "alpha2_k": scale,
            "excess_nuclear_norm": float(np.linalg.svd(result.M, compute_uv=False).sum()
                                         - np.linalg.svd(Y, compute_uv=False).sum()),
            "rms_unobserved_change": float(np.sqrt(np.mean((result.M - M0)[unobserved] ** 2))),
            "rms_unobserved_error": float(np.sqrt(np.mean((result.M - Y)[unobserved] ** 2))),
            "loss": result.loss, "status": result.status.name.lower(),
            "error_estimate": result.error_estimate, "flow_time": result.time,
            "seconds": round(result.seconds, 3), "cpu_seconds": round(time.process_time() - cpu, 3)}


def grid_points(seeds: int, scale: Scale) -> list[dict]:
    """The heat-map points (finite k), the inf column and the fixed alpha^2 k = c points, per seed."""
    budget = MAX_SECONDS[scale]
    points = []
    for seed in range(seeds):
        problem = f"data/figure5_seed{seed}.npz"
        points += [{"problem": problem, "seed": seed, "alpha2": a2, "k": k, "c": "", "max_seconds": budget}
                   for a2 in ALPHA2 for k in WIDTHS if k != math.inf]
        points += [{"problem": problem, "seed": seed, "alpha2": "", "k": math.inf, "c": c, "max_seconds": budget}
                   for c in (KERNEL_C, *LIMIT_C)]
    return points


def make(context: FigureContext) -> FigureResult:
    seeds = context.seeds or SEEDS[context.scale]
    minimum = {}
    for seed in range(seeds):
        measurements, Y, mask = completion_problem(seed)
        save_problem(context, f"figure5_seed{seed}", entries=np.array(measurements.entries),
                     values=measurements.targets(), Y_star=Y, shape=np.array(measurements.shape))
        minimum[seed] = _nuclear_excess(measurements, Y)
    points = grid_points(seeds, context.scale)
    rows = context.runner(point_value, points, table=context.out / "figure5_points.csv",
                          key=("seed", "alpha2", "k", "c"), desc="figure 5")
    rows = [{**row, "nuclear_min_excess": minimum[int(row["seed"])]} for row in rows]
    csv_path = write_csv(context.out / "figure5.csv", rows, COLUMNS + ("c",), comments=(
        "Figure 5 (§6): 10x10 rank-1 Y* = u* v*^T, 60 observed entries; U(0), V(0) ~ N(0, alpha2) via a "
        "Bartlett sample of M-bar(0); gradient flow to its limit (LSODA on the factor)",
        f"k = inf: M-bar(0) = c I (c = {KERNEL_C:g}: the kernel limit column; other c: fixed alpha2_k = c)",
        "excess_nuclear_norm = ||M||_* - ||Y*||_*; rms_unobserved_change = RMS of M - U(0)V(0)^T on the "
        "unobserved entries; rms_unobserved_error = RMS of M - Y* there",
        f"error_estimate = tail estimate + rounding of max|M_ij - M_oo,ij| (tail target {TARGET:g}); the "
        f"integration error (LSODA rtol {RTOL:g}) is not included: twice the difference from a check run "
        "at 1000x tighter rtol measured <= 2.1e-8 on seeds 0-1 of this grid",
        "status: converged, or max_seconds (the wall budget stopped a slow rich-corner flow; see error_estimate)",
        "nuclear_min_excess = min ||M||_* over the observed entries (cvxpy + Clarabel) - ||Y*||_*; empty "
        "without the convex extra"))
    figure_files = _plot(context, rows, seeds)
    comparisons, notes = _compare(rows, minimum)
    return FigureResult(name="5", files=(csv_path, *figure_files), comparisons=comparisons, notes=notes)


def _nuclear_excess(measurements: MatrixMeasurements, Y: np.ndarray):
    from krtheory.solve.nuclear import min_nuclear_norm

    try:
        result = min_nuclear_norm(measurements.shape, measurements.operator(), measurements.targets())
    except (MissingExtra, NoConvergence):
        return ""
    return result.nuclear_norm - float(np.linalg.svd(Y, compute_uv=False).sum())


def _median_grid(rows, quantity: str) -> np.ndarray:
    """len(ALPHA2) x len(WIDTHS) medians over seeds; the inf column from the c = KERNEL_C rows."""
    grid = np.full((len(ALPHA2), len(WIDTHS)), np.nan)
    for i, a2 in enumerate(ALPHA2):
        for j, k in enumerate(WIDTHS):
            if k == math.inf:
                values = [float(r[quantity]) for r in rows if float(r["k"]) == math.inf
                          and float(r["c"]) == KERNEL_C]
            else:
                values = [float(r[quantity]) for r in rows if r["alpha2"] != "" and float(r["alpha2"]) == a2
                          and float(r["k"]) == k]
            grid[i, j] = statistics.median(values)
    return grid


def _plot(context, rows, seeds):
    plt = pyplot()
    figure, axes = plt.subplots(1, 3, figsize=(18, 5), gridspec_kw={"width_ratios": [1.15, 1.15, 1]},
                                constrained_layout=True)
    labels = [_width_label(k) for k in WIDTHS]
    finite = [k for k in WIDTHS if k != math.inf]
    for axis, quantity, title, top in (
            (axes[0], "excess_nuclear_norm", "excess nuclear norm ||M||_* - ||Y*||_* (colour capped at 10)", 10.0),
            (axes[1], "rms_unobserved_change", "RMS change on unobserved entries", None)):
        grid = _median_grid(rows, quantity)
        image = axis.imshow(grid, cmap="viridis", aspect="auto", vmin=0, vmax=top)
        figure.colorbar(image, ax=axis, fraction=0.046)
        for (i, j), value in np.ndenumerate(grid):
            axis.text(j, i, f"{value:.2g}", ha="center", va="center", fontsize=6,
                      color="white" if value < 0.5 * (top or np.nanmax(grid)) else "black")
        # the line alpha^2 k = 1, in the cells' index coordinates (log-interpolated)
        xs = np.linspace(0, len(finite) - 1, 200)
        log_k = np.interp(xs, range(len(finite)), np.log10(finite))
        ys = np.interp(-log_k, np.log10(ALPHA2)[::-1], np.arange(len(ALPHA2))[::-1], left=np.nan, right=np.nan)
        axis.plot(xs, ys, "r--", lw=1.5, label="alpha^2 k = 1")
        axis.set_xticks(range(len(WIDTHS)), labels, rotation=60, fontsize=7)
        axis.set_yticks(range(len(ALPHA2)), [f"{a:g}" for a in ALPHA2])
        axis.set_xlabel("width k")
        axis.set_ylabel("alpha^2")
        axis.set_title(f"{title}\n(median of {seeds} seeds)", fontsize=9)
        axis.legend(loc="lower left", fontsize=7)
    axis = axes[2]
    grid_rows = [r for r in rows if float(r["k"]) != math.inf]
    axis.scatter([float(r["alpha2_k"]) for r in grid_rows], [float(r["excess_nuclear_norm"]) for r in grid_rows],
                 c=[math.log10(float(r["k"])) for r in grid_rows], s=10, cmap="plasma", label="finite k (colour: log10 k)")
    for seed in range(seeds):
        limit = sorted((float(r["c"]), float(r["excess_nuclear_norm"])) for r in rows
                       if float(r["k"]) == math.inf and int(r["seed"]) == seed)
        axis.plot(*zip(*limit), "k-", lw=1, alpha=0.7, label="k = oo, M-bar(0) = (alpha^2 k) I" if seed == 0 else None)
    axis.axvline(1.0, color="r", ls="--", lw=1)
    axis.set_xscale("log")
    axis.set_yscale("symlog", linthresh=0.1)
    axis.set_ylim(bottom=-0.02)
    axis.set_xlabel("alpha^2 k")
    axis.set_ylabel("excess nuclear norm")
    axis.set_title("all points against alpha^2 k", fontsize=9)
    axis.legend(fontsize=7)
    figure.suptitle("Figure 5: matrix completion, 10x10 rank 1, 60 observed entries (gradient flow limits)",
                    fontsize=10)
    return save_figure(figure, context.out, "figure5")


def _width_label(k: float) -> str:
    return "inf" if k == math.inf else f"{k:.0e}".replace("e+0", "e") if k >= 1000 else f"{k:g}"


def transition(rows, seed: int) -> float | None:
    """alpha^2 k where the k = oo excess nuclear norm crosses half-way between its smallest value and
    its kernel-limit value (log-linear interpolation over LIMIT_C and KERNEL_C), for one seed."""
    curve = sorted((float(r["c"]), float(r["excess_nuclear_norm"])) for r in rows
                   if float(r["k"]) == math.inf and int(r["seed"]) == seed)
    values = [v for _, v in curve]
    half = 0.5 * (min(values) + curve[-1][1])
    for (c0, v0), (c1, v1) in zip(curve, curve[1:]):
        if v0 < half <= v1:
            return 10 ** (math.log10(c0) + (half - v0) / (v1 - v0) * (math.log10(c1) - math.log10(c0)))
    return None


def _compare(rows, minimum):
    seeds = sorted(minimum)
    crossings = [c for c in (transition(rows, s) for s in seeds) if c is not None]
    finite = [r for r in rows if float(r["k"]) != math.inf]
    rich = [float(r["excess_nuclear_norm"]) for r in finite if float(r["alpha2_k"]) <= 1e-3]
    kernel = [float(r["excess_nuclear_norm"]) for r in finite if float(r["alpha2_k"]) >= 1e2]
    change_rich = [float(r["rms_unobserved_change"]) for r in finite if float(r["alpha2_k"]) <= 1e-3]
    change_kernel = [float(r["rms_unobserved_change"]) for r in finite if float(r["alpha2_k"]) >= 1e2]
    stopped = sum(1 for r in rows if r["status"] != "converged")
    spread = (f" (seeds: {min(crossings):.2g} .. {max(crossings):.2g})" if crossings else "")
    comparisons = (
        Comparison("transition alpha^2 k (k = oo, half-way excess nuclear norm)", "near 1",
                   f"{statistics.median(crossings):.2g}{spread}" if crossings else "not found"),
        Comparison("excess nuclear norm, rich side alpha^2 k <= 1e-3 (median)", "~0 (dark)",
                   f"{statistics.median(rich):.3g}" if rich else "-"),
        Comparison("excess nuclear norm, kernel side alpha^2 k >= 1e2 (median)", "up to ~10 (bright)",
                   f"{statistics.median(kernel):.3g}" if kernel else "-"),
        Comparison("RMS change on unobserved entries, rich / kernel side (median)", "~3.4 / ~0",
                   f"{statistics.median(change_rich):.3g} / {statistics.median(change_kernel):.3g}"
                   if change_rich and change_kernel else "-"),
        Comparison("min nuclear norm - ||Y*||_* per seed", "(recovery assumed)",
                   ", ".join(f"{v:.2g}" if v != "" else "-" for v in (minimum[s] for s in seeds))))
    notes = (f"{stopped} of {len(rows)} flows stopped by the wall budget (status in the CSV)",) if stopped else ()
    return comparisons, notes
