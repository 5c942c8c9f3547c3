"""Recursive equality of two pynwb object trees (one read from the .nwb, one from the .lindi.json).

Compares neurodata types, names, object ids, every field (datasets read in
full, exact dtype and NaN-aware values), table columns including ragged ones,
and containers reached through links or references (each visited once).
"""
from __future__ import annotations

import datetime
from typing import Any

import h5py
import numpy as np
from hdmf.container import AbstractContainer, Data
from hdmf.query import HDMFDataset


def assert_same_nwb(expected: AbstractContainer, got: AbstractContainer) -> None:
    """Fail with every difference between two pynwb containers (usually two NWBFile objects)."""
    diffs: list[str] = []
    _compare(expected, got, expected.name, diffs, set())
    if diffs:
        shown = "\n".join(diffs[:200])
        raise AssertionError(f"{len(diffs)} difference(s) between the pynwb reads:\n{shown}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def _compare(a: Any, b: Any, where: str, diffs: list[str], seen: set[int]) -> None:
    if isinstance(a, AbstractContainer):
        _compare_container(a, b, where, diffs, seen)
    elif isinstance(a, (h5py.Dataset, HDMFDataset)):
        _compare_dataset(a, b, where, diffs, seen)
    elif isinstance(a, np.ndarray):
        _compare_array(a, np.asarray(b) if isinstance(b, (list, tuple)) else b, where, diffs, seen)
    elif isinstance(a, (list, tuple)):
        if not isinstance(b, (list, tuple, np.ndarray)) or len(a) != len(b):
            diffs.append(f"{where}: sequence {_short(a)} vs {_short(b)}")
            return
        for i, (x, y) in enumerate(zip(a, b)):
            label = repr(x.name) if isinstance(x, AbstractContainer) else i
            _compare(x, y, f"{where}[{label}]", diffs, seen)
    elif isinstance(a, dict):
        if not isinstance(b, dict) or list(a) != list(b):
            diffs.append(f"{where}: dict keys {list(a)} vs {list(b) if isinstance(b, dict) else _short(b)}")
            return
        for k in a:
            _compare(a[k], b[k], f"{where}[{k!r}]", diffs, seen)
    elif isinstance(a, np.void) and a.dtype.names:
        if not isinstance(b, np.void) or a.dtype != b.dtype:
            diffs.append(f"{where}: compound {a.dtype} vs {getattr(b, 'dtype', type(b).__name__)}")
            return
        for name in a.dtype.names:
            _compare(a[name], b[name], f"{where}.{name}", diffs, seen)
    elif isinstance(a, h5py.Reference):
        if not isinstance(b, h5py.Reference) or bool(a) != bool(b):
            diffs.append(f"{where}: reference {_short(a)} vs {_short(b)}")
    else:
        _compare_scalar(a, b, where, diffs)


def _compare_scalar(a: Any, b: Any, where: str, diffs: list[str]) -> None:
    if isinstance(a, (bytes, str, datetime.datetime, datetime.date)) or a is None:
        same = type(a) is type(b) and a == b
    elif isinstance(a, (int, float, complex, np.generic)):
        same = type(a) is type(b) and (a == b or (a != a and b != b))  # NaN equals NaN here
    else:
        same = type(a) is type(b) and a == b
    if not same:
        diffs.append(f"{where}: {_short(a)} ({type(a).__name__}) vs {_short(b)} ({type(b).__name__})")


def _compare_container(a: AbstractContainer, b: Any, where: str, diffs: list[str], seen: set[int]) -> None:
    if type(a) is not type(b):
        diffs.append(f"{where}: type {type(a).__name__} vs {type(b).__name__}")
        return
    if id(a) in seen:
        return
    seen.add(id(a))
    if a.name != b.name or a.object_id != b.object_id:
        diffs.append(f"{where}: name/object_id {(a.name, a.object_id)} vs {(b.name, b.object_id)}")
    a_fields, b_fields = dict(a.fields), dict(b.fields)
    if sorted(a_fields) != sorted(b_fields):
        diffs.append(f"{where}: fields {sorted(a_fields)} vs {sorted(b_fields)}")
    for key in a_fields:
        if key in b_fields:
            _compare(a_fields[key], b_fields[key], f"{where}.{key}", diffs, seen)
    if isinstance(a, Data):  # hdmf keeps the values of Data (VectorData, VectorIndex, ...) outside ``fields``
        _compare(a.data, b.data, f"{where}.data", diffs, seen)


def _compare_dataset(a: Any, b: Any, where: str, diffs: list[str], seen: set[int]) -> None:
    if type(a).__name__ != type(b).__name__ and not (isinstance(a, h5py.Dataset) and isinstance(b, h5py.Dataset)):
        diffs.append(f"{where}: dataset kind {type(a).__name__} vs {type(b).__name__}")
        return
    if a.shape != b.shape or a.dtype != b.dtype:
        diffs.append(f"{where}: shape/dtype {(a.shape, a.dtype)} vs {(b.shape, b.dtype)}")
        return
    if isinstance(a, HDMFDataset):  # references resolved by hdmf to containers: compare element by element
        for i in range(len(a)):
            _compare(a[i], b[i], f"{where}[{i}]", diffs, seen)
        return
    _compare(a[()], b[()], f"{where}[()]", diffs, seen)


def _compare_array(a: np.ndarray, b: Any, where: str, diffs: list[str], seen: set[int]) -> None:
    if not isinstance(b, np.ndarray) or a.shape != b.shape or a.dtype != b.dtype:
        diffs.append(f"{where}: array {a.dtype}{a.shape} vs "
                     f"{(b.dtype, b.shape) if isinstance(b, np.ndarray) else type(b).__name__}")
        return
    if a.dtype.kind == "O" or a.dtype.names:
        for i, (x, y) in enumerate(zip(a.ravel(), b.ravel())):
            _compare(x, y, f"{where}[flat {i}]", diffs, seen)
    elif np.ascontiguousarray(a).tobytes() != np.ascontiguousarray(b).tobytes():
        bits_a = np.ascontiguousarray(a).view(np.uint8).reshape(a.size, -1)
        bits_b = np.ascontiguousarray(b).view(np.uint8).reshape(b.size, -1)
        differ = np.flatnonzero((bits_a != bits_b).any(axis=1))
        first = tuple(int(i) for i in np.unravel_index(differ[0], a.shape))
        diffs.append(f"{where}: {len(differ)} value(s) differ, first at {first}: {a[first]!r} vs {b[first]!r}")
