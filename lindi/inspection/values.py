"""Values and dtypes as text a person reads, and as JSON.

Values become JSON through the canonical dump's element encoders (:mod:`lindi.canonical_dump`,
the conformance suite's one definition of every HDF5 type as JSON: strings, references, compounds,
vlen, special floats), so ``ls -a``, ``diff`` and ``cat --format json`` agree with it.
"""
from __future__ import annotations

import shutil
from typing import Any

import h5py
import numpy as np

from .. import strict_json
from ..canonical_dump import EncodingContext, attribute_type, dtype_descriptor, encode_nested

__all__ = ["attribute_values", "cut", "describe_dtype", "descriptor_or_none", "terminal_width", "to_json_value"]


def terminal_width() -> int:
    """Columns of the terminal (``COLUMNS`` when set; 100 when there is no terminal)."""
    return shutil.get_terminal_size((100, 24)).columns


def cut(text: str, width: int) -> str:
    """``text`` on one line, shortened to ``width`` characters with an ellipsis."""
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[:max(width - 1, 0)] + "…"


def describe_dtype(dt: np.dtype) -> str:
    """h5py's view of a dtype in words: ``int16``, ``float64 (big-endian)``, ``str (utf-8, vlen)``, ..."""
    string = h5py.check_string_dtype(dt)
    if string is not None:
        length = "vlen" if string.length is None else f"{string.length} bytes"
        return f"{'str' if dt.kind == 'O' else 'bytes'} ({string.encoding}, {length})"
    ref = h5py.check_ref_dtype(dt)
    if ref is not None:
        return "region reference" if ref is h5py.RegionReference else "object reference"
    vlen = h5py.check_vlen_dtype(dt)
    if vlen is not None:
        return f"vlen {describe_dtype(np.dtype(vlen))}"
    enum = h5py.check_enum_dtype(dt)
    if enum is not None:
        members = ", ".join(f"{k}={v}" for k, v in enum.items())
        return f"enum {describe_dtype(np.dtype(dt.str))} {{{members}}}"
    if dt.names is not None and dt.fields is not None:
        return "compound {" + ", ".join(f"{n}: {describe_dtype(dt.fields[n][0])}" for n in dt.names) + "}"
    if dt.subdtype is not None:
        return f"{describe_dtype(dt.subdtype[0])}{list(dt.subdtype[1])}"
    if dt.kind in "Mm":  # numpy datetimes are stored as HDF5 opaque types tagged with their numpy dtype
        return f"opaque {dt.name}"
    if dt.kind == "V":
        return f"opaque ({dt.itemsize} bytes)"
    if dt.kind == "S":
        return f"bytes ({dt.itemsize} bytes)"
    name = dt.name
    return f"{name} (big-endian)" if dt.byteorder == ">" else name


def descriptor_or_none(dt: np.dtype) -> Any:
    """The spec's dtype descriptor of ``dt`` (None for the few numpy types the spec keeps as opaque)."""
    try:
        return dtype_descriptor(dt)
    except ValueError:
        return None


def to_json_value(file: Any, data: Any, dt: np.dtype) -> Any:
    """JSON-ready nested lists of ``data`` (references as ``{"ref": path}``, special floats as strings)."""
    if dt.kind in "Mm":  # numpy datetimes (HDF5 opaque): their ISO text
        return np.asarray(data).astype(str).tolist()
    encode = EncodingContext(file).encoder(dt)
    if dt.kind == "O" and not isinstance(data, np.ndarray):
        return encode(data)
    return encode_nested(np.asarray(data, dtype=dt), encode)


def attribute_values(obj: Any) -> dict[str, dict[str, Any]]:
    """``name -> {"dtype", "shape", "value"}`` of every attribute of ``obj`` (value JSON-ready)."""
    out: dict[str, dict[str, Any]] = {}
    for name in obj.attrs:
        value = obj.attrs[name]
        dt, shape = attribute_type(obj.attrs, name, value)
        out[name] = {"dtype": describe_dtype(dt), "shape": None if shape is None else list(shape),
                     "value": None if shape is None else to_json_value(obj.file, value, dt)}
    return out


def json_text(value: Any) -> str:
    """Compact strict JSON of a JSON-ready value."""
    return strict_json.dumps(value)
