"""The futures loop: retries until a task succeeds, tasks that raise, and what is never retried."""
from __future__ import annotations

from pathlib import Path

from lindi.batch.records import ResultRecord
from lindi.batch.runner import run_tasks
from lindi.batch.tasks import BatchJob


def fails_until_third_attempt(job: BatchJob) -> ResultRecord:
    """Fails (retryably) twice per input, counting attempts in a file next to it."""
    counter = Path(job.location + ".attempts")
    n = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(n))
    if n < 3:
        return job.record("failed", reason=f"flaky #{n}", retryable=True)
    return job.record("ok")


def raises(job: BatchJob) -> ResultRecord:
    raise RuntimeError(f"worker trouble with {job.location}")


def permanent(job: BatchJob) -> ResultRecord:
    return job.record("failed", reason="not HDF5", retryable=False)


def test_retryable_failures_are_resubmitted_until_they_succeed(tmp_path, client):
    jobs = [BatchJob(str(tmp_path / f"f{i}")) for i in range(4)]
    seen: list[ResultRecord] = []
    records = run_tasks(client, fails_until_third_attempt, jobs, retries=2, on_record=seen.append)
    assert [(r.status, r.attempts) for r in records] == [("ok", 3)] * 4
    assert sorted(r.input for r in seen) == [j.location for j in jobs]  # one callback per input, not per try


def test_retries_are_bounded(tmp_path, client):
    records = run_tasks(client, fails_until_third_attempt, [BatchJob(str(tmp_path / "f"))], retries=1)
    assert (records[0].status, records[0].attempts, records[0].reason) == ("failed", 2, "flaky #2")


def test_a_task_that_raises_becomes_a_retried_failure(client):
    [record] = run_tasks(client, raises, [BatchJob("/x/in.h5", "/x/out.json")], retries=2)
    assert record.status == "failed" and record.attempts == 3 and record.output == "/x/out.json"
    assert record.reason == "task did not finish: RuntimeError: worker trouble with /x/in.h5"


def test_permanent_failures_are_not_retried(client):
    [record] = run_tasks(client, permanent, [BatchJob("/x/in.h5")], retries=5)
    assert (record.status, record.attempts) == ("failed", 1)
