"""The objects of a document as records: kind, link target, shape, dtype, storage, chunks and places.

Records come from the reader (:class:`~lindi.LindiH5pyFile`, for h5py's view of
dtypes, link kinds and member order) and from a :class:`~.census.Census` of the
refs (for chunk counts and places); nothing outside the document is read. Links
are listed, never followed: a soft or external link, or a second name of a hard
link, is a record of its own and is not descended into.
"""
from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import LindiError, UnknownPath
from ..store.index import join
from .census import Census
from .opening import ChunkReadRefused
from .values import attribute_values, describe_dtype, descriptor_or_none

GROUP, DATASET = "group", "dataset"
LINK_KINDS = ("soft link", "hard link", "external link")


@dataclass
class ObjectRecord:
    """One object (or link) of a document, as ``ls`` shows it."""

    path: str
    kind: str
    target: str | None = None
    link_file: str | None = None
    shape: list[int] | None = None
    dtype: str | None = None
    dtype_descriptor: Any = None
    layout: str | None = None
    chunk_shape: list[int] | None = None
    codecs: list[str] = field(default_factory=list)
    external_array: dict[str, Any] | None = None
    chunks_referenced: int = 0
    chunks_inline: int = 0
    referenced_bytes: int = 0
    inline_bytes: int = 0
    places: dict[str, int] = field(default_factory=dict)
    attrs: dict[str, dict[str, Any]] | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        if self.attrs is None:
            del out["attrs"]
        return out


def walk(file: Any, census: Census, path: str = "/", *, recursive: bool = False,
         with_attrs: bool = False) -> Iterator[ObjectRecord]:
    """Records of the members of the group at ``path`` (recursively with ``recursive``), or of the one
    dataset or link ``path`` names. With ``with_attrs`` the group itself comes first (for its attributes).
    Member order is the reader's (creation order when recorded)."""
    path = "/" + path.strip("/")
    if path == "/":
        if with_attrs:
            yield ObjectRecord(path="/", kind=GROUP, attrs=attribute_values(file))
        yield from _members(file, census, file, recursive, with_attrs)
        return
    parent_name, leaf = posixpath.split(path)
    try:
        parent = file[parent_name]
    except KeyError as exc:
        raise UnknownPath(f"no group {parent_name!r} in the document: {exc}") from None
    if not hasattr(parent, "_member_names") or file._store.index.kind(join(parent._meta.store_path, leaf)) is None:
        raise UnknownPath(f"no object {path!r} in the document")
    record = describe(file, census, parent, leaf, with_attrs)
    if record.kind != GROUP or with_attrs:
        yield record
    if record.kind == GROUP:
        yield from _members(file, census, file[path], recursive, with_attrs)


def _members(file: Any, census: Census, group: Any, recursive: bool, with_attrs: bool) -> Iterator[ObjectRecord]:
    for name in group._member_names():
        record = describe(file, census, group, name, with_attrs)
        yield record
        if recursive and record.kind == GROUP and record.error is None:
            yield from _members(file, census, file._object(join(group._meta.store_path, name), record.path),
                                recursive, with_attrs)


def describe(file: Any, census: Census, parent: Any, name: str, with_attrs: bool = False) -> ObjectRecord:
    """The record of member ``name`` of ``parent``; an unreadable object gets ``error`` set, not raised."""
    store_path = join(parent._meta.store_path, name)
    record = ObjectRecord(path=posixpath.join(parent.name, name), kind=GROUP)
    try:
        link = file._resolver.link_of(store_path)
        if link is not None:
            record.kind = f"{link['type']} link"
            record.target = link.get("path") if link["type"] == "soft" else link.get("target")
            if link["type"] == "external":
                record.link_file = link.get("file")
            return record
        obj = file._object(store_path, record.path)
        if file._store.index.kind(store_path) == "array":
            record.kind = DATASET
            _describe_dataset(record, obj, census)
        if with_attrs:
            record.attrs = attribute_values(obj)
    except (LindiError, KeyError, ValueError, TypeError) as exc:
        record.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return record


def _describe_dataset(record: ObjectRecord, dset: Any, census: Census) -> None:
    zarray = dset._zarray
    record.shape = None if dset.shape is None else list(dset.shape)
    try:
        dt = dset.dtype
        record.dtype, record.dtype_descriptor = describe_dtype(dt), descriptor_or_none(dt)
    except ChunkReadRefused:  # `|O` without a descriptor: string or reference, told only by the data
        record.dtype = "object (str or reference: told by the data, which is not read)"
    external = dset._external_link
    if external is not None:
        record.external_array = {"url": external.get("url"), "name": external.get("name")}
        record.layout = "external HDF5 dataset"
    else:
        storage = dset._storage or {}
        record.layout = storage.get("layout")
        chunk_shape = dset.chunks if storage else zarray.get("chunks")
        record.chunk_shape = None if chunk_shape is None else [int(c) for c in chunk_shape]
    codecs = [*(zarray.get("filters") or []), *([zarray["compressor"]] if zarray.get("compressor") else [])]
    record.codecs = [str(c.get("id")) if isinstance(c, dict) else repr(c) for c in codecs]
    stats = census.arrays.get(dset._meta.store_path)
    if stats is not None:
        record.chunks_referenced, record.chunks_inline = stats.referenced, stats.inline
        record.referenced_bytes, record.inline_bytes = stats.referenced_bytes, stats.inline_bytes
        record.places = {place.label(): n for place, n in stats.places.most_common()}
