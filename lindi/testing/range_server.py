"""``RangeServer``: an HTTP server on 127.0.0.1 that serves byte ranges and misbehaves on request.

It serves a directory and/or in-memory blobs with single-range ``Range``
support (206, ``Content-Range``, 416 past the end, ``HEAD``), counts requests
and body bytes, adds latency per request, and injects faults for the next N
matching requests:

``status``        answer with ``status`` (e.g. 503, 429, 404) and a short text body
``reset``         close the connection with a TCP reset before answering
``truncate``      promise the full ``Content-Length`` but hang up half-way
``ignore_range``  answer 200 with the whole object
``short``         a consistent 206 whose body lacks its last byte (Content-Range still claims it)
``long``          a 206 with one extra byte of body
``html``          200 ``text/html`` error page instead of bytes
``slow``          sleep ``delay`` seconds before answering (for client timeouts)

``redirect(name, location)`` makes ``/name`` answer with a redirect, and
``host`` binds another loopback address (``127.0.0.2`` stands in for a private
server in URL policy tests).
"""
from __future__ import annotations

import mmap
import os
import re
import socket
import struct
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from ._server import KeepAliveHandler, ServerThread

FAULT_MODES = frozenset({"status", "reset", "truncate", "ignore_range", "short", "long", "html", "slow"})
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass
class Fault:
    """A fault applied to the next ``count`` requests whose path starts with ``path``."""

    mode: str
    count: int = 1
    status: int = 503
    delay: float = 0.0
    path: str = ""


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it."""

    method: str
    path: str
    range: str | None
    headers: dict[str, str] = field(default_factory=dict)


class RangeServer:
    """Serve ``root`` (a directory) and ``blobs`` (name -> bytes) over HTTP on 127.0.0.1.

    Usable as a context manager; ``url_for(name)`` gives an object's URL.
    ``latency`` (seconds) is added to every request.
    """

    def __init__(self, root: str | os.PathLike[str] | None = None, blobs: Mapping[str, bytes] | None = None,
                 *, latency: float = 0.0, port: int = 0, host: str = "127.0.0.1"):
        self.root = Path(root).resolve() if root is not None else None
        self._blobs: dict[str, bytes] = dict(blobs or {})
        self.latency = latency
        self._faults: list[Fault] = []
        self._redirects: dict[str, tuple[int, str]] = {}
        self._lock = threading.Lock()
        self.requests = 0
        self.bytes_sent = 0
        self.log: list[RequestRecord] = []
        self._thread = ServerThread(_RangeHandler, self, host=host, port=port)

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> RangeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._thread.stop()

    def __enter__(self) -> RangeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:40123``."""
        return self._thread.base_url

    def url_for(self, name: str) -> str:
        return f"{self.url}/{quote(name.lstrip('/'))}"

    # -- content and faults -----------------------------------------------------------------

    def put(self, name: str, data: bytes) -> str:
        """Serve ``data`` at ``/name``; returns its URL."""
        with self._lock:
            self._blobs[name.lstrip("/")] = bytes(data)
        return self.url_for(name)

    def redirect(self, name: str, location: str, status: int = 302) -> str:
        """Answer requests for ``/name`` with ``status`` and ``Location: location``; returns its URL."""
        with self._lock:
            self._redirects[name.lstrip("/")] = (status, location)
        return self.url_for(name)

    def inject(self, mode: str, count: int = 1, *, status: int = 503, delay: float = 0.0, path: str = "") -> None:
        """Misbehave on the next ``count`` requests under ``path`` (see the module doc for modes)."""
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}; known: {sorted(FAULT_MODES)}")
        with self._lock:
            self._faults.append(Fault(mode, count, status, delay, "/" + path.lstrip("/") if path else ""))

    def fail_next(self, count: int, status: int = 503, path: str = "") -> None:
        """Shorthand for ``inject("status", count, status=status)``."""
        self.inject("status", count, status=status, path=path)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def reset_stats(self) -> None:
        with self._lock:
            self.requests = 0
            self.bytes_sent = 0
            self.log.clear()

    # -- used by the handler ----------------------------------------------------------------

    def _record(self, rec: RequestRecord) -> Fault | None:
        with self._lock:
            self.requests += 1
            self.log.append(rec)
            for fault in self._faults:
                if fault.count > 0 and rec.path.startswith(fault.path):
                    fault.count -= 1
                    return fault
        return None

    def _count_bytes(self, n: int) -> None:
        with self._lock:
            self.bytes_sent += n

    def _content(self, path: str) -> bytes | mmap.mmap | None:
        name = unquote(path).lstrip("/")
        with self._lock:
            if name in self._blobs:
                return self._blobs[name]
        if self.root is None:
            return None
        target = (self.root / name).resolve()
        if self.root not in target.parents or not target.is_file():
            return None
        with open(target, "rb") as fp:  # mapped, not read: a range of a large file costs only that range
            size = os.fstat(fp.fileno()).st_size
            return mmap.mmap(fp.fileno(), 0, access=mmap.ACCESS_READ) if size else b""


class _RangeHandler(KeepAliveHandler):
    server_version = "LindiRangeServer/1"

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the server keeps its own log."""

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        owner: RangeServer = self.server.owner  # type: ignore[attr-defined]
        path = urlsplit(self.path).path
        fault = owner._record(RequestRecord(self.command, path, self.headers.get("Range"), dict(self.headers)))
        if owner.latency:
            time.sleep(owner.latency)
        if fault is not None and fault.mode == "slow":
            time.sleep(fault.delay)
        if fault is not None and fault.mode == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if fault is not None and fault.mode == "status":
            return self._send(fault.status, f"injected failure {fault.status}\n".encode(), head=head)
        redirect = owner._redirects.get(unquote(path).lstrip("/"))
        if redirect is not None:
            # non-ASCII goes out as raw UTF-8 bytes, as a careless or hostile server would send it
            location = redirect[1].encode("utf-8", "surrogatepass").decode("latin-1")
            return self._send(redirect[0], b"", head=head, extra={"Location": location})
        data = owner._content(path)
        if data is None:
            return self._send(404, b"not found\n", head=head)
        if fault is not None and fault.mode == "html":
            page = b"<!DOCTYPE html><html><body><h1>Service unavailable</h1></body></html>"
            return self._send(200, page, head=head, ctype="text/html; charset=utf-8")
        rng = self._parse_range(self.headers.get("Range"), len(data))
        if isinstance(rng, str):  # "unsatisfiable"
            return self._send(416, b"", head=head, extra={"Content-Range": f"bytes */{len(data)}"})
        if rng is None or (fault is not None and fault.mode == "ignore_range"):
            return self._send(200, data, head=head, extra={"Accept-Ranges": "bytes"})
        start, end = rng
        body = data[start:end + 1]
        extra = {"Content-Range": f"bytes {start}-{end}/{len(data)}", "Accept-Ranges": "bytes"}
        if fault is not None and fault.mode == "short":
            body = body[:-1]
        elif fault is not None and fault.mode == "long":
            body = body + b"\0"
        elif fault is not None and fault.mode == "truncate":
            return self._send(206, body, head=head, extra=extra, cut=True)
        self._send(206, body, head=head, extra=extra)

    @staticmethod
    def _parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
        """``(start, end)`` inclusive, ``"unsatisfiable"``, or ``None`` (no/unsupported Range: whole object)."""
        if not header:
            return None
        m = _RANGE.match(header.strip())
        if not m or (not m.group(1) and not m.group(2)):
            return None
        if not m.group(1):  # suffix range: last n bytes
            n = int(m.group(2))
            return "unsatisfiable" if n == 0 or size == 0 else (max(0, size - n), size - 1)
        start = int(m.group(1))
        end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
        if start >= size or end < start:
            return "unsatisfiable"
        return start, end

    def _send(self, status: int, body: bytes | mmap.mmap, *, head: bool, ctype: str = "application/octet-stream",
              extra: Mapping[str, str] | None = None, cut: bool = False) -> None:
        owner: RangeServer = self.server.owner  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if head:
            return
        payload = body[: len(body) // 2] if cut else body
        # Count before writing: a client may return (and a test read the counter) as soon as the body arrives.
        owner._count_bytes(len(payload))
        self.wfile.write(payload)
        if cut:
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
