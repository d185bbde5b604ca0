"""Figure 5's whole grid in the lifted Gram space, and the cost of width.

    python benchmarks/figure5.py [--seeds 5] [--workers 2] [--out DIR]

Runs :func:`krtheory.experiments.matrix_completion.make` at the paper's scale (5 alpha^2 x 11
widths 10 .. 5e5, the k = inf column and the fixed-alpha^2 k curve, 5 seeds) on a process pool
of the standard library (``--workers``) and prints the wall time against the target (<= 120 s).

Then the cost of width: for each alpha^2 of the grid, the flow of seed 0 at k = 5e5 against the
same flow at k = 10 (both through a Bartlett sample of M-bar(0), best of REPEATS runs), printing
the ratio (target <= 2), and the cost of one step of gradient descent on explicit U, V at
k = 5e5 against one lifted step (what the paper's explicit U, V with step 1e-5 paid per step).
The flows at different k are different flows (alpha^2 k differs 5e4-fold): their cost differs by
the dynamics, not by k, which enters only through the p x p factor. Timings are noisy on a
shared machine.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # threaded BLAS on small matrices: 30x slower

import argparse  # noqa: E402
import csv  # noqa: E402
import math  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from krtheory.experiments import matrix_completion as fig5  # noqa: E402
from krtheory.experiments._figure import FigureContext, Scale  # noqa: E402
from krtheory.flow.gram import lifted, lifted_gd, wishart_factor  # noqa: E402

TARGET_SECONDS, TARGET_RATIO, REPEATS = 120.0, 2.0, 3


def pool_runner(workers: int):
    """A Runner (krtheory.experiments._figure) on the standard library's process pool."""
    def run(point_fn, points, *, table=None, key=(), desc=""):
        with ProcessPoolExecutor(workers) as pool:
            return list(pool.map(point_fn, points, chunksize=1))
    return run


def width_cost(alpha2: float, k: float) -> float:
    """Best of REPEATS wall times of the seed-0 flow at (alpha2, k), with the paper scale's budget."""
    point = {"problem": "", "seed": 0, "alpha2": alpha2, "k": k, "c": "",
             "max_seconds": fig5.MAX_SECONDS[Scale.PAPER]}
    best = math.inf
    for _ in range(REPEATS):
        start = time.perf_counter()
        fig5.point_value(point)
        best = min(best, time.perf_counter() - start)
    return best


def explicit_step_cost(k: int) -> tuple[float, float]:
    """(seconds per GD step on explicit U, V of width k, seconds per lifted step)."""
    measurements, _, _ = fig5.completion_problem(0)
    A, y = measurements.operator(), measurements.targets()
    rng = np.random.default_rng(0)
    alpha = math.sqrt(1e-6)
    U, V = alpha * rng.standard_normal((10, k)), alpha * rng.standard_normal((10, k))
    steps = 5
    start = time.perf_counter()
    for _ in range(steps):
        R = (A.T @ (A @ (U @ V.T).ravel() - y)).reshape(10, 10)
        U, V = U - 2e-5 * R @ V, V - 2e-5 * R.T @ U
    explicit = (time.perf_counter() - start) / steps
    Mbar = lifted(wishart_factor(rng, 20, k, 1e-6))
    start = time.perf_counter()
    lifted_gd(measurements, Mbar, 1e-5, 200)
    return explicit, (time.perf_counter() - start) / 200


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=None, help="output folder (default: a temporary one)")
    args = parser.parse_args()
    out = Path(args.out or tempfile.mkdtemp(prefix="figure5-"))
    start = time.perf_counter()
    result = fig5.make(FigureContext(out=out, scale=Scale.PAPER, seeds=args.seeds,
                                     runner=pool_runner(args.workers)))
    wall = time.perf_counter() - start
    lines = [line for line in (out / "figure5.csv").read_text().splitlines() if not line.startswith("#")]
    cpu = sum(float(row["cpu_seconds"]) for row in csv.DictReader(lines))
    print(f"Figure 5, {args.seeds} seeds, {args.workers} workers: {wall:.1f} s wall (target <= {TARGET_SECONDS:g} s, "
          f"ratio {wall / TARGET_SECONDS:.2f}), load average {os.getloadavg()[0]:.1f}; the flows' CPU time "
          f"{cpu:.1f} s / {args.workers} workers = {cpu / args.workers:.1f} s (ratio {cpu / args.workers / TARGET_SECONDS:.2f}) "
          f"on an otherwise idle machine; files in {out}")
    for c in result.comparisons:
        print(f"  {c.quantity}: paper {c.paper}, ours {c.ours}")
    for note in result.notes:
        print(f"  note: {note}")
    print("cost of width (seed 0, best of 3): t(k = 5e5) / t(k = 10), target <= 2")
    ratios = []
    for alpha2 in fig5.ALPHA2:
        small, large = width_cost(alpha2, 10), width_cost(alpha2, 5e5)
        ratios.append(large / small)
        print(f"  alpha^2 = {alpha2:g}: k = 10 {small:.3f} s, k = 5e5 {large:.3f} s, ratio {large / small:.2f}")
    print(f"  median ratio {float(np.median(ratios)):.2f}")
    explicit, gram = explicit_step_cost(500_000)
    print(f"one GD step at k = 5e5: explicit U, V {explicit * 1e3:.1f} ms, lifted {gram * 1e3:.3f} ms "
          f"(ratio {explicit / gram:.0f})")


if __name__ == "__main__":
    main()
