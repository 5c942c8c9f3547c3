"""Walks an open HDF5 file and builds its LINDI document (spec sections 2-6).

Objects are visited depth-first with names in byte order; every name of an object
with several hard links holds the full object (chunk refs repeated, data never
copied) and names after the first are marked as links to it (spec 1.1), except
a link into its own ancestor, which stays a placeholder.
Each object is converted into a local batch of refs that is committed only when
the whole object succeeded, so a failure leaves no half-written object: it is
reported by path (or raised in strict mode) and the rest of the file converts.
"""
from __future__ import annotations

import base64
import functools
import math
from collections.abc import Callable
from typing import Any

import h5py
import numpy as np

from ..codecs import encode_chunk, hdf5_pipeline
from ..errors import ConversionError, LindiError, UnsupportedObjectError
from ..format.compound import compound_dtype_annotation
from ..format.descriptors import Descriptor
from ..format.names import COMPOUND_DTYPE, EXTERNAL_ARRAY_LINK, SCALAR, SOFT_LINK
from ..format.object_codecs import JSON_CODEC, is_json_encoded
from ..format.zarr_dtypes import OBJECT_DTYPE, default_descriptor, storage_dtype
from ..strict_json import encode_float
from .attributes import ConvertedAttributes, convert_attributes
from .chunk_index import ChunkIndexReader, object_address_and_refcount
from .chunks import (
    ChunkTable,
    chunk_key,
    chunked_table,
    contiguous_chunks,
    contiguous_table,
)
from .document import RefDocument
from .dtypes import describe
from .options import LindiH5ZarrStoreOpts
from .references import ReferenceEncoder
from .report import ConversionReport, UnsupportedObject
from .storage import storage_member
from .values import element_converter, json_codec_chunk

#: ``(offset, length) -> bytes`` of the one file being converted (not the batch RangeReader of lindi.backends).
FileRangeReader = Callable[[int, int], bytes]


def _b64(data: bytes) -> str:
    return "base64:" + base64.b64encode(data).decode("ascii")


def encode_fill_value(value: Any, zdtype: str) -> Any:
    """An HDF5 fill value in the Zarr v2 ``fill_value`` encoding (strict JSON)."""
    if zdtype == OBJECT_DTYPE or value is None:
        return None
    kind = np.dtype(zdtype).kind
    if kind == "b":
        return bool(value)
    if kind in "iu":
        return int(value)
    if kind == "f":
        return encode_float(float(value))
    if kind == "c":
        return [encode_float(float(value.real)), encode_float(float(value.imag))]
    if kind in "mM":  # numpy datetimes stored as Zarr m8/M8: their int64 count (spec section 3)
        return int(np.asarray(value).view("i8"))
    return base64.b64encode(np.asarray(value).tobytes().ljust(np.dtype(zdtype).itemsize, b"\0")).decode("ascii")


class _Batch:
    """Refs of one object, committed to the document only when the object converted."""

    def __init__(self) -> None:
        self.refs: dict[str, Any] = {}
        self.tables: list[ChunkTable] = []
        self.inlined = 0

    def inline(self, key: str, data: bytes) -> None:
        self.refs[key] = _b64(data)
        self.inlined += len(data)


class HDF5Converter:
    """Converts one open ``h5py.File``; ``read_range(offset, length)`` reads raw bytes of it.

    ``chunk_index`` reads chunk tables from the file's index structures (None: ``chunk_iter``).
    """

    def __init__(self, h5f: h5py.File, *, url: str, read_range: FileRangeReader,
                 opts: LindiH5ZarrStoreOpts = LindiH5ZarrStoreOpts(),
                 progress: Callable[[int], None] | None = None, chunk_index: ChunkIndexReader | None = None):
        self._file = h5f
        self._chunk_index = chunk_index
        self._url = url
        self._read_range = read_range
        self._opts = opts
        self._progress = progress
        self._refs = ReferenceEncoder(h5f)
        self._primary: dict[int, str] = {}
        self._group_addr: dict[str, int] = {}  # traversal path -> object address of the groups above
        self._copy_of: dict[str, str] = {}  # path of a marked copy of a group -> its first name
        self.document = RefDocument(url, template_threshold=opts.template_threshold)
        self.report = ConversionReport()

    # -- traversal ---------------------------------------------------------
    def run(self) -> tuple[RefDocument, ConversionReport]:
        """Convert the whole file once; an unreadable root group fails the whole file (with its name)."""
        stack: list[tuple[str, h5py.Group, str]] = []
        try:
            root = self._file["/"]
            root_address = object_address_and_refcount(root.id)[0]
            self._primary[root_address] = "/"
            self._group_addr["/"] = root_address
            self.report.objects += 1
            self._commit(self._group("/", root, stack))
        except Exception as exc:  # h5py raises OSError/ValueError/... on a corrupt file
            raise self._located(exc, "/") from (None if isinstance(exc, LindiError) else exc)
        while stack:
            path, parent, name = stack.pop()
            self._guarded(path, functools.partial(self._child, path, parent, name, stack))
        return self.document, self.report

    def _guarded(self, path: str, convert: Callable[[], _Batch | None]) -> None:
        self.report.objects += 1
        try:
            batch = convert()
        except Exception as exc:  # one bad object must not stop the file: report it
            error = self._located(exc, path)
            if self._opts.strict:
                raise error from (None if error is exc else exc)
            self.report.unsupported.append(UnsupportedObject(path, str(exc) if isinstance(exc, LindiError)
                                                             else f"{type(exc).__name__}: {exc}"))
            return
        if batch is not None:
            self._commit(batch)

    def _located(self, exc: Exception, path: str) -> LindiError:
        """The error to raise in strict mode, naming the file and the object."""
        if isinstance(exc, ConversionError):
            return exc if exc.h5_path else type(exc)(str(exc), h5_path=path, file=self._file.filename)
        if isinstance(exc, LindiError):
            return exc
        return ConversionError(f"{type(exc).__name__}: {exc}", h5_path=path, file=self._file.filename)

    def _commit(self, batch: _Batch) -> None:
        self.document.add_refs(batch.refs)
        chunks = 0
        for table in batch.tables:
            self.document.add_table(table)
            chunks += len(table)
        self.report.chunks_referenced += chunks
        self.report.bytes_inlined += batch.inlined
        if self._progress is not None:
            self._progress(chunks)

    def _child(self, path: str, parent: h5py.Group, name: str, stack: list) -> _Batch | None:
        link = parent.get(name, getlink=True)
        key = path[1:]
        if isinstance(link, h5py.SoftLink):
            self.report.links += 1
            return self._placeholder(key, zattrs={SOFT_LINK: {"path": link.path}})
        if isinstance(link, h5py.ExternalLink):
            self.report.links += 1
            return self._placeholder(key, lindi={"link": {"type": "external", "file": link.filename,
                                                          "target": link.path}})
        obj = parent[name]
        address, refcount = object_address_and_refcount(obj.id)  # h5o.get_info would walk the chunk index
        first = self._primary.setdefault(address, path) if refcount > 1 else path
        if first != path:
            self.report.links += 1
            if self._encloses(path, address):
                return self._placeholder(key, lindi={"link": {"type": "hard", "target": first}})
        if isinstance(obj, h5py.Group):
            self._group_addr[path] = address
            batch = self._group(path, obj, stack)
        elif isinstance(obj, h5py.Dataset):
            batch = self._dataset(path, obj)
        else:
            raise UnsupportedObjectError(f"{type(obj).__name__} objects (committed datatypes) are not represented")
        if first != path and first != self._mirrored(path):
            meta = key + "/.lindi"
            batch.refs[meta] = {**batch.refs.get(meta, {}), "hard_link": first}  # spec 1.1: a marked full copy
            if isinstance(obj, h5py.Group):
                self._copy_of[path] = first
        return batch

    def _mirrored(self, path: str) -> str | None:
        """Inside a marked copy of a group, the name ``path`` has below its first name (only the top of a copy
        is marked: what lies below it equals what lies below the first name)."""
        parts = path.split("/")
        for i in range(len(parts) - 1, 1, -1):
            first = self._copy_of.get("/".join(parts[:i]))
            if first is not None:
                return first + "/" + "/".join(parts[i:])
        return None

    def _encloses(self, path: str, addr: int) -> bool:
        """Whether a group above ``path`` is the object ``addr`` (a copy of it there would never end)."""
        parts = path.split("/")
        return addr == self._group_addr.get("/") or any(
            self._group_addr.get("/".join(parts[:i])) == addr for i in range(2, len(parts)))

    @staticmethod
    def _placeholder(key: str, *, zattrs: dict | None = None, lindi: dict | None = None) -> _Batch:
        batch = _Batch()
        batch.refs[key + "/.zgroup"] = {"zarr_format": 2}
        if zattrs:
            batch.refs[key + "/.zattrs"] = zattrs
        if lindi:
            batch.refs[key + "/.lindi"] = lindi
        return batch

    # -- groups -------------------------------------------------------------
    def _group(self, path: str, group: h5py.Group, stack: list) -> _Batch:
        prefix = "" if path == "/" else path[1:] + "/"
        batch = _Batch()
        attrs = self._attributes(path, group)
        names = list(group)
        by_bytes = sorted(names, key=lambda n: n.encode("utf-8"))
        lindi = self._attrs_meta(attrs)
        tracked = group.id.get_create_plist().get_link_creation_order() & h5py.h5p.CRT_ORDER_TRACKED
        if tracked and names != by_bytes:
            lindi["member_order"] = names
        batch.refs[prefix + ".zgroup"] = {"zarr_format": 2}
        self._metadata(batch, prefix, attrs.values, lindi)
        base = "/" if path == "/" else path + "/"
        stack.extend((base + name, group, name) for name in reversed(by_bytes))
        self.report.groups += 1
        return batch

    def _attributes(self, path: str, obj: h5py.HLObject) -> ConvertedAttributes:
        """Attributes of ``obj``; each one that fails is reported (strict: raised) on its own."""
        attrs = convert_attributes(obj.id, self._refs)
        for name, reason in attrs.failed.items():
            if self._opts.strict:
                raise UnsupportedObjectError(f"attribute {name!r}: {reason}")
            self.report.unsupported.append(UnsupportedObject(f"{path} (attribute {name!r})", reason))
        if attrs.failed and attrs.order is not None:
            attrs.order = [n for n in attrs.order if n not in attrs.failed]
        return attrs

    @staticmethod
    def _attrs_meta(attrs: ConvertedAttributes) -> dict[str, Any]:
        lindi: dict[str, Any] = {}
        if attrs.types:
            lindi["attrs"] = attrs.types
        if attrs.order is not None:
            lindi["attr_order"] = attrs.order
        return lindi

    @staticmethod
    def _metadata(batch: _Batch, prefix: str, zattrs: dict[str, Any], lindi: dict[str, Any]) -> None:
        if zattrs:
            batch.refs[prefix + ".zattrs"] = zattrs
        if lindi:
            batch.refs[prefix + ".lindi"] = lindi

    # -- datasets -----------------------------------------------------------
    def _dataset(self, path: str, dset: h5py.Dataset) -> _Batch:
        prefix = path[1:] + "/"
        desc = describe(dset.dtype, dset.id.get_type())
        zdtype = storage_dtype(desc)
        attrs = self._attributes(path, dset)
        zattrs = dict(attrs.values)
        lindi = self._attrs_meta(attrs)
        if desc != default_descriptor(zdtype):
            lindi["dtype"] = desc
        if dset.dtype.names is not None:
            zattrs[COMPOUND_DTYPE] = compound_dtype_annotation(dset.dtype)
        null = dset.id.get_space().get_simple_extent_type() == h5py.h5s.NULL
        scalar = not null and dset.shape == ()
        if scalar:
            zattrs[SCALAR] = True
        shape = [0] if null else (list(dset.shape) or [1])
        zarray: dict[str, Any] = {
            "zarr_format": 2, "shape": shape, "chunks": [max(1, s) for s in shape], "dtype": zdtype,
            "compressor": None, "filters": None, "fill_value": None, "order": "C", "dimension_separator": "."}
        batch = _Batch()
        if is_json_encoded(desc):
            zarray["filters"] = [JSON_CODEC]
        if null:
            lindi["null_dataspace"] = True
        elif is_json_encoded(desc):
            if math.prod(shape):
                self._json_chunk(batch, prefix, dset, desc, shape)
        else:
            zarray["fill_value"] = encode_fill_value(dset.fillvalue, zdtype)
            try:
                self._fixed_size_data(batch, prefix, dset, zarray, scalar)
            except UnsupportedObjectError as exc:
                if not isinstance(exc, _ChunkLimit):
                    if self._opts.strict:
                        raise
                    self.report.unsupported.append(UnsupportedObject(path, f"{exc}; kept as _EXTERNAL_ARRAY_LINK"))
                batch = _Batch()
                zarray.update(compressor=None, filters=None, chunks=[max(1, s) for s in shape])
                zattrs[EXTERNAL_ARRAY_LINK] = {"link_type": "hdf5_dataset", "url": self._url, "name": path}
        json_fill = element_converter(desc, self._refs) if is_json_encoded(desc) else None
        lindi["storage"] = storage_member(dset, zarray["chunks"], json_fill)
        batch.refs[prefix + ".zarray"] = zarray
        self._metadata(batch, prefix, zattrs, lindi)
        self.report.datasets += 1
        return batch

    def _json_chunk(self, batch: _Batch, prefix: str, dset: h5py.Dataset, desc: Descriptor,
                    shape: list[int]) -> None:
        element = element_converter(desc, self._refs)
        values = np.asarray(dset[()])
        # h5py expands array-typed elements into trailing axes: keep them together per element
        elements = values.reshape((math.prod(shape), *values.shape[len(dset.shape):]))
        text = json_codec_chunk([element(v) for v in elements], shape)
        batch.refs[prefix + chunk_key([0] * len(shape))] = text
        batch.inlined += len(text)

    def _fixed_size_data(self, batch: _Batch, prefix: str, dset: h5py.Dataset, zarray: dict[str, Any],
                         scalar: bool) -> None:
        plist = dset.id.get_create_plist()
        layout = plist.get_layout()
        if layout == h5py.h5d.VIRTUAL:
            raise UnsupportedObjectError("virtual datasets (VDS) are not represented")
        if plist.get_external_count():
            raise UnsupportedObjectError("raw data in external files is not represented")
        shape, itemsize = dset.shape, dset.dtype.itemsize
        if layout == h5py.h5d.COMPACT or scalar:
            if math.prod(zarray["shape"]):
                # asarray with the file dtype: h5py hands scalars back in native byte order
                batch.inline(prefix + chunk_key([0] * len(zarray["shape"])),
                             np.asarray(dset[()], dtype=dset.dtype).tobytes())
            return
        if layout == h5py.h5d.CONTIGUOUS:
            chunks = contiguous_chunks(shape, itemsize, self._opts.contiguous_dataset_max_chunk_size)
            zarray["chunks"] = list(chunks)
            offset = dset.id.get_offset()
            if offset is not None and math.prod(shape):
                self._place(batch, contiguous_table(offset, shape, itemsize, chunks, prefix), dset)
            return
        pipeline = hdf5_pipeline(dset)
        zarray.update(chunks=list(dset.chunks), filters=pipeline.filters, compressor=pipeline.compressor)
        limit = self._opts.num_dataset_chunks_threshold
        if limit is not None and math.prod(-(-s // c) for s, c in zip(shape, dset.chunks)) > limit:
            raise _ChunkLimit(f"more than num_dataset_chunks_threshold={limit} chunks")
        table = chunked_table(dset, prefix, self._chunk_index)
        for origin in table.skipped:
            batch.inline(prefix + chunk_key([o // c for o, c in zip(origin, dset.chunks)]),
                         self._reencode(dset, origin, pipeline))
        self._place(batch, table, dset)

    def _place(self, batch: _Batch, table: ChunkTable, dset: h5py.Dataset) -> None:
        """Reference the table's ranges, or inline them when the dataset is small."""
        # the table's sizes, not get_storage_size(): HDF5 would walk the chunk index again to add them up
        stored = int(np.frombuffer(table.sizes, np.int64).sum()) if len(table) else 0
        if stored >= self._opts.inline_threshold:
            batch.tables.append(table)
            return
        for key, offset, length in table.items():
            batch.inline(table.prefix + key, self._read_range(offset, length))

    @staticmethod
    def _reencode(dset: h5py.Dataset, origin: tuple[int, ...], pipeline: Any) -> bytes:
        """A chunk stored with a filter skipped: decode it through h5py, encode it fully."""
        region = tuple(slice(o, min(o + c, s)) for o, c, s in zip(origin, dset.chunks, dset.shape))
        full = np.full(dset.chunks, dset.fillvalue, dtype=dset.dtype)
        full[tuple(slice(0, r.stop - r.start) for r in region)] = dset[region]
        try:
            return encode_chunk(full, pipeline)
        except LindiError as exc:
            raise UnsupportedObjectError(f"chunk at {origin} skipped a filter and cannot be re-encoded: {exc}") \
                from None


class _ChunkLimit(UnsupportedObjectError):
    """Not a failure: LINDI 0.4's ``num_dataset_chunks_threshold`` asked for an external array link."""
