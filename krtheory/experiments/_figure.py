"""What every figure shares: its scale, the runner it sweeps with, and how it writes its files.

A figure function has the signature ``make(context: FigureContext) -> FigureResult``. It builds a
list of independent *points* (dicts of plain values: alpha, n, seed, ...), hands them with a
top-level (picklable) point function to ``context.runner``, and turns the returned rows into a CSV,
a picture and a comparison with the paper's reported values. Every file is written atomically
(a temporary file in the same directory, then ``os.replace``): an interrupted run leaves no
half-written file.
"""

from __future__ import annotations

import csv
import enum
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

from krtheory.errors import MissingExtra


class Scale(enum.Enum):
    """How big a figure's run is: ``QUICK`` about a minute on 2 cores (CI), ``DEFAULT`` a few
    minutes, ``PAPER`` the paper's sizes."""

    QUICK = "quick"
    DEFAULT = "default"
    PAPER = "paper"


class Runner(Protocol):
    """Runs ``point_fn`` on every point and returns the rows in the order of ``points``.

    ``table``, when given, is the CSV the sweep appends finished rows to (and resumes from);
    ``key`` names the columns that identify a point in it.
    """

    def __call__(self, point_fn: Callable[[dict], dict], points: Sequence[dict], *,
                 table: Path | None = None, key: Sequence[str] = (), desc: str = "") -> list[dict]: ...


def sequential_runner(point_fn: Callable[[dict], dict], points: Sequence[dict], *,
                      table: Path | None = None, key: Sequence[str] = (), desc: str = "") -> list[dict]:
    """The simplest runner: one point after another in this process, no table, no resume."""
    return [point_fn(dict(point)) for point in points]


@dataclass(frozen=True)
class FigureContext:
    """The arguments of one figure run: where to write, how big, how many seeds, which runner."""

    out: Path
    scale: Scale = Scale.DEFAULT
    seeds: int | None = None  # None: the figure's default for its scale
    runner: Runner = sequential_runner
    progress: bool = False
    #: figure-specific options from the command line (e.g. Figure 6(c)'s ``mnist_dir``)
    options: dict = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        """``OUT/data``: one ``.npz`` per generated problem."""
        return self.out / "data"


@dataclass(frozen=True)
class Comparison:
    """One line of the table printed after a figure: a quantity, the paper's value, ours."""

    quantity: str
    paper: str
    ours: str
    note: str = ""


@dataclass(frozen=True)
class FigureResult:
    """What a figure run produced: its files (CSV, PNG, SVG, ...) and its comparisons."""

    name: str
    files: tuple[Path, ...]
    comparisons: tuple[Comparison, ...] = ()
    notes: tuple[str, ...] = field(default=())


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


def write_csv(path: Path, rows: Sequence[dict], columns: Sequence[str],
              comments: Sequence[str] = ()) -> Path:
    """A CSV with ``columns`` in that order, preceded by ``# comment`` lines (what the columns
    mean, e.g. whether an error includes the noise); values written with ``str``."""
    buffer = io.StringIO()
    for line in comments:
        buffer.write(f"# {line}\n")
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="raise", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in columns})
    return write_atomically(path, buffer.getvalue().encode())


def save_problem(context: FigureContext, name: str, **arrays: Any) -> str:
    """Save one generated problem as ``data/NAME.npz`` (arrays such as ``X``, ``y``,
    ``beta_star``) and return the path relative to ``context.out`` for the CSV's ``problem``
    column."""
    import numpy as np

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_atomically(context.data_dir / f"{name}.npz", buffer.getvalue())
    return f"data/{name}.npz"


def pyplot():
    """matplotlib's pyplot on the non-interactive Agg backend, or MissingExtra naming the
    ``plot`` extra."""
    try:
        import matplotlib
    except ImportError:
        raise MissingExtra("matplotlib", "plot") from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def save_figure(figure, out: Path, stem: str) -> tuple[Path, Path]:
    """``OUT/STEM.png`` (150 dpi) and ``OUT/STEM.svg``, written atomically; closes the figure."""
    paths = []
    for suffix, options in ((".png", {"dpi": 150}), (".svg", {})):
        buffer = io.BytesIO()
        figure.savefig(buffer, format=suffix[1:], bbox_inches="tight", **options)
        paths.append(write_atomically(Path(out) / f"{stem}{suffix}", buffer.getvalue()))
    pyplot().close(figure)
    return paths[0], paths[1]
