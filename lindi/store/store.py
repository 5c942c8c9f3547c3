"""A zarr-python 3 Store over a LINDI reference file system.

Keys resolve to inline text, ``base64:`` bytes, inline JSON objects or
``[url, offset, length]`` refs. Chunk refs of one selection are fetched with
:meth:`LindiReferenceStore.fetch_many` (one coalesced RangeReader call) and
parked in a per-read overlay that :meth:`get` consults, so zarr's per-chunk
``get`` calls never become per-chunk requests.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import re
import threading
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from zarr.abc.store import ByteRequest, OffsetByteRequest, RangeByteRequest, Store, SuffixByteRequest
from zarr.core.buffer import Buffer, BufferPrototype, default_buffer_prototype

from .. import strict_json
from ..backends.urls import redact_url
from ..cache import LocalCache, cached_range_reader
from ..errors import DocumentError, LimitExceededError, RemoteError, UrlPolicyError
from ..format.names import METADATA_KEYS
from ..security.limits import ENV_VARS, Limits, check_chunk_ref, secure_zarray_bytes, vet_zarray
from ..security.url_policy import applying
from ..strict_json import ref_pointer
from .document import RefDocument
from .index import NodeIndex, meta_key
from .ranges import CoalesceOptions, RangeReader, RangeRequest, default_range_reader, read_coalesced

Resolved = bytes | RangeRequest


class LindiReferenceStore(Store):
    """Read-only zarr Store over a :class:`RefDocument`.

    ``range_reader`` fetches every ``[url, offset, length]`` ref (default:
    :func:`lindi.backends.read_ranges`); ``coalesce`` sets the gap/block limits
    of batched reads. With ``local_cache`` the individual refs (not the
    coalesced blocks, which differ from one selection to the next) are looked
    up first and only the misses are coalesced and fetched. Writing is a later
    extension: the refs dict is the single place a writer would update.
    """

    supports_writes: bool = False
    supports_deletes: bool = False
    supports_listing: bool = True

    def __init__(self, document: RefDocument, *, range_reader: RangeReader | None = None,
                 coalesce: CoalesceOptions | None = None, local_cache: LocalCache | None = None,
                 read_only: bool = True) -> None:
        if not read_only:  # edits go through LindiH5pyFile's editor, which rewrites the refs it owns
            raise ValueError("LindiReferenceStore is read-only; edit a document through LindiH5pyFile in mode 'r+'")
        super().__init__(read_only=True)
        self.document = document
        self._reader: RangeReader = range_reader or default_range_reader
        self.coalesce_options = coalesce or CoalesceOptions()
        self.local_cache = local_cache
        self._fetch = self._make_fetch()
        self._index: NodeIndex | None = None
        self._meta_cache: dict[str, Any] = {}
        self._overlay: dict[str, list[Any]] = {}  # key -> [bytes | None, refcount]
        self._lock = threading.Lock()

    # ---- resolution -------------------------------------------------------------------------
    def resolve(self, key: str) -> Resolved | None:
        """Inline bytes, or the absolute ``(url, offset, length)`` of a ref; None if absent."""
        value = self.document.refs.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            if value.startswith("base64:"):
                try:
                    return base64.b64decode(value[7:], validate=True)
                except (binascii.Error, ValueError):
                    raise DocumentError("invalid base64 inline data", pointer=ref_pointer(key),
                                        source=self.document.source) from None
            return value.encode("utf-8")
        if isinstance(value, dict):
            return strict_json.dumps(value).encode("utf-8")
        if (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
                and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value[1:])):
            return (self.document.expand_url(value[0], key), value[1], value[2])
        raise DocumentError("a ref must be text, base64:, a JSON object or [url, offset, length]",
                            pointer=ref_pointer(key), source=self.document.source)

    def fetch_many(self, keys: Iterable[str]) -> dict[str, bytes | None]:
        """Bytes of many keys with ONE coalesced RangeReader call for all their refs."""
        out: dict[str, bytes | None] = {}
        remote_keys: list[str] = []
        requests: list[RangeRequest] = []
        for key in keys:
            r = self.resolve(key)
            if isinstance(r, tuple):
                self._check_ref_length(key, r[2])
                remote_keys.append(key)
                requests.append(r)
            else:
                out[key] = r
        if requests:
            try:
                fetched = self._fetch(requests)
            except (RemoteError, UrlPolicyError) as exc:
                raise _with_keys(exc, remote_keys, requests) from exc
            for key, data in zip(remote_keys, fetched):
                out[key] = data
        return out

    def _check_ref_length(self, key: str, length: int) -> None:
        """Refuse a ref longer than its key can need, before anything is fetched (see
        :func:`lindi.security.limits.check_chunk_ref`); a metadata ref is held to ``max_inline_bytes``."""
        limits = self.document.limits or Limits.from_env()
        if key.rpartition("/")[2] in METADATA_KEYS:
            if length > limits.max_inline_bytes:
                raise LimitExceededError(f"metadata ref of {length} bytes ({length} > {limits.max_inline_bytes}); "
                                         f"raise the limit with max_inline_bytes=... or "
                                         f"{ENV_VARS['max_inline_bytes']}", pointer=ref_pointer(key),
                                         source=self.document.source)
            return
        array = self._array_of_chunk(key)
        if array is None:
            return  # not a chunk of any array: never read through zarr
        zarray = self.metadata(meta_key(array, ".zarray"))
        check_chunk_ref(key, length, zarray, array=array, source=self.document.source, limits=limits)

    def _array_of_chunk(self, key: str) -> str | None:
        """Store path of the array a chunk key belongs to (chunk names may contain "/"), None if none."""
        path = key
        while path:
            path = path.rpartition("/")[0]
            if self.index.kind(path) == "array":
                return path
        return None

    def _make_fetch(self) -> RangeReader:
        fetch: RangeReader = self._read_coalesced
        return fetch if self.local_cache is None else cached_range_reader(fetch, self.local_cache)

    def range_reader(self, requests: Sequence[RangeRequest]) -> list[bytes]:
        """The reader of this document's refs: redirects it meets are checked against the document's URL policy."""
        with applying(self.document.policy):
            return self._reader(requests)

    def _read_coalesced(self, requests: Sequence[RangeRequest]) -> list[bytes]:
        return read_coalesced(self.range_reader, requests, self.coalesce_options)

    def get_bytes(self, key: str) -> bytes | None:
        """Bytes of one key (prefetched overlay first), None if absent."""
        entry = self._overlay.get(key)
        if entry is not None:
            return entry[0]
        return self.fetch_many([key])[key]

    @contextmanager
    def prefetched(self, keys: Iterable[str], *, pad_to: int | None = None) -> Iterator[dict[str, bytes | None]]:
        """Fetch ``keys`` in one batch and serve them from memory until the block exits.

        ``pad_to``: zero-pad shorter values to this many bytes (the caller's raw chunks, of which the last
        one of a split contiguous dataset is short).
        """
        data = self.fetch_many(keys)
        if pad_to is not None:
            data = {k: v.ljust(pad_to, b"\0") if v is not None and len(v) < pad_to else v for k, v in data.items()}
        with self._lock:
            for key, value in data.items():
                entry = self._overlay.get(key)
                if entry is None:
                    self._overlay[key] = [value, 1]
                else:
                    entry[1] += 1
        try:
            yield data
        finally:
            with self._lock:
                for key in data:
                    entry = self._overlay[key]
                    entry[1] -= 1
                    if entry[1] == 0:
                        del self._overlay[key]

    # ---- structure --------------------------------------------------------------------------
    @property
    def index(self) -> NodeIndex:
        """Node structure, built on first use in one pass over the keys."""
        if self._index is None:
            self._index = NodeIndex(self.document.refs)
        return self._index

    def metadata(self, key: str) -> Any:
        """Parsed JSON of a metadata key (cached), None when absent."""
        try:
            return self._meta_cache[key]
        except KeyError:
            pass
        value = self.document.refs.get(key)
        if value is None or isinstance(value, dict):
            parsed = value
        else:
            raw = self.get_bytes(key)
            parsed = strict_json.loads(raw, source=f"{self.document.source or 'document'} key {key}")  # type: ignore[arg-type]
            if not isinstance(parsed, dict):
                raise DocumentError("metadata must be a JSON object", pointer=ref_pointer(key),
                                    source=self.document.source)
        if parsed is not None and (key == ".zarray" or key.endswith("/.zarray")):  # sane grid, no pickle, ever
            vet_zarray(parsed, array=key[:-len(".zarray")].rstrip("/"), source=self.document.source)
        self._meta_cache[key] = parsed
        return parsed

    def apply_changes(self, changes: dict[str, Any]) -> None:
        """The one way edits reach the document: set (value) or delete (None) keys; caches and index follow."""
        refs = self.document.refs
        for key, value in changes.items():
            if value is None:
                refs.pop(key, None)
            else:
                refs[key] = value
            self._meta_cache.pop(key, None)
        if self._index is not None:
            self._index.update(changes)

    # ---- zarr Store API ---------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, LindiReferenceStore) and (other.document is self.document
                                                             or other.document == self.document)

    def __hash__(self) -> int:
        return hash(self.document.source)

    def __getstate__(self) -> dict[str, Any]:
        """Picklable (dask ships stores to workers): the lock and the per-read overlay stay behind."""
        state = self.__dict__.copy()
        del state["_lock"], state["_fetch"]
        state["_overlay"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._fetch = self._make_fetch()

    def __repr__(self) -> str:
        return f"LindiReferenceStore({self.document.source or '<dict>'!s})"

    async def get(self, key: str, prototype: BufferPrototype | None = None,
                  byte_range: ByteRequest | None = None) -> Buffer | None:
        entry = self._overlay.get(key)
        if entry is not None:
            data = entry[0]
        else:
            value = self.document.refs.get(key)
            data = await asyncio.to_thread(self.get_bytes, key) if isinstance(value, list) else self.get_bytes(key)
        return self._as_buffer(key, data, prototype, byte_range)

    def get_sync(self, key: str, *, prototype: BufferPrototype | None = None,
                 byte_range: ByteRequest | None = None) -> Buffer | None:
        """zarr's synchronous read (newer releases use it on their fast path): the same bytes as :meth:`get`."""
        entry = self._overlay.get(key)
        return self._as_buffer(key, entry[0] if entry is not None else self.get_bytes(key), prototype, byte_range)

    def set_sync(self, key: str, value: Buffer) -> None:
        self._check_writable()

    def delete_sync(self, key: str) -> None:
        self._check_writable()

    def _as_buffer(self, key: str, data: bytes | None, prototype: BufferPrototype | None,
                   byte_range: ByteRequest | None) -> Buffer | None:
        if data is None:
            return None
        if key == ".zarray" or key.endswith("/.zarray"):  # zarr decodes through size-bounded, vetted codecs
            data = secure_zarray_bytes(data, key=key, source=self.document.source, limits=self.document.limits)
        return (prototype or default_buffer_prototype()).buffer.from_bytes(_slice(data, byte_range))

    async def get_partial_values(self, prototype: BufferPrototype,
                                 key_ranges: Iterable[tuple[str, ByteRequest | None]]) -> list[Buffer | None]:
        return [await self.get(key, prototype, rng) for key, rng in key_ranges]

    async def exists(self, key: str) -> bool:
        return key in self.document.refs

    async def set(self, key: str, value: Buffer) -> None:
        self._check_writable()

    async def delete(self, key: str) -> None:
        self._check_writable()

    async def list(self) -> AsyncIterator[str]:
        for key in list(self.document.refs):
            yield key

    async def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        for key in list(self.document.refs):
            if key.startswith(prefix):
                yield key

    async def list_dir(self, prefix: str) -> AsyncIterator[str]:
        prefix = prefix.rstrip("/")
        path_prefix = prefix + "/" if prefix else ""
        seen: set[str] = set()
        for key in list(self.document.refs):
            if key.startswith(path_prefix):
                head = key[len(path_prefix):].split("/", 1)[0]
                if head not in seen:
                    seen.add(head)
                    yield head


def _with_keys(exc: RemoteError | UrlPolicyError, keys: list[str], requests: list[RangeRequest]
               ) -> RemoteError | UrlPolicyError:
    """The same error, also naming the store key(s) and ref(s) whose bytes could not be read.

    A coalesced batch fails as a whole, so the failing refs are the ones of the error's URL that overlap the
    block it names; the first of them is quoted (never simply the first ref of the batch).
    """
    failing = (_failing_requests(exc, requests) if isinstance(exc, RemoteError) else []) or list(range(len(requests)))
    url, offset, length = requests[failing[0]]
    more = f" and {len(failing) - 1} more ref(s) of that URL" if len(failing) > 1 else ""
    where = f"key {keys[failing[0]]!r} ref [{redact_url(url)!r}, {offset}, {length}]{more}"
    err = type(exc)(f"while reading {where}: {exc}")
    if isinstance(exc, RemoteError) and isinstance(err, RemoteError):
        err.url, err.ref = exc.url, exc.ref
    return err


def _failing_requests(exc: RemoteError, requests: list[RangeRequest]) -> list[int]:
    """Indexes of the requests the error is about: same URL, overlapping the byte range its ref names."""
    same_url = [i for i, (url, _, _) in enumerate(requests) if exc.url is not None and exc.url in (url, redact_url(url))]
    span = _REF_SPAN.search(exc.ref or "")
    if span is None:
        return same_url
    start, stop = int(span["offset"]), int(span["offset"]) + int(span["length"])
    overlapping = [i for i in same_url if requests[i][1] < stop and requests[i][1] + requests[i][2] > start]
    return overlapping or same_url


#: The ``, offset, length]`` tail of the ``[url, offset, length]`` text that backends put in ``RemoteError.ref``.
_REF_SPAN = re.compile(r",\s*(?P<offset>\d+),\s*(?P<length>\d+)\]\s*$")


def _slice(data: bytes, byte_range: ByteRequest | None) -> bytes:
    if byte_range is None:
        return data
    if isinstance(byte_range, RangeByteRequest):
        return data[byte_range.start:byte_range.end]
    if isinstance(byte_range, OffsetByteRequest):
        return data[byte_range.offset:]
    if isinstance(byte_range, SuffixByteRequest):
        return data[-byte_range.suffix:] if byte_range.suffix else b""
    raise TypeError(f"Unexpected byte_range, got {byte_range!r}")  # zarr's own wording
