"""The sweep runner: points in, rows out in point order, with resume, retries and progress.

``Runner(workers=None, scheduler=None)(point_fn, points, table=..., key=..., desc=...)`` runs
the top-level (picklable) ``point_fn`` on every point: on a process pool of ``workers`` (default
all cores), or on the Dask cluster at ``scheduler``. Rows are ``{**point, **point_fn(point),
"sweep_status": "ok"}``; a point that failed twice (its function raised, or its worker died) is
``{**point, "sweep_status": "failed", "sweep_reason": why}`` and costs no other point. With a
``table``, finished rows are journalled as they come (:mod:`krtheory.sweep.table`) and a rerun
computes only the points the journal lacks; the CSV is written sorted in point order at the end.
Determinism is the point function's: it must depend on the point alone (seeds from
:func:`~krtheory.sweep.table.point_seed`), which makes the table the same for any number of
workers and any completion order.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from krtheory.errors import InvalidArgument
from krtheory.sweep.table import REASON, STATUS, Journal, canonical, read_journal, write_table

#: Attempts after the first for a point whose function raised or whose worker died.
DEFAULT_RETRIES = 1


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Runner:
    """Runs points locally (``workers`` processes; 1 runs them in this process) or on Dask."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None, *,
                 progress: bool | None = None, retries: int = DEFAULT_RETRIES):
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
            raise InvalidArgument(f"--workers must be a positive integer, got workers={workers!r}")
        if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
            raise InvalidArgument(f"--scheduler must be an address such as tcp://host:8786, got {scheduler!r}")
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise InvalidArgument(f"retries must be an integer >= 0, got retries={retries!r}")
        self.workers = default_workers() if workers is None else workers
        self.scheduler, self.progress, self.retries = scheduler, progress, retries

    def __call__(self, point_fn: Callable[[dict], dict], points: Sequence[dict], *,
                 table: Path | None = None, key: Sequence[str] = (), desc: str = "") -> list[dict]:
        points = [dict(point) for point in points]
        keys = [canonical(point, key) for point in points]
        if len(set(keys)) != len(keys):
            raise InvalidArgument(f"{desc or 'sweep'}: two points have the same key {list(key) or 'fields'}")
        rows: list[dict | None] = [None] * len(points)
        journal = None
        if table is not None:
            done = read_journal(table)
            for i, k in enumerate(keys):
                if k in done:
                    rows[i] = done[k]
            journal = Journal(table)
        todo = [(i, point) for i, point in enumerate(points) if rows[i] is None]
        bar = _bar(len(points), len(points) - len(todo), desc, self.progress)

        def finished(index: int, row: dict | None, reason: str | None) -> None:
            point = points[index]
            row = ({**point, **row, STATUS: "ok"} if row is not None
                   else {**point, STATUS: "failed", REASON: reason})
            rows[index] = row
            if journal is not None:
                journal.append(keys[index], row)
            bar.update(1)

        try:
            self._run(point_fn, todo, finished)
        finally:
            bar.close()
            if journal is not None:
                journal.close()
                complete = [row for row in rows if row is not None]
                write_table(table, complete, first=list(key) or list(points[0]) if points else [],
                            comments=[f"krtheory sweep table{': ' + desc if desc else ''}; one row per point, "
                                      f"in point order; {STATUS} ok|failed ({REASON} says why)"])
        return rows

    def _run(self, point_fn, todo, finished) -> None:
        if not todo:
            return
        if self.scheduler is not None:
            from krtheory.sweep.distributed import run_dask

            run_dask(point_fn, todo, self.scheduler, self.retries, finished)
        elif self.workers == 1:
            _run_here(point_fn, todo, self.retries, finished)
        else:
            from krtheory.sweep.local import run_local

            run_local(point_fn, todo, self.workers, self.retries, finished)


def _run_here(point_fn, todo, retries: int, finished) -> None:
    """One worker: the points in this process, one after another (no pool to start)."""
    from krtheory.sweep.local import call_point, describe

    for index, point in todo:
        for attempt in range(retries + 1):
            try:
                row = call_point(point_fn, point)
            except Exception as error:
                if attempt == retries:
                    finished(index, None, describe(error))
                continue
            finished(index, row, None)
            break


class _Silent:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _bar(total: int, done: int, desc: str, enabled: bool | None):
    """A tqdm bar with ETA on stderr (on a terminal, or when ``enabled``), starting at ``done``."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return _Silent()
    try:
        from tqdm import tqdm
    except ImportError:
        return _Silent()
    return tqdm(total=total, initial=done, desc=desc or "sweep", file=sys.stderr, unit="point",
                dynamic_ncols=True, smoothing=0.1)
