"""A local cache of remote byte ranges, shared safely by threads and processes.

Entries are keyed on the *unsigned* ref ``(url, offset, length)``: a presigned
URL and its re-signed successor hit the same entry. Storage is one SQLite
database in WAL mode (concurrent readers, serialised writers, crash safe),
with a size limit enforced by evicting the least recently used entries.

Each entry stores the CRC-32 of its bytes (``zlib.crc32``: in the standard
library, so every environment sharing a cache computes the same value; it
catches every single-byte and burst error up to 32 bits, and the cache
guards against a damaged disk, not an attacker). An entry whose bytes no
longer match is dropped and fetched again. A cache that cannot be used at all
(its folder is a file or read-only, the database is corrupt or locked) turns
itself off with one warning: reads go to the source, uncached.
"""
from __future__ import annotations

import os
import threading
import time
import warnings
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..backends.base import RangeReader, RangeRequest
from ..backends.urls import is_local
from ..errors import CacheError, ChunkTooLargeError, IntegrityError

if TYPE_CHECKING:  # sqlite3 is imported by the methods that use it: a reader with no cache never loads it
    import sqlite3

    from .info import CacheInfo

DEFAULT_MAX_BYTES = 10 * 1024**3
# Query parameters that only carry a signature or its validity window.
_SIGNING_PARAMS = (
    "x-amz-", "x-goog-", "awsaccesskeyid", "signature", "expires", "googleaccessid",
    "response-content-disposition", "response-content-type",
)
_TOUCH_INTERVAL_S = 60.0
#: schema versions (``PRAGMA user_version``): 0 no checksums (LINDI 1.0 before issue 18), 1 a CRC-32 per entry
_SCHEMA_VERSION = 1
_DB_NAME = "chunks.sqlite3"

#: SQLite's default largest value (a blob of 1e9 bytes is refused); LINDI 0.4 stopped at the same size.
MAX_ENTRY_BYTES = 900 * 1000 * 1000


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


class LocalCache:
    """Byte ranges of remote objects kept on local disk.

    ``max_bytes`` bounds the stored payload; when a write crosses it, the least
    recently used entries are evicted down to 90 % of the limit.
    """

    def __init__(self, cache_dir: str | os.PathLike | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES):
        import sqlite3

        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.max_bytes = int(max_bytes)
        self._db_path = self.cache_dir / _DB_NAME
        self._local = threading.local()
        #: why the cache is turned off (None while it works)
        self.problem: str | None = None
        try:
            self._open()
        except (OSError, sqlite3.Error) as exc:
            self._turn_off(exc)

    def __repr__(self) -> str:
        return f"LocalCache(cache_dir={str(self.cache_dir)!r}, max_bytes={self.max_bytes})"

    def _open(self) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        db = self._connect()
        db.execute("PRAGMA journal_mode=WAL")
        with _write_transaction(db):
            db.execute(
                "CREATE TABLE IF NOT EXISTS chunks (url TEXT NOT NULL, offset INTEGER NOT NULL, "
                "length INTEGER NOT NULL, data BLOB NOT NULL, atime REAL NOT NULL, crc INTEGER, "
                "PRIMARY KEY (url, offset, length)) WITHOUT ROWID")
            db.execute("CREATE INDEX IF NOT EXISTS chunks_atime ON chunks (atime)")
            if db.execute("PRAGMA user_version").fetchone()[0] < _SCHEMA_VERSION:
                columns = {row[1] for row in db.execute("PRAGMA table_info(chunks)")}
                if "crc" not in columns:  # entries cached before checksums: kept, and refetched on first use
                    db.execute("ALTER TABLE chunks ADD COLUMN crc INTEGER")
                db.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")

    def _turn_off(self, exc: BaseException) -> None:
        """Stop using the cache after a database or file system failure (one warning per cache)."""
        if self.problem is None:
            self.problem = f"{exc.__class__.__name__}: {exc}"
            warnings.warn(f"the LINDI cache at {self.cache_dir} cannot be used ({self.problem}); reading without "
                          "it. 'lindi cache clear' repairs a damaged cache.", RuntimeWarning, stacklevel=3)
        self._close_connection()

    def _close_connection(self) -> None:
        db = getattr(self._local, "db", None)
        self._local.db = None
        if db is not None:
            db.close()

    def _connect(self) -> sqlite3.Connection:
        # One connection per thread: sqlite3 connections must not be shared across threads.
        import sqlite3

        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self._db_path, timeout=60, isolation_level=None)
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def get(self, url: str, offset: int, length: int) -> bytes | None:
        return self.get_many([(url, offset, length)])[0]

    def get_many(self, refs: Sequence[RangeRequest]) -> list[bytes | None]:
        """Cached bytes for each ref (None where absent or damaged), in order."""
        import sqlite3

        if self.problem is None:
            try:
                return self._get_many(refs)
            except sqlite3.Error as exc:
                self._turn_off(exc)
        return [None] * len(refs)

    def _get_many(self, refs: Sequence[RangeRequest]) -> list[bytes | None]:
        db = self._connect()
        now = time.time()
        out: list[bytes | None] = []
        stale: list[tuple[float, str, int, int]] = []
        damaged: list[tuple[str, int, int]] = []
        for url, offset, length in refs:
            key = (unsigned_url(url), int(offset), int(length))
            row = db.execute("SELECT data, atime, crc FROM chunks WHERE url=? AND offset=? AND length=?",
                             key).fetchone()
            if row is None:
                out.append(None)
                continue
            data = bytes(row[0])
            if len(data) != key[2] or row[2] is None or zlib.crc32(data) != row[2]:
                damaged.append(key)  # or cached before checksums existed: fetched again and stored with one
                out.append(None)
                continue
            out.append(data)
            if now - row[1] > _TOUCH_INTERVAL_S:
                stale.append((now, *key))
        if stale or damaged:
            with _write_transaction(db):
                db.executemany("UPDATE chunks SET atime=? WHERE url=? AND offset=? AND length=?", stale)
                db.executemany("DELETE FROM chunks WHERE url=? AND offset=? AND length=?", damaged)
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
        import sqlite3

        rows = []
        now = time.time()
        for (url, offset, length), data in zip(refs, datas, strict=True):
            if len(data) != length:
                raise IntegrityError(f"refusing to cache {len(data)} bytes for a ref of {length} bytes", url=url,
                                     ref=f"[{offset}, {length}]")
            if length > self.max_bytes:
                continue
            rows.append((unsigned_url(url), int(offset), int(length), sqlite3.Binary(data), now, zlib.crc32(data)))
        if not rows or self.problem is not None:
            return
        try:
            db = self._connect()
            with _write_transaction(db):
                db.executemany("INSERT OR REPLACE INTO chunks (url, offset, length, data, atime, crc) "
                               "VALUES (?,?,?,?,?,?)", rows)
                self._evict(db)
        except sqlite3.Error as exc:
            self._turn_off(exc)

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
        """Entries and bytes held; a CacheError says why the cache cannot be used."""
        import sqlite3

        self._check_usable()
        try:
            entries, total = self._connect().execute(
                "SELECT COUNT(*), COALESCE(SUM(length), 0) FROM chunks").fetchone()
        except sqlite3.Error as exc:
            self._turn_off(exc)
            self._check_usable()
        from .info import CacheInfo  # pydantic is loaded when a cache reports, not whenever one is used

        return CacheInfo(path=str(self.cache_dir), entries=entries, bytes=total, max_bytes=self.max_bytes)

    def clear(self) -> None:
        """Delete every entry; a damaged database is deleted and created anew (a CacheError if that fails)."""
        import sqlite3

        if self.problem is None:
            try:
                db = self._connect()
                with _write_transaction(db):
                    db.execute("DELETE FROM chunks")
                db.execute("VACUUM")
                return
            except sqlite3.Error:
                pass  # repaired below
        self._close_connection()
        if self.cache_dir.exists() and not self.cache_dir.is_dir():
            raise CacheError(f"the cache folder {self.cache_dir} is a file; remove it or set LINDI_CACHE_DIR")
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self._db_path}{suffix}")
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise CacheError(f"cannot remove the damaged cache database {self._db_path}{suffix}: "
                                 f"{exc.strerror}") from None
        self.problem = None
        try:
            self._open()
        except (OSError, sqlite3.Error) as exc:
            self.problem = f"{exc.__class__.__name__}: {exc}"
            self._close_connection()
            self._check_usable()

    def _check_usable(self) -> None:
        if self.problem is not None:
            raise CacheError(f"the cache at {self.cache_dir} cannot be used: {self.problem}")


class _write_transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``/``ROLLBACK``: takes the write lock up front, so
    concurrent writers queue on SQLite's busy timeout instead of failing mid-transaction."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.db.execute("COMMIT")
        elif self.db.in_transaction:
            self.db.execute("ROLLBACK")


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
