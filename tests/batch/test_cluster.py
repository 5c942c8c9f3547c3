"""Dask client set-up: worker memory limits and clear errors when a cluster cannot be had."""
from __future__ import annotations

import pytest

from lindi.batch import SchedulerError
from lindi.batch.cluster import dask_client


def test_local_workers_get_the_memory_limit_and_one_thread():
    with dask_client(workers=2, processes=False, memory_limit="300MiB") as client:
        workers = client.scheduler_info()["workers"].values()
        assert [(w["memory_limit"], w["nthreads"]) for w in workers] == [(300 * 2**20, 1)] * 2


@pytest.mark.parametrize("kwargs, message", [
    ({"memory_limit": "lots"}, "cannot start a local Dask cluster"),
    ({"workers": 0}, "at least one worker"),
])
def test_bad_local_cluster_settings(kwargs, message):
    with pytest.raises(SchedulerError, match=message):
        with dask_client(processes=False, **kwargs):
            pass
