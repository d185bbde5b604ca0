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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

from krtheory.errors import MissingExtra
from krtheory.sweep.table import write_atomically  # noqa: F401  (the figures' atomic write)


class Scale(enum.Enum):
    """How big a figure's run is: ``QUICK`` about a minute on 2 cores (CI), ``DEFAULT`` a few
    minutes, ``PAPER`` the paper's sizes."""

    QUICK = "quick"
    DEFAULT = "default"
    PAPER = "paper"


class Runner(Protocol):
    """Runs ``point_fn`` on every point and returns the rows in the order of ``points``.

    ``table``, when given, is the CSV the sweep appends finished rows to (and resumes from);
    ``key`` names the columns that identify a point in it. A runner may merge the point's fields
    into its row and add the columns ``sweep_status`` ("ok" or "failed") and ``sweep_reason``;
    a failed point's row then holds only the point's fields and those two (see
    :func:`succeeded`). :class:`krtheory.sweep.Runner` is the pool/Dask runner.
    """

    def __call__(self, point_fn: Callable[[dict], dict], points: Sequence[dict], *,
                 table: Path | None = None, key: Sequence[str] = (), desc: str = "") -> list[dict]: ...


def sequential_runner(point_fn: Callable[[dict], dict], points: Sequence[dict], *,
                      table: Path | None = None, key: Sequence[str] = (), desc: str = "") -> list[dict]:
    """The simplest runner: one point after another in this process, no table, no resume."""
    return [point_fn(dict(point)) for point in points]


def succeeded(rows: Sequence[dict]) -> list[dict]:
    """The rows of points that did not fail (every row of :func:`sequential_runner`)."""
    return [row for row in rows if row.get("sweep_status", "ok") == "ok"]


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

    def table(self, name: str) -> Path:
        """``OUT/sweeps/NAME.csv``: a sweep's table (and its ``.jsonl`` journal), shared by the
        figures that draw from the same points (e.g. 1a and 1b), and what a rerun resumes from."""
        return self.out / "sweeps" / f"{name}.csv"


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


def seeds_for(context: FigureContext, defaults: dict) -> int:
    """The number of seeds: the user's ``--seeds`` or the figure's default for the scale."""
    return context.seeds if context.seeds is not None else defaults[context.scale]


def spread(values) -> tuple[float, float, float]:
    """(median, 25th, 75th percentile) of the finite values (nan when none is)."""
    import numpy as np

    finite = [v for v in values if v is not None and np.isfinite(v)]
    if not finite:
        return (float("nan"),) * 3
    return tuple(float(v) for v in np.percentile(finite, [50, 25, 75]))


def median_band(ax, x, groups, *, color, label, marker="o"):
    """The median over seeds (line with markers) and the band between the quartiles (shaded)
    of each x's group of values."""
    stats = [spread(group) for group in groups]
    ax.fill_between(x, [s[1] for s in stats], [s[2] for s in stats], color=color, alpha=0.18, linewidth=0)
    ax.plot(x, [s[0] for s in stats], color=color, marker=marker, markersize=3.5, linewidth=1.6, label=label)
    return stats


def styled_axes(plt, *, width: float = 5.6, height: float = 3.8):
    """A figure and axes in the house style: light grid, no top/right spines."""
    figure, ax = plt.subplots(figsize=(width, height), constrained_layout=True)
    ax.grid(True, which="major", alpha=0.3, linewidth=0.6)
    ax.grid(True, which="minor", alpha=0.12, linewidth=0.4)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return figure, ax


def group_by(rows: Sequence[dict], by: str, value: str) -> tuple[list, list[list]]:
    """Sorted distinct values of ``by`` and, for each, the list of ``value`` over the rows."""
    groups: dict = {}
    for row in rows:
        groups.setdefault(row[by], []).append(row[value])
    keys = sorted(groups)
    return keys, [groups[k] for k in keys]
