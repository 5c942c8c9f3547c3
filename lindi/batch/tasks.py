"""The per-input work run on a Dask worker: convert or validate one input, return its record.

A task never raises for a bad input: every problem becomes a ``failed`` record
whose reason names the input, and ``retryable`` says whether trying again may
help (I/O and network trouble, memory) or not (not HDF5, invalid output).
Nothing but the small record travels back to the client, and the converter
streams chunk refs without holding datasets, so a worker's memory stays bounded
by the size of one file's metadata.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from ..backends.urls import is_local, redact_url
from ..conversion import LindiH5ZarrStoreOpts, SourceOpenError
from ..errors import LindiError, RemoteError
from ..validation import ValidationReport, ValidationSourceError, validate
from .records import ResultRecord, Status
from .uptodate import done_by_output, done_by_record, input_fingerprint


@dataclass(frozen=True)
class BatchJob:
    """One input: where it is, where its output goes (None when validating), its last record."""

    location: str
    output: str | None = None
    previous: ResultRecord | None = None

    def record(self, status: Status = "ok", **values: Any) -> ResultRecord:
        """A record for this input (the URL redacted: records never carry credentials)."""
        return ResultRecord(input=redact_url(self.location), output=self.output, status=status, **values)


def convert_one(job: BatchJob, opts: LindiH5ZarrStoreOpts) -> ResultRecord:
    """Convert ``job.location`` to ``job.output`` (atomically) and validate it, unless already done."""
    from ..conversion.h5_zarr_store import LindiH5ZarrStore

    if job.output is None:
        raise ValueError("a conversion job needs an output path")
    start = time.perf_counter()
    location, output, previous = job.location, job.output, job.previous
    record = job.record()
    try:
        record.fingerprint = input_fingerprint(location)
        if done_by_record(previous, record.fingerprint, output):
            _skip(record, "unchanged since the last run", previous)
        elif done_by_output(location, output):
            _skip(record, "output newer than input and valid", previous)
        else:
            os.makedirs(os.path.dirname(output), exist_ok=True)
            # refs to a URL input never carry its credentials (signed query parameters)
            url = None if is_local(location) else redact_url(location)
            with LindiH5ZarrStore.from_file(location, opts=opts, url=url) as store:
                store.write_reference_file_system(output)
                report = store.report
            record.chunks = report.chunks_referenced
            record.unsupported = [{"path": u.path, "reason": u.reason} for u in report.unsupported]
            result = validate(output)
            if not result.valid:
                os.unlink(output)  # only valid documents are left in the output folder
                record.status, record.reason = "failed", "output failed validation: " + _first_error(result)
            else:
                record.output_bytes = os.path.getsize(output)
    except Exception as exc:  # one bad input must never stop the run: it becomes its record
        _fail(record, exc)
    record.seconds = time.perf_counter() - start
    return record


def validate_one(job: BatchJob, max_errors: int = 1000) -> ResultRecord:
    """Validate the document at ``job.location``, unless an earlier run found this version valid."""
    start = time.perf_counter()
    location, previous = job.location, job.previous
    record = job.record()
    try:
        record.fingerprint = input_fingerprint(location)
        if done_by_record(previous, record.fingerprint, None):
            _skip(record, "unchanged since the last run", previous)
        else:
            result = validate(location, max_errors=max_errors)
            if result.valid:
                record.reason = f"{len(result.warnings)} warnings" if result.warnings else ""
            else:
                record.status, record.reason = "failed", "invalid: " + _first_error(result)
    except Exception as exc:  # see convert_one
        _fail(record, exc)
    record.seconds = time.perf_counter() - start
    return record


def failure_reason(exc: BaseException) -> tuple[str, bool]:
    """``(reason, retryable)`` for an exception raised while working on one input."""
    if isinstance(exc, FileNotFoundError):
        return f"input missing: {exc.filename or exc}", False
    if isinstance(exc, SourceOpenError):
        return str(exc), False
    if isinstance(exc, (RemoteError, ValidationSourceError)):
        return str(exc), True
    if isinstance(exc, LindiError):
        return str(exc), False
    if isinstance(exc, (OSError, MemoryError)):
        return f"{type(exc).__name__}: {exc}", True
    return f"internal error {type(exc).__name__}: {exc}", False


def _skip(record: ResultRecord, reason: str, previous: ResultRecord | None) -> None:
    record.status, record.reason = "skipped", reason
    if record.output is not None:
        record.output_bytes = os.path.getsize(record.output)
    if previous is not None and previous.status != "failed":
        record.chunks, record.unsupported = previous.chunks, previous.unsupported


def _fail(record: ResultRecord, exc: BaseException) -> None:
    record.status = "failed"
    record.reason, record.retryable = failure_reason(exc)


def _first_error(report: ValidationReport) -> str:
    first = report.errors[0]
    more = f" (+{len(report.errors) - 1} more)" if len(report.errors) > 1 else ""
    return f"{first.code} at {first.pointer or '/'}: {first.message}{more}"
