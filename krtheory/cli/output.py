"""Output helpers shared by the commands: atomic file writes and plain tables."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from krtheory.errors import InvalidArgument


def check_writable(path) -> Path:
    """The file ``path`` will really be written to (a symlink's target), after checking that a
    file can be created next to it: refuses "", a directory, a missing or read-only directory
    and places like /proc, before any work is done. Raises InvalidArgument."""
    if not str(path).strip():
        raise InvalidArgument("--json FILE: the file name is empty")
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise InvalidArgument(f"--json {path}: is a directory")
    directory = target.parent
    if not directory.is_dir():
        raise InvalidArgument(f"--json {path}: directory {directory} does not exist")
    try:
        fd, probe = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise InvalidArgument(f"--json {path}: cannot write in {directory} ({error.strerror})") from None
    return target


def json_destination(text: str) -> str:
    """An argparse ``type=`` for ``--json FILE``: :func:`check_writable` at parse time, so a
    bad destination exits 3 before the computation ("-" is stdout)."""
    import argparse

    if text == "-":
        return text
    try:
        check_writable(text)
    except InvalidArgument as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("--json ")) from None
    return text


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_json_atomically(path, payload) -> None:
    """Write JSON to ``path`` through a temporary file next to it, so a failure leaves nothing
    half-written; a symlink is written through (its target replaced), and the file gets the
    user's umask (mode 0666 & ~umask), as ``open(path, "w")`` would give it."""
    target = check_writable(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise InvalidArgument(f"--json {path}: cannot write ({error.strerror})") from None
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(payload, handle, indent=2)
            handle.write("\n")
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException as error:
        os.unlink(tmp)
        if isinstance(error, OSError):
            raise InvalidArgument(f"--json {path}: cannot write ({error.strerror})") from None
        raise


def plain(value) -> str:
    """A value as a person reads it in text output (JSON keeps the typed value): no Python
    reprs, so None is "-", booleans are yes/no, lists and mappings are comma-separated."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k} {plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value)
    return str(value)


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A left-aligned plain-text table."""
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(headers, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def add_json_option(parser) -> None:
    """``--json`` alone: print the result as JSON on stdout instead of text; ``--json FILE``:
    print the text and also write the JSON to FILE (atomically); FILE is checked when the
    command line is parsed, before any work."""
    parser.add_argument("--json", nargs="?", const="-", metavar="FILE", type=json_destination,
                        help="print JSON on stdout instead of text, or with FILE also write it there")


def emit(args, record: dict, text: str) -> None:
    """Print ``text`` or, under ``--json``, the JSON ``record`` (see :func:`add_json_option`)."""
    if args.json == "-":
        print(json.dumps(record, indent=2))
        return
    print(text)
    if args.json:
        write_json_atomically(args.json, record)
