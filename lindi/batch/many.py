"""``convert_many`` and ``validate_many``: a whole archive, one Dask task per input.

Each run expands its inputs, pairs them with outputs and earlier records,
runs the tasks (on a client given, a scheduler address, or a local cluster),
and keeps the results file up to date as records arrive.
"""
from __future__ import annotations

import functools
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..backends.urls import is_local, local_path, redact_url
from ..conversion import LindiH5ZarrStoreOpts
from .cluster import dask_client
from .errors import BatchUsageError
from .inputs import LINDI_SUFFIX, expand_inputs, plan_outputs
from .records import STATUSES, ResultRecord, ResultsLog, load_records, summarize
from .runner import TaskFunction, run_tasks
from .tasks import BatchJob, convert_one, validate_one

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

#: Name of the results file ``convert_many`` keeps in the output folder unless told otherwise.
DEFAULT_RESULTS_NAME = "lindi-convert-results.jsonl"


@dataclass
class BatchResult:
    """The records of a run (one per input, in input order) and its wall time."""

    records: list[ResultRecord]
    seconds: float
    verb: str

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(r.status == s for r in self.records) for s in STATUSES}

    @property
    def exit_code(self) -> int:
        """0 when every input is ok or skipped, 1 when any failed."""
        return 1 if self.counts["failed"] else 0

    def summary(self) -> str:
        return summarize(self.records, self.seconds, verb=self.verb)


@dataclass(frozen=True)
class ClusterOptions:
    """Where the tasks run: an existing ``client``, a ``scheduler`` address, or a new local cluster."""

    client: Client | None = None
    scheduler: str | None = None
    workers: int = 2
    memory_limit: str | int | None = "auto"
    processes: bool = True


def convert_many(inputs: str | Sequence[str], out_dir: str | os.PathLike[str], *,
                 opts: LindiH5ZarrStoreOpts | None = None, jsonl: str | os.PathLike[str] | None = None,
                 retries: int = 2, cluster: ClusterOptions = ClusterOptions(),
                 progress: bool = False) -> BatchResult:
    """Convert every input (manifest path, glob, or list of paths/URLs) into ``out_dir``.

    Outputs are ``<name>.lindi.json`` (see :func:`lindi.batch.inputs.plan_outputs`);
    the results file defaults to ``out_dir/lindi-convert-results.jsonl`` and is what
    lets a rerun skip unchanged inputs.
    """
    out_dir = os.path.abspath(os.fspath(out_dir))
    results = os.path.abspath(os.fspath(jsonl)) if jsonl else os.path.join(out_dir, DEFAULT_RESULTS_NAME)
    locations = [loc for loc in _locations(inputs, exclude_suffix=LINDI_SUFFIX) if loc != results]
    if not locations:
        raise BatchUsageError("no inputs to convert")
    outputs = plan_outputs(locations, out_dir)
    return _run(convert_one, locations, outputs, (opts or LindiH5ZarrStoreOpts(),), results=results,
                retries=retries, cluster=cluster, progress=progress, verb="converted")


def validate_many(inputs: str | Sequence[str], *, max_errors: int = 1000,
                  jsonl: str | os.PathLike[str] | None = None, retries: int = 2,
                  cluster: ClusterOptions = ClusterOptions(), progress: bool = False) -> BatchResult:
    """Validate every document named by ``inputs``; with ``jsonl``, a rerun skips documents found valid."""
    locations = _locations(inputs)
    if not locations:
        raise BatchUsageError("no inputs to validate")
    results = os.path.abspath(os.fspath(jsonl)) if jsonl else None
    return _run(validate_one, locations, [None] * len(locations), (max_errors,), results=results,
                retries=retries, cluster=cluster, progress=progress, verb="validated")


def _locations(inputs: str | Sequence[str], *, exclude_suffix: str | None = None) -> list[str]:
    if isinstance(inputs, (str, os.PathLike)):
        return expand_inputs(os.fspath(inputs), exclude_suffix=exclude_suffix)
    return list(dict.fromkeys(os.path.abspath(local_path(i)) if is_local(i) else i for i in map(os.fspath, inputs)))


def _run(fn: TaskFunction, locations: list[str], outputs: Sequence[str | None], extra: tuple[Any, ...], *,
         results: str | None, retries: int, cluster: ClusterOptions, progress: bool, verb: str) -> BatchResult:
    if retries < 0:
        raise BatchUsageError("retries must be >= 0")
    previous = load_records(results) if results else {}
    jobs = [BatchJob(loc, out, previous.get(redact_url(loc))) for loc, out in zip(locations, outputs)]
    log = ResultsLog(results) if results else None
    start = time.perf_counter()
    try:
        run = functools.partial(run_tasks, retries=retries, progress=progress, desc=verb,
                                on_record=log.append if log else None)
        if cluster.client is not None:
            records = run(cluster.client, fn, jobs, extra)
        else:
            with dask_client(cluster.scheduler, workers=cluster.workers, memory_limit=cluster.memory_limit,
                             processes=cluster.processes) as client:
                records = run(client, fn, jobs, extra)
    finally:
        if log is not None:
            log.close()
    if log is not None:
        log.finalize(records)
    return BatchResult(records, time.perf_counter() - start, verb)
