import json
import multiprocessing
import subprocess
import sys

import pytest

from lindi.cache import LocalCache, cached_range_reader, unsigned_url
from lindi.errors import IntegrityError


def test_round_trip_and_miss(tmp_path):
    cache = LocalCache(tmp_path)
    assert cache.get("https://h/x", 0, 4) is None
    cache.put("https://h/x", 0, 4, b"abcd")
    assert cache.get("https://h/x", 0, 4) == b"abcd"
    assert cache.get("https://h/x", 0, 3) is None
    assert cache.info().entries == 1 and cache.info().bytes == 4


def test_presigned_urls_share_the_unsigned_key(tmp_path):
    signed_a = "https://s3/b/k?X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-Signature=aa&versionId=3"
    signed_b = "https://s3/b/k?X-Amz-Date=20260102T000000Z&X-Amz-Expires=60&X-Amz-Signature=bb&versionId=3"
    assert unsigned_url(signed_a) == "https://s3/b/k?versionId=3"
    cache = LocalCache(tmp_path)
    cache.put(signed_a, 10, 3, b"xyz")
    assert cache.get(signed_b, 10, 3) == b"xyz"


def test_wrong_length_refused(tmp_path):
    cache = LocalCache(tmp_path)
    with pytest.raises(IntegrityError, match="https://h/x"):
        cache.put("https://h/x", 0, 5, b"abc")
    assert cache.info().entries == 0


def test_eviction_keeps_recently_used(tmp_path, monkeypatch):
    cache = LocalCache(tmp_path, max_bytes=1000)
    clock = [1000.0]
    monkeypatch.setattr("lindi.cache.local_cache.time.time", lambda: clock[0])
    for i in range(5):
        clock[0] += 100
        cache.put("u", i * 200, 200, bytes([i]) * 200)
    clock[0] += 100
    assert cache.get("u", 0, 200) is not None  # touch the oldest entry
    clock[0] += 100
    cache.put("u", 5000, 200, b"n" * 200)  # 1200 bytes > limit: evict to <= 900
    info = cache.info()
    assert info.bytes <= 900
    assert cache.get("u", 0, 200) == bytes([0]) * 200, "recently read entry was evicted"
    assert cache.get("u", 200, 200) is None, "least recently used entry survived"
    assert cache.get("u", 5000, 200) == b"n" * 200


def test_cached_reader_fetches_only_misses(tmp_path):
    calls = []

    def reader(requests):
        calls.append(list(requests))
        return [bytes([offset % 256]) * length for _, offset, length in requests]

    u = "https://h/u"
    read = cached_range_reader(reader, LocalCache(tmp_path))
    first = read([(u, 1, 2), (u, 5, 3)])
    assert first == [b"\x01\x01", b"\x05\x05\x05"]
    second = read([(u, 5, 3), (u, 9, 1)])
    assert second == [b"\x05\x05\x05", b"\x09"]
    assert calls == [[(u, 1, 2), (u, 5, 3)], [(u, 9, 1)]]


def _hammer(cache_dir, worker):
    cache = LocalCache(cache_dir, max_bytes=10**9)
    for i in range(150):
        key = ("https://h/shared", i * 64, 64)
        payload = bytes([i % 256]) * 64
        got = cache.get(*key)
        if got is not None and got != payload:
            raise AssertionError(f"corrupt entry {key} in worker {worker}")
        cache.put(*key, payload)
        cache.put(f"https://h/w{worker}", i, 8, bytes([worker]) * 8)


def test_several_processes_share_one_cache(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_hammer, args=(str(tmp_path), w)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    cache = LocalCache(tmp_path)
    assert cache.info().entries == 150 + 4 * 150
    for i in range(150):
        assert cache.get("https://h/shared", i * 64, 64) == bytes([i % 256]) * 64


def test_cli_info_and_clear(tmp_path):
    cache = LocalCache(tmp_path)
    cache.put("u", 0, 3, b"abc")
    cmd = [sys.executable, "-m", "lindi.cli.main", "cache"]
    info = subprocess.run([*cmd, "info", "--json", "--cache-dir", str(tmp_path)], capture_output=True, text=True)
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["entries"] == 1
    cleared = subprocess.run([*cmd, "clear", "--cache-dir", str(tmp_path)], capture_output=True, text=True)
    assert cleared.returncode == 0 and "removed 1 entries" in cleared.stdout
    assert LocalCache(tmp_path).info().entries == 0
