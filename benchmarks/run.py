"""Benchmarks of the KKT backends, each against a baseline measured in the same run.

    python benchmarks/run.py [--quick]

1. flint (arb polish, and polish + Krawczyk certificate) vs mpmath ``solve_link`` at 50 digits
   on 30 x 200 and 100 x 1000 (--quick skips the mpmath 100 x 1000 runs, ~1.5 min), all started
   from the same float64 solution;
2. the certificate's overhead: certify=True vs certify=False;
3. the float64 fast path vs scipy SLSQP minimizing Q(beta) = sum (a_i/b_i) q(beta_i/a_i),
   q(z) = 2 - sqrt(4 + z^2) + z asinh(z/2) (depth 2, Theorem 1), s.t. X beta = y, at d = 100:
   single solves from zero, and an alpha sweep with both methods warm-started from the
   previous alpha's solution;
4. (benchmarks/flow.py) flow evidence vs mpmath's odefun.

Prints machine information, then one table per benchmark with times (the least of REPEATS
calls, or of 5 REPEATS for the sub-millisecond float64 solves and their SLSQP baseline), the
ratio to the baseline and the accuracy each method reached.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # measured: threaded BLAS is 83x slower here

import argparse  # noqa: E402
import datetime  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from fractions import Fraction  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import sympy  # noqa: E402

from krtheory.problem import Problem  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root, for tests.helpers
from tests.helpers import depth2_link, depth_link  # noqa: E402  (the reference links, typed by hand)

DPS = 50
#: Timed calls per measurement, the same for a method and its baseline (see timed).
REPEATS = 3


def timed(function, repeats):
    """(least wall time, last result) of ``repeats`` calls. The minimum is the estimate least
    disturbed by other processes on a shared machine (as timeit recommends; medians here moved by
    +-30% between runs); both sides of every ratio are timed this way, with equal repeats."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def machine_info():
    import flint
    import mpmath
    import scipy

    print(f"date      {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(f"machine   {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"python    {sys.version.split()[0]}; numpy {np.__version__}, scipy {scipy.__version__}, "
          f"sympy {sympy.__version__}")
    print(f"flint     python-flint {flint.__version__}; mpmath {mpmath.__version__} "
          f"(backend {mpmath.libmp.BACKEND}); OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")


def flint_vs_mpmath(sizes, quick):
    """Benchmarks 1 and 2: the 50-digit KKT solve."""
    from krtheory.solve.mp import solve_link
    from krtheory._linalg import rational_data
    from krtheory.solve.certified import solve_link_flint
    from krtheory.solve.float64 import solve_link_float

    print(f"\n## KKT solve at {DPS} digits from the float64 start: flint vs mpmath solve_link")
    print("| n x d | link | alpha | float64 s | flint polish s | flint polish + certify s | (polish + certify) / "
          "polish | mpmath s | mpmath / flint certified | mpmath / flint polish | certified radius | "
          "flint vs mpmath max|diff| |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n, d in sizes:
        problem = Problem.random_dyadic(np.random.default_rng(0), n, d, 3)
        rational_data(problem)  # converting the strings is paid once per problem, not per solve
        for make, alpha in [(depth2_link, "1e-2"), (depth2_link, "1"), (lambda a, d: depth_link(3, a, d), "1e-2")]:
            link = make(alpha, d)
            t_float, start = timed(lambda: solve_link_float(problem, link), REPEATS)
            t_polish, polished = timed(lambda: solve_link_flint(problem, link, dps=DPS, certify=False,
                                                                start=start.lam), REPEATS)
            t_cert, certified = timed(lambda: solve_link_flint(problem, link, dps=DPS, start=start.lam), REPEATS)
            mp_cell = certified_cell = polish_cell = diff_cell = "skipped (--quick)"
            if not (quick and n * d > 10_000):
                t_mp, mp = timed(lambda: solve_link(problem, link, dps=DPS, verify=False, start=list(start.lam)),
                                 REPEATS)
                mp_cell, certified_cell, polish_cell = f"{t_mp:.3g}", f"{t_mp / t_cert:.1f}x", f"{t_mp / t_polish:.1f}x"
                diff_cell = max_difference(certified.beta, mp.beta)
            print(f"| {n} x {d} | {link.name} | {alpha} | {t_float:.3g} | {t_polish:.3g} | {t_cert:.3g} | "
                  f"{t_cert / t_polish:.2f} | {mp_cell} | {certified_cell} | {polish_cell} | "
                  f"{certified.radius} ({certified.status.code}) | {diff_cell} |")
            sys.stdout.flush()


def max_difference(balls, mp_beta):
    import flint

    with flint.ctx.workprec(400):
        worst = max(abs(b - flint.arb(str(v))) for b, v in zip(balls, mp_beta))
    return worst.str(3, radius=False)


def float_vs_slsqp():
    """Benchmark 3: the float64 fast path vs SLSQP on the primal, single solves and a warm sweep;
    beta* is the 30-digit mpmath solution."""
    from krtheory.solve.mp import solve_link
    from krtheory.solve.float64 import solve_link_float

    n, d = 20, 100
    problem = Problem.random_dyadic(np.random.default_rng(1), n, d, 3)
    X, y = problem.X_float(), problem.y_float()
    print(f"\n## float64 fast path vs scipy SLSQP on min Q(beta) s.t. X beta = y ({n} x {d}, depth 2), from zero")
    print("| alpha | fast path s | ||X beta - y|| | max|beta - beta*| | SLSQP s | SLSQP iterations | ||X beta - y|| | "
          "max|beta - beta*| | SLSQP / fast | Q(fast) - Q(SLSQP) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for alpha in ["0.1", "1", "10", "100"]:
        link, (Q, grad) = depth2_link(alpha, d), primal(alpha)
        exact = np.array([float(v) for v in solve_link(problem, link, dps=30, verify=False).beta])  # beta*
        t_fast, fast = timed(lambda: solve_link_float(problem, link), 5 * REPEATS)
        t_sqp, sqp = timed(lambda: slsqp(Q, grad, X, y, np.zeros(d)), 5 * REPEATS)
        print(f"| {alpha} | {t_fast:.3g} | {fast.residual:.2e} ({fast.status.code}) | {np.max(np.abs(fast.beta - exact)):.1e} | "
              f"{t_sqp:.3g} | {sqp.nit} | {np.linalg.norm(X @ sqp.x - y):.2e} ({'ok' if sqp.success else sqp.message}) | "
              f"{np.max(np.abs(sqp.x - exact)):.1e} | {t_sqp / t_fast:.0f}x | {Q(fast.beta) - Q(sqp.x):.2e} |")

    alphas = [f"{v:.6g}" for v in np.logspace(2, -1, 25)]
    links = [depth2_link(alpha, d) for alpha in alphas]
    primals = [primal(alpha) for alpha in alphas]

    def fast_sweep():
        results, start = [], None
        for link in links:
            results.append(solve_link_float(problem, link, start=start))
            start = results[-1].lam
        return results

    def slsqp_sweep():
        results, start = [], np.zeros(d)
        for Q, grad in primals:
            results.append(slsqp(Q, grad, X, y, start))
            start = results[-1].x
        return results

    t_fast, fast = timed(fast_sweep, REPEATS)
    t_sqp, sqp = timed(slsqp_sweep, REPEATS)
    print(f"\n## the same, along {len(alphas)} alphas from 100 down to 0.1, each solve warm-started from the previous")
    print("| method | total s | per alpha s | not ok | max ||X beta - y|| | SLSQP / fast |")
    print("|---|---|---|---|---|---|")
    print(f"| fast path | {t_fast:.3g} | {t_fast / len(alphas):.3g} | {sum(not r.ok for r in fast)} | "
          f"{max(r.residual for r in fast):.2e} | |")
    print(f"| SLSQP | {t_sqp:.3g} | {t_sqp / len(alphas):.3g} | {sum(not r.success for r in sqp)} | "
          f"{max(np.linalg.norm(X @ r.x - y) for r in sqp):.2e} | {t_sqp / t_fast:.0f}x |")


def primal(alpha):
    """Q(beta) = sum (a/b) q(beta/a) with a = alpha^2, b = 4 (Theorem 1) and its gradient asinh(beta / 2a) / b."""
    a, b = float(Fraction(alpha) ** 2), 4.0

    def Q(beta):
        z = beta / a
        return float(np.sum(a / b * (z * np.arcsinh(z / 2) - z * z / (2 + np.sqrt(4 + z * z)))))

    def grad(beta):
        return np.arcsinh(beta / (2 * a)) / b

    return Q, grad


def slsqp(Q, grad, X, y, start):
    from scipy.optimize import minimize

    return minimize(Q, start, jac=grad, method="SLSQP",
                    constraints=[{"type": "eq", "fun": lambda v: X @ v - y, "jac": lambda v: X}],
                    options={"ftol": 1e-15, "maxiter": 1000})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the mpmath run at 100 x 1000 (~30-60 s)")
    args = parser.parse_args(argv)
    machine_info()
    flint_vs_mpmath([(30, 200), (100, 1000)], args.quick)
    float_vs_slsqp()
    import flow  # benchmarks/flow.py (the script's folder is on sys.path): flow vs mpmath odefun

    flow.main(["--quick"] if args.quick else [])
    return 0


if __name__ == "__main__":
    sys.exit(main())
