"""The reference store passes zarr-python's own ``StoreTests`` (its read-only parts).

zarr's suite seeds keys through the test class's ``set``; here a key's bytes go to a real blob file
and the document gets a ``[path, offset, length]`` ref to them (empty values are inline), so every
read test also exercises ref resolution and byte-range slicing of fetched chunks. The write tests of
the suite are replaced by checks that the store refuses writes and stays unchanged.
"""
from __future__ import annotations

import base64
import pickle
from pathlib import Path
from typing import Any

import pytest
from zarr.abc.store import OffsetByteRequest, RangeByteRequest, SuffixByteRequest
from zarr.core.buffer import Buffer, cpu, default_buffer_prototype
from zarr.core.sync import sync as zarr_sync
from zarr.testing.store import StoreTests

from lindi.store import LindiReferenceStore
from lindi.store.document import RefDocument

READ_ONLY = "store was opened in read-only mode and does not support writing"


def seed(store: LindiReferenceStore, key: str, data: bytes) -> None:
    """Put ``data`` under ``key``: a ref into the store's blob file (inline when empty)."""
    if not data:
        store.document.refs[key] = "base64:"
        return
    blob = Path(store.document.extra["blob"])
    with open(blob, "ab") as fh:
        offset = fh.tell()
        fh.write(data)
    store.document.refs[key] = [str(blob), offset, len(data)]


class SeededReferenceStore(LindiReferenceStore):
    """The store under test; ``_set_many`` seeds the document so zarr's listing tests can fill it."""

    async def _set_many(self, values: Any) -> None:
        for key, value in values:
            seed(self, key, value.to_bytes())


class TestReferenceStore(StoreTests[LindiReferenceStore, cpu.Buffer]):
    store_cls = SeededReferenceStore
    buffer_cls = cpu.Buffer

    async def set(self, store: LindiReferenceStore, key: str, value: Buffer) -> None:
        seed(store, key, value.to_bytes())

    async def get(self, store: LindiReferenceStore, key: str) -> Buffer:
        value = store.document.refs[key]
        if isinstance(value, str):
            return self.buffer_cls.from_bytes(base64.b64decode(value[7:]))
        path, offset, length = value
        with open(path, "rb") as fh:
            fh.seek(offset)
            return self.buffer_cls.from_bytes(fh.read(length))

    @pytest.fixture
    def store_kwargs(self, tmp_path: Path) -> dict[str, Any]:
        blob = tmp_path / "blob.bin"
        blob.write_bytes(b"")
        return {"document": RefDocument(refs={}, source=str(tmp_path / "doc.lindi.json"),
                                        extra={"blob": str(blob)})}

    def test_store_repr(self, store: LindiReferenceStore) -> None:
        assert "doc.lindi.json" in repr(store)

    def test_store_supports_writes(self, store: LindiReferenceStore) -> None:
        assert not store.supports_writes and not store.supports_deletes

    def test_store_supports_listing(self, store: LindiReferenceStore) -> None:
        assert store.supports_listing

    def test_store_read_only(self, store: LindiReferenceStore) -> None:
        assert store.read_only
        with pytest.raises(AttributeError):
            store.read_only = False  # type: ignore[misc]

    @pytest.mark.parametrize("read_only", [True, False])
    async def test_store_open_read_only(self, open_kwargs: dict[str, Any], read_only: bool) -> None:
        if read_only:
            store = await self.store_cls.open(**open_kwargs, read_only=True)
            assert store._is_open and store.read_only
        else:
            with pytest.raises(ValueError, match="read-only"):
                await self.store_cls.open(**open_kwargs, read_only=False)

    async def test_serializable_store(self, store: LindiReferenceStore) -> None:
        await self.set(store, "c/0", self.buffer_cls.from_bytes(b"\x01\x02\x03\x04"))
        copy = pickle.loads(pickle.dumps(store))
        assert copy == store and copy.read_only
        observed = await copy.get("c/0", prototype=default_buffer_prototype())
        assert observed is not None and observed.to_bytes() == b"\x01\x02\x03\x04"

    async def _assert_refused(self, store: LindiReferenceStore, write: Any, *, bulk: bool = False) -> None:
        """The write raises (zarr's read-only ValueError; its NotImplementedError for bulk deletes) and changes nothing."""
        before = dict(store.document.refs)
        with pytest.raises(NotImplementedError if bulk else ValueError, match=None if bulk else READ_ONLY):
            await write()
        assert store.document.refs == before

    @pytest.mark.parametrize("key", ["zarr.json", "c/0", "foo/c/0.0"])
    async def test_set(self, store: LindiReferenceStore, key: str) -> None:  # type: ignore[override]
        await self._assert_refused(store, lambda: store.set(key, self.buffer_cls.from_bytes(b"\x01")))

    async def test_set_not_open(self, store_not_open: LindiReferenceStore) -> None:
        await self._assert_refused(store_not_open,
                                   lambda: store_not_open.set("c/0", self.buffer_cls.from_bytes(b"\x01")))

    async def test_set_many(self, store: LindiReferenceStore) -> None:
        await self._assert_refused(store, lambda: store.set("zarr.json", self.buffer_cls.from_bytes(b"{}")))

    async def test_set_if_not_exists(self, store: LindiReferenceStore) -> None:
        await self.set(store, "k", self.buffer_cls.from_bytes(b"0000"))
        await self._assert_refused(store, lambda: store.set_if_not_exists("k2", self.buffer_cls.from_bytes(b"1")))

    async def test_exists(self, store: LindiReferenceStore) -> None:
        assert not await store.exists("foo/zarr.json")
        await self.set(store, "foo/zarr.json", self.buffer_cls.from_bytes(b"bar"))
        assert await store.exists("foo/zarr.json")

    async def test_delete(self, store: LindiReferenceStore) -> None:
        await self.set(store, "foo/zarr.json", self.buffer_cls.from_bytes(b"bar"))
        await self._assert_refused(store, lambda: store.delete("foo/zarr.json"))

    async def test_delete_dir(self, store: LindiReferenceStore) -> None:
        await self.set(store, "foo/c/0", self.buffer_cls.from_bytes(b"chunk"))
        await self._assert_refused(store, lambda: store.delete_dir("foo"), bulk=True)

    async def test_delete_nonexistent_key_does_not_raise(self, store: LindiReferenceStore) -> None:
        await self._assert_refused(store, lambda: store.delete("nonexistent_key"))

    async def test_clear(self, store: LindiReferenceStore) -> None:
        await self.set(store, "key", self.buffer_cls.from_bytes(b"something"))
        await self._assert_refused(store, store.clear, bulk=True)

    # zarr's synchronous store surface (newer zarr releases test and use it): reads work, writes are refused

    def test_get_sync_equals_get(self, store: LindiReferenceStore) -> None:
        for key, data in [("c/0", b"\x01\x02\x03\x04"), ("c/1", b"")]:
            seed(store, key, data)
            for byte_range in (None, RangeByteRequest(1, 3), OffsetByteRequest(1), SuffixByteRequest(1)):
                got = store.get_sync(key, byte_range=byte_range)
                want = zarr_sync(store.get(key, prototype=default_buffer_prototype(), byte_range=byte_range))
                assert got is not None and want is not None and got.to_bytes() == want.to_bytes()
        assert store.get_sync("nonexistent") is None

    async def test_get_sync_byte_range_parity(self, store: LindiReferenceStore) -> None:  # type: ignore[override]
        await self.set(store, "parity", self.buffer_cls.from_bytes(b"\x01\x02\x03\x04"))
        for byte_range in (None, RangeByteRequest(1, 4), OffsetByteRequest(1), SuffixByteRequest(1),
                           RangeByteRequest(10, 20)):
            got = store.get_sync("parity", byte_range=byte_range)
            want = await store.get("parity", prototype=default_buffer_prototype(), byte_range=byte_range)
            assert got is not None and want is not None and got.to_bytes() == want.to_bytes()

    def test_set_sync(self, store: LindiReferenceStore) -> None:
        before = dict(store.document.refs)
        with pytest.raises(ValueError, match=READ_ONLY):
            store.set_sync("sync_set", self.buffer_cls.from_bytes(b"\x01"))
        assert store.document.refs == before

    def test_delete_sync(self, store: LindiReferenceStore) -> None:
        seed(store, "sync_delete", b"\x01")
        with pytest.raises(ValueError, match=READ_ONLY):
            store.delete_sync("sync_delete")
        assert store.get_sync("sync_delete") is not None

    def test_delete_sync_missing(self, store: LindiReferenceStore) -> None:
        with pytest.raises(ValueError, match=READ_ONLY):
            store.delete_sync("nonexistent_sync")

    @pytest.mark.parametrize("direction", ["set_async_get_sync", "set_sync_get_async"])
    async def test_sync_async_set_get_parity(self, store: LindiReferenceStore, direction: str) -> None:
        data = self.buffer_cls.from_bytes(b"\x01")
        with pytest.raises(ValueError, match=READ_ONLY):
            if direction == "set_async_get_sync":
                await store.set("parity", data)
            else:
                store.set_sync("parity", data)
        assert "parity" not in store.document.refs

    async def test_delete_sync_visible_to_async_get(self, store: LindiReferenceStore) -> None:
        await self.set(store, "parity_delete", self.buffer_cls.from_bytes(b"\x01"))
        with pytest.raises(ValueError, match=READ_ONLY):
            store.delete_sync("parity_delete")
        assert await store.get("parity_delete", prototype=default_buffer_prototype()) is not None

