"""Figure 1(c) at the paper's size (d = 1000, n = 50..500 step 25, 10 seeds, D = 2): target at
most 5 minutes on 2 cores.

    python benchmarks/figure1c.py [--workers N] [--seeds N] [--sample K]

* ours: ``krtheory.experiments.sparse_regression.fig1c`` at the paper's scale on the sweep
  engine's process pool (fresh output directory: nothing resumed), the whole figure: the
  threshold search per (n, seed) on the warm-started float64 path, the min-l1 line, the files;
* baseline, measured in the same run on K sampled (n, seed) points (the largest n included):
  the same search (``largest_passing``) with each alpha solved cold by the float64 backend's
  public entry point (``solve_link_float`` on a Problem of the exact binary values and the
  d-coordinate link of ``implicit_link``), against ours on the same points in this process.
  Its total for the figure is extrapolated by the per-point ratio.

The machine is shared: timings are noisy.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

TARGET_SECONDS = 300


def baseline_point(d: int, n: int, seed: int, depth: int = 2) -> dict:
    from krtheory.experiments import sparse_regression as sr
    from krtheory.families.diagonal import implicit_link
    from krtheory.problem import Problem
    from krtheory.solve.float64 import solve_link_float

    X, y, beta_star = sr.problem_arrays(d, n, seed)
    problem = Problem.from_rows(X.tolist(), y.tolist(), warn=False)

    def error_at(alpha):
        result = solve_link_float(problem, implicit_link("diagonal", depth, repr(alpha), None, d))
        return sr.population_error(result.beta, beta_star)

    return sr.largest_passing(error_at, depth)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=None, help="local workers (default: all cores)")
    parser.add_argument("--seeds", type=int, default=None, help="seeds (default: the paper's 10)")
    parser.add_argument("--sample", type=int, default=3, help="points timed against the baseline")
    args = parser.parse_args()

    from krtheory.experiments import sparse_regression as sr
    from krtheory.experiments._figure import FigureContext, Scale
    from krtheory.sweep import Runner

    runner = Runner(workers=args.workers)
    with tempfile.TemporaryDirectory(prefix="krtheory-fig1c-") as out:
        started = time.perf_counter()
        result = sr.fig1c(FigureContext(out=Path(out), scale=Scale.PAPER, seeds=args.seeds, runner=runner))
        ours_total = time.perf_counter() - started
    ns = sr.THRESHOLD_N["paper"]
    seeds = args.seeds or sr.THRESHOLD_SEEDS["paper"]
    sample = [(ns[len(ns) * k // args.sample], k % seeds) for k in range(args.sample - 1)] + [(max(ns), 0)]
    ours_sample = baseline_sample = 0.0
    for n, seed in sample:
        t = time.perf_counter()
        mine = sr.threshold_point({"d": sr.DIMENSION, "n": n, "depth": 2, "seed": seed})
        ours_sample += time.perf_counter() - t
        t = time.perf_counter()
        theirs = baseline_point(sr.DIMENSION, n, seed)
        baseline_sample += time.perf_counter() - t
        print(f"n = {n}, seed {seed}: largest alpha ours {mine['largest_alpha']:.6g}, baseline "
              f"{theirs['largest_alpha']:.6g}")
    ratio = baseline_sample / ours_sample
    print(f"Figure 1(c), paper size ({len(ns)} n values x {seeds} seeds, d = {sr.DIMENSION}), "
          f"{runner.workers} workers: {ours_total:.1f} s (target {TARGET_SECONDS} s: "
          f"{'met' if ours_total <= TARGET_SECONDS else 'MISSED'})")
    print(f"baseline (cold float64 solves through Problem/Link) on {len(sample)} points: {baseline_sample:.1f} s "
          f"against ours {ours_sample:.1f} s in one process: ratio {ratio:.2f}; extrapolated baseline figure "
          f"{ours_total * ratio:.0f} s")
    for comparison in result.comparisons:
        print(f"  {comparison.quantity}: paper {comparison.paper}, ours {comparison.ours}")


if __name__ == "__main__":
    main()
