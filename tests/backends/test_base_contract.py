"""The Backend base verifies and retries for ANY plugin: a plugin's fetch_range only fetches.

The plugin here is written from scratch on the standard library's urllib (no
LINDI HTTP code), as a third party would, and reads from the real RangeServer
on 127.0.0.1. Its faults come from the server (short or long bodies, ignored
ranges, HTML pages, 503s) or from deliberate plugin bugs (asking for the wrong
range, dropping headers); the base must catch every one of them.
"""
from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Sequence

import pytest

from lindi.backends import Backend, RangeResponse, Transient
from lindi.backends.retry import RETRY_STATUSES
from lindi.errors import IntegrityError, RemoteError

from .conftest import FAST_RETRY

DATA = bytes(range(256)) * 40
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy


class UrllibBackend(Backend):
    """A minimal plugin: one GET per fetch, no checks, no retries.

    ``range_shift`` simulates an off-by-N bug in the plugin; ``report`` picks
    what it tells the base: ``"all"`` (status and headers), ``"content_range"``
    (no status), ``"nothing"`` (body only, like a cloud SDK).
    """

    name = "urllib-contract"

    def __init__(self, *, range_shift: int = 0, report: str = "all"):
        super().__init__({"retry": FAST_RETRY})
        self.range_shift = range_shift
        self.report = report
        self.fetches = 0

    def prefixes(self) -> Sequence[str]:
        return ("http://127.0.0.1",)

    def fetch_range(self, url: str, offset: int, length: int) -> RangeResponse:
        self.fetches += 1
        start = offset + self.range_shift
        request = urllib.request.Request(url, headers={"Range": f"bytes={start}-{start + length - 1}"})
        try:
            with _OPENER.open(request, timeout=5) as resp:
                body = resp.read(length + 1)
                status, headers = resp.status, resp.headers
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code in RETRY_STATUSES:
                raise Transient(f"HTTP {exc.code}", url=url) from None
            raise RemoteError(f"HTTP {exc.code}", url=url) from None
        except (OSError, urllib.error.URLError) as exc:
            raise Transient(f"network error: {exc}", url=url) from None
        if self.report == "nothing":
            return RangeResponse(body)
        if self.report == "content_range":
            return RangeResponse(body, content_range=headers.get("Content-Range"))
        return RangeResponse(body, status=status, content_range=headers.get("Content-Range"),
                             content_type=headers.get("Content-Type"))

    def size(self, url: str) -> int:
        return len(DATA)


@pytest.fixture
def served(fresh_range_server):
    return fresh_range_server, fresh_range_server.put("f.bin", DATA)


def test_an_honest_plugin_reads_exact_ranges(served):
    _server, url = served
    backend = UrllibBackend()
    assert backend.read_range(url, 100, 50) == DATA[100:150]
    assert backend.read_ranges([(url, 5, 3), (url, 0, 2)]) == [DATA[5:8], DATA[0:2]]


@pytest.mark.parametrize("report", ["all", "nothing"])
def test_short_body_is_caught_by_the_base(served, report):
    server, url = served
    server.inject("short")
    with pytest.raises(IntegrityError, match="short body: got 49 bytes, expected 50") as info:
        UrllibBackend(report=report).read_range(url, 100, 50)
    assert "f.bin" in str(info.value) and "100, 50" in str(info.value)


def test_long_body_is_caught_by_the_base(served):
    server, url = served
    server.inject("long")
    with pytest.raises(IntegrityError, match="long body: got 51\\+ bytes"):
        UrllibBackend().read_range(url, 100, 50)


@pytest.mark.parametrize("report", ["all", "content_range"])
def test_a_wrong_content_range_is_caught_by_the_base(served, report):
    """The plugin asks for the wrong bytes; the length is right, the Content-Range gives it away."""
    _server, url = served
    backend = UrllibBackend(range_shift=1, report=report)
    with pytest.raises(IntegrityError, match="server sent range 'bytes 101-150/10240', asked for bytes 100-149"):
        backend.read_range(url, 100, 50)
    assert backend.fetches == 1, "an integrity failure is final, never retried"


def test_a_200_is_accepted_only_for_the_whole_object(served):
    server, url = served
    server.inject("ignore_range", 2)
    backend = UrllibBackend()
    assert backend.read_range(url, 0, len(DATA)) == DATA
    with pytest.raises(IntegrityError, match="ignored the Range header"):
        backend.read_range(url, 10, 20)


def test_an_html_error_page_is_caught_by_the_base(served):
    server, url = served
    server.inject("html")
    with pytest.raises(IntegrityError, match="HTML page"):
        UrllibBackend().read_range(url, 10, 20)


def test_transient_failures_are_retried_by_the_base(served):
    server, url = served
    server.fail_next(FAST_RETRY["max_attempts"] - 1, 503)
    backend = UrllibBackend()
    assert backend.read_range(url, 7, 9) == DATA[7:16]
    assert backend.fetches == FAST_RETRY["max_attempts"] and server.requests == FAST_RETRY["max_attempts"]


def test_retries_are_bounded_by_the_base(served):
    server, url = served
    server.fail_next(FAST_RETRY["max_attempts"] + 2, 503)
    backend = UrllibBackend()
    with pytest.raises(RemoteError, match=f"gave up after {FAST_RETRY['max_attempts']} attempt"):
        backend.read_range(url, 7, 9)
    assert backend.fetches == FAST_RETRY["max_attempts"]


def test_a_final_error_is_not_retried(served):
    _server, url = served
    backend = UrllibBackend()
    with pytest.raises(RemoteError, match="HTTP 404"):
        backend.read_range(url + ".missing", 0, 1)
    assert backend.fetches == 1


def test_a_plugin_cannot_bypass_the_checks_by_overriding_read_range():
    with pytest.raises(TypeError, match="overrides read_range; implement fetch_range"):
        class Unchecked(UrllibBackend):
            def read_range(self, url: str, offset: int, length: int) -> bytes:
                return b""
