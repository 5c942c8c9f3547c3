"""The cache never hands back damaged bytes and never breaks a read (issue 18 K1, C4, C1).

K1: each entry carries a CRC-32; a flipped payload byte on disk is noticed and the chunk fetched again.
C4: a cache whose database or folder cannot be used turns itself off with one warning; reads go uncached.
C1: ``lindi cache info|clear`` report such a cache in one line, and ``clear`` repairs a corrupt database.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import warnings

import h5py
import numpy as np
import pytest

import lindi
from lindi.cache import LocalCache
from lindi.errors import CacheError
from lindi.LindiH5ZarrStore import LindiH5ZarrStore
from lindi.testing.range_server import RangeServer

PAYLOAD = bytes(range(256)) * 64


@pytest.fixture()
def served(tmp_path):
    """A document served with its HDF5 file from a RangeServer on 127.0.0.1, and the true values."""
    values = np.arange(40000, dtype=np.int64)
    with h5py.File(tmp_path / "s.h5", "w") as f:
        f.create_dataset("x", data=values, chunks=(10000,))
    with LindiH5ZarrStore.from_file(str(tmp_path / "s.h5"), url="./s.h5") as store:
        store.write_reference_file_system(str(tmp_path / "s.lindi.json"))
    with RangeServer(tmp_path) as server:
        yield server, server.url_for("s.lindi.json"), values


def _read(url: str, cache: LocalCache) -> np.ndarray:
    with lindi.LindiH5pyFile.from_lindi_file(url, local_cache=cache) as f:
        return f["x"][()]


def _flip_a_payload_byte(cache_dir, needle: bytes) -> None:
    db = sqlite3.connect(cache_dir / "chunks.sqlite3")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    path = cache_dir / "chunks.sqlite3"
    raw = bytearray(path.read_bytes())
    at = raw.find(needle)
    assert at >= 0, "payload not found in the database file"
    raw[at + 5] ^= 0x40
    path.write_bytes(bytes(raw))


def test_a_flipped_byte_on_disk_is_refetched(tmp_path):
    cache = LocalCache(tmp_path / "c")
    cache.put("https://h/x", 0, len(PAYLOAD), PAYLOAD)
    del cache
    _flip_a_payload_byte(tmp_path / "c", PAYLOAD[:64])
    cache = LocalCache(tmp_path / "c")
    assert cache.get("https://h/x", 0, len(PAYLOAD)) is None  # damaged: a miss, never the wrong bytes
    assert cache.info().entries == 0  # and dropped


def test_reads_through_a_damaged_cache_return_the_true_values(served, tmp_path):
    server, url, values = served
    cache = LocalCache(tmp_path / "c")
    np.testing.assert_array_equal(_read(url, cache), values)
    before = server.requests
    np.testing.assert_array_equal(_read(url, cache), values)
    hits_only = server.requests - before
    del cache
    _flip_a_payload_byte(tmp_path / "c", values[10000:10016].tobytes())
    cache = LocalCache(tmp_path / "c")
    before = server.requests
    np.testing.assert_array_equal(_read(url, cache), values)
    assert server.requests - before > hits_only  # the damaged chunk came from the server again


def test_a_cache_made_before_checksums_is_migrated(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    db = sqlite3.connect(folder / "chunks.sqlite3")
    db.execute("CREATE TABLE chunks (url TEXT NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL, "
               "data BLOB NOT NULL, atime REAL NOT NULL, PRIMARY KEY (url, offset, length)) WITHOUT ROWID")
    db.execute("INSERT INTO chunks VALUES ('https://h/x', 0, 4, X'01020304', 0)")
    db.commit()
    db.close()
    cache = LocalCache(folder)
    assert cache.get("https://h/x", 0, 4) is None  # no checksum to check it by: fetched again
    cache.put("https://h/x", 0, 4, b"\x01\x02\x03\x04")
    assert cache.get("https://h/x", 0, 4) == b"\x01\x02\x03\x04"
    db = sqlite3.connect(folder / "chunks.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "crc" in {row[1] for row in db.execute("PRAGMA table_info(chunks)")}


@pytest.mark.parametrize("damage", ["corrupt-database", "folder-is-a-file"])
def test_an_unusable_cache_reads_uncached_with_one_warning(served, tmp_path, damage):
    _, url, values = served
    folder = tmp_path / "c"
    if damage == "corrupt-database":
        folder.mkdir()
        (folder / "chunks.sqlite3").write_bytes(os.urandom(8192))
    else:
        folder.write_bytes(b"not a folder")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cache = LocalCache(folder)
        np.testing.assert_array_equal(_read(url, cache), values)
        np.testing.assert_array_equal(_read(url, cache), values)
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(messages) == 1 and "reading without it" in messages[0] and str(folder) in messages[0]
    with pytest.raises(CacheError, match=str(folder)):
        cache.info()


def test_a_database_that_breaks_later_turns_the_cache_off(tmp_path):
    cache = LocalCache(tmp_path / "c")
    cache.put("https://h/x", 0, 4, b"abcd")
    cache._connect().execute("DROP TABLE chunks")  # as if another program damaged it while we run
    with pytest.warns(RuntimeWarning, match="reading without it"):
        assert cache.get("https://h/x", 0, 4) is None
    cache.put("https://h/x", 0, 4, b"abcd")  # silently skipped now
    assert cache.get("https://h/x", 0, 4) is None


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lindi.cli.main", *args], capture_output=True, text=True,
                          check=False, timeout=120, env={**os.environ, **(env or {})})


def test_cache_commands_report_a_cache_folder_that_is_a_file(tmp_path):
    (tmp_path / "file").write_bytes(b"x")
    for command in ("info", "clear"):
        r = _cli("cache", command, env={"LINDI_CACHE_DIR": str(tmp_path / "file")})
        assert r.returncode == 2 and "Traceback" not in r.stderr
        assert r.stderr.count("\n") == 1 and str(tmp_path / "file") in r.stderr


def test_cache_clear_repairs_a_corrupt_database(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "chunks.sqlite3").write_bytes(os.urandom(8192))
    r = _cli("cache", "info", "--cache-dir", str(folder))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "not a database" in r.stderr
    r = _cli("cache", "clear", "--cache-dir", str(folder))
    assert r.returncode == 0 and "repaired" in r.stdout, r.stderr
    r = _cli("cache", "info", "--cache-dir", str(folder), "--json")
    assert r.returncode == 0 and '"entries": 0' in r.stdout
    cache = LocalCache(folder)
    cache.put("https://h/x", 0, 4, b"abcd")
    assert cache.get("https://h/x", 0, 4) == b"abcd"
