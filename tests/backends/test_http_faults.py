"""The HTTP backend against a misbehaving RangeServer: retries, verification, clear errors."""
from __future__ import annotations

import time

import pytest

from lindi.backends.http import HttpBackend
from lindi.errors import IntegrityError, RemoteError

from .conftest import FAST_RETRY

DATA = bytes(range(256)) * 40


@pytest.fixture
def setup(fresh_range_server):
    url = fresh_range_server.put("f.bin", DATA)
    backend = HttpBackend({"retry": FAST_RETRY, "read_timeout": 0.5})
    yield fresh_range_server, backend, url
    backend.close()


@pytest.mark.parametrize("mode", ["reset", "truncate", "status"])
def test_transient_faults_are_retried(setup, mode):
    server, backend, url = setup
    server.inject(mode, 2, status=503)
    assert backend.read_range(url, 100, 50) == DATA[100:150]
    assert server.requests == 3


@pytest.mark.parametrize("status", [429, 500, 502, 504])
def test_retry_statuses(setup, status):
    server, backend, url = setup
    server.fail_next(1, status)
    assert backend.read_range(url, 0, 10) == DATA[:10]
    assert server.requests == 2


def test_retries_are_bounded_and_error_names_url_and_ref(setup):
    server, backend, url = setup
    server.fail_next(100, 503)
    with pytest.raises(RemoteError) as info:
        backend.read_range(url, 5, 7)
    msg = str(info.value)
    assert "gave up after 4 attempt(s)" in msg and url in msg and f"{url}', 5, 7]" in msg
    assert server.requests == 4


@pytest.mark.parametrize("mode,phrase", [("ignore_range", "ignored the Range"), ("short", "short body"),
                                         ("long", "long body"), ("html", "HTML page")])
def test_wrong_bytes_never_returned(setup, mode, phrase):
    server, backend, url = setup
    server.inject(mode)
    with pytest.raises(IntegrityError, match=phrase):
        backend.read_range(url, 10, 20)


def test_200_accepted_for_whole_object(setup):
    server, backend, url = setup
    server.inject("ignore_range")
    assert backend.read_range(url, 0, len(DATA)) == DATA


def test_not_found_is_not_retried(setup):
    server, backend, url = setup
    with pytest.raises(RemoteError, match="not found"):
        backend.read_range(url + ".missing", 0, 1)
    assert server.requests == 1


def test_slow_server_times_out_then_recovers(setup):
    server, backend, url = setup
    server.inject("slow", 1, delay=1.0)
    start = time.monotonic()
    assert backend.read_range(url, 1, 2) == DATA[1:3]
    assert time.monotonic() - start < 5


def test_unreachable_host_is_bounded():
    backend = HttpBackend({"retry": FAST_RETRY, "connect_timeout": 0.5})
    start = time.monotonic()
    with pytest.raises(RemoteError, match="network error"):
        backend.read_range("http://127.0.0.1:9/none", 0, 1)  # discard port: nothing listens
    assert time.monotonic() - start < 10


def test_batch_is_concurrent(setup):
    server, backend, url = setup
    server.latency = 0.3
    start = time.monotonic()
    got = backend.read_ranges([(url, i * 10, 10) for i in range(8)])
    assert got == [DATA[i * 10:i * 10 + 10] for i in range(8)]
    assert time.monotonic() - start < 1.5  # serial would take 8 x 0.3 = 2.4 s


def test_size_uses_one_ranged_get(setup):
    server, backend, url = setup
    assert backend.size(url) == len(DATA)
    assert server.requests == 1 and server.log[0].range == "bytes=0-0"


def test_counts_bytes(setup):
    server, backend, url = setup
    backend.read_ranges([(url, 0, 100), (url, 1000, 23)])
    assert server.bytes_sent == 123


def test_bearer_token_only_to_its_host(fresh_range_server):
    url = fresh_range_server.put("a", b"abcdef")
    host = url.split("/")[2]
    backend = HttpBackend(credentials=lambda h: "tok" if h == host else None)
    other = HttpBackend(credentials=lambda h: "tok" if h == "elsewhere.example" else None)
    assert backend.read_range(url, 0, 3) == b"abc" and other.read_range(url, 3, 3) == b"def"
    assert [r.headers.get("Authorization") for r in fresh_range_server.log] == ["Bearer tok", None]
