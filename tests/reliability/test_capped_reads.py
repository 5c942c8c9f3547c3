"""Documents are read with a cap, not trusted sizes (issue 18, R5).

``/dev/zero`` has ``st_size`` 0 and never ends; a gzip-encoded HTTP response declares its compressed
length and inflates a thousandfold. Both must end in a LimitExceededError (``lindi validate``: exit
status 2 and one line) after reading little more than ``max_document_bytes``, measured in a fresh process
under an address-space limit so that a regression is a MemoryError, not a swapping machine.
"""
from __future__ import annotations

import gzip
import http.server
import os
import resource
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from .memory_probe import REPO, probe

MiB = 1024**2
CAP = {"LINDI_MAX_DOCUMENT_BYTES": str(32 * MiB)}
ADDRESS_SPACE = 768 * MiB


def _gzip_bomb(decoded: int) -> bytes:
    """Concatenated gzip members (one HTTP body) that inflate to ``decoded`` bytes of spaces."""
    member = gzip.compress(b" " * (16 * MiB), 9)
    return member * (decoded // (16 * MiB))


class _GzipHandler(http.server.BaseHTTPRequestHandler):
    body = b""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        try:
            self.wfile.write(self.body)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(scope="module")
def bomb_url() -> Iterator[str]:
    """http://127.0.0.1:PORT/bomb.lindi.json: 1 MiB on the wire, 1 GiB once decoded."""
    _GzipHandler.body = _gzip_bomb(1024 * MiB)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _GzipHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/bomb.lindi.json"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``lindi ARGS`` with this tree first on the path, under the address-space limit."""
    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * ADDRESS_SPACE, 2 * ADDRESS_SPACE))

    code = "import sys; from lindi.cli.main import main; sys.argv[0] = 'lindi'; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300,
                          cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO), **env), preexec_fn=limit_memory,
                          check=False)


def test_from_lindi_file_dev_zero_is_refused_after_the_cap():
    result = probe({"kind": "open", "path": "/dev/zero", "address_space": ADDRESS_SPACE}, env=CAP)
    assert result["outcome"] == "LimitExceededError", result
    assert "document too large (at least" in result["message"] and "/dev/zero" in result["message"]
    assert result["growth"] < 3 * 32 * MiB, result


def test_validate_dev_zero_exits_2_with_one_line():
    proc = _cli("validate", "/dev/zero", env=CAP)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "document too large" in lines[0] and "LINDI_MAX_DOCUMENT_BYTES" in lines[0], lines


def test_validate_url_counts_the_decoded_size(bomb_url):
    """A 1 MiB gzip-encoded response that inflates to 1 GiB: refused after 32 MiB, memory bounded."""
    result = probe({"kind": "validate", "path": bomb_url, "address_space": ADDRESS_SPACE}, env=CAP)
    assert result["outcome"] == "SourceTooLargeError", result
    assert "document too large" in result["message"] and bomb_url in result["message"]
    assert result["growth"] < 3 * 32 * MiB, result
    proc = _cli("validate", bomb_url, env=CAP)
    assert proc.returncode == 2 and "document too large" in proc.stderr, proc.stderr[-2000:]


def test_from_lindi_file_url_counts_the_decoded_size(bomb_url):
    result = probe({"kind": "open", "path": bomb_url, "address_space": ADDRESS_SPACE}, env=CAP)
    assert result["outcome"] == "LimitExceededError", result
    assert result["growth"] < 3 * 32 * MiB, result


def test_validate_gzip_encoded_document_that_fits(tmp_path):
    """The cap is on the decoded size, and an encoded document within it validates."""
    from lindi.validation import validate

    text = b'{"version": 1, "lindi_spec": "1.0", "refs": {".zgroup": {"zarr_format": 2}}}'
    _GzipHandler.body = gzip.compress(text)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _GzipHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        report = validate(f"http://127.0.0.1:{server.server_address[1]}/small.lindi.json")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert report.valid, report.errors
