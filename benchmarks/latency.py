"""CLI latency against a bare baseline measured in the same run.

Baseline: ``python -c`` importing numpy, scipy and mpmath and loading the same CSVs. Timed
(least of --repeats, each a fresh subprocess, warm krtheory cache): ``krtheory solve --backend
numpy`` on a generated 50 x 400 problem and ``krtheory potential --family diagonal --depth 2
--z 3``. Prints each time, its ratio to the baseline, and whether it meets the 2x target.

    python benchmarks/latency.py [--repeats 5] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 2.0


def write_problem(directory: Path, n: int = 50, d: int = 400) -> tuple[Path, Path]:
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d))
    beta = np.zeros(d)
    beta[:5] = 1.0
    x_path, y_path = directory / "X.csv", directory / "y.csv"
    np.savetxt(x_path, X, delimiter=",")
    np.savetxt(y_path, X @ beta, delimiter=",")
    return x_path, y_path


def least_time(command: list[str], repeats: int, env: dict) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cache-dir", help="krtheory cache directory (default: a fresh temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        x_path, y_path = write_problem(Path(tmp))
        env = dict(os.environ, KRTHEORY_CACHE_DIR=args.cache_dir or str(Path(tmp) / "cache"))
        baseline = [sys.executable, "-c",
                    "import numpy, scipy, mpmath; "
                    f"numpy.loadtxt({str(x_path)!r}, delimiter=','); numpy.loadtxt({str(y_path)!r}, delimiter=',')"]
        cli = [sys.executable, "-m", "krtheory.cli"]
        calls = {"solve --backend numpy (50x400)": cli + ["solve", "--backend", "numpy", "--X", str(x_path),
                                                           "--y", str(y_path)],
                 "potential --depth 2 --z 3": cli + ["potential", "--family", "diagonal", "--depth", "2",
                                                     "--z", "3"]}
        for command in calls.values():  # warm the cache
            subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
        base = least_time(baseline, args.repeats, env)
        print(f"{'baseline (import numpy, scipy, mpmath; load CSVs)':<52} {base:7.3f} s")
        met = True
        for label, command in calls.items():
            seconds = least_time(command, args.repeats, env)
            ratio = seconds / base
            met &= ratio <= TARGET
            print(f"{label:<52} {seconds:7.3f} s  {ratio:5.2f}x  "
                  f"{'meets' if ratio <= TARGET else 'misses'} <= {TARGET:g}x")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
