"""Flow evidence (krtheory.flow.driver.integrate_flow) vs mpmath's odefun on the same 2d-parameter system.

    python benchmarks/flow.py [--quick] [--cap SECONDS]

Problem: Problem.random_dyadic(rng(2), 10, 40, 3) (exact dyadic data, a 3-sparse planted beta* that
the flow recovers at small alpha), depth 2, w+(0) = w-(0) = alpha, for alpha in ALPHAS. For each alpha:

* ours: ``integrate_flow(..., dps=DPS, method="auto")``: the flow to T plus the certified tail,
  with the digits its error estimate supports;
* odefun: ``mpmath.odefun`` (mpmath's Taylor-series integrator) on w' = -grad L(w), run inside
  ``mpmath.workdps(ODEFUN_DPS)`` (odefun uses the global context; workdps restores it), evaluated at
  T 2^-k, ..., T/2, T until T or the wall-clock cap. Its own tolerance is the working precision.
  When it reaches T the ratio is measured. Otherwise its time to T is estimated ("extrapolated"):
  the time to t_reached as measured, plus, for RATE_POINTS segments spaced geometrically in
  [t_reached, T], the segment's length over odefun's speed (flow time per second) measured by
  starting odefun from our state at the segment's start for cap / RATE_POINTS seconds (an
  explicit method's speed is set by its stability limit, nearly constant along a segment of the
  stiff tail). The measured ratio on [0, t_reached] (our wall time to t_reached from the
  progress callback) is printed too;
* agreement: max|beta_odefun(t) - beta_ours(t)| / max|beta| at the last time odefun reached (ours
  from a second run sampling that time).

Times are the least of REPEATS runs (as in benchmarks/run.py), for ours and, where it reaches T
within the cap, for odefun; an extrapolated odefun time comes from one run (those ratios are far
above the target, and each run takes minutes).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread: the float64 work is small matrices, threads only add overhead

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from decimal import Decimal  # noqa: E402

import mpmath  # noqa: E402
import numpy as np  # noqa: E402

from krtheory.flow.driver import integrate_flow  # noqa: E402
from krtheory.flow.models import DiagonalModel  # noqa: E402
from krtheory.problem import Problem  # noqa: E402

ALPHAS = ("1e-3", "1e-2", "1", "1e2")
#: Our precision; the digits actually earned are printed (the target is 25).
DPS = 30
#: odefun's working precision: 25 digits plus 5 guard digits.
ODEFUN_DPS = 30
#: The first odefun evaluation is at T 2^-FIRST_HALVINGS.
FIRST_HALVINGS = 24
#: Where odefun does not reach T, its speed is measured from this many later states.
RATE_POINTS = 4
#: Runs per measured time (the least is reported).
REPEATS = 3


def ours(problem, alpha):
    """(result, [(t, wall seconds)]) of the fastest of REPEATS runs of our flow."""
    best = None
    for _ in range(REPEATS):
        marks, start = [], time.perf_counter()
        result = integrate_flow(DiagonalModel(2, alpha), problem, dps=DPS, method="auto",
                                progress=lambda t, loss, steps: marks.append((t, time.perf_counter() - start)))
        if best is None or result.seconds < best[0].seconds:
            best = result, marks
    return best


def odefun(problem, start, horizon: float, cap: float):
    """(t reached, wall seconds, beta(t) as strings) of mpmath.odefun from the parameters
    ``start`` (2d strings, at t = 0 of the autonomous flow) on the grid horizon 2^-k, within
    ``cap`` seconds (the point that crosses the cap is kept)."""
    d = problem.d
    with mpmath.workdps(ODEFUN_DPS):
        X = [[mpmath.mpf(v) for v in row] for row in problem.X]
        columns = [list(c) for c in zip(*X)]
        y = [mpmath.mpf(v) for v in problem.y]

        def rhs(t, w):
            beta = [a * a - b * b for a, b in zip(w[:d], w[d:])]
            r = [mpmath.fdot(row, beta) - v for row, v in zip(X, y)]
            g = [mpmath.fdot(col, r) for col in columns]
            return [-4 * gi * a for gi, a in zip(g, w[:d])] + [4 * gi * b for gi, b in zip(g, w[d:])]

        begin = time.perf_counter()
        solution = mpmath.odefun(rhs, 0, [mpmath.mpf(v) for v in start])
        reached, wall, beta = 0.0, 0.0, None
        for k in range(FIRST_HALVINGS, -1, -1):
            t = mpmath.mpf(horizon) / 2 ** k
            w = solution(t)
            reached, wall = float(t), time.perf_counter() - begin
            beta = [str(a * a - b * b) for a, b in zip(w[:d], w[d:])]
            if wall > cap:
                break
    return reached, wall, beta


def odefun_estimate(problem, alpha, reached: float, wall: float, horizon: float, cap: float):
    """odefun's time from ``reached`` to T: its speed (flow time per second) measured from our
    states at RATE_POINTS times spaced geometrically in [reached, T], each for cap / RATE_POINTS
    seconds, applied to the segment that starts there."""
    points = [reached * (horizon / reached) ** (k / RATE_POINTS) for k in range(RATE_POINTS + 1)]
    states = integrate_flow(DiagonalModel(2, alpha), problem, dps=DPS, method="auto",
                            times=[str(Decimal(t)) for t in points[:-1]]).samples
    total = wall
    for sample, a, b in zip(states, points, points[1:]):
        start = [str(v) for pair in zip(*sample.parameters) for v in pair]  # w+ then w-
        dt, seconds, _ = odefun(problem, start, b - a, cap / RATE_POINTS)
        total += (b - a) * seconds / dt
    return total


def agreement(problem, alpha, t: float, beta_ode) -> float:
    """max|beta_odefun(t) - beta_ours(t)| / max|beta_ours(t)|."""
    sample = integrate_flow(DiagonalModel(2, alpha), problem, dps=DPS, method="auto",
                            times=[str(Decimal(t))], loss_target="1e9").samples[0]  # t exactly
    with mpmath.workdps(DPS + 10):
        ours_beta = [mpmath.mpf(v) for v in sample.beta]
        difference = max(abs(mpmath.mpf(a) - b) for a, b in zip(beta_ode, ours_beta))
        return float(difference / max(abs(b) for b in ours_beta))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="cap odefun at 15 s per alpha")
    parser.add_argument("--cap", type=float, default=None, help="odefun wall-clock cap per alpha (s)")
    args = parser.parse_args(argv)
    cap = args.cap if args.cap is not None else (15.0 if args.quick else 60.0)
    problem = Problem.random_dyadic(np.random.default_rng(2), 10, 40, 3)
    print(f"\n## Flow evidence vs mpmath odefun: 10 x 40, depth 2, ours dps {DPS} (method auto), "
          f"odefun at {ODEFUN_DPS} digits, cap {cap:g} s")
    print("| alpha | T | ours s | ours digits | steps (taylor + radau) | tail | odefun reached t | odefun s "
          "| odefun s to T | odefun / ours | on [0, t reached] | agreement at t reached |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for alpha in ALPHAS:
        result, marks = ours(problem, alpha)
        horizon = float(result.time)
        reached, wall, beta = odefun(problem, [alpha] * (2 * problem.d), horizon, cap)
        done = reached >= horizon
        for _ in range(REPEATS - 1 if done else 0):
            wall = min(wall, odefun(problem, [alpha] * (2 * problem.d), horizon, cap)[1])
        to_T = wall if done else odefun_estimate(problem, alpha, reached, wall, horizon, cap)
        ours_to_reached = next((s for t, s in marks if t >= reached), result.seconds)
        mark = "" if done else " (extrapolated)"
        taylor_steps = result.steps - result.stiff_steps
        tail = "certified" if result.tail_certified else "estimate"
        print(f"| {alpha} | {horizon:.3g} | {result.seconds:.2f} | {result.digits} | {taylor_steps} + "
              f"{result.stiff_steps} | {tail} | {reached:.3g} | {wall:.1f} | {to_T:.3g}{mark} | "
              f"{to_T / result.seconds:.0f}x{mark} | {wall / max(ours_to_reached, 1e-9):.0f}x | "
              f"{agreement(problem, alpha, reached, beta):.1e} |")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
