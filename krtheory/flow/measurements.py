"""Linear measurements of a D1 x D2 matrix (§6): y_n = <X_n, M>, n = 1..N.

Matrix completion is the case X_n = e_i e_j^T (``entries``: (i, j) pairs, 0-based); matrix
sensing takes general ``matrices``. Values are exact decimal strings, converted to float64 or to a
working precision only where a computation needs them.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from krtheory.errors import InvalidArgument
from krtheory._validation import parse_number
from krtheory.problem import exact_to_float

#: Largest |value| accepted: float64 sums of a few hundred squares must stay finite.
MAX_VALUE = 1e150


@dataclasses.dataclass(frozen=True)
class MatrixMeasurements:
    """y_n = <X_n, M> for M of ``shape`` (D1, D2).

    ``entries`` (completion): N distinct (i, j), 0 <= i < D1, 0 <= j < D2; ``matrices``
    (sensing): N matrices of D1 rows of D2 exact strings. Exactly one of the two is given;
    ``values`` are the N targets y_n (exact strings).
    """

    shape: tuple[int, int]
    values: tuple[str, ...]
    entries: tuple[tuple[int, int], ...] | None = None
    matrices: tuple[tuple[tuple[str, ...], ...], ...] | None = None

    def __post_init__(self):
        D1, D2 = _shape(self.shape)
        object.__setattr__(self, "shape", (D1, D2))
        values = tuple(parse_number(v, f"value {n}") for n, v in enumerate(self.values, start=1))
        for n, v in enumerate(values, start=1):
            if not abs(exact_to_float(v)) <= MAX_VALUE:
                raise InvalidArgument(f"value {n}: {v[:40]} is beyond |y| <= {MAX_VALUE:g}")
        object.__setattr__(self, "values", values)
        if (self.entries is None) == (self.matrices is None):
            raise InvalidArgument("give exactly one of entries (matrix completion) or matrices (sensing)")
        count = len(self.entries if self.entries is not None else self.matrices)
        if count != len(values) or count == 0:
            raise InvalidArgument(f"{count} measurements but {len(values)} values (need N >= 1 of each)")
        if self.entries is not None:
            object.__setattr__(self, "entries", _checked_entries(self.entries, D1, D2))
        else:
            object.__setattr__(self, "matrices", tuple(_checked_matrix(X, n, D1, D2)
                                                       for n, X in enumerate(self.matrices, start=1)))

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def is_completion(self) -> bool:
        return self.entries is not None

    def operator(self) -> np.ndarray:
        """A (N, D1*D2) float64: row n is vec(X_n) (row-major), so A vec(M) are the predictions."""
        D1, D2 = self.shape
        A = np.zeros((self.n, D1 * D2))
        if self.entries is not None:
            for n, (i, j) in enumerate(self.entries):
                A[n, i * D2 + j] = 1.0
        else:
            for n, X in enumerate(self.matrices):
                A[n] = np.array([[exact_to_float(v) for v in row] for row in X]).ravel()
        return A

    def targets(self) -> np.ndarray:
        return np.array([exact_to_float(v) for v in self.values])

    def dense_targets(self) -> np.ndarray:
        """Completion: the D1 x D2 matrix of observed values (0 elsewhere)."""
        Y = np.zeros(self.shape)
        for (i, j), v in zip(self.entries, self.values):
            Y[i, j] = exact_to_float(v)
        return Y


def _shape(shape) -> tuple[int, int]:
    try:
        D1, D2 = (int(v) for v in shape)
    except (TypeError, ValueError):
        raise InvalidArgument(f"shape must be two positive integers (D1, D2) but got {shape!r}") from None
    if D1 < 1 or D2 < 1 or any(isinstance(v, bool) for v in shape):
        raise InvalidArgument(f"shape must be two positive integers (D1, D2) but got {shape!r}")
    return D1, D2


def _checked_entries(entries, D1: int, D2: int) -> tuple[tuple[int, int], ...]:
    seen: dict[tuple[int, int], int] = {}
    out = []
    for n, entry in enumerate(entries, start=1):
        i, j = entry
        if isinstance(i, bool) or isinstance(j, bool) or not isinstance(i, (int, np.integer)) \
                or not isinstance(j, (int, np.integer)):
            raise InvalidArgument(f"entry {n}: indices must be integers but got ({i!r}, {j!r})")
        if not (0 <= i < D1 and 0 <= j < D2):
            raise InvalidArgument(f"entry {n}: index ({i}, {j}) outside the {D1}x{D2} shape "
                                  "(indices are 0-based)")
        if (i, j) in seen:
            raise InvalidArgument(f"entry {n}: ({i}, {j}) repeats entry {seen[(i, j)]} (duplicate entry)")
        seen[(int(i), int(j))] = n
        out.append((int(i), int(j)))
    return tuple(out)


def _checked_matrix(X, n: int, D1: int, D2: int) -> tuple[tuple[str, ...], ...]:
    rows = [list(row) for row in X]
    if len(rows) != D1 or any(len(row) != D2 for row in rows):
        raise InvalidArgument(f"measurement {n}: expected a {D1}x{D2} matrix but got "
                              f"{len(rows)} rows of {sorted({len(r) for r in rows})} columns")
    return tuple(tuple(parse_number(v, f"measurement {n}, row {i}, column {j}")
                       for j, v in enumerate(row, start=1)) for i, row in enumerate(rows, start=1))
