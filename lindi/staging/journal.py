"""The publish journal: which source ranges already have a blob at the destination.

One JSON object per line, appended and flushed after each blob is stored, so
a publish killed at any point knows on rerun what it need not read or send
again. The first line names the destination; a journal for another
destination is ignored. A torn last line (killed mid-write) is ignored too.
The journal is deleted once the document itself is published.
"""
from __future__ import annotations

import json
import os
import threading
from typing import IO

from ..backends.local import describe_os_error
from .errors import PublishError
from .refs import LocalRange

FORMAT = 1


class Journal:
    """Append-only record ``LocalRange -> destination URL`` for one destination."""

    def __init__(self, path: str | None, destination: str):
        self.path = path
        self.destination = destination
        self.done: dict[LocalRange, str] = {}
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        if path is not None:
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        try:
            with open(self.path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise PublishError(f"cannot read the publish journal {self.path}: {describe_os_error(exc)}") from None
        try:
            header = json.loads(lines[0]) if lines else {}
        except ValueError:
            header = {}
        if header.get("lindi_publish_journal") != FORMAT or header.get("destination") != self.destination:
            return
        for line in lines[1:]:
            try:
                entry = json.loads(line)
                path, offset, length = entry["r"]
                self.done[LocalRange(path, int(offset), int(length))] = str(entry["u"])
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by a kill

    def record(self, r: LocalRange, digest: str, url: str) -> None:
        """Note that ``r`` (bytes with ``digest``) is stored at ``url``; durable against a process kill."""
        with self._lock:
            self.done[r] = url
            if self.path is None:
                return
            try:
                if self._file is None:
                    fresh = not self._resumable()
                    self._file = open(self.path, "w" if fresh else "a", encoding="utf-8")
                    if fresh:
                        self._write({"lindi_publish_journal": FORMAT, "destination": self.destination})
                self._write({"r": [r.path, r.offset, r.length], "d": digest, "u": url})
            except OSError as exc:
                raise PublishError(f"cannot write the publish journal {self.path}: {describe_os_error(exc)}"
                                   ) from None

    def _resumable(self) -> bool:
        """Whether the file on disk is this destination's journal (so appending continues it)."""
        return bool(self.done) and self.path is not None and os.path.exists(self.path)

    def _write(self, obj: dict) -> None:
        assert self._file is not None
        self._file.write("\n" + json.dumps(obj) if self._file.tell() else json.dumps(obj))
        self._file.flush()

    def close(self, *, finished: bool) -> None:
        """Close the file; delete it when the publish ``finished`` (nothing left to resume)."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
            if finished and self.path is not None:
                try:
                    os.unlink(self.path)
                except FileNotFoundError:
                    pass
