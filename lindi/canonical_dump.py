"""The canonical dump: one language-neutral JSON text describing everything an HDF5-like file holds.

It is the oracle of the conformance suite (:mod:`lindi.conformance`), and its element encoders are how
``lindi ls -a``, ``diff`` and ``cat --format json`` (:mod:`lindi.inspection`) show values, so the two
agree. The expected dump of a vector comes from h5py on the original
HDF5 file, and every implementation must print the same bytes for its reading of the LINDI document. The
rules are specified in conformance/README.md ("The canonical dump"); this module implements them over ANY
h5py-like file object (a real ``h5py.File`` or ``lindi.LindiH5pyFile``).

It deliberately imports nothing from the rest of ``lindi`` (only numpy and h5py), so that an adapter
running another LINDI version, whose package has the same import name, can load this file by path.
For the same reason :class:`DumpError` is defined here, not in :mod:`lindi.errors`.
"""
from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Callable
from typing import Any

import h5py
import numpy as np

DUMP_FORMAT = 1
# Arrays with more elements than this are summarised (digest + first elements) instead of listed.
MAX_LISTED_ELEMENTS = 256
FIRST_ELEMENTS = 8
_MAX_EXACT_INT = 2**53

Encoder = Callable[[Any], Any]


class DumpError(ValueError):
    """The object model exposes something the canonical dump has no form for; names the object path."""


# ---------------------------------------------------------------- canonical JSON


def _canonical_number(x: int | float) -> int | float | str:
    """Special floats as strings; integral values within 2**53 as integers (so -0.0 and 1.0 print as 0, 1)."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x.is_integer() and abs(x) <= _MAX_EXACT_INT:
        return int(x)
    return x


def canonical_text(doc: Any) -> str:
    """The exact text a dump is compared by (numbers are already in canonical form, see _canonical_number)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False) + "\n"


# ---------------------------------------------------------------- datatype descriptors


def dtype_descriptor(dt: np.dtype) -> Any:
    """The spec's datatype descriptor (SPEC 4.1) of an h5py dtype, minus the opaque tag (not observable)."""
    string = h5py.check_string_dtype(dt)
    if string is not None:
        return {"class": "string", "charset": "utf-8" if string.encoding == "utf-8" else "ascii",
                "length": string.length}
    ref = h5py.check_ref_dtype(dt)
    if ref is not None:
        return {"class": "region_reference" if ref is h5py.RegionReference else "reference"}
    vlen = h5py.check_vlen_dtype(dt)
    if vlen is not None:
        return {"class": "vlen", "base": dtype_descriptor(np.dtype(vlen))}
    enum = h5py.check_enum_dtype(dt)
    if enum is not None:
        wide = dt.itemsize == 8  # like 8-byte elements: decimal strings, so the comparison stays exact
        return {"class": "enum", "base": dt.str, "members": {k: str(int(v)) if wide else int(v) for k, v in enum.items()}}
    if dt.names is not None and dt.fields is not None:
        return {"class": "compound", "itemsize": dt.itemsize,
                "fields": [{"name": n, "offset": dt.fields[n][1], "dtype": dtype_descriptor(dt[n])}
                           for n in dt.names]}
    if dt.subdtype is not None:
        return {"class": "array", "base": dtype_descriptor(dt.subdtype[0]), "shape": list(dt.subdtype[1])}
    if dt.kind == "V":
        return {"class": "opaque", "size": dt.itemsize}
    if dt.kind in "biufc":
        return dt.str
    raise DumpError(f"datatype {dt!r} has no canonical form")


def _is_plain(dt: np.dtype) -> bool:
    """Fixed-size types whose digest is taken over little-endian bytes (others: over canonical JSON)."""
    if dt.names is not None or dt.subdtype is not None or dt.kind == "O":
        return False
    return dt.kind in "biufcSV"


# ---------------------------------------------------------------- element encoders


def _float(x: Any) -> Any:
    return _canonical_number(float(x))


def _text_or_base64(x: Any) -> Any:
    raw = x.encode("utf-8") if isinstance(x, str) else bytes(x)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode("ascii")}


class EncodingContext:
    """What element encoding needs from the file: reference targets mapped to canonical paths.

    Without ``canonical_paths`` a reference is shown by the name the file gives its target.
    """

    def __init__(self, file: Any, canonical_paths: dict[Any, str] | None = None):
        self.file = file
        self.canonical_paths = {} if canonical_paths is None else canonical_paths

    def ref_path(self, ref: Any) -> str | None:
        if not ref:
            return None
        obj = self.file[ref]
        return self.canonical_paths.get(_identity(obj), obj.name)

    def region(self, ref: Any) -> dict[str, Any]:
        selection = getattr(ref, "region", None)  # non-h5py implementations expose the spec form here
        if isinstance(selection, dict):
            return selection
        space = h5py.h5r.get_region(ref, self.file[ref].id)
        kind = space.get_select_type()
        if kind == h5py.h5s.SEL_ALL:
            return {"kind": "all"}
        if kind == h5py.h5s.SEL_NONE:
            return {"kind": "none"}
        if kind == h5py.h5s.SEL_POINTS:
            return {"kind": "points", "points": np.asarray(space.get_select_elem_pointlist()).tolist()}
        blocks = np.asarray(space.get_select_hyper_blocklist())
        return {"kind": "hyperslab", "blocks": blocks.tolist()}

    def encoder(self, dt: np.dtype) -> Encoder:
        if h5py.check_string_dtype(dt) is not None:
            return _text_or_base64
        ref = h5py.check_ref_dtype(dt)
        if ref is h5py.RegionReference:
            return lambda x: {"ref": self.ref_path(x), "region": self.region(x)} if x else {"ref": None}
        if ref is not None:
            return lambda x: {"ref": self.ref_path(x)}
        vlen = h5py.check_vlen_dtype(dt)
        if vlen is not None:
            base = self.encoder(np.dtype(vlen))
            return lambda x: [base(e) for e in np.asarray(x).ravel()]
        if dt.names is not None:
            fields = [(n, self.encoder(dt[n])) for n in dt.names]
            return lambda x: [enc(x[n]) for n, enc in fields]
        if dt.subdtype is not None:
            base = self.encoder(dt.subdtype[0])
            return lambda x: encode_nested(np.asarray(x), base)
        if dt.kind == "b":
            return bool
        if dt.kind in "iu":
            return (lambda x: str(int(x))) if dt.itemsize == 8 else int
        if dt.kind == "f":
            return _float
        if dt.kind == "c":
            return lambda x: [_float(x.real), _float(x.imag)]
        if dt.kind == "V":
            return lambda x: base64.b64encode(np.asarray(x).tobytes()).decode("ascii")
        raise DumpError(f"datatype {dt!r} has no canonical form")


def encode_nested(arr: np.ndarray, enc: Encoder) -> Any:
    """``arr`` as nested lists, each element through ``enc`` (a scalar array: the element itself)."""
    if arr.ndim == 0:
        return enc(arr[()])
    if arr.ndim == 1:
        return [enc(arr[i]) for i in range(arr.shape[0])]
    return [encode_nested(arr[i], enc) for i in range(arr.shape[0])]


def _value(data: Any, dt: np.dtype, shape: tuple[int, ...], ctx: EncodingContext) -> Any:
    """The value member of a dataset or attribute: nested lists, or a digest for large arrays."""
    if dt.kind == "O" and not shape:
        arr = np.empty((), dtype=object)
        arr[()] = data[()] if isinstance(data, np.ndarray) and data.ndim == 0 else data
    else:
        arr = np.asarray(data, dtype=dt)
    arr = arr.reshape(shape)
    enc = ctx.encoder(dt)
    if arr.size <= MAX_LISTED_ELEMENTS:
        return encode_nested(arr, enc)
    flat = arr.ravel()
    if _is_plain(dt):
        digest = hashlib.sha256(np.ascontiguousarray(flat.astype(dt.newbyteorder("<"))).tobytes())
    else:
        digest = hashlib.sha256(canonical_text([enc(e) for e in flat]).encode("ascii"))
    return {"count": int(arr.size), "first": [enc(e) for e in flat[:FIRST_ELEMENTS]],
            "sha256": digest.hexdigest()}


# ---------------------------------------------------------------- objects


_H5_IDS = (h5py.h5f.FileID, h5py.h5g.GroupID, h5py.h5d.DatasetID)


def _identity(obj: Any) -> Any:
    """A hashable key equal for every name of one object (h5py: file number + object address)."""
    oid = getattr(obj, "id", None)
    if isinstance(oid, _H5_IDS) and oid.valid:
        return ("h5", oid.fileno, h5py.h5o.get_info(oid).addr)
    if oid is not None and getattr(type(oid), "__hash__", None) is not None:
        return ("id", oid)  # other implementations: an id equal for every name of the object (LINDI does this)
    return ("name", obj.name)


def _sorted_names(names: Any) -> list[str]:
    return sorted(names, key=lambda n: n.encode("utf-8"))


def _is_group(obj: Any) -> bool:
    return isinstance(obj, h5py.Group) or (hasattr(obj, "keys") and not hasattr(obj, "dtype"))


def _join(path: str, name: str) -> str:
    return f"/{name}" if path == "/" else f"{path}/{name}"


def _walk(group: Any, path: str, visit: Callable[[str, Any, Any], None]) -> None:
    """Depth-first in UTF-8 byte order of names; ``visit(path, link, obj)`` (obj None for soft/external)."""
    for name in _sorted_names(group.keys()):
        child_path = _join(path, name)
        link = group.get(name, getlink=True)
        if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
            visit(child_path, link, None)
            continue
        obj = group[name]
        visit(child_path, link, obj)


def attribute_type(attrs: Any, name: str, value: Any) -> tuple[np.dtype, tuple[int, ...] | None]:
    """``(dtype, shape)`` of attribute ``name`` (shape None: a null dataspace), from its id when the file has one."""
    get_id = getattr(attrs, "get_id", None)
    if get_id is not None:
        try:
            aid = get_id(name)
            return aid.dtype, aid.shape
        except (AttributeError, KeyError, NotImplementedError, TypeError):
            pass
    if isinstance(value, h5py.Empty):
        return value.dtype, None
    if isinstance(value, (np.ndarray, np.generic)):
        return value.dtype, value.shape
    if isinstance(value, (bool, int, float, list)):  # plain Python values (LINDI 0.4 returns these)
        arr = np.asarray(value)
        return (h5py.string_dtype("utf-8") if arr.dtype.kind == "U" else arr.dtype), arr.shape
    if isinstance(value, str):
        return h5py.string_dtype("utf-8"), ()
    if isinstance(value, bytes):
        return h5py.string_dtype("ascii"), ()
    if isinstance(value, h5py.RegionReference):
        return h5py.regionref_dtype, ()
    if isinstance(value, h5py.Reference):
        return h5py.ref_dtype, ()
    raise DumpError(f"attribute {name!r} has a value of unknown type {type(value).__name__}")


def _attrs(obj: Any, ctx: EncodingContext) -> list[dict[str, Any]]:
    out = []
    for name in obj.attrs.keys():
        value = obj.attrs[name]
        dt, shape = attribute_type(obj.attrs, name, value)
        entry: dict[str, Any] = {"name": name, "dtype": dtype_descriptor(dt),
                                 "shape": None if shape is None else list(shape)}
        try:
            entry["value"] = None if shape is None else _value(value, dt, shape, ctx)
        except DumpError as exc:
            raise DumpError(f"{exc} (attribute {name!r} of {obj.name})") from None
        out.append(entry)
    return out


def _dataset_entry(dset: Any, ctx: EncodingContext) -> dict[str, Any]:
    dt = dset.dtype
    shape = dset.shape
    entry: dict[str, Any] = {"kind": "dataset", "dtype": dtype_descriptor(dt),
                             "shape": None if shape is None else list(shape), "attrs": _attrs(dset, ctx)}
    entry["value"] = None if shape is None else _value(dset[()], dt, tuple(shape), ctx)
    return entry


def dump(file: Any) -> dict[str, Any]:
    """The canonical dump of an h5py-like file as a JSON-ready dict (serialise with :func:`canonical_text`)."""
    canonical_paths: dict[Any, str] = {_identity(file): "/"}

    def first_names(path: str, link: Any, obj: Any) -> None:
        if obj is None:
            return
        key = _identity(obj)
        if key in canonical_paths:
            return
        canonical_paths[key] = path
        if _is_group(obj):
            _walk(obj, path, first_names)

    _walk(file, "/", first_names)
    ctx = EncodingContext(file, canonical_paths)
    objects: dict[str, Any] = {}

    def group_entry(group: Any) -> dict[str, Any]:
        return {"kind": "group", "attrs": _attrs(group, ctx), "members": list(group.keys())}

    def visit(path: str, link: Any, obj: Any) -> None:
        if isinstance(link, h5py.SoftLink):
            objects[path] = {"kind": "soft_link", "target": link.path}
            return
        if isinstance(link, h5py.ExternalLink):
            objects[path] = {"kind": "external_link", "file": link.filename, "target": link.path}
            return
        first = canonical_paths[_identity(obj)]
        if first != path:
            objects[path] = {"kind": "hard_link", "target": first}
            return
        try:
            if _is_group(obj):
                objects[path] = group_entry(obj)
                _walk(obj, path, visit)
            else:
                objects[path] = _dataset_entry(obj, ctx)
        except DumpError as exc:
            raise DumpError(f"{exc} (object {path})") from None

    objects["/"] = group_entry(file)
    _walk(file, "/", visit)
    return {"lindi_conformance_dump": DUMP_FORMAT, "objects": objects}


def dump_text(file: Any) -> str:
    """:func:`dump` serialised canonically (the bytes the runner compares)."""
    return canonical_text(dump(file))
