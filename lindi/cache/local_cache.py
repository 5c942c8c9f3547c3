"""A local cache of remote byte ranges, shared safely by threads and processes.

Entries are keyed on the *unsigned* ref ``(url, offset, length)``: a presigned
URL and its re-signed successor hit the same entry. Storage is one SQLite
database in WAL mode (concurrent readers, serialised writers, crash safe),
with a size limit enforced by evicting the least recently used entries.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel

from ..backends.urls import is_local
from ..errors import IntegrityError, LindiError

DEFAULT_MAX_BYTES = 10 * 1024**3
# Query parameters that only carry a signature or its validity window.
_SIGNING_PARAMS = (
    "x-amz-", "x-goog-", "awsaccesskeyid", "signature", "expires", "googleaccessid",
    "response-content-disposition", "response-content-type",
)
_TOUCH_INTERVAL_S = 60.0

#: SQLite's default largest value (a blob of 1e9 bytes is refused); LINDI 0.4 stopped at the same size.
MAX_ENTRY_BYTES = 900 * 1000 * 1000

RangeRequest = tuple[str, int, int]


class ChunkTooLargeError(LindiError, ValueError):
    """A byte range too large to be one cache entry (LINDI 0.4's name)."""
RangeReader = Callable[[Sequence[RangeRequest]], list[bytes]]


def unsigned_url(url: str) -> str:
    """``url`` without the query parameters that belong to a signature."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith(_SIGNING_PARAMS)]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def default_cache_dir() -> Path:
    """``$LINDI_CACHE_DIR``, else ``$XDG_CACHE_HOME/lindi``, else ``~/.cache/lindi``."""
    if os.environ.get("LINDI_CACHE_DIR"):
        return Path(os.environ["LINDI_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lindi"


class CacheInfo(BaseModel):
    """What ``lindi cache info`` reports."""

    path: str
    entries: int
    bytes: int
    max_bytes: int


class LocalCache:
    """Byte ranges of remote objects kept on local disk.

    ``max_bytes`` bounds the stored payload; when a write crosses it, the least
    recently used entries are evicted down to 90 % of the limit.
    """

    def __init__(self, cache_dir: str | os.PathLike | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES):
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.max_bytes = int(max_bytes)
        self._db_path = self.cache_dir / "chunks.sqlite3"
        self._local = threading.local()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS chunks (url TEXT NOT NULL, offset INTEGER NOT NULL, "
                "length INTEGER NOT NULL, data BLOB NOT NULL, atime REAL NOT NULL, "
                "PRIMARY KEY (url, offset, length)) WITHOUT ROWID")
            db.execute("CREATE INDEX IF NOT EXISTS chunks_atime ON chunks (atime)")

    def __repr__(self) -> str:
        return f"LocalCache(cache_dir={str(self.cache_dir)!r}, max_bytes={self.max_bytes})"

    def _connect(self) -> sqlite3.Connection:
        # One connection per thread: sqlite3 connections must not be shared across threads.
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self._db_path, timeout=60, isolation_level=None)
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def get(self, url: str, offset: int, length: int) -> bytes | None:
        return self.get_many([(url, offset, length)])[0]

    def get_many(self, refs: Sequence[RangeRequest]) -> list[bytes | None]:
        """Cached bytes for each ref (None where absent), in order."""
        db = self._connect()
        now = time.time()
        out: list[bytes | None] = []
        stale: list[tuple[float, str, int, int]] = []
        for url, offset, length in refs:
            key = (unsigned_url(url), int(offset), int(length))
            row = db.execute("SELECT data, atime FROM chunks WHERE url=? AND offset=? AND length=?", key).fetchone()
            if row is None or len(row[0]) != key[2]:
                out.append(None)
                continue
            out.append(bytes(row[0]))
            if now - row[1] > _TOUCH_INTERVAL_S:
                stale.append((now, *key))
        if stale:
            with _write_transaction(db):
                db.executemany("UPDATE chunks SET atime=? WHERE url=? AND offset=? AND length=?", stale)
        return out

    def put(self, url: str, offset: int, length: int, data: bytes) -> None:
        self.put_many([(url, offset, length)], [data])

    # -- LINDI 0.4 names ---------------------------------------------------------------
    def get_remote_chunk(self, *, url: str, offset: int, size: int) -> bytes | None:
        """LINDI 0.4's name for :meth:`get`."""
        return self.get(url, offset, size)

    def put_remote_chunk(self, *, url: str, offset: int, size: int, data: bytes) -> None:
        """LINDI 0.4's name for :meth:`put`: ``ValueError`` when ``data`` is not ``size`` bytes,
        :class:`ChunkTooLargeError` for a range SQLite cannot hold as one value."""
        if len(data) != size:
            raise ValueError(f"data size {len(data)} does not match size {size}")
        if size >= MAX_ENTRY_BYTES:
            raise ChunkTooLargeError(f"cannot cache a {size}-byte range: {MAX_ENTRY_BYTES} bytes at most")
        self.put(url, offset, size, data)

    def put_many(self, refs: Sequence[RangeRequest], datas: Sequence[bytes]) -> None:
        """Store bytes for refs; a payload whose size differs from its ref is refused."""
        rows = []
        now = time.time()
        for (url, offset, length), data in zip(refs, datas, strict=True):
            if len(data) != length:
                raise IntegrityError(f"refusing to cache {len(data)} bytes for a ref of {length} bytes", url=url,
                                     ref=f"[{offset}, {length}]")
            if length > self.max_bytes:
                continue
            rows.append((unsigned_url(url), int(offset), int(length), sqlite3.Binary(data), now))
        if not rows:
            return
        db = self._connect()
        with _write_transaction(db):
            db.executemany("INSERT OR REPLACE INTO chunks (url, offset, length, data, atime) VALUES (?,?,?,?,?)", rows)
            self._evict(db)

    def _evict(self, db: sqlite3.Connection) -> None:
        total = db.execute("SELECT COALESCE(SUM(length), 0) FROM chunks").fetchone()[0]
        if total <= self.max_bytes:
            return
        target = int(self.max_bytes * 0.9)
        victims = []
        for url, offset, length in db.execute("SELECT url, offset, length FROM chunks ORDER BY atime"):
            if total <= target:
                break
            victims.append((url, offset, length))
            total -= length
        db.executemany("DELETE FROM chunks WHERE url=? AND offset=? AND length=?", victims)

    def info(self) -> CacheInfo:
        entries, total = self._connect().execute("SELECT COUNT(*), COALESCE(SUM(length), 0) FROM chunks").fetchone()
        return CacheInfo(path=str(self.cache_dir), entries=entries, bytes=total, max_bytes=self.max_bytes)

    def clear(self) -> None:
        db = self._connect()
        with _write_transaction(db):
            db.execute("DELETE FROM chunks")
        db.execute("VACUUM")


class _write_transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``/``ROLLBACK``: takes the write lock up front, so
    concurrent writers queue on SQLite's busy timeout instead of failing mid-transaction."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def cached_range_reader(reader: RangeReader, cache: LocalCache) -> RangeReader:
    """Wrap a range reader so hits come from ``cache`` and misses are fetched in one batch and stored.

    Local files are read directly: caching them would only copy them.
    """

    def read(requests: Sequence[RangeRequest]) -> list[bytes]:
        requests = list(requests)
        remote = [i for i, (url, _, _) in enumerate(requests) if not is_local(url)]
        found = cache.get_many([requests[i] for i in remote]) if remote else []
        out: list[bytes | None] = [None] * len(requests)
        for i, data in zip(remote, found):
            out[i] = data
        missing = [i for i, data in enumerate(out) if data is None]
        if missing:
            fetched = reader([requests[i] for i in missing])
            stored = [(requests[i], data) for i, data in zip(missing, fetched) if not is_local(requests[i][0])]
            if stored:
                cache.put_many([r for r, _ in stored], [d for _, d in stored])
            for i, data in zip(missing, fetched):
                out[i] = data
        return out  # type: ignore[return-value]

    return read
