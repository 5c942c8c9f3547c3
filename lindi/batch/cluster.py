"""Dask client set-up: a local cluster of worker processes, or any scheduler address.

Workers run one task at a time (``threads_per_worker=1``: h5py serialises its
calls anyway) and have a memory limit, by default Dask's ``"auto"`` (the
machine's memory shared out among the workers), so that a file with huge
metadata pauses or restarts its own worker instead of starving the machine.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .errors import SchedulerError

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

@contextmanager
def dask_client(scheduler: str | None = None, *, workers: int = 2, memory_limit: str | int | None = "auto",
                processes: bool = True) -> Iterator[Client]:
    """A connected Dask client; without ``scheduler``, on a fresh ``LocalCluster`` closed on exit.

    ``processes=False`` runs the workers as threads of this process (quick to start, for tests).
    How long to wait for a scheduler is Dask's ``distributed.comm.timeouts.connect`` setting
    (environment: ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT``).
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SchedulerError("batch runs need Dask: pip install 'lindi[dask]'") from None
    if scheduler:
        try:
            client = Client(scheduler)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        with client:
            yield client
        return
    if workers < 1:
        raise SchedulerError("a local cluster needs at least one worker")
    try:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                               memory_limit=memory_limit, dashboard_address=":0")
    except (OSError, ValueError, TypeError) as exc:
        raise SchedulerError(f"cannot start a local Dask cluster: {exc}") from None
    with cluster, Client(cluster) as client:
        yield client
