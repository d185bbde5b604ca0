"""§7: the kernel-to-rich transition in ReLU networks (Figures 6 and 7, Appendix A).

Figure 7: the univariate two-layer net of §7.1 (unbiased, width k, w(0) = alpha w_0 with the three
layer scalings of :mod:`krtheory.nets.univariate`) trained by full-batch GD on 9 equally spaced
points of [-sqrt 3, sqrt 3] with labels 0,0,0,1,1,1,0,0,0; each learned function is compared on a
grid with the linear spline (numpy.interp), the natural cubic spline (scipy's CubicSpline,
bc_type='natural') and the kernel predictor of the net's own initialization.

Figure 6(a, b): 10 points on the unit circle labelled by a teacher with one hidden layer of 3
ReLUs; unbiased students of depth D in {2, 3, 5}, 30 units per layer, no biases, Uniform He times
alpha, GD with step 0.01 until the training loss is below 1e-9: test RMSE and grad distance
against alpha^D. Figure 6(c): a wide one-hidden-layer unbiased net on 8x8 digits (or MNIST from
``options['mnist_dir']``), squared loss on one-hot labels, full-batch GD: test error against alpha,
with the "train the last layer only" kernel proxy (its GD limit, the least-squares fit on the
random features, in closed form).
"""

from __future__ import annotations

import math

import numpy as np

from krtheory.errors import NoConvergence, NotApplicable
from krtheory.experiments._figure import (Comparison, FigureContext, FigureResult, Scale, pyplot,
                                          save_figure, save_problem, write_csv)
from krtheory.nets import kernels, metrics, mlp, train, univariate

# ---------------------------------------------------------------- Figure 7 (univariate, §7.1)

FIG7_X = np.linspace(-math.sqrt(3), math.sqrt(3), 9)
FIG7_Y = np.array([0, 0, 0, 1, 1, 1, 0, 0, 0], dtype=float)
#: the grid the learned functions are compared and written on
FIG7_GRID = np.linspace(-math.sqrt(3), math.sqrt(3), 201)
FIG7_ALPHAS = (1e-4, 1e-2, 0.1, 1.0, 10.0)
#: width, GD step budget and training-loss target per scale
FIG7_SIZES = {Scale.QUICK: (100, 40_000), Scale.DEFAULT: (1000, 400_000), Scale.PAPER: (10_000, 3_000_000)}
FIG7_TARGET = 1e-8
#: the largest GD step used (the rich regime, where the kernel grows during training)
FIG7_MAX_LR = 0.05


def splines(grid=FIG7_GRID) -> dict[str, np.ndarray]:
    """The two reference interpolants of the data on ``grid`` (independent libraries)."""
    from scipy.interpolate import CubicSpline

    return {"linear": np.interp(grid, FIG7_X, FIG7_Y),
            "cubic": CubicSpline(FIG7_X, FIG7_Y, bc_type="natural")(grid)}


def sup_distance(f, g) -> float:
    return float(np.max(np.abs(np.asarray(f) - np.asarray(g))))


def _encode(values) -> str:
    return "" if np.isnan(values).any() else " ".join(f"{v:.10g}" for v in values)


def decode(text: str) -> np.ndarray:
    """The values a row stores as a space-separated string (the curves of Figure 7)."""
    return np.array([float(v) for v in text.split()]) if text else np.array([])


def fig7_step(arch, theta0) -> float:
    """Half the stability limit 2 N / lambda_max(K_0) of the linearized GD at init, at most
    FIG7_MAX_LR."""
    X = FIG7_X[:, None]
    lam = np.linalg.eigvalsh(kernels.tangent_kernel(arch, theta0, X))[-1] / len(X)
    return min(FIG7_MAX_LR, 0.5 / lam)


def fig7_point(point: dict) -> dict:
    """One learned function of Figure 7: panel, alpha, width, seed, max_steps -> the run, its
    distances to the splines and to its own init's kernel predictor, the laziness metrics and
    the curves on FIG7_GRID (space-separated)."""
    width, alpha, panel = int(point["width"]), float(point["alpha"]), point["panel"]
    arch = univariate.architecture(width)
    theta0 = univariate.initialize(width, alpha, panel, np.random.default_rng(int(point["seed"])))
    X, grid = FIG7_X[:, None], FIG7_GRID[:, None]
    lr = fig7_step(arch, theta0)
    reference = splines()
    try:
        predictor = kernels.kernel_predictor(arch, theta0, X, FIG7_Y, grid)
    except NotApplicable:  # a numerically singular kernel at this init: no kernel predictor
        predictor = np.full(len(grid), np.nan)
    row = dict(point, lr=lr, sup_kernel_linear=sup_distance(predictor, reference["linear"]),
               sup_kernel_cubic=sup_distance(predictor, reference["cubic"]), f_kernel=_encode(predictor))
    try:
        result = train.gradient_descent(arch, theta0, X, FIG7_Y, lr=lr, target=float(point.get("target", FIG7_TARGET)),
                                        max_steps=int(point["max_steps"]))
        row.update(converged=True, note="")
    except NoConvergence as error:  # the last iterate is kept, marked as not converged
        result = error.result
        row.update(converged=False, note=str(error))
    f = mlp.outputs(arch, result.theta, grid)[:, 0]
    K0, K1 = (kernels.tangent_kernel(arch, t, X) for t in (theta0, result.theta))
    return dict(row, steps=result.steps, loss=result.loss,
                seconds=round(result.seconds, 2), f=_encode(f), f_max=float(f.max()),
                sup_to_kernel=sup_distance(f, predictor), sup_to_linear=sup_distance(f, reference["linear"]),
                sup_to_cubic=sup_distance(f, reference["cubic"]),
                movement=metrics.parameter_movement(theta0, result.theta),
                kernel_distance=metrics.kernel_distance(K0, K1),
                hamming=metrics.hamming_distance(mlp.activation_patterns(arch, theta0, grid),
                                                 mlp.activation_patterns(arch, result.theta, grid)))


def infinite_width_limits(width: int) -> dict[str, dict[str, float]]:
    """Per panel: sup distances of the infinite-width kernel interpolant (all layers train, the
    closed-form kernels at the panel's layer weights) to the two splines, and its maximum."""
    reference = splines()
    out = {}
    for panel in univariate.PANEL_EXPONENTS:
        K = univariate.infinite_width_kernel(FIG7_X, FIG7_X, width, 1.0, panel)
        Kx = univariate.infinite_width_kernel(FIG7_GRID, FIG7_X, width, 1.0, panel)
        f = kernels.interpolate(K, Kx, FIG7_Y)
        out[panel] = {"linear": sup_distance(f, reference["linear"]),
                      "cubic": sup_distance(f, reference["cubic"]), "max": float(f.max())}
    return out


FIG7_SUMMARY = ("panel", "alpha", "width", "seed", "problem", "lr", "converged", "steps", "loss", "seconds",
                "sup_to_kernel", "sup_to_linear", "sup_to_cubic", "sup_kernel_linear", "sup_kernel_cubic",
                "f_max", "movement", "kernel_distance", "hamming", "note")


def figure7(context: FigureContext) -> FigureResult:
    width, max_steps = FIG7_SIZES[context.scale]
    problem = save_problem(context, "figure7", x=FIG7_X, y=FIG7_Y, grid=FIG7_GRID)
    points = [{"panel": p, "alpha": a, "width": width, "seed": 0, "max_steps": max_steps, "problem": problem}
              for p in univariate.PANEL_EXPONENTS for a in FIG7_ALPHAS]
    rows = context.runner(fig7_point, points, table=context.out / "figure7_runs.csv",
                          key=("panel", "alpha", "width", "seed"), desc="figure 7")
    curves = [{"panel": r["panel"], "alpha": r["alpha"], "x": f"{x:.10g}", "f": f"{v:.10g}",
               "seed": r["seed"], "width": r["width"], "problem": r["problem"]}
              for r in rows for x, v in zip(FIG7_GRID, decode(r["f"]))]
    files = [write_csv(context.out / "figure7.csv", curves, ("panel", "alpha", "x", "f", "seed", "width", "problem"),
                       ["learned function f(x) on the grid per panel (layer scaling) and alpha; unbiased "
                        "two-layer ReLU net, GD on 1/(2N) sum (f - y)^2 to loss < %g" % FIG7_TARGET]),
             write_csv(context.out / "figure7_summary.csv", rows, FIG7_SUMMARY,
                       ["sup distances on the grid of [-sqrt3, sqrt3] (201 points): to_kernel = to the kernel "
                        "predictor of the run's own init; kernel_linear/cubic = that predictor to the splines"])]
    limits = infinite_width_limits(width)
    files += _plot7(context, rows, width)
    by = {(r["panel"], float(r["alpha"])): r for r in rows}
    smallest = {p: by[(p, FIG7_ALPHAS[0])] for p in univariate.PANEL_EXPONENTS}
    comparisons = [
        Comparison("alpha -> 0: linear spline, whatever the scaling", "yes (visually)",
                   "; ".join(f"({p}) {_fmt(r['sup_to_linear'], r['converged'])}" for p, r in smallest.items()),
                   "sup distance to the linear spline at alpha = 1e-4"),
        Comparison("(a) large-alpha overshoot", "about 1.14", _fmt(by[("a", FIG7_ALPHAS[-1])]["f_max"], by[("a", FIG7_ALPHAS[-1])]["converged"]),
                   "max of the learned function at alpha = 10"),
        Comparison("kernel limit per scaling", "cubic-spline-like, depends on the scaling",
                   "; ".join(f"({p}) lin {d['linear']:.3f} cub {d['cubic']:.3f}" for p, d in limits.items()),
                   "infinite-width interpolant, sup distance to the linear / natural cubic spline"),
    ]
    return FigureResult("7", tuple(files), tuple(comparisons))


def _fmt(value, converged=True) -> str:
    return f"{float(value):.3g}" + ("" if converged in (True, "True") else " (not converged)")


def _plot7(context, rows, width):
    plt = pyplot()
    reference = splines()
    figure, axes = plt.subplots(1, 3, figsize=(15, 4.2), sharey=True)
    colors = [plt.cm.tab10(i) for i in range(len(FIG7_ALPHAS))]
    for ax, panel in zip(axes, univariate.PANEL_EXPONENTS):
        ax.plot(FIG7_GRID, reference["linear"], "k--", lw=1, label="linear spline")
        ax.plot(FIG7_GRID, reference["cubic"], "k:", lw=1.5, label="natural cubic spline")
        for color, alpha in zip(colors, FIG7_ALPHAS):
            row = next(r for r in rows if r["panel"] == panel and float(r["alpha"]) == alpha)
            converged = row["converged"] in (True, "True")
            ax.plot(FIG7_GRID, decode(row["f"]), color=color, lw=1.2 if converged else 0.6,
                    ls="-" if converged else (0, (1, 1)),
                    label=f"alpha={alpha:g}" + ("" if converged else " (loss above target)"))
            if alpha == FIG7_ALPHAS[-1] and row["f_kernel"]:
                ax.plot(FIG7_GRID, decode(row["f_kernel"]), color="grey", lw=2.5, alpha=0.45,
                        label=f"kernel predictor of the init (alpha={alpha:g})")
        ax.plot(FIG7_X, FIG7_Y, "ko", ms=4)
        e = univariate.PANEL_EXPONENTS[panel]
        ax.set_title(f"({panel}) w0 = (k^-{e:g} w1, k^-{e:g} b1, k^{e:g} w2), k={width}", fontsize=9)
        ax.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
        ax.set_xlabel("x")
    axes[0].set_ylabel("f(x)")
    return list(save_figure(figure, context.out, "figure7"))


# ---------------------------------------------------------------- Figure 6(a, b) (synthetic)

FIG6_DEPTHS = (2, 3, 5)
#: alpha^D per scale, seeds per scale, and (training-loss target, GD step budget) per scale
FIG6_SCALES = {Scale.QUICK: ((1e-2, 1e2), 2, (1e-4, 100_000)),
               Scale.DEFAULT: ((1e-4, 1e-2, 1.0, 1e2), 3, (1e-6, 400_000)),
               Scale.PAPER: ((1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 1e2), 5, (1e-9, 5_000_000))}
FIG6_STEP = 0.01
FIG6_TEST_POINTS = 1000


def fig6_problem(seed: int) -> dict[str, np.ndarray]:
    """10 training and FIG6_TEST_POINTS test points uniform on the unit circle, labelled by a
    teacher with one hidden layer of 3 ReLUs (no biases, Uniform He)."""
    rng = np.random.default_rng([6, seed])
    angles = rng.uniform(0, 2 * np.pi, 10 + FIG6_TEST_POINTS)
    points = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    teacher = mlp.Architecture((2, 3, 1), bias=False)
    labels = mlp.outputs(teacher, mlp.uniform_he(teacher, 1.0, rng), points)[:, 0]
    return {"X": points[:10], "y": labels[:10], "X_test": points[10:], "y_test": labels[10:]}


def student(depth: int) -> mlp.Architecture:
    """Depth D, 30 units per hidden layer, no biases, unbiased (f = 0 at init)."""
    return mlp.Architecture((2,) + (30,) * (depth - 1) + (1,), bias=False, unbiased=True)


def fig6_point(point: dict) -> dict:
    """One student of Figure 6(a, b): depth, alpha_D (= alpha^D), seed, target, max_steps ->
    test RMSE, grad distance and the other laziness metrics."""
    depth, seed = int(point["depth"]), int(point["seed"])
    data = fig6_problem(seed)
    arch = student(depth)
    alpha = float(point["alpha_D"]) ** (1.0 / depth)
    theta0 = mlp.uniform_he(arch, alpha, np.random.default_rng([60, seed, depth]))
    J0 = mlp.jacobian(arch, theta0, data["X"])
    # the paper's step 0.01, or half the stability limit 2N / lambda_max(K_0) when smaller (large alpha)
    lr = min(FIG6_STEP, len(data["X"]) / np.linalg.eigvalsh(J0 @ J0.T)[-1])
    row = dict(point, alpha=alpha, lr=lr)
    try:
        result = train.gradient_descent(arch, theta0, data["X"], data["y"], lr=lr,
                                        target=float(point["target"]), max_steps=int(point["max_steps"]))
        row.update(converged=True, note="")
    except NoConvergence as error:
        result = getattr(error, "result", None)
        row.update(converged=False, note=str(error))
        if result is None:  # diverged: nothing to measure
            return row
    test = mlp.outputs(arch, result.theta, data["X_test"])[:, 0]
    J1 = mlp.jacobian(arch, result.theta, data["X"])
    return dict(row, steps=result.steps, loss=result.loss, seconds=round(result.seconds, 2),
                test_rmse=float(np.sqrt(np.mean((test - data["y_test"]) ** 2))),
                zero_rmse=float(np.sqrt(np.mean(data["y_test"] ** 2))),
                grad_distance=metrics.grad_distance(J0, J1),
                kernel_distance=metrics.kernel_distance(J0 @ J0.T, J1 @ J1.T),
                movement=metrics.parameter_movement(theta0, result.theta),
                hamming=metrics.hamming_distance(mlp.activation_patterns(arch, theta0, data["X_test"]),
                                                 mlp.activation_patterns(arch, result.theta, data["X_test"])))


FIG6_COLUMNS = ("depth", "alpha_D", "alpha", "seed", "problem", "lr", "converged", "steps", "loss", "target", "seconds",
                "test_rmse", "zero_rmse", "grad_distance", "kernel_distance", "movement", "hamming", "note")


#: finished sweeps of Figure 6(a, b) in this process, by (out, scale, seeds): 6(b) reuses 6(a)'s
_FIG6_SWEEPS: dict[tuple, list[dict]] = {}


def fig6_rows(context: FigureContext) -> list[dict]:
    """The sweep behind Figures 6(a) and 6(b): one table (a runner that resumes tables shares it
    across processes; within one process the finished sweep is reused)."""
    alphas, seeds, (target, max_steps) = FIG6_SCALES[context.scale]
    seeds = context.seeds or seeds
    key = (str(context.out), context.scale, seeds, alphas, FIG6_DEPTHS, target, max_steps)
    if key not in _FIG6_SWEEPS:
        _FIG6_SWEEPS[key] = _fig6_sweep(context, alphas, seeds, target, max_steps)
    return _FIG6_SWEEPS[key]


def _fig6_sweep(context, alphas, seeds, target, max_steps) -> list[dict]:
    problems = {s: save_problem(context, f"figure6_seed{s}", **fig6_problem(s)) for s in range(seeds)}
    points = [{"depth": d, "alpha_D": a, "seed": s, "target": target, "max_steps": max_steps,
               "problem": problems[s]} for d in FIG6_DEPTHS for a in alphas for s in range(seeds)]
    return context.runner(fig6_point, points, table=context.out / "figure6_runs.csv",
                          key=("depth", "alpha_D", "seed"), desc="figure 6(a,b)")


def spread(rows, depth: int, alpha_D: float, column: str) -> tuple[float, float, float, int]:
    """(median, min, max, count) of ``column`` over the converged seeds of one point."""
    values = [float(r[column]) for r in rows if int(r["depth"]) == depth and float(r["alpha_D"]) == alpha_D
              and r["converged"] in (True, "True") and r.get(column) not in (None, "")]
    if not values:
        return (math.nan, math.nan, math.nan, 0)
    return (float(np.median(values)), min(values), max(values), len(values))


def _figure6(context: FigureContext, column: str, panel: str, ylabel: str, paper: str) -> FigureResult:
    rows = fig6_rows(context)
    files = [write_csv(context.out / "figure6.csv", rows, FIG6_COLUMNS,
                       ["Figure 6(a,b): unbiased ReLU students (30 units/layer, no biases, Uniform He x alpha), "
                        "GD step 0.01 on 1/(2N) sum (f - y)^2 until loss < target; test RMSE on 1000 circle "
                        "points; grad distance = cosine distance of the training-point Jacobians at init/end"])]
    plt = pyplot()
    figure, ax = plt.subplots(figsize=(5.5, 4))
    alphas = sorted({float(r["alpha_D"]) for r in rows})
    comparisons = []
    for depth in FIG6_DEPTHS:
        stats = [spread(rows, depth, a, column) for a in alphas]
        med = np.array([s[0] for s in stats])
        ax.errorbar(alphas, med, yerr=[med - [s[1] for s in stats], [s[2] for s in stats] - med],
                    marker="o", capsize=3, label=f"D={depth}")
        comparisons.append(Comparison(f"{column} D={depth} at alpha^D = {alphas[0]:g} / {alphas[-1]:g}", paper,
                                      f"{stats[0][0]:.3g} [{stats[0][1]:.3g}, {stats[0][2]:.3g}] / "
                                      f"{stats[-1][0]:.3g} [{stats[-1][1]:.3g}, {stats[-1][2]:.3g}]",
                                      f"median [min, max] over {stats[0][3]} / {stats[-1][3]} converged seeds"))
    if column == "test_rmse":
        zero = np.median([float(r["zero_rmse"]) for r in rows if r.get("zero_rmse") not in (None, "")])
        ax.axhline(zero, color="grey", ls=":", label="zero predictor")
    ax.set_xscale("log")
    ax.set_xlabel("alpha^D")
    ax.set_ylabel(ylabel)
    ax.set_title(f"Figure 6({panel})")
    ax.legend(fontsize=8)
    files += save_figure(figure, context.out, f"figure6{panel}")
    unconverged = sum(r["converged"] not in (True, "True") for r in rows)
    notes = (f"{unconverged} of {len(rows)} runs stopped above the loss target (excluded from the medians)",)
    return FigureResult(f"6{panel}", tuple(files), tuple(comparisons), notes)


def figure6a(context: FigureContext) -> FigureResult:
    return _figure6(context, "test_rmse", "a", "test RMSE",
                    "about 0.01-0.02 for alpha^D <= 1, rising above alpha^D ~ 10 (zero predictor 0.287)")


def figure6b(context: FigureContext) -> FigureResult:
    return _figure6(context, "grad_distance", "b", "grad distance (init vs end)",
                    "0.58 / 0.73 / 0.74 (D = 2 / 3 / 5) at small alpha, about 0 / 0.04 / 0.08 at alpha^D = 100")


# ---------------------------------------------------------------- Figure 6(c) (digits / MNIST)

FIG6C_ALPHAS = (0.1, 0.5, 1.0, 2.0, 10.0, 50.0)
#: hidden width, training points (digits), GD step budget per scale
FIG6C_SIZES = {Scale.QUICK: (64, 300, 1_500), Scale.DEFAULT: (256, 600, 4_000), Scale.PAPER: (5000, 60000, 50_000)}
#: training-loss target (1/(2N) sum |f - onehot|^2) and the largest GD step
FIG6C_TARGET = 0.02
FIG6C_MAX_LR = 0.5


def fig6c_data(options, n_train: int, seed: int) -> dict[str, np.ndarray]:
    """MNIST from ``options['mnist_dir']`` (the four IDX files), else scikit-learn's bundled 8x8
    digits (pixels / 16) split at random into ``n_train`` training points and the rest."""
    if options.get("mnist_dir"):
        from krtheory.nets.idx import load_mnist

        return load_mnist(options["mnist_dir"])
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        from krtheory.errors import MissingExtra

        raise MissingExtra("scikit-learn", "digits") from None
    digits = load_digits()
    order = np.random.default_rng([61, seed]).permutation(len(digits.target))
    X, y = digits.data[order] / 16.0, digits.target[order]
    return {"X_train": X[:n_train], "y_train": y[:n_train], "X_test": X[n_train:], "y_test": y[n_train:]}


def fig6c_point(point: dict) -> dict:
    """One width-k one-hidden-layer unbiased net (biases, Uniform He x alpha) trained by full-batch
    GD on 1/(2N) sum |f - onehot|^2: its test error, and the test error of training the last
    layer only (the GD limit: the minimum-norm least-squares fit on the random features)."""
    data = fig6c_data(point.get("options") or {}, int(point["n_train"]), int(point["seed"]))
    X, labels = data["X_train"], data["y_train"]
    Y = np.eye(10)[labels]
    width, alpha = int(point["width"]), float(point["alpha"])
    arch = mlp.Architecture((X.shape[1], width, 10), bias=True, unbiased=True)
    theta0 = mlp.uniform_he(arch, alpha, np.random.default_rng([62, int(point["seed"])]))
    (W1, b1), _ = arch.stacked(theta0)
    features = np.maximum(X @ W1[0].T + b1[0], 0.0)
    last = np.linalg.lstsq(features, Y, rcond=None)[0]
    test_features = np.maximum(data["X_test"] @ W1[0].T + b1[0], 0.0)
    last_error = float(np.mean(np.argmax(test_features @ last, axis=1) != data["y_test"]))
    # step: half the stability limit of the output layer's part of the kernel at init, at most FIG6C_MAX_LR
    lr = min(FIG6C_MAX_LR, 0.5 * len(X) / (2 * np.linalg.norm(features, 2) ** 2))
    row = dict(point, options="", lr=lr, last_layer_error=last_error)
    try:
        result = train.gradient_descent(arch, theta0, X, Y, lr=lr, target=FIG6C_TARGET,
                                        max_steps=int(point["max_steps"]), backend=point.get("backend", "numpy"))
        row.update(converged=True, note="")
    except NoConvergence as error:
        result = getattr(error, "result", None)
        row.update(converged=False, note=str(error))
        if result is None:
            return row
    predict = lambda Z: np.argmax(mlp.outputs(arch, result.theta, Z), axis=1)  # noqa: E731
    return dict(row, steps=result.steps, loss=result.loss, seconds=round(result.seconds, 2),
                train_error=float(np.mean(predict(X) != labels)),
                test_error=float(np.mean(predict(data["X_test"]) != data["y_test"])))


FIG6C_COLUMNS = ("alpha", "width", "n_train", "seed", "dataset", "problem", "lr", "converged", "steps", "loss", "seconds",
                 "train_error", "test_error", "last_layer_error", "note")


def figure6c(context: FigureContext) -> FigureResult:
    width, n_train, max_steps = FIG6C_SIZES[context.scale]
    options = dict(context.options)
    dataset = "mnist" if options.get("mnist_dir") else "digits8x8"
    seeds = context.seeds or (1 if context.scale is Scale.QUICK else 2)
    # the digits split of each seed goes to data/; MNIST is named by its directory
    problems = {s: (f"mnist:{options['mnist_dir']}" if options.get("mnist_dir") else
                    save_problem(context, f"figure6c_seed{s}", **fig6c_data({}, n_train, s)))
                for s in range(seeds)}
    points = [{"alpha": a, "width": width, "n_train": n_train, "seed": s, "max_steps": max_steps,
               "dataset": dataset, "options": options, "problem": problems[s]}
              for a in FIG6C_ALPHAS for s in range(seeds)]
    rows = context.runner(fig6c_point, points, table=context.out / "figure6c_runs.csv",
                          key=("alpha", "width", "seed", "dataset"), desc="figure 6(c)")
    files = [write_csv(context.out / "figure6c.csv", rows, FIG6C_COLUMNS,
                       [f"Figure 6(c) on {dataset}: one hidden layer of {width} ReLUs, unbiased, Uniform He x alpha, "
                        f"full-batch GD on the squared loss to one-hot labels until loss < {FIG6C_TARGET} or the "
                        "budget; last_layer_error = training the output layer only (kernel proxy)"])]
    plt = pyplot()
    figure, ax = plt.subplots(figsize=(5.5, 4))
    medians = {}
    for column, style, label in (("test_error", "o-", "all layers"), ("last_layer_error", "k--", "last layer only")):
        med = [float(np.median([float(r[column]) for r in rows if float(r["alpha"]) == a and r.get(column) not in (None, "")]
                               or [math.nan])) for a in FIG6C_ALPHAS]
        medians[column] = med
        ax.plot(FIG6C_ALPHAS, 100 * np.array(med), style, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("alpha")
    ax.set_ylabel("test error (%)")
    ax.set_title(f"Figure 6(c): {dataset}, width {width}")
    ax.legend(fontsize=8)
    files += save_figure(figure, context.out, "figure6c")
    comparisons = (
        Comparison("test error, small alpha (0.1) / large alpha (50)", "about 1.4% / 2.4% (MNIST, CE, SGD)",
                   f"{100 * medians['test_error'][0]:.2f}% / {100 * medians['test_error'][-1]:.2f}%",
                   f"{dataset}, squared loss, full-batch GD; median over {seeds} seeds"),
        Comparison("last layer only", "2.7% (MNIST)", f"{100 * np.nanmedian(medians['last_layer_error']):.2f}%",
                   "minimum-norm least squares on the random features"))
    unconverged = sum(r["converged"] not in (True, "True") for r in rows)
    return FigureResult("6c", tuple(files), comparisons,
                        (f"{unconverged} of {len(rows)} runs stopped at the step budget above the loss target",))
