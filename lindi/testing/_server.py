"""Lifecycle of a threaded ``http.server`` on 127.0.0.1: start, bounded readiness wait, stop."""
from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def wait_for_port(host: str, port: int, timeout: float = 10.0) -> None:
    """Poll until a TCP connect to ``host:port`` succeeds, at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"nothing listening on {host}:{port} after {timeout} s") from None
            time.sleep(0.02)


def free_port(host: str = "127.0.0.1") -> int:
    """A currently free TCP port (for servers that cannot bind port 0 themselves)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops the SYNs of a burst of concurrent connections, which
    # then wait a 1 s TCP retransmit: a cost no real object store adds
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (resets are a test feature) are not an error worth printing."""


class KeepAliveHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with kept-alive connections, answered as promptly as a real server.

    Headers and body go out in two writes: with Nagle's algorithm on, a kept-alive connection would wait
    for the client's delayed ACK (about 40 ms) before the body, a cost no real server adds.
    """

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True


class ServerThread:
    """Runs ``handler_class`` (which may read ``self.server.owner``) in a background thread."""

    def __init__(self, handler_class: type[BaseHTTPRequestHandler], owner: object, host: str = "127.0.0.1",
                 port: int = 0):
        self._handler_class = handler_class
        self._owner = owner
        self.host = host
        self._port = port
        self._server: _QuietServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("server is not running")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        if self._server is not None:
            return
        server = _QuietServer((self.host, self._port), self._handler_class)
        server.owner = self._owner  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"lindi-test-server-{self.port}", daemon=True)
        self._thread.start()
        wait_for_port(self.host, self.port)

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
