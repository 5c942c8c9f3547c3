"""Write vectors: a language-neutral list of write operations, and its replay onto an h5py-like file.

An op list (conformance/README.md, "Write vectors") is replayed by every implementation that claims
``write``; the same replay onto a real ``h5py.File`` gives the expected dump. Values use the element
encoding of the canonical dump (8-byte integers as decimal strings, special floats as strings).
"""
from __future__ import annotations

import math
from typing import Any

import h5py
import numpy as np

OPS_FORMAT = 1
_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class OpsError(ValueError):
    """An op list is malformed; the message names the op index and member."""


def numpy_dtype(descriptor: Any, where: str) -> np.dtype:
    """The h5py dtype of the descriptors an op list may use: numeric typestrs and strings."""
    if isinstance(descriptor, str):
        try:
            dt = np.dtype(descriptor)
        except TypeError:
            raise OpsError(f"{where}: unknown dtype {descriptor!r}") from None
        if dt.kind not in "biufc":
            raise OpsError(f"{where}: dtype {descriptor!r} is not numeric")
        return dt
    if isinstance(descriptor, dict) and descriptor.get("class") == "string":
        charset = descriptor.get("charset")
        if charset not in ("ascii", "utf-8"):
            raise OpsError(f"{where}: string charset must be 'ascii' or 'utf-8'")
        return h5py.string_dtype(charset, descriptor.get("length"))
    raise OpsError(f"{where}: unsupported dtype descriptor {descriptor!r}")


def _element(value: Any, dt: np.dtype, where: str) -> Any:
    string = h5py.check_string_dtype(dt)
    try:
        if string is not None:
            if not isinstance(value, str):
                raise TypeError("expected a string")
            return value if string.length is None else value.encode(string.encoding)
        if dt.kind == "b":
            if not isinstance(value, bool):
                raise TypeError("expected true or false")
            return value
        if dt.kind in "iu":
            if isinstance(value, bool) or (dt.itemsize == 8) != isinstance(value, str):
                raise TypeError("8-byte integers are decimal strings, others JSON integers")
            return int(value)
        if dt.kind == "f":
            return _SPECIAL[value] if isinstance(value, str) else float(value)
        if dt.kind == "c":
            re_, im = (_element(v, np.dtype("f8"), where) for v in value)
            return complex(re_, im)
    except (TypeError, ValueError, KeyError) as exc:
        raise OpsError(f"{where}: bad element {value!r} for dtype {dt}: {exc}") from None
    raise OpsError(f"{where}: unsupported dtype {dt}")


def to_array(value: Any, dt: np.dtype, shape: list[int], where: str) -> np.ndarray:
    """Decode a nested-list value in dump element encoding into an array of ``dt`` and ``shape``."""
    def walk(v: Any, depth: int) -> Any:
        if depth == len(shape):
            return _element(v, dt, where)
        if not isinstance(v, list) or len(v) != shape[depth]:
            raise OpsError(f"{where}: value does not have shape {shape}")
        return [walk(x, depth + 1) for x in v]

    nested = walk(value, 0)
    out = np.empty(tuple(shape), dtype=dt)
    if shape:
        out[...] = np.array(nested, dtype=object) if dt.kind == "O" else np.array(nested, dtype=dt)
    else:
        out[()] = nested
    return out


def _member(op: dict[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = op.get(name)
    if not isinstance(value, kind):
        raise OpsError(f"{where}: member {name!r} missing or of the wrong type")
    return value


def load_ops(doc: Any) -> list[dict[str, Any]]:
    """Check the envelope of an op list and return its ops."""
    if not isinstance(doc, dict) or doc.get("lindi_conformance_ops") != OPS_FORMAT:
        raise OpsError(f"not an op list: needs \"lindi_conformance_ops\": {OPS_FORMAT}")
    ops = doc.get("ops")
    if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
        raise OpsError("'ops' must be a list of objects")
    return ops


def replay(doc: Any, target: Any) -> None:
    """Apply every op of ``doc`` to ``target`` (an h5py-like file opened for writing), in order."""
    for i, op in enumerate(load_ops(doc)):
        where = f"op {i} ({op.get('op')})"
        path = _member(op, "path", str, where)
        kind = op.get("op")
        if kind == "create_group":
            track_order = op.get("track_order", False)
            if not isinstance(track_order, bool):
                raise OpsError(f"{where}: member 'track_order' must be true or false")
            # only pass it when asked: a group tracking creation order iterates members and attributes so
            target.create_group(path, track_order=True) if track_order else target.create_group(path)
        elif kind == "create_dataset":
            dt = numpy_dtype(op.get("dtype"), where)
            shape = _member(op, "shape", list, where)
            data = to_array(op.get("data"), dt, shape, where)
            chunks = op.get("chunks")
            target.create_dataset(path, data=data, dtype=dt, chunks=tuple(chunks) if chunks else None)
        elif kind == "set_attribute":
            dt = numpy_dtype(op.get("dtype"), where)
            shape = _member(op, "shape", list, where)
            value = to_array(op.get("value"), dt, shape, where)
            target[path].attrs[_member(op, "name", str, where)] = value
        elif kind == "soft_link":
            target[path] = h5py.SoftLink(_member(op, "target", str, where))
        else:
            raise OpsError(f"{where}: unknown op")
