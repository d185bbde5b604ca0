"""A failed claim's one-line replay: the problem (and per-coordinate initial values) written to
files, and the ``krtheory`` command lines that recompute both sides from them."""

from __future__ import annotations

import hashlib
import os
import shlex
import tempfile
from pathlib import Path

#: Where replay files go: $KRTHEORY_REPLAY_DIR, else <tmp>/krtheory-replay; one folder per case.
REPLAY_ENV = "KRTHEORY_REPLAY_DIR"


def write_case(problem, columns: dict) -> tuple[Path, dict]:
    """(folder, {name: --init value}): X.csv, y.csv and one NAME.csv per per-coordinate column,
    in a folder named by a hash of the contents (each file written atomically)."""
    files = {"X.csv": "\n".join(",".join(row) for row in problem.X) + "\n",
             "y.csv": "\n".join(problem.y) + "\n"}
    init = {}
    for name, column in columns.items():
        if isinstance(column, str):
            init[name] = column
        else:
            files[f"init_{name}.csv"] = "\n".join(column) + "\n"
    digest = hashlib.sha1(repr(sorted(files.items())).encode()).hexdigest()[:12]
    folder = Path(os.environ.get(REPLAY_ENV) or Path(tempfile.gettempdir()) / "krtheory-replay") / digest
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        temporary = folder / f".{name}.{os.getpid()}.tmp"
        temporary.write_text(text)
        os.replace(temporary, folder / name)
    for name, column in columns.items():
        if not isinstance(column, str):
            init[name] = str(folder / f"init_{name}.csv")
    return folder, init


def command(name: str, folder: Path, *options: str) -> str:
    """``krtheory NAME OPTIONS --X folder/X.csv --y folder/y.csv``, shell-quoted."""
    return shlex.join(["krtheory", name, *options, "--X", str(folder / "X.csv"), "--y", str(folder / "y.csv")])
