"""Result records of a batch run: one per input, kept as JSON lines, plus the human summary.

The results file is appended to as records arrive (a crash loses nothing already
done) and rewritten atomically at the end with exactly one record per input.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from typing import IO, Any, Literal

from .. import strict_json
from .._atomic import atomic_file
from ..errors import DocumentError
from .errors import BatchUsageError

Status = Literal["ok", "failed", "skipped"]
STATUSES: tuple[Status, ...] = ("ok", "failed", "skipped")


@dataclass
class ResultRecord:
    """What happened to one input.

    ``fingerprint`` identifies the input version (size and mtime, or size for a URL)
    so that a rerun can skip it; ``retryable`` tells the driver a retry may help;
    ``unsupported`` lists objects the converter left out, as ``{"path", "reason"}``.
    """

    input: str
    output: str | None
    status: Status
    reason: str = ""
    seconds: float = 0.0
    output_bytes: int | None = None
    chunks: int | None = None
    unsupported: list[dict[str, str]] = field(default_factory=list)
    attempts: int = 1
    fingerprint: dict[str, int] | None = None
    retryable: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> ResultRecord:
        """A record from its JSON form; raises ValueError when it is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("input"), str) or data.get("status") not in STATUSES:
            raise ValueError("not a result record")
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def load_records(path: str) -> dict[str, ResultRecord]:
    """The last record per input in the results file at ``path`` (none if it does not exist).

    Unreadable lines (a line cut short by a crash) are ignored; a non-empty file
    without a single record is refused, so a wrong ``--jsonl`` is never overwritten.
    """
    try:
        with open(path, encoding="utf-8") as fp:
            lines = fp.read().splitlines()
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise BatchUsageError(f"cannot read results file {path}: {exc}") from None
    records: dict[str, ResultRecord] = {}
    for line in lines:
        try:
            record = ResultRecord.from_dict(strict_json.loads(line, source=path))
        except (DocumentError, ValueError, TypeError):
            continue
        records[record.input] = record
    if not records and any(line.strip() for line in lines):
        raise BatchUsageError(f"{path} holds no LINDI result records; refusing to overwrite it")
    return records


class ResultsLog:
    """Append-as-you-go JSONL results file; :meth:`finalize` leaves one line per input."""

    def __init__(self, path: str):
        self.path = os.path.abspath(path)
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self._fp: IO[str] | None = open(self.path, "a", encoding="utf-8")

    def append(self, record: ResultRecord) -> None:
        if self._fp is not None:
            self._fp.write(strict_json.dumps(record.to_dict()) + "\n")
            self._fp.flush()

    def finalize(self, records: Iterable[ResultRecord]) -> None:
        """Replace the file atomically by exactly ``records``."""
        self.close()
        write_jsonl(self.path, records)

    def close(self) -> None:
        if self._fp is not None:
            self._fp.close()
            self._fp = None


def write_jsonl(path: str, records: Iterable[ResultRecord]) -> None:
    """Write ``records`` as JSON lines atomically (temp file + rename)."""
    with atomic_file(path, encoding="utf-8") as fp:
        for record in records:
            fp.write(strict_json.dumps(record.to_dict()) + "\n")


def summarize(records: list[ResultRecord], seconds: float, *, verb: str) -> str:
    """Counts, throughput and every failure with its reason, for people."""
    counts = {s: sum(r.status == s for r in records) for s in STATUSES}
    done = counts["ok"]
    chunks = sum(r.chunks or 0 for r in records if r.status == "ok")
    retried = sum(r.attempts > 1 for r in records)
    rate = f"{done / seconds:.2f} files/s" if seconds > 0 else "n/a"
    if seconds > 0 and any(r.chunks is not None for r in records):
        rate += f", {chunks / seconds:.0f} chunks/s"
    lines = [f"{verb} {len(records)} inputs in {seconds:.1f} s: {counts['ok']} ok, {counts['skipped']} skipped "
             f"(up to date), {counts['failed']} failed; {retried} retried; {rate}"]
    for r in records:
        if r.status == "failed":
            lines.append(f"  FAILED {r.input}: {r.reason} (attempts {r.attempts})")
        elif r.unsupported:
            lines.append(f"  {r.input}: {len(r.unsupported)} unsupported objects, e.g. "
                         f"{r.unsupported[0]['path']}: {r.unsupported[0]['reason']}")
    return "\n".join(lines)
