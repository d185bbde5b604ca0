"""Hypothesis strategies that build exact, consistent, well-conditioned problems.

Every number is an exact dyadic rational, y = X beta* is computed exactly for a drawn sparse
beta*, so any solve or flow has an interpolant; conditioning is bounded so that a claim's
failure is about the claim, not about a nearly singular X.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from krtheory.errors import InvalidArgument
from krtheory.problem import Problem

#: Largest 2-norm condition number of X accepted (float64 estimate).
MAX_CONDITION = 1e3


def _dyadic(bits: int):
    scale = 2 ** bits
    return st.integers(-scale + 1, scale - 1).map(lambda k: Fraction(k, scale))


def problems(*, min_n: int = 1, max_n: int = 4, min_d: int = 2, max_d: int = 8, bits: int = 6,
             max_support: int = 3) -> st.SearchStrategy[Problem]:
    """Overparametrized (n < d) problems with dyadic X (entries k/2^bits) and y = X beta* for a
    beta* with at most ``max_support`` nonzero entries in multiples of 1/4."""
    if not 1 <= min_n <= max_n or not 2 <= min_d <= max_d or max_n >= max_d or min_n >= max_d:
        raise InvalidArgument(f"need 1 <= min_n <= max_n < max_d and 2 <= min_d <= max_d, got "
                              f"min_n={min_n}, max_n={max_n}, min_d={min_d}, max_d={max_d}")
    return _problems(min_n, max_n, max(min_d, min_n + 1), max_d, bits, max_support)


@st.composite
def _problems(draw, min_n, max_n, min_d, max_d, bits, max_support) -> Problem:
    import numpy as np

    d = draw(st.integers(min_d, max_d))
    n = draw(st.integers(min_n, min(max_n, d - 1)))  # d >= min_n + 1
    X = draw(st.lists(st.lists(_dyadic(bits), min_size=d, max_size=d), min_size=n, max_size=n)
             .filter(lambda rows: np.linalg.cond(np.array(rows, dtype=float)) < MAX_CONDITION))
    support = draw(st.sets(st.integers(0, d - 1), min_size=1, max_size=min(max_support, d)))
    beta = [Fraction(0)] * d
    for j in sorted(support):
        beta[j] = draw(st.integers(1, 8).map(lambda k: Fraction(k, 4))) * draw(st.sampled_from([-1, 1]))
    y = [sum(x * b for x, b in zip(row, beta)) for row in X]
    return Problem.from_rows([[str(v) for v in row] for row in X], [str(v) for v in y],
                             name=f"hypothesis-{n}x{d}", warn=False)


def alphas(*, min_value: str = "0.01", max_value: str = "100") -> st.SearchStrategy[str]:
    """Scales alpha as exact decimal strings m * 10^e, log-uniform-ish in [min_value, max_value]."""
    lo, hi = Fraction(min_value), Fraction(max_value)
    if not 0 < lo <= hi:
        raise InvalidArgument(f"need 0 < min_value <= max_value, got min_value={min_value}, "
                              f"max_value={max_value}")
    low_exp = len(str(lo.denominator)) - 1
    candidates = st.builds(lambda m, e: f"{m}e{e}", st.integers(1, 99),
                           st.integers(-low_exp - 2, len(str(hi.numerator)) + 1))
    return candidates.filter(lambda a: lo <= Fraction(a) <= hi)


def shapes(d: int, *, bits: int = 4) -> st.SearchStrategy[tuple[str, ...]]:
    """Positive shapes w0 in [1/2, 2] with dyadic entries k/2^bits."""
    scale = 2 ** bits
    return st.lists(st.integers(scale // 2, 2 * scale).map(lambda k: str(Fraction(k, scale))),
                    min_size=d, max_size=d).map(tuple)
