"""The record of a sweep on disk: a journal of finished points and the sorted CSV view.

``TABLE.jsonl`` (the journal) gets one JSON line per point as it finishes (flushed and fsynced,
so a killed sweep keeps every finished point; a torn last line is ignored on reading). JSON keeps
the values' types: a float read back is the same double. ``TABLE`` (the CSV) is rewritten
atomically from the journal at the end of a run, sorted in point order. A point is identified by
the canonical JSON of its ``key`` columns (default: all of its fields), so every parameter a point
depends on must be one of its fields.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Sequence

from krtheory.errors import InvalidArgument

#: Columns the runner adds to every row: "ok" or "failed", and a failed point's reason.
STATUS, REASON = "sweep_status", "sweep_reason"


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same directory, then rename;
    on any failure nothing is left behind. Creates the parent directory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _plain(value):
    """numpy scalars as Python numbers (JSON has no int64)."""
    return value.item() if hasattr(value, "item") else str(value)


def canonical(point: dict, key: Sequence[str]) -> str:
    """The identity of a point: the canonical JSON of its ``key`` columns (all when empty)."""
    names = list(key) or sorted(point)
    missing = [name for name in names if name not in point]
    if missing:
        raise InvalidArgument(f"sweep key column {missing[0]!r} is not a field of the point {point!r}")
    return json.dumps([[name, point[name]] for name in names], default=_plain, allow_nan=True)


def point_seed(*parts) -> int:
    """A 63-bit seed from the canonical JSON of ``parts`` (e.g. the experiment's name and the
    point's seed index): the same point gets the same seed in any worker, run or order."""
    text = json.dumps(parts, default=_plain, sort_keys=True)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1


def journal_path(table: Path) -> Path:
    return Path(table).with_name(Path(table).name + ".jsonl")


def read_journal(table: Path) -> dict[str, dict]:
    """key -> row of the journal's successful points (a failed point is retried on resume; a
    later record of the same key wins; unreadable lines, such as a line torn by a kill, are
    skipped)."""
    path = journal_path(table)
    done: dict[str, dict] = {}
    if not path.is_file():
        return done
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
            key, row = record["key"], record["row"]
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(key, str) and isinstance(row, dict):
            if row.get(STATUS) == "ok":
                done[key] = row
            else:
                done.pop(key, None)
    return done


class Journal:
    """Appends finished rows to ``TABLE.jsonl``, one flushed and fsynced line each."""

    def __init__(self, table: Path):
        path = journal_path(table)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._file = open(path, "a", encoding="utf-8")
        except OSError as error:
            raise InvalidArgument(f"sweep table {table}: cannot write its journal ({error.strerror})") from None
        if self._file.tell() > 0:
            self._file.write("\n")  # a line torn by a kill stays alone (and unreadable)

    def append(self, key: str, row: dict) -> None:
        self._file.write(json.dumps({"key": key, "row": row}, default=_plain, allow_nan=True) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()


def columns_of(rows: Sequence[dict], first: Sequence[str] = ()) -> list[str]:
    """``first``, then every other column in the order rows first show it, the status columns last."""
    names = list(first)
    for row in rows:
        names += [name for name in row if name not in names and name not in (STATUS, REASON)]
    return names + [STATUS, REASON]


def cell(value) -> str:
    """A CSV cell: floats with repr (the exact double back), None as empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    return str(_plain(value)) if hasattr(value, "item") else str(value)


def write_table(table: Path, rows: Sequence[dict], first: Sequence[str], comments: Sequence[str] = ()) -> Path:
    """The CSV view of ``rows`` (already in point order), written atomically."""
    names = columns_of(rows, first)
    buffer = io.StringIO()
    for line in comments:
        buffer.write(f"# {line}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([cell(row.get(name)) for name in names])
    return write_atomically(Path(table), buffer.getvalue().encode())
