"""Points on an existing Dask cluster (``dask.distributed``, the ``dist`` extra) given its
scheduler address. Dask itself moves a task off a worker that died (up to its
``allowed-failures``, then KilledWorker); any exception is charged one of the point's
``1 + retries`` attempts here, as on the local pool."""

from __future__ import annotations

from krtheory.errors import InvalidArgument, MissingExtra
from krtheory.sweep.local import call_point, describe

#: Seconds to wait for the scheduler before saying it cannot be reached.
CONNECT_TIMEOUT = 20


def client_for(address: str):
    try:
        from distributed import Client
    except ImportError:
        raise MissingExtra("dask.distributed", "dist") from None
    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        raise InvalidArgument(f"--scheduler {address}: cannot connect ({describe(error)})") from None


def run_dask(point_fn, todo, address: str, retries: int, finished) -> None:
    """Run ``todo`` ((index, point) pairs) on the cluster at ``address``; ``finished`` as in
    :func:`krtheory.sweep.local.run_local`."""
    from distributed import as_completed

    client = client_for(address)
    try:
        attempts: dict[int, int] = {}
        futures = {client.submit(call_point, point_fn, point, pure=False): (index, point)
                   for index, point in todo}
        pending = as_completed(list(futures), loop=client.loop)
        for future in pending:
            index, point = futures.pop(future)
            try:
                row = future.result()
            except Exception as error:  # the point's own failure or KilledWorker
                attempts[index] = attempts.get(index, 0) + 1
                if attempts[index] > retries:
                    finished(index, None, describe(error))
                else:
                    again = client.submit(call_point, point_fn, point, pure=False)
                    futures[again] = (index, point)
                    pending.add(again)
                continue
            finished(index, row, None)
    finally:
        client.close()
