"""The matrix families on the command line (§6): ``flow --family matrix``, ``solve --family nuclear``.

Their data are matrix measurements, not --X/--y: ``--entries FILE`` (matrix completion: rows
``i,j,value``, 0-based, ``#`` comments and blank lines skipped) or ``--measurements FILE``
(sensing: a JSON list of objects ``{"X": D1 rows of D2 numbers, "y": number}``). ``--shape D1xD2``
is the matrix size (default: the largest indices + 1 for entries, the matrices' size for
measurements). Every bad row, index, value or option is one InvalidArgument line naming it.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from krtheory.errors import InvalidArgument
from krtheory.families.registry import FAMILIES
from krtheory.flow.measurements import MatrixMeasurements
from krtheory._validation import parse_number
from krtheory.cli.output import emit, table
from krtheory.problem import _read_text, load_matrix

#: Largest D1 x D2 read (the measurement operator is stored dense: N x D1 D2 float64).
MAX_CELLS = 10_000
_SHAPE = re.compile(r"\s*(\d{1,7})\s*[xX]\s*(\d{1,7})\s*")
_INDEX = re.compile(r"\s*\+?\d{1,9}\s*")
#: Options of the vector families that the matrix families refuse.
_VECTOR_OPTIONS = ("depth", "alpha", "X", "y")


def add_matrix_options(group) -> None:
    group.add_argument("--entries", metavar="FILE",
                       help="matrix / nuclear: observed entries, rows i,j,value (0-based)")
    group.add_argument("--measurements", metavar="FILE",
                       help='matrix / nuclear: a JSON list of {"X": D1 rows of D2 numbers, "y": value}')


def takes_matrices(args) -> bool:
    """Whether ``args.family`` reads matrix measurements; for the other families, refuses
    --entries/--measurements."""
    if FAMILIES[args.family].takes_matrices:
        return True
    given = [f"--{name}" for name in ("entries", "measurements") if getattr(args, name, None) is not None]
    if given:
        raise InvalidArgument(f"--family {args.family} does not take {' or '.join(given)} (options of "
                              "--family matrix and --family nuclear)")
    return False


def parse_shape(text: str) -> tuple[int, int]:
    """``D1xD2`` -> (D1, D2), 1 <= D1, D2 <= MAX_SIDE."""
    match = _SHAPE.fullmatch(text)
    if not match:
        raise InvalidArgument(f"--shape {text[:40]!r}: expected D1xD2 (two positive integers, e.g. 10x10)")
    D1, D2 = int(match[1]), int(match[2])
    if D1 < 1 or D2 < 1:
        raise InvalidArgument(f"--shape {text}: each side must be at least 1")
    return _checked_size((D1, D2), f"--shape {text}")


def _checked_size(shape: tuple[int, int], where: str) -> tuple[int, int]:
    if shape[0] * shape[1] > MAX_CELLS:
        raise InvalidArgument(f"{where}: {shape[0]}x{shape[1]} has more than {MAX_CELLS} cells (the "
                              "measurement operator is stored dense)")
    return shape


def read_entries(path: str, shape: tuple[int, int] | None) -> MatrixMeasurements:
    """The ``i,j,value`` rows of ``path`` (0-based indices) as matrix completion measurements."""
    rows = []
    for line, record in enumerate(csv.reader(_text(path).splitlines()), start=1):
        if not record or (len(record) == 1 and not record[0].strip()) or record[0].lstrip().startswith("#"):
            continue
        where = f"{path}: row {line}"
        if len(record) != 3:
            raise InvalidArgument(f"{where}: expected 3 columns i,j,value but found {len(record)}")
        i, j = (_index(cell, f"{where}, column {c}") for c, cell in ((1, record[0]), (2, record[1])))
        rows.append((line, i, j, parse_number(record[2], f"{where}, column 3")))
    if not rows:
        raise InvalidArgument(f"{path}: no entries (rows i,j,value)")
    seen: dict[tuple[int, int], int] = {}
    for line, i, j, _ in rows:
        if (i, j) in seen:
            raise InvalidArgument(f"{path}: row {line}: entry ({i}, {j}) repeats row {seen[(i, j)]} "
                                  "(duplicate entry)")
        seen[(i, j)] = line
    if shape is None:
        shape = _checked_size((max(i for _, i, _, _ in rows) + 1, max(j for _, _, j, _ in rows) + 1),
                              f"{path}: the largest indices + 1")
    for line, i, j, _ in rows:
        if i >= shape[0] or j >= shape[1]:
            raise InvalidArgument(f"{path}: row {line}: entry ({i}, {j}) is outside --shape "
                                  f"{shape[0]}x{shape[1]} (indices are 0-based)")
    return MatrixMeasurements(shape=shape, values=tuple(v for *_, v in rows),
                              entries=tuple((i, j) for _, i, j, _ in rows))


def read_measurements(path: str, shape: tuple[int, int] | None) -> MatrixMeasurements:
    """A JSON list of {"X": matrix, "y": value} as sensing measurements y_n = <X_n, M>."""
    try:
        data = json.loads(_text(path), parse_float=str, parse_int=str, parse_constant=lambda c: c)
    except (json.JSONDecodeError, RecursionError) as error:
        raise InvalidArgument(f"{path}: not valid JSON ({str(error)[:80]})") from None
    if not isinstance(data, list) or not data or not all(
            isinstance(m, dict) and set(m) == {"X", "y"} for m in data):
        raise InvalidArgument(f'{path}: expected a non-empty JSON list of objects {{"X": matrix, "y": value}}')
    matrices = []
    for n, m in enumerate(data, start=1):
        X = m["X"]
        if not isinstance(X, list) or not X or not all(isinstance(row, list) and row for row in X):
            raise InvalidArgument(f"{path}: measurement {n}: X must be a list of rows of numbers")
        matrices.append(X)
    found = _checked_size((len(matrices[0]), len(matrices[0][0])), f"{path}: measurement 1")
    if shape is not None and shape != found:
        raise InvalidArgument(f"{path}: measurement 1 is {found[0]}x{found[1]} but --shape is "
                              f"{shape[0]}x{shape[1]}")
    try:
        return MatrixMeasurements(shape=found, values=tuple(m["y"] for m in data), matrices=tuple(matrices))
    except InvalidArgument as error:
        raise InvalidArgument(f"{path}: {error}") from None


def load_measurements(args) -> MatrixMeasurements:
    given = [f"--{name}" for name in _VECTOR_OPTIONS if getattr(args, name, None) is not None]
    if given:
        raise InvalidArgument(f"--family {args.family} does not take {', '.join(given)} (it reads "
                              "--entries or --measurements)")
    if (args.entries is None) == (args.measurements is None):
        raise InvalidArgument(f"--family {args.family} needs exactly one of --entries FILE or "
                              "--measurements FILE")
    shape = None if args.shape is None else parse_shape(args.shape)
    if args.entries is not None:
        return read_entries(args.entries, shape)
    return read_measurements(args.measurements, shape)


def run_flow(args) -> int:
    """``krtheory flow --family matrix``: the flow of L(U, V) from --U0, --V0 to its limit."""
    if getattr(args, "method", "auto") != "auto":
        raise InvalidArgument("--family matrix does not take --method (float64: LSODA; --dps: Taylor)")
    shown = [f"--{name}" for name in ("verbose", "progress") if getattr(args, name, None)]
    if shown:
        raise InvalidArgument(f"--family matrix does not take {' or '.join(shown)} (no progress report yet)")
    measurements = load_measurements(args)
    missing = [f"--{name}" for name in ("U0", "V0") if getattr(args, name) is None]
    if missing:
        raise InvalidArgument(f"--family matrix needs {' and '.join(missing)} (D1 and D2 rows of k numbers)")
    result = FAMILIES["matrix"].flow(measurements, U0=load_matrix(args.U0), V0=load_matrix(args.V0),
                                     dps=args.dps)
    record = {"family": "matrix", "shape": list(measurements.shape), "measurements": measurements.n,
              **result.as_strings()}
    text = [f"M ({measurements.shape[0]} x {measurements.shape[1]}, {measurements.n} measurements)",
            table([f"col {j}" for j in range(measurements.shape[1])], record["M"])]
    text += [f"{key:<17} {record[key]}" for key in ("loss", "time", "status", "error_estimate", "digits",
                                                   "accuracy", "width", "rank", "method", "seconds")]
    emit(args, record, "\n".join(text))
    return 0 if result.converged else 2


def run_solve(args) -> int:
    """``krtheory solve --family nuclear``: argmin ||M||_* subject to the measurements."""
    given = [f"--{name}" for name in ("U0", "V0", "certify") if getattr(args, name, None) not in (None, False)]
    if getattr(args, "backend", "auto") != "auto":
        given.append("--backend")
    if given:
        raise InvalidArgument(f"--family nuclear does not take {', '.join(given)}")
    measurements = load_measurements(args)
    result = FAMILIES["nuclear"].reference(measurements)
    record = {"family": "nuclear", "shape": list(measurements.shape), "measurements": measurements.n,
              **result.as_strings(), "arithmetic": "float64 (cvxpy + Clarabel); --dps is not used"}
    text = [table([f"col {j}" for j in range(measurements.shape[1])], record["M"])]
    text += [f"{key:<13} {record[key]}" for key in ("nuclear_norm", "lower_bound", "gap", "status", "seconds")]
    emit(args, record, "\n".join(text))
    return 0


def _index(cell: str, where: str) -> int:
    if not _INDEX.fullmatch(cell):
        shown = cell.strip()[:20]
        kind = "negative" if shown.startswith("-") and shown[1:].isdigit() else "not a non-negative integer"
        raise InvalidArgument(f"{where}: index {shown!r} is {kind} (indices are 0-based integers)")
    return int(cell)


def _text(path: str) -> str:
    """The file's UTF-8 text (problem files' reader), or one line naming what is wrong."""
    file = Path(path)
    if not file.is_file():
        raise InvalidArgument(f"{path}: {'not a regular file' if file.exists() else 'no such file'}")
    return _read_text(file)
