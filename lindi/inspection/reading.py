"""``cat``: a dataset or a slice of it, read through the normal reader, as text, JSON or ``.npy`` bytes."""
from __future__ import annotations

import io
import sys
from typing import Any

import h5py
import numpy as np

from ..errors import CatError
from .slicing import Selection, SliceError
from .values import describe_dtype, json_text, to_json_value

FORMATS = ("text", "json", "npy")


def read_selection(file: Any, path: str, selection: Selection | None) -> tuple[Any, np.dtype]:
    """The values of dataset ``path`` (all, or ``selection``) and their dtype, as h5py would return them."""
    obj = file[path]
    if not isinstance(obj, h5py.Dataset):
        raise CatError(f"{path} is a group, not a dataset (see `lindi ls`)")
    if obj.shape is None:
        raise CatError(f"{path} has a null dataspace: it holds no value")
    if selection is None:
        return obj[()], obj.dtype
    try:
        return obj[selection], obj.dtype
    except (IndexError, TypeError) as exc:
        raise SliceError(f"{path}: {exc} (shape {obj.shape})") from None


def as_text(file: Any, data: Any, dt: np.dtype, width: int) -> str:
    """Numbers as numpy prints them (every element); other types one JSON element per line."""
    if dt.kind in "biufc" and dt.names is None:
        return np.array2string(np.asarray(data), threshold=sys.maxsize, max_line_width=width)
    value = to_json_value(file, data, dt)
    if isinstance(value, list) and np.ndim(data) > 0:
        return "\n".join(json_text(v) for v in value)
    return json_text(value)


def as_json(file: Any, path: str, data: Any, dt: np.dtype) -> dict[str, Any]:
    return {"path": path, "shape": list(np.shape(data)), "dtype": describe_dtype(dt), "data": to_json_value(file, data, dt)}


def as_npy(data: Any, dt: np.dtype) -> bytes:
    """``.npy`` bytes (no pickles: strings become fixed-width unicode; references and vlen are refused)."""
    arr = np.asarray(data)
    if h5py.check_string_dtype(dt) is not None and dt.kind == "O":
        arr = np.vectorize(lambda x: x.decode("utf-8", "replace") if isinstance(x, bytes) else str(x),
                           otypes=[str])(arr) if arr.size else arr.astype(str)
    if arr.dtype.hasobject:
        raise CatError(f"dtype {dt} cannot be written as .npy without pickles; use --format json")
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, arr, allow_pickle=False)
    return buffer.getvalue()
