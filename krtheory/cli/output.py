"""Output helpers shared by the commands: atomic file writes and plain tables."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from krtheory.errors import InvalidArgument


def write_json_atomically(path, payload) -> None:
    """Write JSON to ``path`` through a temporary file, so a failure leaves nothing half-written."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InvalidArgument(f"--json {path}: directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(payload, handle, indent=2)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A left-aligned plain-text table."""
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(headers, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def add_json_option(parser) -> None:
    """``--json`` alone: print the result as JSON on stdout instead of text; ``--json FILE``:
    print the text and also write the JSON to FILE (atomically)."""
    parser.add_argument("--json", nargs="?", const="-", metavar="FILE",
                        help="print JSON on stdout instead of text, or with FILE also write it there")


def emit(args, record: dict, text: str) -> None:
    """Print ``text`` or, under ``--json``, the JSON ``record`` (see :func:`add_json_option`)."""
    if args.json == "-":
        print(json.dumps(record, indent=2))
        return
    print(text)
    if args.json:
        write_json_atomically(args.json, record)
