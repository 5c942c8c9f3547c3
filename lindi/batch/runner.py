"""Running tasks on Dask: submit one future per input, show progress as they complete, retry failures.

A failed record marked ``retryable`` (or a future that errored, e.g. its worker
died) is resubmitted, at most ``retries`` more times; the final record carries
the number of attempts.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from .records import ResultRecord
from .tasks import BatchJob

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

TaskFunction = Callable[..., ResultRecord]


def run_tasks(client: Client, fn: TaskFunction, jobs: Sequence[BatchJob], extra: tuple[Any, ...] = (), *,
              retries: int = 2, progress: bool = False, desc: str = "files",
              on_record: Callable[[ResultRecord], None] | None = None) -> list[ResultRecord]:
    """Run ``fn(job, *extra)`` for every job on ``client``; records in job order."""
    from distributed import as_completed

    pending = {client.submit(fn, job, *extra, pure=False): i for i, job in enumerate(jobs)}
    attempts = [1] * len(jobs)
    results: list[ResultRecord | None] = [None] * len(jobs)
    completed = as_completed(pending)
    with tqdm(total=len(jobs), desc=desc, unit=" files", disable=not progress) as bar:
        for future in completed:
            i = pending.pop(future)
            record = _record_of(future, jobs[i])
            future.release()
            if record.status == "failed" and record.retryable and attempts[i] <= retries:
                attempts[i] += 1
                again = client.submit(fn, jobs[i], *extra, pure=False)
                pending[again] = i
                completed.add(again)
                bar.set_postfix(retries=sum(attempts) - len(jobs), refresh=False)
                continue
            record.attempts = attempts[i]
            results[i] = record
            if on_record is not None:
                on_record(record)
            bar.update()
    return [r for r in results if r is not None]


def _record_of(future: Any, job: BatchJob) -> ResultRecord:
    """The task's record, or a retryable failure when the task itself did not finish."""
    try:
        return future.result()
    except Exception as exc:  # a lost worker (KilledWorker), a cancelled future, a task that raised
        return job.record("failed", reason=f"task did not finish: {type(exc).__name__}: {exc}", retryable=True)
