"""Compare an h5py-like object tree (LINDI's reader) with h5py on the original file, object by object.

``assert_same_as_h5py`` walks both trees side by side and collects every
difference (kind, link kind, names, member and attribute order, attribute and
dataset values with exact dtype, Python type and float bits, references,
region selections, fill values, chunking, a few selections) before failing, so
one run gives the complete list of what differs and where.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable

import h5py
import numpy as np

_SPECIAL_CHECKS: dict[str, Callable[[np.dtype], Any]] = {
    "string": h5py.check_string_dtype,
    "vlen": h5py.check_vlen_dtype,
    "enum": h5py.check_enum_dtype,
    "ref": h5py.check_ref_dtype,
    "opaque": h5py.check_opaque_dtype,
}
_NOT_READ = object()
FILTER_PROPERTIES = ("compression", "compression_opts", "shuffle", "fletcher32", "scaleoffset")


@dataclass
class _Walk:
    """State of one comparison: the two files (for dereferencing) and the differences found."""

    h_file: h5py.File
    l_file: Any
    diffs: list[str] = field(default_factory=list)
    visited: set = field(default_factory=set)

    def add(self, path: str, what: str, expected: Any = _NOT_READ, got: Any = _NOT_READ) -> None:
        if expected is _NOT_READ:
            self.diffs.append(f"{path}: {what}")
        else:
            self.diffs.append(f"{path}: {what}: expected {_short(expected)}, got {_short(got)}")

    def attempt(self, path: str, what: str, func: Callable[[], Any]) -> Any:
        """Run ``func`` on the LINDI side; an exception becomes a recorded difference."""
        try:
            return func()
        except Exception as exc:  # the whole point is to report, not to stop at the first failure
            self.add(path, f"{what} raised {type(exc).__name__}: {exc}")
            return _NOT_READ


def _short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def assert_same_as_h5py(h5: str | os.PathLike | h5py.Group, lindi_obj: Any, *, selections: bool = True) -> None:
    """Fail with the list of every difference between ``h5`` (path or h5py object) and ``lindi_obj``."""
    diffs = differences_from_h5py(h5, lindi_obj, selections=selections)
    if diffs:
        shown = "\n".join(diffs[:300])
        more = f"\n... and {len(diffs) - 300} more" if len(diffs) > 300 else ""
        raise AssertionError(f"{len(diffs)} difference(s) from h5py:\n{shown}{more}")


def differences_from_h5py(h5: str | os.PathLike | h5py.Group, lindi_obj: Any, *,
                          selections: bool = True) -> list[str]:
    """The differences as ``"<path>: <what>: expected ..., got ..."`` lines (empty when identical)."""
    if isinstance(h5, (str, os.PathLike)):
        with h5py.File(h5, "r") as f:
            return differences_from_h5py(f, lindi_obj, selections=selections)
    walk = _Walk(h5.file, lindi_obj.file)
    walk.selections = selections  # type: ignore[attr-defined]
    _compare_object(walk, h5.name, h5, lindi_obj)
    return walk.diffs


def _compare_object(walk: _Walk, path: str, h: Any, l: Any, *, recurse: bool = True) -> None:
    h_kind = "group" if isinstance(h, h5py.Group) else "dataset"
    l_kind = "group" if isinstance(l, h5py.Group) else "dataset" if isinstance(l, h5py.Dataset) else type(l).__name__
    if h_kind != l_kind:
        walk.add(path, "object kind", h_kind, l_kind)
        return
    l_name = walk.attempt(path, "name", lambda: l.name)
    if l_name is not _NOT_READ and l_name != h.name:
        walk.add(path, "name", h.name, l_name)
    _compare_attrs(walk, path, h, l)
    if h_kind == "group":
        if recurse and h.id not in walk.visited:
            walk.visited.add(h.id)
            _compare_members(walk, path, h, l)
    else:
        _compare_dataset(walk, path, h, l)


def _link_folder(obj: Any) -> str | None:
    """The folder relative external-link names resolve from: an HDF5 file's, or a LINDI document's base."""
    store = getattr(obj.file, "_store", None)
    if store is not None:
        return store.document.base
    return os.path.dirname(os.path.abspath(obj.file.filename))


def _link_of(link: Any, folder: str | None) -> tuple:
    if isinstance(link, h5py.SoftLink):
        return ("soft", link.path)
    if isinstance(link, h5py.ExternalLink):
        # HDF5 resolves a relative file name from the linking file's folder, LINDI from the document's (spec 1.1)
        name = link.filename
        if "://" not in name and not os.path.isabs(name) and folder is not None and "://" not in folder:
            name = os.path.normpath(os.path.join(folder, name))
        return ("external", name, link.path)
    if isinstance(link, h5py.HardLink):
        return ("hard",)
    return ("unknown", type(link).__name__)


def _compare_members(walk: _Walk, path: str, h: h5py.Group, l: Any) -> None:
    h_names = list(h.keys())
    l_names = walk.attempt(path, "keys()", lambda: list(l.keys()))
    if l_names is _NOT_READ:
        return
    if h_names != l_names:
        if sorted(h_names) == sorted(l_names):
            walk.add(path, "member order", h_names[:20], l_names[:20])
        else:
            walk.add(path, "member names", sorted(set(h_names) - set(l_names))[:20],
                     sorted(set(l_names) - set(h_names))[:20])
    l_len = walk.attempt(path, "len()", lambda: len(l))
    if l_len is not _NOT_READ and l_len != len(h):
        walk.add(path, "len()", len(h), l_len)
    folders = (_link_folder(h), _link_folder(l))
    if None in folders:  # a document without a location: compare the names as written
        folders = (None, None)
    for name in h_names:
        child = f"{path.rstrip('/')}/{name}"
        h_link = _link_of(h.get(name, getlink=True), folders[0])
        l_link_obj = walk.attempt(child, "get(getlink=True)", lambda: l.get(name, getlink=True))
        if l_link_obj is _NOT_READ:
            continue
        l_link = _link_of(l_link_obj, folders[1])
        if h_link != l_link:
            walk.add(child, "link", h_link, l_link)
        h_in = name in h
        l_in = walk.attempt(child, "__contains__", lambda: name in l)
        if l_in is not _NOT_READ and l_in != h_in:
            walk.add(child, "`name in group`", h_in, l_in)
        if h_link[0] == "external":
            continue  # external targets are not followed (they resolve relative to the original file)
        try:
            h_obj = h[name]
        except KeyError:  # a dangling soft link: LINDI must refuse it the same way
            try:
                l_obj = l[name]
            except KeyError:
                continue
            except Exception as exc:
                walk.add(child, f"dangling link: expected KeyError, got {type(exc).__name__}: {exc}")
                continue
            walk.add(child, "dangling link: h5py raised KeyError but LINDI returned", None, l_obj)
            continue
        l_obj = walk.attempt(child, "__getitem__", lambda: l[name])
        if l_obj is not _NOT_READ:
            # objects reached through soft links are compared but not descended into (links may form cycles)
            _compare_object(walk, child, h_obj, l_obj, recurse=h_link[0] == "hard")


def _compare_attrs(walk: _Walk, path: str, h: Any, l: Any) -> None:
    h_names = list(h.attrs.keys())
    l_names = walk.attempt(path, "attrs.keys()", lambda: list(l.attrs.keys()))
    if l_names is _NOT_READ:
        return
    if h_names != l_names:
        what = "attribute order" if sorted(h_names) == sorted(l_names) else "attribute names"
        walk.add(path, what, h_names, l_names)
    for name in h_names:
        if name not in l_names:
            continue
        where = f"{path}@{name}"
        l_value = walk.attempt(where, "reading attribute", lambda: l.attrs[name])
        if l_value is not _NOT_READ:
            _compare_value(walk, where, h.attrs[name], l_value)
        # the stored type, which the value does not show (ascii/utf-8, fixed string length, enum scalars)
        l_id = walk.attempt(where, "attrs.get_id", lambda: l.attrs.get_id(name))
        if l_id is not _NOT_READ:
            h_id = h.attrs.get_id(name)
            _compare_dtype(walk, f"{where} get_id", h_id.dtype, l_id.dtype)
            if l_id.shape != h_id.shape:
                walk.add(where, "get_id shape", h_id.shape, l_id.shape)


def _compare_dataset(walk: _Walk, path: str, h: h5py.Dataset, l: Any) -> None:
    for prop in ("shape", "ndim", "size"):
        l_prop = walk.attempt(path, prop, lambda: getattr(l, prop))
        if l_prop is not _NOT_READ and l_prop != getattr(h, prop):
            walk.add(path, prop, getattr(h, prop), l_prop)
    l_dtype = walk.attempt(path, "dtype", lambda: l.dtype)
    if l_dtype is not _NOT_READ:
        _compare_dtype(walk, path, h.dtype, l_dtype)
    # hdmf's export copies these creation properties; a JSON-codec array is inline, so by the spec its HDF5
    # filters are not kept (the HDF5 chunk shape, maxshape and fill value are, in .lindi storage)
    json_encoded = bool(h.dtype.names) or h.dtype.kind == "O" or h.dtype.subdtype is not None
    for prop in ("chunks", "maxshape", *([] if json_encoded else FILTER_PROPERTIES)):
        l_prop = walk.attempt(path, prop, lambda: getattr(l, prop))
        if l_prop is not _NOT_READ and l_prop != getattr(h, prop):
            walk.add(path, prop, getattr(h, prop), l_prop)
    if h.dtype.kind != "O" and not _has_object_fields(h.dtype):
        l_fill = walk.attempt(path, "fillvalue", lambda: l.fillvalue)
        if l_fill is not _NOT_READ:
            _compare_value(walk, f"{path} fillvalue", h.fillvalue, l_fill)
    if h.shape is not None and h.ndim > 0 and h.shape[0] > 0:
        l_len = walk.attempt(path, "len()", lambda: len(l))
        if l_len is not _NOT_READ and l_len != len(h):
            walk.add(path, "len()", len(h), l_len)
    l_all = walk.attempt(path, "[()]", lambda: l[()])
    if l_all is not _NOT_READ:
        _compare_value(walk, f"{path}[()]", h[()], l_all)
    if getattr(walk, "selections", True) and h.shape is not None:
        for key in _selections(h.shape):
            _compare_selection(walk, path, h, l, key)
        _compare_views(walk, path, h, l)


def _selections(shape: tuple[int, ...]) -> list[Any]:
    """A few selections of each kind (step, negative, fancy, empty, ellipsis) valid for ``shape``."""
    if len(shape) == 0:
        return [Ellipsis]
    n = shape[0]
    keys: list[Any] = [slice(0, 0), Ellipsis]
    if n > 0:
        keys += [slice(None, None, 2), -1, slice(-3, None), sorted({0, n // 2, n - 1})]
        if n > 2:
            keys.append(slice(1, n - 1, 3))
    if len(shape) >= 2 and n > 0 and shape[1] > 0:
        keys += [(slice(1, None), slice(None, None, 2)), (0, -1), (Ellipsis, shape[1] - 1),
                 (slice(None), sorted({0, shape[1] - 1}))]
    return keys


def _compare_call(walk: _Walk, where: str, h_call: Callable[[], Any], l_call: Callable[[], Any]) -> Any:
    """Compare the results of the same access on both sides; where h5py refuses, LINDI must refuse too.

    Returns the LINDI result, or ``_NOT_READ`` when either side raised.
    """
    try:
        expected = h_call()
    except Exception as exc:
        try:
            l_call()
        except Exception:
            return _NOT_READ
        walk.add(where, f"h5py raised {type(exc).__name__} but LINDI returned a value")
        return _NOT_READ
    got = walk.attempt(where, "access", l_call)
    if got is not _NOT_READ:
        _compare_value(walk, where, expected, got)
    return got


def _compare_selection(walk: _Walk, path: str, h: h5py.Dataset, l: Any, key: Any) -> None:
    _compare_call(walk, f"{path}[{key!r}]", lambda: h[key], lambda: l[key])


def _compare_views(walk: _Walk, path: str, h: h5py.Dataset, l: Any) -> None:
    """asstr() on strings, fields() on compounds, astype() on numbers."""
    if h.ndim == 0 and h.dtype.names is None and h.dtype.kind not in "OS":
        return
    if h5py.check_string_dtype(h.dtype) is not None:
        _compare_call(walk, f"{path}.asstr()[()]", lambda: h.asstr()[()], lambda: l.asstr()[()])
    elif h.dtype.names:
        name = h.dtype.names[-1]
        _compare_call(walk, f"{path}.fields({name!r})[()]", lambda: h.fields(name)[()], lambda: l.fields(name)[()])
    elif h.dtype.kind in "iuf" and h.size > 0:
        # HDF5 and numpy may give a converted NaN different payload bits: conversions compare NaN-aware
        _compare_call(walk, f"{path}.astype('f8')[()]", lambda: _canonical_nan(h.astype("f8")[()]),
                      lambda: _canonical_nan(l.astype("f8")[()]))


def _canonical_nan(values: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(values), np.nan, values)


def _has_object_fields(dt: np.dtype) -> bool:
    if dt.names:
        return any(_has_object_fields(dt.fields[n][0]) for n in dt.names)
    if dt.subdtype is not None:
        return _has_object_fields(dt.subdtype[0])
    return dt.kind == "O"


def _compare_dtype(walk: _Walk, path: str, hd: np.dtype, ld: Any) -> None:
    if not isinstance(ld, np.dtype) or hd != ld:
        walk.add(path, "dtype", hd, ld)
        return
    for label, check in _SPECIAL_CHECKS.items():
        expected, got = check(hd), check(ld)
        if expected != got:
            walk.add(path, f"dtype metadata (h5py.check_{label}_dtype)", expected, got)
    if hd.names:
        for name in hd.names:
            _compare_dtype(walk, f"{path}.{name}", hd.fields[name][0], ld.fields[name][0])
    elif hd.subdtype is not None:
        _compare_dtype(walk, f"{path}[sub]", hd.subdtype[0], ld.subdtype[0])


def _compare_value(walk: _Walk, where: str, hv: Any, lv: Any) -> None:
    """Exact comparison: Python type, dtype with metadata, shape, bits; object elements one by one."""
    if isinstance(hv, h5py.Reference):  # a subclass of h5py's reference class is what hdmf's isinstance checks need
        if not isinstance(lv, type(hv)):
            walk.add(where, "Python type (not an instance of the h5py class)", type(hv), type(lv))
        _compare_reference(walk, where, hv, lv)
        return
    if type(hv) is not type(lv):
        walk.add(where, "Python type", type(hv), type(lv))
        if not (isinstance(hv, np.ndarray) and isinstance(lv, np.ndarray)):
            if not _loosely_equal(hv, lv):
                walk.add(where, "value", hv, lv)
            return
    if isinstance(hv, h5py.Empty):
        _compare_dtype(walk, where, hv.dtype, lv.dtype)
    elif isinstance(hv, (np.ndarray, np.generic)):
        _compare_array(walk, where, hv, lv)
    elif hv != lv:
        walk.add(where, "value", hv, lv)


def _loosely_equal(hv: Any, lv: Any) -> bool:
    try:
        return bool(np.array_equal(np.asarray(hv), np.asarray(lv), equal_nan=True))
    except Exception:
        try:
            return bool(np.all(np.asarray(hv) == np.asarray(lv)))
        except Exception:
            return False


def _compare_array(walk: _Walk, where: str, hv: np.ndarray | np.generic, lv: Any) -> None:
    if np.shape(hv) != np.shape(lv):
        walk.add(where, "shape", np.shape(hv), np.shape(lv))
        return
    _compare_dtype(walk, where, hv.dtype, lv.dtype)
    if hv.dtype.names and _has_object_fields(hv.dtype):
        for name in hv.dtype.names:
            try:
                lf = lv[name]
            except Exception as exc:
                walk.add(where, f"field {name!r} raised {type(exc).__name__}: {exc}")
                continue
            _compare_value(walk, f"{where}.{name}", hv[name], lf)
    elif hv.dtype.kind == "O":
        h_flat, l_flat = np.asarray(hv).ravel(), np.asarray(lv).ravel()
        bad = 0
        for i, (he, le) in enumerate(zip(h_flat, l_flat)):
            before = len(walk.diffs)
            _compare_value(walk, f"{where}[flat {i}]", he, le)
            bad += len(walk.diffs) > before
            if bad >= 5:
                walk.add(where, "(further element differences not listed)")
                break
    else:
        try:
            l_bytes = np.ascontiguousarray(np.asarray(lv).astype(hv.dtype)).tobytes()
        except Exception as exc:
            walk.add(where, f"values not convertible to {hv.dtype}: {exc}")
            return
        if np.ascontiguousarray(hv).tobytes() != l_bytes:
            walk.add(where, "values (exact bits)", hv, lv)


def _compare_reference(walk: _Walk, where: str, hv: h5py.Reference, lv: Any) -> None:
    if bool(hv) != bool(lv):
        walk.add(where, "reference is null", not hv, not lv)
        return
    if not hv:
        return
    h_target = walk.h_file[hv]
    l_target = walk.attempt(where, "dereference", lambda: walk.l_file[lv])
    if l_target is _NOT_READ:
        return
    l_name = walk.attempt(where, "dereferenced .name", lambda: l_target.name)
    if l_name is not _NOT_READ and l_name != h_target.name:
        walk.add(where, "reference target", h_target.name, l_name)
    if isinstance(hv, h5py.RegionReference):
        got = walk.attempt(where, "region selection", lambda: l_target[lv])
        if got is not _NOT_READ:
            _compare_value(walk, f"{where} region", h_target[hv], got)
