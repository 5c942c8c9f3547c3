"""Datatype descriptors (SPEC section 4.1) to and from the numpy dtypes h5py uses.

A descriptor is what a reader needs to give back the exact h5py dtype: a numpy typestr for plain numbers, or
a small JSON object for strings, enums, opaque, vlen, references, compounds and array types. h5py tags its
special types with numpy dtype metadata (``vlen``, ``h5py_encoding``, ``enum``, ``ref``, ``h5py_opaque``);
hdmf and user code test for those tags, so the dtypes made here carry exactly h5py's metadata.

Two things a numpy dtype does not hold come from the caller, so that this module needs no h5py: the reference
dtypes to make (:class:`ReferenceDtypes`: h5py's carry its own reference classes) and, when describing a type
read from an HDF5 file, the tags of its opaque parts (:class:`StoredType`).
"""
from __future__ import annotations

from typing import Any, NamedTuple, Protocol

import numpy as np

from ..errors import DocumentError, UnsupportedObjectError

Descriptor = str | dict[str, Any]

#: The descriptor of a variable-length UTF-8 string, the default meaning of an ``|O`` array (section 3.1).
VLEN_UTF8_STRING: dict[str, Any] = {"class": "string", "charset": "utf-8", "length": None}

#: The opaque tag prefix h5py gives numpy datetime64/timedelta64 types (``NUMPY:<typestr>``, section 3.1).
NUMPY_TAG = "NUMPY:"


class ReferenceDtypes(NamedTuple):
    """The numpy dtypes of object and region references: ``object`` dtype tagged ``ref`` with a reference class."""

    object: np.dtype
    region: np.dtype


class StoredType(Protocol):
    """What an HDF5 datatype knows beyond its numpy dtype: the tag of an opaque type, at any depth."""

    def opaque_tag(self) -> str | None:
        """The tag, when this is an opaque type."""

    def base(self) -> StoredType | None:
        """The base type of a vlen or array type."""

    def member(self, index: int) -> StoredType | None:
        """The type of a compound's ``index``-th field."""


def h5py_tag(dt: np.dtype, name: str) -> Any:
    """The h5py tag ``name`` (``vlen``, ``enum``, ``ref``, ...) in the metadata of ``dt``, None when untagged."""
    return None if dt.metadata is None else dt.metadata.get(name)


def describe(dt: np.dtype, stored: StoredType | None = None) -> Descriptor:
    """The descriptor of an h5py dtype; ``stored`` (the HDF5 type) supplies opaque tags."""
    ref = h5py_tag(dt, "ref")
    if ref is not None:
        return {"class": "region_reference" if _is_region_class(ref) else "reference"}
    string = _string_info(dt)
    if string is not None:
        return {"class": "string", "charset": string[0], "length": string[1]}
    vlen_base = h5py_tag(dt, "vlen")
    if vlen_base is not None:
        return {"class": "vlen", "base": describe(np.dtype(vlen_base), _base(stored))}
    if dt.names is not None and dt.fields is not None:
        fields = []
        for index, name in enumerate(dt.names):
            field_dt, offset = dt.fields[name][:2]
            member = stored.member(index) if stored is not None else None
            fields.append({"name": name, "offset": int(offset), "dtype": describe(field_dt, member)})
        return {"class": "compound", "itemsize": dt.itemsize, "fields": fields}
    if dt.subdtype is not None:
        base, shape = dt.subdtype
        return {"class": "array", "base": describe(base, _base(stored)),
                "shape": [int(s) for s in shape]}
    if dt.kind == "b":
        return "|b1"
    enum = h5py_tag(dt, "enum")
    if enum is not None:
        return {"class": "enum", "base": dt.str, "members": {k: int(v) for k, v in enum.items()}}
    if dt.kind in "VMm":  # h5py stores datetime64/timedelta64 as opaque tagged "NUMPY:<typestr>"
        tag = stored.opaque_tag() if stored is not None else None
        if not tag and dt.kind in "Mm":
            tag = NUMPY_TAG + dt.str
        return {"class": "opaque", "size": dt.itemsize, "tag": tag or ""}
    if dt.kind in "iufc":
        return dt.str
    raise UnsupportedObjectError(f"datatype {dt} has no LINDI representation")


def _is_region_class(cls: type) -> bool:
    """h5py tags a reference dtype with its class ``Reference``, or ``RegionReference`` (a subclass) for regions."""
    return any(c.__name__ == "RegionReference" for c in cls.__mro__)


def _base(stored: StoredType | None) -> StoredType | None:
    return stored.base() if stored is not None else None


def _string_info(dt: np.dtype) -> tuple[str, int | None] | None:
    """(charset, length) of an h5py string dtype, as ``h5py.check_string_dtype`` reads it; None otherwise."""
    vlen = h5py_tag(dt, "vlen")
    if vlen is str:
        return "utf-8", None
    if vlen is bytes:
        return "ascii", None
    if dt.kind == "S":
        return h5py_tag(dt, "h5py_encoding") or "ascii", dt.itemsize
    if dt.kind == "T":  # numpy 2's StringDType, which h5py writes as a vlen UTF-8 string
        return "utf-8", None
    return None


def string_dtype(charset: str, length: int | None) -> np.dtype:
    """h5py's ``string_dtype``: vlen strings are ``object`` tagged ``vlen`` (str or bytes), fixed ones ``S<n>``."""
    if length is None:
        return np.dtype("O", metadata={"vlen": str if charset == "utf-8" else bytes})
    return np.dtype(f"S{int(length)}", metadata={"h5py_encoding": "utf-8" if charset == "utf-8" else "ascii"})


def descriptor_to_dtype(desc: Any, references: ReferenceDtypes, *, where: str = "") -> np.dtype:
    """The h5py-flavoured numpy dtype of a datatype descriptor; ``where`` (a JSON pointer) names it in errors."""
    if isinstance(desc, str):
        return typestr_dtype(desc, where=where)
    if not isinstance(desc, dict) or "class" not in desc:
        raise DocumentError(f"invalid datatype descriptor {desc!r}", pointer=where)
    cls = desc["class"]
    try:
        if cls == "string":
            return string_dtype(desc.get("charset", "utf-8"), desc.get("length"))
        if cls == "enum":
            base = np.dtype(desc["base"])
            if base.kind not in "iu":
                raise TypeError(f"{base} is not an integer type")
            return np.dtype(base, metadata={"enum": dict(desc["members"])})
        if cls == "opaque":
            return _opaque_dtype(int(desc["size"]), desc.get("tag"))
        if cls == "vlen":
            return np.dtype("O", metadata={"vlen": descriptor_to_dtype(desc["base"], references, where=where)})
        if cls == "reference":
            return references.object
        if cls == "region_reference":
            return references.region
        if cls == "compound":
            fields = desc["fields"]
            spec: Any = {  # Any: numpy's stubs for the names/formats/offsets form differ between releases
                "names": [f["name"] for f in fields],
                "formats": [descriptor_to_dtype(f["dtype"], references, where=where) for f in fields],
                "offsets": [int(f["offset"]) for f in fields],
            }
            if desc.get("itemsize") is not None:
                spec["itemsize"] = int(desc["itemsize"])
            return np.dtype(spec)
        if cls == "array":
            return np.dtype((descriptor_to_dtype(desc["base"], references, where=where), tuple(desc["shape"])))
    except (KeyError, TypeError, ValueError) as exc:
        raise DocumentError(f"invalid {cls} datatype descriptor {desc!r}: {exc}", pointer=where) from None
    raise DocumentError(f"unknown datatype class {cls!r}", pointer=where)


def _opaque_dtype(size: int, tag: Any) -> np.dtype:
    """h5py reads an opaque type tagged ``NUMPY:<typestr>`` (how it stores datetime64/timedelta64) as that
    numpy type, marked ``h5py_opaque``; any other opaque type is plain void."""
    if isinstance(tag, str) and tag.startswith(NUMPY_TAG):
        try:
            tagged = np.dtype(tag[len(NUMPY_TAG):])
        except TypeError:
            tagged = None
        if tagged is not None and tagged.itemsize == size:
            return np.dtype(tagged, metadata={"h5py_opaque": True})
    return np.dtype(f"V{size}")


def typestr_dtype(typestr: str, *, where: str = "") -> np.dtype:
    """A numpy typestr as h5py reports it (``|S<n>`` is an ascii fixed-length string)."""
    try:
        dt = np.dtype(typestr)
    except TypeError:
        raise DocumentError(f"invalid numpy dtype {typestr!r}", pointer=where) from None
    if dt.kind == "S":
        return string_dtype("ascii", dt.itemsize)
    if dt.kind == "O":
        raise DocumentError("an object dtype needs a datatype descriptor", pointer=where)
    return dt
