"""Exact problem input: ``Problem(X, y)`` for the interpolation constraint ``X beta = y``.

Numbers are kept as the exact strings they were written as (CSV, JSON) or as the exact
decimal expansion of the binary value (``.npy``, Python floats), so a routine working at 60
digits converts ``"0.1"`` to 1/10 correctly rounded at 60 digits, not to the double nearest
0.1. Loaders name file, row and column in every error.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import os
import sys
import warnings
from fractions import Fraction
from pathlib import Path

from krtheory.errors import InvalidArgument
from krtheory._frozen import cached_hash, state_without_hash
from krtheory._validation import parse_number, plain_cells

class NotOverparametrizedWarning(UserWarning):
    """n >= d: the interpolation problem is not overparametrized."""


def exact_to_float(text: str) -> float:
    """An exact decimal or p/q string as the nearest double: float() of a decimal string and
    int / int are both correctly rounded (and 30x faster than going through Fraction); beyond
    double's range the result is +-inf, as float() of a decimal gives."""
    if "/" in text:
        p, q = (int(v) for v in text.split("/"))
        try:
            return p / q
        except OverflowError:
            return math.inf if (p < 0) == (q < 0) else -math.inf
    return float(text)


@dataclasses.dataclass(frozen=True)
class Problem:
    """Rows of ``X`` are samples x_n in R^d, ``y`` the n targets; all entries exact strings.

    Build one with :meth:`from_rows`, :meth:`from_files` or :meth:`random_dyadic`.

    Parameters
    ----------
    X : sequence of n rows of d numbers
        The samples; each cell a decimal string, an integer, a Fraction or a float (taken at its
        exact binary value), stored as an exact string.
    y : sequence of n numbers
        The targets, likewise.
    name : str
        A label for messages and reports.

    Raises
    ------
    InvalidArgument
        Ragged or empty X, a cell that is not a finite number, or len(y) != n.

    Examples
    --------
    >>> from krtheory import Problem
    >>> problem = Problem.from_rows([["1", "0.5", "-0.25"], ["0", "1", "0.75"]], ["0.5", "-1"])
    >>> problem.n, problem.d, problem.y
    (2, 3, ('0.5', '-1'))
    """

    X: tuple[tuple[str, ...], ...]
    y: tuple[str, ...]
    name: str = "problem"

    __hash__ = cached_hash
    __getstate__ = state_without_hash

    def __post_init__(self):
        """Every cell through :func:`parse_number` (exact strings, NaN/inf/huge exponents
        refused) and within double range, so a ``Problem`` built directly is as valid as one
        from :meth:`from_rows`."""
        if not isinstance(self.name, str):
            raise InvalidArgument(f"name must be a string but got name={self.name!r}")
        X, y = _rows(self.X, f"{self.name}: X"), _entries(self.y, f"{self.name}: y")
        if not X or not X[0]:
            raise InvalidArgument(f"{self.name}: X is empty")
        d = len(X[0])
        for i, row in enumerate(X, start=1):
            if len(row) != d:
                raise InvalidArgument(f"{self.name}: X row {i} has {len(row)} entries, expected {d}")
        if len(y) != len(X):
            raise InvalidArgument(f"{self.name}: X has n={len(X)} rows but y has {len(y)} entries")
        object.__setattr__(self, "X", tuple(
            _checked_row(row, lambda j, i=i: f"{self.name}: X row {i}, column {j}")
            for i, row in enumerate(X, start=1)))
        object.__setattr__(self, "y", _checked_row(y, lambda i: f"{self.name}: y entry {i}"))

    @property
    def n(self) -> int:
        return len(self.X)

    @property
    def d(self) -> int:
        return len(self.X[0])

    @classmethod
    def from_rows(cls, X, y, name: str = "problem", warn: bool = True) -> "Problem":
        """From nested sequences of numbers or numeric strings (floats taken at their exact value)."""
        problem = cls(X, y, name)
        if warn:
            problem.warn_if_not_overparametrized()
        return problem

    @classmethod
    def from_files(cls, X_path, y_path) -> "Problem":
        """Load X (n x d) and y (n values: one column or one row) from .csv, .npy or .json.

        Decimal text is kept exact (0.1 stays 1/10); .npy doubles are taken at their exact value.

        Parameters
        ----------
        X_path, y_path : str or path-like
            The files of X and of y; the format follows the suffix.

        Returns
        -------
        Problem
            Named after the file of X.

        Raises
        ------
        InvalidArgument
            A missing or unreadable file, a cell that is not a finite number (the message names
            file, row and column), y neither one row nor one column, or n differing between them.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> from krtheory import Problem
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     X = pathlib.Path(tmp, "X.csv")
        ...     _ = X.write_text("1,0.5,-0.25\\n0,1,0.75\\n")
        ...     y = pathlib.Path(tmp, "y.csv")
        ...     _ = y.write_text("0.5\\n-1\\n")
        ...     problem = Problem.from_files(X, y)
        >>> problem.name, problem.X[0], problem.y
        ('X.csv', ('1', '0.5', '-0.25'), ('0.5', '-1'))
        """
        X = load_matrix(X_path)
        y_rows = load_matrix(y_path)
        if len(y_rows) == 1:
            y = y_rows[0]
        elif all(len(r) == 1 for r in y_rows):
            y = [r[0] for r in y_rows]
        else:
            raise InvalidArgument(
                f"{y_path}: y must be one column or one row, found {len(y_rows)} rows of {len(y_rows[0])}")
        if len(y) != len(X):
            raise InvalidArgument(
                f"{X_path} has n={len(X)} rows (samples) but {y_path} has {len(y)} values")
        return cls.from_rows(X, y, name=Path(X_path).name)

    @classmethod
    def random_dyadic(cls, rng, n: int, d: int, support: int, *, bits: int = 8,
                      name: str = "random") -> "Problem":
        """X with entries k/2**bits (|k| < 2**bits) and y = X beta* for a planted beta* with
        ``support`` nonzero entries in multiples of 1/4, all exact: y is computed exactly."""
        scale = 2 ** bits
        X = [[Fraction(int(rng.integers(-scale + 1, scale)), scale) for _ in range(d)] for _ in range(n)]
        beta = [Fraction(0)] * d
        for j in rng.choice(d, size=support, replace=False):
            beta[int(j)] = Fraction(int(rng.choice([-1, 1])) * int(rng.integers(1, 9)), 4)
        y = [sum(x * b for x, b in zip(row, beta)) for row in X]
        return cls.from_rows([[str(v) for v in row] for row in X], [str(v) for v in y], name=name,
                             warn=False)

    def warn_if_not_overparametrized(self):
        if self.n >= self.d:
            warnings.warn(f"{self.name}: n={self.n} >= d={self.d}; the problem is not "
                          "overparametrized", NotOverparametrizedWarning, stacklevel=3)

    # -- conversions ---------------------------------------------------------------------
    def X_mp(self, ctx):
        """X as a list of rows of ``ctx`` numbers, each correctly rounded at ctx's precision."""
        return [[ctx.mpf(v) for v in row] for row in self.X]

    def y_mp(self, ctx):
        return [ctx.mpf(v) for v in self.y]

    def X_float(self):
        """X as float64, each entry correctly rounded."""
        import numpy as np

        return np.array([[exact_to_float(v) for v in row] for row in self.X])

    def y_float(self):
        import numpy as np

        return np.array([exact_to_float(v) for v in self.y])

    def X_fraction(self):
        return [[Fraction(v) for v in row] for row in self.X]

    def y_fraction(self):
        return [Fraction(v) for v in self.y]

    def as_dict(self) -> dict:
        return {"name": self.name, "n": self.n, "d": self.d, "X": [list(r) for r in self.X],
                "y": list(self.y)}


#: The largest magnitude a cell may have: the float64 backend and numpy need every cell finite
#: as a double (a 1e400 cell failed inside the solver).
_DOUBLE_MAX = Fraction(sys.float_info.max)


def _sequence(value, what: str) -> list:
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise InvalidArgument(f"{what} must be a sequence but got {type(value).__name__}")
    return list(value)


def _rows(X, what: str) -> list[list]:
    return [_sequence(row, f"{what} row {i}") for i, row in enumerate(_sequence(X, what), start=1)]


def _entries(y, what: str) -> list:
    return _sequence(y, what)


def _checked_row(cells, where) -> tuple[str, ...]:
    """Each cell through :func:`_cell` (``where(j)`` names the 1-based column j), with rows of
    plain decimals accepted at once (:func:`plain_cells`)."""
    if plain_cells(cells):
        return tuple(cells)
    return tuple(_cell(value, where(j)) for j, value in enumerate(cells, start=1))


def _cell(value, where: str) -> str:
    """One matrix cell: an exact number of magnitude at most the largest double."""
    text = parse_number(value, where)
    if abs(exact_to_float(text)) < 1e308:  # correctly rounded, so far inside the range
        return text
    if abs(Fraction(text)) > _DOUBLE_MAX:
        raise InvalidArgument(f"{where}: {text[:40]} is beyond double range (|x| <= 1.8e308)")
    return text


def load_matrix(path) -> list[list[str]]:
    """Rows of exact numeric strings from a .csv, .npy or .json file (validated)."""
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidArgument(f"a file path must be a str or path but got {type(path).__name__}")
    path = Path(path)
    if not path.is_file():
        raise InvalidArgument(f"{path}: {'not a regular file' if path.exists() else 'no such file'}")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        rows = _load_npy(path)
    elif suffix == ".json":
        rows = _load_json(path)
    else:
        rows = _load_csv(path)
    if not rows or not rows[0]:
        raise InvalidArgument(f"{path}: empty file (no numbers)")
    width = len(rows[0])
    for i, row in enumerate(rows, start=1):
        if len(row) != width:
            raise InvalidArgument(f"{path}: row {i} has {len(row)} columns, expected {width} "
                                  "(ragged rows)")
    return rows


def _load_csv(path: Path) -> list[list[str]]:
    rows = []
    for i, record in enumerate(csv.reader(_read_text(path).splitlines()), start=1):
        if not record or (len(record) == 1 and not record[0].strip()):
            continue
        if record[0].lstrip().startswith("#"):
            continue
        rows.append(list(_checked_row(record, lambda j, i=i: f"{path}: row {i}, column {j}")))
    return rows


def _load_npy(path: Path) -> list[list[str]]:
    import numpy as np

    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise InvalidArgument(f"{path}: not a numeric .npy array ({str(error)[:80]})") from None
    if not isinstance(array, np.ndarray):  # an .npz archive saved under an .npy name
        array.close()
        raise InvalidArgument(f"{path}: an .npz archive, not an .npy array")
    if array.dtype.kind not in "iuf":
        raise InvalidArgument(f"{path}: dtype {array.dtype} is not a real numeric type")
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim != 2:
        raise InvalidArgument(f"{path}: expected a 1-D or 2-D array, found shape {array.shape}")
    return [[_cell(v.item(), f"{path}: row {i}, column {j}") for j, v in enumerate(row, start=1)]
            for i, row in enumerate(array, start=1)]


def _load_json(path: Path) -> list[list[str]]:
    try:
        data = json.loads(_read_text(path), parse_float=str, parse_int=str,
                          parse_constant=lambda c: c)
    except (json.JSONDecodeError, RecursionError) as error:
        raise InvalidArgument(f"{path}: not valid JSON ({str(error)[:80]})") from None
    if isinstance(data, dict):
        keys = [k for k in ("X", "y") if k in data]
        if len(keys) != 1:
            raise InvalidArgument(f"{path}: a JSON object must have exactly one of the keys 'X' or 'y'")
        data = data[keys[0]]
    if isinstance(data, list) and data and not isinstance(data[0], list):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(r, list) for r in data):
        raise InvalidArgument(f"{path}: expected a list of rows (lists of numbers) or one list")
    return [[_cell(v, f"{path}: row {i}, column {j}") for j, v in enumerate(row, start=1)]
            for i, row in enumerate(data, start=1)]


def _read_text(path: Path) -> str:
    """The file as UTF-8 text (a BOM is allowed), or InvalidArgument naming the bad byte."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidArgument(f"{path}: not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise InvalidArgument(f"{path}: cannot be read ({error.strerror})") from None
