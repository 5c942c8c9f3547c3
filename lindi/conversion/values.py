"""HDF5 values as strict JSON, driven by their datatype descriptor.

Used for JSON-codec chunks (strings, references, compounds, vlen) and for
attribute values. Special floats become strings (spec section 7), via
:mod:`lindi.strict_json`; integers stay exact plain JSON integers.
"""
from __future__ import annotations

import base64
import math
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from ..errors import UnsupportedObjectError
from ..format.descriptors import Descriptor
from ..format.zarr_dtypes import OBJECT_DTYPE
from ..strict_json import dumps, encode_float, encode_int

Converter = Callable[[Any], Any]


class ReferenceJSON(Protocol):
    """Writes one HDF5 reference as its JSON object (the converter's encoder, the editor's writer)."""

    def encode(self, ref: Any) -> dict[str, Any]: ...


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        raise UnsupportedObjectError(f"string value {bytes(value)[:40]!r} is not valid UTF-8") from None


def _complex(value: Any) -> list:
    return [encode_float(value.real), encode_float(value.imag)]


def _opaque(value: Any) -> str:
    return "base64:" + base64.b64encode(bytes(value)).decode("ascii")


def element_converter(desc: Descriptor, refs: ReferenceJSON | None) -> Converter:
    """A function turning one element of type ``desc`` (as h5py returns it) into JSON."""
    if isinstance(desc, str):
        kind = desc[1]
        if kind == "b":
            return bool
        if kind in "iu":
            return encode_int
        if kind == "f":
            return lambda v: encode_float(float(v))
        if kind == "c":
            return _complex
        raise UnsupportedObjectError(f"no JSON form for dtype {desc}")
    cls = desc["class"]
    if cls == "string":
        return _text
    if cls == "enum":
        return int
    if cls == "opaque":
        return _opaque
    if cls in ("reference", "region_reference"):
        if refs is None:
            raise ValueError("references need the file they point into")
        return refs.encode
    if cls in ("vlen", "array"):
        base = array_converter(desc["base"], refs)
        return lambda v: base(np.asarray(v))
    if cls == "compound":
        fields = [(f["name"], element_converter(f["dtype"], refs)) for f in desc["fields"]]
        return lambda v: [conv(v[name]) for name, conv in fields]
    raise UnsupportedObjectError(f"no JSON form for datatype class {cls}")


def array_converter(desc: Descriptor, refs: ReferenceJSON | None) -> Callable[[np.ndarray], Any]:
    """A function turning an array of ``desc`` into nested JSON lists (a scalar for 0-d)."""
    fast = _fast_numeric(desc)
    if fast is not None:
        return fast
    element = element_converter(desc, refs)

    def convert(arr: np.ndarray) -> Any:
        if arr.ndim == 0:
            return element(arr[()])
        flat = [element(v) for v in arr.reshape(-1)]
        return _nest(flat, arr.shape)
    return convert


def _fast_numeric(desc: Descriptor) -> Callable[[np.ndarray], Any] | None:
    """Vectorised conversion for plain integer/float/bool arrays (the common case)."""
    if not isinstance(desc, str) or desc[1] not in "biuf":
        return None
    kind = desc[1]

    def convert(arr: np.ndarray) -> Any:
        values = arr.tolist()
        if kind == "f" and arr.size and not np.isfinite(arr).all():
            return _map_nested(values, encode_float)
        return values
    return convert


def _map_nested(values: Any, fn: Callable[[Any], Any]) -> Any:
    if isinstance(values, list):
        return [_map_nested(v, fn) for v in values]
    return fn(values)


def json_codec_chunk(elements: list, shape: list[int], *, flat: bool = False) -> str:
    """The text of a JSON-codec chunk in numcodecs' layout: the elements nested by ``shape`` (as
    ``ndarray.tolist()``), then ``"|O"``, then the shape (spec 1.1). ``flat``: spec 1.0's one flat list."""
    body = elements if flat else _nest(elements, tuple(shape))
    return dumps([*body, OBJECT_DTYPE, list(shape)], sort_keys=True)


def _nest(flat: list, shape: tuple[int, ...]) -> list:
    if len(shape) <= 1:
        return flat
    step = math.prod(shape[1:])
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]
