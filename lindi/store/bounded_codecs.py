"""What zarr reads of a document: the reference store, with every array's codecs size-capped.

:class:`~lindi.store.store.LindiReferenceStore` serves a document's keys as
written (inspection, conformance and the editor want the metadata unchanged).
zarr must never decode a chunk through a stranger's codecs as they are: a few
stored bytes can inflate to gigabytes. So the reader opens its arrays over
:class:`BoundedCodecStore`, a zarr ``WrapperStore`` that serves each ``.zarray``
vetted, held to the document's limits and with its codecs folded into one
:class:`~lindi.codecs.bounded.BoundedPipeline` (:func:`secure_zarray`); every
other key passes through; :func:`open_array` opens an array over it. :func:`decode_chunk_within_limits`
does the same for a chunk the reader decodes itself.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterable, Mapping
from typing import Any

import zarr
from zarr.abc.store import ByteRequest
from zarr.core.buffer import Buffer, BufferPrototype
from zarr.storage import WrapperStore

from .. import strict_json
from .._compat import open_v2_array
from ..codecs.bounded_zarray import bounded_zarray, decode_array_chunk
from ..security.limits import Limits, check_chunk_bytes, vet_zarray
from .store import LindiReferenceStore, to_buffer


def secure_zarray(zarray: Mapping[str, Any], *, array: str, source: str | None = None,
                  limits: Limits | None = None) -> dict[str, Any]:
    """The ``.zarray`` to give zarr: vetted (grid, codec ids), its chunk held to ``max_chunk_bytes``, its codecs
    inside one size-capped pipeline. ``array`` is the array's store path ("" for the root)."""
    limits = limits or Limits.from_env()
    vet_zarray(zarray, array=array, source=source)
    check_chunk_bytes(zarray, array=array, source=source, limits=limits)
    return bounded_zarray(zarray, array=array, source=source, max_chunk_bytes=limits.max_chunk_bytes)


def decode_chunk_within_limits(zarray: Mapping[str, Any], data: bytes, *, array: str, source: str | None = None,
                 limits: Limits | None = None, compressor_only: bool = False) -> bytes:
    """One stored chunk of an array, decoded as :func:`secure_zarray` would have zarr decode it.

    ``compressor_only``: undo just the compressor (legacy JSON-codec chunks,
    whose json2 filter the caller parses itself), bounded by ``max_chunk_bytes``.
    """
    limits = limits or Limits.from_env()
    vet_zarray(zarray, array=array, source=source)
    if not compressor_only:
        check_chunk_bytes(zarray, array=array, source=source, limits=limits)
    return decode_array_chunk(zarray, data, array=array, source=source, max_chunk_bytes=limits.max_chunk_bytes,
                              compressor_only=compressor_only)


def _zarray_array(key: str) -> str | None:
    """Store path of the array whose ``.zarray`` ``key`` is, None for any other key."""
    head, _, leaf = key.rpartition("/")
    return head if leaf == ".zarray" else None


class BoundedCodecStore(WrapperStore[LindiReferenceStore]):
    """A :class:`LindiReferenceStore` as zarr should read it: ``.zarray`` keys come from
    :func:`secure_zarray`, all other keys and every listing are the wrapped store's."""

    def __init__(self, store: LindiReferenceStore) -> None:
        super().__init__(store)

    def _secured(self, key: str, array: str) -> bytes | None:
        store = self._store
        zarray = store.metadata(key)  # parsed, cached and vetted by the store
        if zarray is None:
            return None
        secured = secure_zarray(zarray, array=array, source=store.document.source, limits=store.document.limits)
        return strict_json.dumps(secured).encode("utf-8")

    async def get(self, key: str, prototype: BufferPrototype | None = None,
                  byte_range: ByteRequest | None = None) -> Buffer | None:
        array = _zarray_array(key)
        if array is None:
            return await self._store.get(key, prototype, byte_range)
        return to_buffer(await asyncio.to_thread(self._secured, key, array), prototype, byte_range)

    def get_sync(self, key: str, *, prototype: BufferPrototype | None = None,
                 byte_range: ByteRequest | None = None) -> Buffer | None:
        """zarr's synchronous read (newer releases use it on their fast path): the same bytes as :meth:`get`."""
        array = _zarray_array(key)
        if array is None:
            return self._store.get_sync(key, prototype=prototype, byte_range=byte_range)
        return to_buffer(self._secured(key, array), prototype, byte_range)

    async def get_partial_values(self, prototype: BufferPrototype,
                                 key_ranges: Iterable[tuple[str, ByteRequest | None]]) -> list[Buffer | None]:
        return [await self.get(key, prototype, rng) for key, rng in key_ranges]

    async def _get_many(self, requests: Iterable[tuple[str, BufferPrototype, ByteRequest | None]]
                        ) -> AsyncGenerator[tuple[str, Buffer | None], None]:
        for key, prototype, byte_range in requests:  # through self.get: the wrapped store's would skip the caps
            yield key, await self.get(key, prototype, byte_range)

    def __hash__(self) -> int:
        return hash(self._store)

    def __repr__(self) -> str:
        return f"BoundedCodecStore({self._store!r})"


def open_array(store: LindiReferenceStore, path: str) -> zarr.Array:
    """The Zarr v2 array at ``path``, read-only, as zarr reads it over :class:`BoundedCodecStore`."""
    return open_v2_array(BoundedCodecStore(store), path)
