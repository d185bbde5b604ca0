"""Point functions the sweep tests run in worker processes (importable as tests.sweep_points:
a worker started by "spawn" imports them by name)."""

import os
import time

import numpy as np

from krtheory.sweep import point_seed


def noisy_square(point):
    """x^2 plus noise drawn from the point's own seed: the same row in any worker and order."""
    rng = np.random.default_rng(point_seed("test-sweep", point["x"]))
    return {"square": point["x"] ** 2, "noise": float(rng.standard_normal())}


def dies_at(point):
    """The worker process exits abruptly (no exception, no cleanup) at x == point["crash"]."""
    if point["x"] == point["crash"]:
        os._exit(7)
    return {"square": point["x"] ** 2}


def raises_at(point):
    if point["x"] == point["crash"]:
        raise ValueError(f"no square for {point['x']}")
    return {"square": point["x"] ** 2}


def logged_slowly(point):
    """Appends x to the log file named by the point (one line per computation), then sleeps."""
    with open(point["log"], "a") as log:
        log.write(f"{point['x']}\n")
    time.sleep(point["sleep"])
    return {"square": point["x"] ** 2}
