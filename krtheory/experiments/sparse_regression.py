"""Sparse regression with the depth-D diagonal model (§4 Figure 1, §5 Figure 3(c)).

Data (paper §4, Figure 1): x_n ~ N(0, I_d), y_n = <beta*, x_n> + N(0, 0.01) noise, beta* 5-sparse
with entries 1/sqrt(5) on a random support; d = 1000. beta_inf(alpha) is the limit of the gradient
flow from w+ = w- = alpha 1, i.e. argmin Q^D_alpha s.t. X beta = y (Theorems 1 and 3), solved by
the warm-started float64 path (krtheory.solve.path; mpmath where double is not enough).

*Population error* here is ||beta - beta*||_2^2 = E_x <beta - beta*, x>^2 for x ~ N(0, I): the
error against the noiseless target, without the noise. The population risk
E (y - <beta, x>)^2 = ||beta - beta*||^2 + 0.01 is in the column ``population_risk``. The paper
does not say which it plotted; the threshold 0.025 of Figure 1(c) is applied to the former.

*Largest alpha* (Figure 1(c), 3(c)), per seed: scan s = alpha^D downward from s = 1 on a grid of
SCAN_STEP decades to s = SCALE_FLOOR, warm-starting each solve from the last; the first grid
point whose population error is <= 0.025 and the failing one above it bracket the crossing,
which BISECTIONS halvings on log alpha narrow; the reported alpha is the passing end. The error
is not proven monotone in alpha: this is the largest passing alpha the descending scan meets.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from krtheory.sweep.table import point_seed

EXPERIMENT = "sparse-regression"
DIMENSION = 1000
SPARSITY = 5
NOISE_VARIANCE = 0.01
#: Figure 1(c)'s accuracy: the largest alpha with population error at most this.
TARGET_ERROR = 0.025
#: Residual tolerance of the float64 path here: 8 digits of X beta = y are far more than a
#: population error needs (its CSV column says what each point reached).
PATH_TOLERANCE = 1e-8
#: Grid of the downward scan on log10(alpha^D), its floor, and the bisections of the bracket.
SCAN_STEP = 0.5
SCALE_FLOOR = 1e-12
BISECTIONS = 7

POPULATION_NOTE = ("population_error = ||beta - beta*||_2^2 = E_x <beta - beta*, x>^2 (x ~ N(0, I)), "
                   "WITHOUT the noise; population_risk = population_error + noise variance 0.01")
SEARCH_NOTE = (f"largest alpha: per seed, scan alpha^D down from 1 in steps of 10^{SCAN_STEP} to "
               f"{SCALE_FLOOR:g} (warm-started solves), take the first point with population_error <= "
               f"{TARGET_ERROR} and bisect {BISECTIONS} times on log alpha between it and the failing point "
               "above; largest_alpha is the passing end (empty: none passed down to the floor)")


def problem_name(d: int, n: int, seed: int) -> str:
    return f"sparse_d{d}_n{n}_seed{seed}"


def problem_arrays(d: int, n: int, seed: int):
    """(X, y, beta_star) of one seed: independent streams for beta*, X and the noise, all from
    the seed (:func:`point_seed`), so the first n rows for seed s are the same for every n."""
    sequence = np.random.SeedSequence(point_seed(EXPERIMENT, d, SPARSITY, NOISE_VARIANCE, seed))
    support_rng, x_rng, noise_rng = (np.random.default_rng(s) for s in sequence.spawn(3))
    beta_star = np.zeros(d)
    beta_star[support_rng.choice(d, size=SPARSITY, replace=False)] = 1 / math.sqrt(SPARSITY)
    X = x_rng.standard_normal((n, d))
    y = X @ beta_star + math.sqrt(NOISE_VARIANCE) * noise_rng.standard_normal(n)
    return X, y, beta_star


def min_l1(X, y) -> np.ndarray:
    """argmin ||beta||_1 s.t. X beta = y (eq. 6) as a linear program in (beta+, beta-) >= 0 (HiGHS)."""
    from scipy.optimize import linprog

    n, d = X.shape
    result = linprog(np.ones(2 * d), A_eq=np.hstack([X, -X]), b_eq=y, bounds=(0, None), method="highs")
    if result.status != 0:
        from krtheory.errors import NoConvergence

        raise NoConvergence(f"the l1 linear program failed: {result.message}")
    return result.x[:d] - result.x[d:]


def min_l2(X, y) -> np.ndarray:
    """argmin ||beta||_2 s.t. X beta = y (eq. 7): X^T (X X^T)^-1 y."""
    return X.T @ np.linalg.solve(X @ X.T, y)


@functools.lru_cache(maxsize=8)
def _references(d: int, n: int, seed: int):
    X, y, beta_star = problem_arrays(d, n, seed)
    return min_l1(X, y), min_l2(X, y)


def population_error(beta, beta_star) -> float:
    return float(np.sum((beta - beta_star) ** 2))


def diagonal_link(depth: int, alpha: float, d: int):
    """The depth-D diagonal model's link at alpha, w0 = 1, on d coordinates (Theorems 1 and 3)."""
    from krtheory.families.diagonal import implicit_link

    return implicit_link("diagonal", depth, repr(float(alpha)), None, d)


def diagonal_path(X, y, depth: int, **options):
    """The warm-started float64 path (krtheory.solve.path) of the depth-D diagonal model on X, y."""
    from krtheory.solve.path import UniformPath

    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 2:
        from krtheory.errors import InvalidArgument

        raise InvalidArgument(f"depth must be an integer >= 2, got depth={depth!r}")
    return UniformPath(X, y, functools.partial(diagonal_link, depth), **options)


def _solution_columns(solution) -> dict:
    return {"backend": solution.backend, "fallback": solution.fallback, "solve_status": solution.status,
            "relative_residual": solution.relative_residual, "iterations": solution.iterations}


def alpha_point(point: dict) -> dict:
    """Figure 1(a)/(b): one (seed, alpha) at n samples: population error, norms and excess norms
    over the min-l1 and min-l2 interpolants."""
    d, n, seed, depth, alpha = point["d"], point["n"], point["seed"], point["depth"], point["alpha"]
    X, y, beta_star = problem_arrays(d, n, seed)
    solution = diagonal_path(X, y, depth, residual_tolerance=PATH_TOLERANCE).solve(alpha)
    beta_l1, beta_l2 = _references(d, n, seed)
    l1, l2 = float(np.abs(solution.beta).sum()), float(np.linalg.norm(solution.beta))
    error = population_error(solution.beta, beta_star)
    return {"population_error": error,
            "population_risk": error + NOISE_VARIANCE, "l1_norm": l1, "l2_norm": l2,
            "l1_excess": l1 - float(np.abs(beta_l1).sum()), "l2_excess": l2 - float(np.linalg.norm(beta_l2)),
            **_solution_columns(solution)}


def l1_point(point: dict) -> dict:
    """The min-l1 interpolant's population error at n samples (the dashed line of Figure 1(c))."""
    d, n, seed = point["d"], point["n"], point["seed"]
    X, y, beta_star = problem_arrays(d, n, seed)
    return {"l1_error": population_error(min_l1(X, y), beta_star)}


def threshold_point(point: dict) -> dict:
    """Figure 1(c)/3(c): the largest alpha with population error <= TARGET_ERROR for one
    (n, depth, seed), by the search of the module docstring."""
    d, n, seed, depth = point["d"], point["n"], point["seed"], point["depth"]
    X, y, beta_star = problem_arrays(d, n, seed)
    path = diagonal_path(X, y, depth, residual_tolerance=PATH_TOLERANCE)
    backends = {"float64": 0, "mpmath": 0}
    worst = 0.0

    def error_at(alpha: float) -> float:
        nonlocal worst
        solution = path.solve(alpha)
        backends[solution.backend] += 1
        worst = max(worst, solution.relative_residual)
        return population_error(solution.beta, beta_star)

    search = {name: point.get(name, default) for name, default in search_parameters().items()}
    return {**largest_passing(error_at, depth, **search), "solves": sum(backends.values()),
            "mpmath_solves": backends["mpmath"], "worst_relative_residual": worst}


def search_parameters() -> dict:
    """The search's parameters, which the figures put in every point (so a table resumed after
    they change recomputes its points): target error, scan step (decades), bisections, floor."""
    return {"target": TARGET_ERROR, "scan_step": SCAN_STEP, "bisections": BISECTIONS, "floor": SCALE_FLOOR}


def largest_passing(error_at, depth: int, *, target: float = TARGET_ERROR, scan_step: float = SCAN_STEP,
                    bisections: int = BISECTIONS, floor: float = SCALE_FLOOR) -> dict:
    """The search of the module docstring on x = log10(alpha^D), ``error_at(alpha)`` giving the
    population error: ``search`` (found, at_top or none), ``largest_alpha``, ``largest_scale``
    (alpha^D) and ``failing_alpha_above`` (nan where they do not apply)."""
    steps = round(-math.log10(floor) / scan_step)
    above, passing, status = None, None, "none"
    for k in range(steps + 1):
        x = -k * scan_step
        if error_at(10 ** (x / depth)) <= target:
            passing, status = x, ("at_top" if k == 0 else "found")
            break
        above = x
    if passing is not None and above is not None:
        for _ in range(bisections):
            middle = (passing + above) / 2
            if error_at(10 ** (middle / depth)) <= target:
                passing = middle
            else:
                above = middle
    return {"search": status,
            "largest_alpha": 10 ** (passing / depth) if passing is not None else math.nan,
            "largest_scale": 10 ** passing if passing is not None else math.nan,
            "failing_alpha_above": 10 ** (above / depth) if above is not None and passing is not None else math.nan}


# -- the figures ----------------------------------------------------------------------------
#: Figure 1(a)/(b): n, the alpha grid (log-spaced) and the seeds per scale.
ALPHA_N = 100
ALPHA_RANGE = (2e-3, 1.0)
ALPHA_COUNTS = {"quick": 14, "default": 24, "paper": 30}
ALPHA_SEEDS = {"quick": 3, "default": 5, "paper": 10}
#: Figure 1(c)/3(c): the n grid, the seeds, the depths, and the n grid of the l1 line.
THRESHOLD_N = {"quick": (60, 100, 200, 500), "default": tuple(range(50, 501, 50)),
               "paper": tuple(range(50, 501, 25))}
THRESHOLD_SEEDS = {"quick": 2, "default": 5, "paper": 10}
L1_N = {"quick": (40, 50, 60, 70, 80, 100), "default": tuple(range(30, 121, 5)),
        "paper": tuple(range(30, 121, 5))}
DEPTHS_3C = (2, 3, 5, 8)
COLORS = {2: "#1f77b4", 3: "#d62728", 5: "#2ca02c", 8: "#9467bd"}


def _by_scale(context, table: dict):
    return table[context.scale.value]


def _save_problems(context, n_max: int, seeds: int) -> None:
    """data/sparse_d{d}_n{n_max}_seed{s}.npz: X (n_max x d), y, beta_star; a point at n samples
    uses the first n rows (the rows are drawn in order, see :func:`problem_arrays`)."""
    from krtheory.experiments._figure import save_problem

    for seed in range(seeds):
        X, y, beta_star = problem_arrays(DIMENSION, n_max, seed)
        save_problem(context, problem_name(DIMENSION, n_max, seed), X=X, y=y, beta_star=beta_star,
                     noise_variance=np.array(NOISE_VARIANCE))


def _with_problem(rows, n_max: int) -> list[dict]:
    return [{"problem": f"data/{problem_name(row['d'], n_max, row['seed'])}.npz", **row} for row in rows]


def _alpha_rows(context) -> tuple[list[dict], int, int]:
    """The sweep behind Figures 1(a) and 1(b) (one table: the second figure reuses it)."""
    from krtheory.experiments._figure import seeds_for, succeeded

    seeds = seeds_for(context, {s: ALPHA_SEEDS[s.value] for s in type(context.scale)})
    alphas = np.geomspace(*ALPHA_RANGE, _by_scale(context, ALPHA_COUNTS))
    points = [{"d": DIMENSION, "n": ALPHA_N, "depth": 2, "seed": seed, "alpha": float(alpha)}
              for seed in range(seeds) for alpha in alphas]
    rows = context.runner(alpha_point, points, table=context.table("fig1_alpha"),
                          key=("d", "n", "depth", "seed", "alpha"), desc="Figure 1(a,b): alpha sweep")
    _save_problems(context, ALPHA_N, seeds)
    return _with_problem(succeeded(rows), ALPHA_N), len(rows) - len(succeeded(rows)), seeds


def _crossing(xs, ys, level: float, rising: bool = True):
    """The first x (log-interpolated) where ys crosses ``level`` upward (downward if not rising)."""
    for (x0, y0), (x1, y1) in zip(zip(xs, ys), zip(xs[1:], ys[1:])):
        if (y0 <= level < y1) if rising else (y0 >= level > y1):
            t = (level - y0) / (y1 - y0)
            return math.exp(math.log(x0) + t * (math.log(x1) - math.log(x0)))
    return math.nan


def fig1a(context):
    """Figure 1(a): population error of beta_inf(alpha) against alpha (d = 1000, n = 100)."""
    from krtheory.experiments._figure import (Comparison, FigureResult, group_by, median_band, pyplot,
                                              save_figure, styled_axes, write_csv)

    rows, failed, seeds = _alpha_rows(context)
    alphas, errors = group_by(rows, "alpha", "population_error")
    plt = pyplot()
    figure, ax = styled_axes(plt)
    stats = median_band(ax, alphas, errors, color="#1f77b4", label=f"median over {seeds} seeds (band: quartiles)")
    ax.axhline(TARGET_ERROR, color="0.45", linestyle=":", linewidth=1, label=f"error {TARGET_ERROR}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"initialization scale $\alpha$")
    ax.set_ylabel(r"population error $\|\beta_\infty - \beta^*\|_2^2$")
    ax.set_title(f"Figure 1(a): sparse regression, d={DIMENSION}, n={ALPHA_N}, 5-sparse", fontsize=10)
    ax.legend(frameon=False, fontsize=8)
    png, svg = save_figure(figure, context.out, "fig1a")
    medians = [s[0] for s in stats]
    columns = ["problem", "seed", "n", "d", "depth", "alpha", "population_error", "population_risk", "backend",
               "fallback", "solve_status", "relative_residual", "iterations"]
    csv = write_csv(context.out / "fig1a.csv", rows, columns, comments=[
        "Figure 1(a): beta_inf = argmin Q_alpha s.t. X beta = y (Theorem 1), x ~ N(0, I), noise variance 0.01",
        POPULATION_NOTE, "problem: X, y, beta_star of the seed (all n rows used)"])
    rise = _crossing(alphas, medians, TARGET_ERROR)
    half = _crossing(alphas, medians, (medians[0] + medians[-1]) / 2)
    comparisons = (
        Comparison("alpha where the error rises sharply", "between ~0.05 and ~0.2 (read off the plot)",
                   f"median error passes {TARGET_ERROR} at alpha = {rise:.3g}, half-way to its alpha = 1 value at "
                   f"{half:.3g}"),
        Comparison("error at the smallest and largest alpha", "unlabelled y-axis",
                   f"{medians[0]:.3g} at alpha = {alphas[0]:.3g}, {medians[-1]:.3g} at alpha = {alphas[-1]:.3g}"))
    return FigureResult("1a", (png, svg, csv), comparisons, _failure_note(failed))


def fig1b(context):
    """Figure 1(b): ||beta_inf||_1 - ||beta_l1||_1 and ||beta_inf||_2 - ||beta_l2||_2 against alpha."""
    from krtheory.experiments._figure import (Comparison, FigureResult, group_by, median_band, pyplot,
                                              save_figure, styled_axes, write_csv)

    rows, failed, seeds = _alpha_rows(context)
    alphas, l1 = group_by(rows, "alpha", "l1_excess")
    _, l2 = group_by(rows, "alpha", "l2_excess")
    plt = pyplot()
    figure, ax = styled_axes(plt)
    s1 = median_band(ax, alphas, l1, color="#1f77b4", label=r"$\|\beta_\infty\|_1 - \|\beta^*_{\ell_1}\|_1$")
    s2 = median_band(ax, alphas, l2, color="#d62728", label=r"$\|\beta_\infty\|_2 - \|\beta^*_{\ell_2}\|_2$",
                     marker="s")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"initialization scale $\alpha$")
    ax.set_ylabel("excess norm")
    ax.set_title(f"Figure 1(b): excess norms, d={DIMENSION}, n={ALPHA_N} (median, quartiles; {seeds} seeds)",
                 fontsize=10)
    ax.legend(frameon=False, fontsize=9)
    png, svg = save_figure(figure, context.out, "fig1b")
    columns = ["problem", "seed", "n", "d", "depth", "alpha", "l1_norm", "l2_norm", "l1_excess", "l2_excess",
               "backend", "relative_residual"]
    csv = write_csv(context.out / "fig1b.csv", rows, columns, comments=[
        "Figure 1(b): excess norms of beta_inf over the min-l1 (HiGHS linear program) and min-l2 interpolants "
        "of the same X, y"])
    gap = [a - b for a, b in zip((s[0] for s in s1), (s[0] for s in s2))]
    cross = _crossing(alphas, gap, 0.0)
    comparisons = (Comparison("alpha where the two curves cross", "~0.2 (read off the plot)", f"{cross:.3g}"),)
    return FigureResult("1b", (png, svg, csv), comparisons, _failure_note(failed))


def _failure_note(failed: int) -> tuple[str, ...]:
    return (f"{failed} point(s) failed and are left out (see the sweep table's sweep_reason)",) if failed else ()


def _threshold_rows(context, depths):
    from krtheory.experiments._figure import seeds_for, succeeded

    seeds = seeds_for(context, {s: THRESHOLD_SEEDS[s.value] for s in type(context.scale)})
    ns, l1_ns = _by_scale(context, THRESHOLD_N), _by_scale(context, L1_N)
    search = search_parameters()
    points = [{"d": DIMENSION, "n": n, "depth": depth, "seed": seed, **search}
              for depth in depths for n in ns for seed in range(seeds)]
    rows = context.runner(threshold_point, points, table=context.table("largest_alpha"),
                          key=("d", "n", "depth", "seed", *search), desc="largest alpha per (n, D, seed)")
    l1_points = [{"d": DIMENSION, "n": n, "seed": seed} for n in l1_ns for seed in range(seeds)]
    l1_rows = context.runner(l1_point, l1_points, table=context.table("l1_error"), key=("d", "n", "seed"),
                             desc="min-l1 interpolant per (n, seed)")
    n_max = max(max(ns), max(l1_ns))
    _save_problems(context, n_max, seeds)
    failed = len(rows) + len(l1_rows) - len(succeeded(rows)) - len(succeeded(l1_rows))
    return _with_problem(succeeded(rows), n_max), _with_problem(succeeded(l1_rows), n_max), failed, seeds


def l1_sample_threshold(l1_rows) -> tuple[list[int], float]:
    """Per seed, the smallest n on the l1 grid whose min-l1 interpolant has population error
    <= TARGET_ERROR (the paper's "number of samples needed by beta*_l1"); and their median."""
    per_seed = {}
    for row in sorted(l1_rows, key=lambda r: r["n"]):
        if row["l1_error"] <= TARGET_ERROR:
            per_seed.setdefault(row["seed"], row["n"])
    values = sorted(per_seed.values())
    return values, float(np.median(values)) if values else math.nan


def _threshold_figure(context, name: str, depths):
    from krtheory.experiments._figure import FigureResult, median_band, pyplot, save_figure, styled_axes, write_csv

    rows, l1_rows, failed, seeds = _threshold_rows(context, depths)
    scale_axis = len(depths) > 1  # Figure 3(c) plots alpha^D
    column = "largest_scale" if scale_axis else "largest_alpha"
    plt = pyplot()
    figure, ax = styled_axes(plt)
    medians = {}
    for depth in depths:
        mine = [r for r in rows if r["depth"] == depth]
        ns = sorted({r["n"] for r in mine})
        # a seed with no passing alpha down to the floor counts as below it (plotted at the floor)
        floor = SCALE_FLOOR if scale_axis else SCALE_FLOOR ** (1 / depth)
        groups = [[r[column] if r["search"] != "none" else floor for r in mine if r["n"] == n] for n in ns]
        stats = median_band(ax, ns, groups, color=COLORS.get(depth, "k"), label=f"D = {depth}" if scale_axis
                            else f"median over {seeds} seeds (band: quartiles)")
        medians[depth] = dict(zip(ns, (s[0] for s in stats)))
    floor = SCALE_FLOOR if scale_axis else SCALE_FLOOR ** (1 / depths[0])
    ax.axhline(floor, color="0.6", linestyle=":", linewidth=1, label="search floor (seeds with no passing alpha sit here)")
    per_seed, n_l1 = l1_sample_threshold(l1_rows)
    if math.isfinite(n_l1):
        ax.axvline(n_l1, color="0.3", linestyle="--", linewidth=1.2,
                   label=rf"$n$ needed by $\beta^*_{{\ell_1}}$ (median {n_l1:g})")
    ax.set_yscale("log")
    ax.set_xlabel("number of samples n")
    ax.set_ylabel(r"largest $\alpha^D$" if scale_axis else r"largest $\alpha$")
    ax.set_title(("Figure 3(c): largest " + r"$\alpha^D$" if scale_axis else "Figure 1(c): largest " + r"$\alpha$")
                 + f" with population error $\\leq$ {TARGET_ERROR} (d={DIMENSION})", fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    png, svg = save_figure(figure, context.out, name)
    columns = ["problem", "seed", "n", "d", "depth", "search", "largest_alpha", "largest_scale", "failing_alpha_above",
               "solves", "mpmath_solves", "worst_relative_residual"]
    csv = write_csv(context.out / f"{name}.csv", rows, columns, comments=[
        f"{'Figure 3(c)' if scale_axis else 'Figure 1(c)'}: largest alpha with population error <= {TARGET_ERROR}",
        POPULATION_NOTE, SEARCH_NOTE, "problem: X, y, beta_star of the seed; a point with n samples uses its first n rows"])
    l1_csv = write_csv(context.out / f"{name}_l1.csv", l1_rows, ["problem", "seed", "n", "d", "l1_error"], comments=[
        "population error ||beta_l1 - beta*||^2 of the min-l1 interpolant (HiGHS); the dashed line is the median "
        f"over seeds of the smallest n on this grid with l1_error <= {TARGET_ERROR}"])
    return FigureResult(name.removeprefix("fig"), (png, svg, csv, l1_csv),
                        _threshold_comparisons(medians, n_l1, per_seed, scale_axis), _failure_note(failed))


def _near(table: dict, n: int, floor: float) -> str:
    """The median at the n' of the grid nearest to n, as text ("below the floor" when at least
    half the seeds found no passing alpha down to it)."""
    closest = min(table, key=lambda m: abs(m - n))
    value = table[closest]
    if value <= floor * (1 + 1e-9):
        return f"< {floor:.3g}: no alpha passed down to the search floor for half the seeds (n = {closest})"
    return f"{value:.3g} (median at n = {closest})"


def _threshold_comparisons(medians, n_l1, per_seed, scale_axis):
    from krtheory.experiments._figure import Comparison

    l1 = Comparison("n needed by the min-l1 interpolant", "~50 (dashed line)",
                    f"median {n_l1:g} (per seed: {', '.join(map(str, per_seed)) or 'none on the grid'})")
    if not scale_axis:
        table = medians[2]
        out = []
        for n, paper in ((500, "~0.065"), (90, "~1e-2"), (58, "~1e-6")):
            out.append(Comparison(f"largest alpha at n = {n}", paper, _near(table, n, SCALE_FLOOR ** 0.5)))
        return tuple(out) + (l1,)
    out = []
    for depth, paper in ((2, "~3e-3"), (3, "~1e-2"), (5, "~1e-2"), (8, "~1e-2")):
        if depth in medians:
            out.append(Comparison(f"largest alpha^D at n = 500, D = {depth}", paper,
                                  _near(medians[depth], 500, SCALE_FLOOR)))
    return tuple(out) + (l1,)


def fig1c(context):
    """Figure 1(c): the largest alpha with population error <= 0.025 against n (D = 2)."""
    return _threshold_figure(context, "fig1c", (2,))


def fig3c(context):
    """Figure 3(c): Figure 1(c) for D in {2, 3, 5, 8}, with alpha^D on the axis."""
    return _threshold_figure(context, "fig3c", DEPTHS_3C)
