"""Points on the standard library's process pool, robust to a worker that dies.

At most ``workers`` points are in flight at once, so when a worker dies (``os._exit``, a signal,
out of memory: the pool then breaks, :class:`BrokenProcessPool`) the suspects are those few
points. Each suspect is then rerun alone on a fresh pool: an innocent one finishes, the culprit
breaks the pool again and is charged one attempt. A point gets ``1 + retries`` attempts; an
exception raised by the point function is charged the same way (no isolation needed).
"""

from __future__ import annotations

import collections
import multiprocessing
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

#: The start method: "spawn" starts clean interpreters (no state inherited from a parent that
#: runs threads, e.g. a progress bar's), the same on every platform.
START_METHOD = "spawn"
DIED = "the worker process died while running this point (killed, crashed or out of memory)"


def call_point(point_fn, point: dict) -> dict:
    """``point_fn(point)`` in a worker, checked to be a dict."""
    row = point_fn(dict(point))
    if not isinstance(row, dict):
        raise TypeError(f"the point function returned {type(row).__name__}, not a dict")
    return row


def describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


class _Attempts:
    """Attempts charged per point index; ``exhausted`` once 1 + retries are spent."""

    def __init__(self, retries: int):
        self.limit, self.count = 1 + retries, collections.Counter()

    def charge(self, index: int) -> bool:
        self.count[index] += 1
        return self.count[index] >= self.limit


def run_local(point_fn, todo, workers: int, retries: int, finished) -> None:
    """Run ``todo`` ((index, point) pairs); ``finished(index, row_or_None, reason)`` is called in
    this process as each point ends (row None when it failed for good)."""
    queue = collections.deque(todo)
    suspects: collections.deque = collections.deque()
    attempts = _Attempts(retries)
    context = multiprocessing.get_context(START_METHOD)
    while queue or suspects:
        isolating = bool(suspects)
        pool = ProcessPoolExecutor(max_workers=1 if isolating else workers, mp_context=context)
        try:
            if isolating:
                _isolate(pool, point_fn, suspects, queue, attempts, finished)
            else:
                _batch(pool, point_fn, queue, suspects, workers, attempts, finished)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _settle(future, index, point, attempts, retry, finished) -> None:
    """A future that ended with a result or a point function's exception."""
    error = future.exception()
    if error is None:
        finished(index, future.result(), None)
    elif attempts.charge(index):
        finished(index, None, describe(error))
    else:
        retry.appendleft((index, point))


def _batch(pool, point_fn, queue, suspects, workers, attempts, finished) -> None:
    """Keep ``workers`` points in flight until the queue is empty or the pool breaks (the
    points in flight then become suspects)."""
    flight: dict = {}
    while queue or flight:
        while queue and len(flight) < workers:
            index, point = queue.popleft()
            try:
                flight[pool.submit(call_point, point_fn, point)] = (index, point)
            except BrokenProcessPool:  # a worker died since the last wait
                queue.appendleft((index, point))
                suspects.extend(sorted(flight.values(), key=lambda item: item[0]))
                return
        done, _ = wait(flight, return_when=FIRST_COMPLETED)
        if any(isinstance(future.exception(), BrokenProcessPool) for future in done):
            suspects.extend(sorted(flight.values(), key=lambda item: item[0]))
            return
        for future in done:
            index, point = flight.pop(future)
            _settle(future, index, point, attempts, queue, finished)


def _isolate(pool, point_fn, suspects, queue, attempts, finished) -> None:
    """Rerun suspects one at a time; one that breaks the pool alone is charged an attempt."""
    while suspects:
        index, point = suspects.popleft()
        future = pool.submit(call_point, point_fn, point)
        wait([future])
        if isinstance(future.exception(), BrokenProcessPool):
            if attempts.charge(index):
                finished(index, None, DIED)
            else:
                suspects.appendleft((index, point))
            return  # the pool is broken: a fresh one continues
        _settle(future, index, point, attempts, suspects, finished)
