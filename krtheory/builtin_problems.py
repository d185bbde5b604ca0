"""The built-in problems every default check runs on.

Small (n <= 5, d <= 12) and exact: X has dyadic entries k/2^8 and y = X beta* for a planted
sparse beta* with entries in multiples of 1/4, computed exactly, so distances to limits can
be followed far below double precision. Generated from fixed seeds: the same on every machine.
"""

from __future__ import annotations

import functools

from krtheory.errors import InvalidArgument
from krtheory.problem import Problem

#: name -> (seed, n, d, planted support size)
SPECS = {
    "planted-3x8": (3, 3, 8, 1),
    "planted-4x10": (4, 4, 10, 2),
    "planted-5x12": (5, 5, 12, 2),
}


@functools.cache
def builtin_problem(name: str) -> Problem:
    """One of :data:`SPECS` by name."""
    import numpy as np

    try:
        seed, n, d, support = SPECS[name]
    except KeyError:
        raise InvalidArgument(f"unknown built-in problem {name!r}; known: {', '.join(SPECS)}") from None
    return Problem.random_dyadic(np.random.default_rng(seed), n, d, support, name=name)


def builtin_problems() -> list[Problem]:
    return [builtin_problem(name) for name in SPECS]
