"""Writing values into arrays: read-modify-write of exactly the chunks a selection touches.

Fixed-size arrays are encoded chunk by chunk with the array's own codecs;
JSON-codec arrays (strings, references, compounds, ragged) are one inline
chunk, rewritten whole. Both return the ref changes; the editor applies them.
"""
from __future__ import annotations

import base64
import itertools
import math
from typing import TYPE_CHECKING, Any

import h5py
import numpy as np

from ..codecs import encode_chunk
from ..conversion.dtypes import describe
from ..conversion.values import element_converter, json_codec_chunk
from ..h5file.selection import Item, normalize, result_shape
from ..h5file.values import array_from_json
from ..store.index import join
from .chunks import ChunkSink
from .errors import EditError
from .layout import chunk_pipeline
from .references import ReferenceWriter

if TYPE_CHECKING:
    from ..h5file.dataset import LindiH5pyDataset


def chunk_key(store_path: str, index: tuple[int, ...], separator: str) -> str:
    return join(store_path, separator.join(map(str, index)) if index else "0")


def _axis_hits(item: Any, chunk: int) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """Per chunk index along one axis: (chunk index, positions inside the chunk, positions in the value)."""
    if isinstance(item, int):
        return [(item // chunk, np.array([item % chunk]), np.array([0]))]
    positions = np.arange(item.start, item.stop, item.step) if isinstance(item, slice) else np.asarray(item)
    order = np.argsort(positions, kind="stable")
    ordered = positions[order]
    ids = ordered // chunk
    out = []
    bounds = np.flatnonzero(np.diff(ids)) + 1
    for group in np.split(np.arange(len(ordered)), bounds):
        if len(group):
            c = int(ids[group[0]])
            out.append((c, ordered[group] - c * chunk, order[group]))
    return out


def fixed_write(dset: LindiH5pyDataset, args: tuple[Any, ...], value: Any, sink: ChunkSink) -> dict[str, Any]:
    """Ref changes that write ``value`` at ``args`` into a fixed-size (non-JSON) array."""
    z = dset._zarray
    shape, chunks = tuple(z["shape"]), tuple(z["chunks"])
    items: list[Item] = [slice(0, 1, 1)] if dset._is_scalar else normalize(args, shape)
    target = result_shape(items)
    dt = dset.dtype
    try:
        data = np.broadcast_to(np.asarray(value, dtype=dt), target)
    except (ValueError, TypeError) as exc:
        raise EditError(f"cannot write {np.shape(value)} values to a selection of shape {target} of "
                        f"{dset.name}: {exc}") from None
    data = data.reshape(_expand(target, items))
    fill = dset.fillvalue
    per_axis = [_axis_hits(it, c) for it, c in zip(items, chunks)]
    changes: dict[str, Any] = {}
    for combo in itertools.product(*per_axis):
        index = tuple(h[0] for h in combo)
        origin = [i * c for i, c in zip(index, chunks)]
        extent = [min(c, n - o) for c, n, o in zip(chunks, shape, origin)]
        block = np.full(chunks, fill, dtype=dt)
        if any(len(h[1]) != e for h, e in zip(combo, extent)):
            block[tuple(slice(0, e) for e in extent)] = dset._read_items(
                [slice(o, o + e, 1) for o, e in zip(origin, extent)])
        block[np.ix_(*(h[1] for h in combo))] = data[np.ix_(*(h[2] for h in combo))]
        changes[chunk_key(dset._meta.store_path, index, z.get("dimension_separator") or ".")] = \
            _encode(block, z, sink, dset.name)
    return changes


def _expand(target: tuple[int, ...], items: list[Any]) -> list[int]:
    """The selection's extent per axis (1 where an integer index drops the axis)."""
    sizes = iter(target)
    return [1 if isinstance(it, int) else next(sizes) for it in items]


def _encode(block: np.ndarray, zarray: dict[str, Any], sink: ChunkSink, where: str) -> str | list[Any]:
    stored = np.dtype(zarray["dtype"])
    raw = block.view(stored) if block.dtype.itemsize == stored.itemsize else block.astype(stored)
    return sink.ref_value(encode_chunk(np.ascontiguousarray(raw), chunk_pipeline(zarray)), where=where)


def rewrite_region(dset: LindiH5pyDataset, index: tuple[int, ...], valid: list[int],
                   sink: ChunkSink) -> str | list[Any]:
    """The chunk at ``index`` re-encoded with only its first ``valid`` elements per axis kept (resize)."""
    z = dset._zarray
    chunks = tuple(z["chunks"])
    origin = [i * c for i, c in zip(index, chunks)]
    block = np.full(chunks, dset.fillvalue, dtype=dset.dtype)
    block[tuple(slice(0, v) for v in valid)] = dset._read_items([slice(o, o + v, 1) for o, v in zip(origin, valid)])
    return _encode(block, z, sink, dset.name)


# ---- JSON-codec arrays ---------------------------------------------------------------------------
def json_descriptor(dset: LindiH5pyDataset) -> Any:
    return dset._meta.lindi.get("dtype") or describe(dset.dtype)


def _zero_json(desc: Any) -> Any:
    """The JSON element of an unwritten value (h5py's zero fill) for a descriptor."""
    if isinstance(desc, str):
        return [0, 0] if desc[1] == "c" else False if desc[1] == "b" else 0
    cls = desc["class"]
    if cls == "string":
        return ""
    if cls in ("reference", "region_reference"):
        return None
    if cls == "vlen":
        return []
    if cls == "compound":
        return [_zero_json(f["dtype"]) for f in desc["fields"]]
    if cls == "array":
        return np.full(desc["shape"], 0).tolist() if isinstance(desc["base"], str) else \
            [_zero_json(desc["base"])] * math.prod(desc["shape"])
    if cls == "opaque":
        return "base64:" + base64.b64encode(bytes(desc["size"])).decode("ascii")
    return 0  # enum


def json_values(dset: LindiH5pyDataset, shape: list[int]) -> np.ndarray:
    """The array's values in zarr shape; unwritten elements are the fill value."""
    stored = [int(n) for n in dset._zarray["shape"]]
    key = chunk_key(dset._meta.store_path, (0,) * len(stored), dset._zarray.get("dimension_separator") or ".")
    fill = (dset._storage or {}).get("fill_value")
    fill = _zero_json(json_descriptor(dset)) if fill is None else fill
    out = array_from_json([fill] * math.prod(shape), tuple(shape), dset.dtype, flat=True)
    if math.prod(stored) and dset._file._store.document.refs.get(key) is not None:
        old = dset._json_array
        out[tuple(slice(0, min(a, b)) for a, b in zip(shape, stored))] = \
            old[tuple(slice(0, min(a, b)) for a, b in zip(shape, stored))]
    return out


def json_chunk(dset: LindiH5pyDataset, values: np.ndarray) -> dict[str, Any]:
    """Ref changes storing ``values`` as the array's single JSON-codec chunk."""
    element = element_converter(json_descriptor(dset), ReferenceWriter())
    shape = list(values.shape)
    key = chunk_key(dset._meta.store_path, (0,) * len(shape), dset._zarray.get("dimension_separator") or ".")
    if not math.prod(shape):
        return {key: None}
    text = json_codec_chunk([element(v) for v in values.reshape(-1)], shape,
                            flat=dset._file._store.document.flat_json_chunks)
    return {key: text}


def json_write(dset: LindiH5pyDataset, args: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """Ref changes that write ``value`` at ``args`` into a JSON-codec array."""
    values = json_values(dset, [int(n) for n in dset._zarray["shape"]])
    if dset._is_scalar:
        if args not in ((), (Ellipsis,)):
            raise EditError(f"illegal selection {args!r} for the scalar dataset {dset.name}")
        args = (0,)
    dt = dset.dtype
    if isinstance(value, np.ndarray) and value.ndim == 0 and dt.names is None:
        value = value[()]  # an object element must be the value, not a 0-d array holding it
    try:
        if dt.names is not None:
            value = np.asarray(value, dtype=dt) if not isinstance(value, np.ndarray) or value.dtype != dt else value
        elif isinstance(value, (list, tuple)):
            value = _object_array(value, h5py.check_vlen_dtype(dt))
        values[args] = value
    except (ValueError, TypeError, IndexError) as exc:
        raise EditError(f"cannot write {value!r:.80} to {dset.name}: {exc}") from None
    return json_chunk(dset, values)


def _object_array(value: list | tuple, vlen: Any) -> np.ndarray:
    """A list as an object array; ragged (vlen numeric) elements each become one array."""
    if vlen in (None, str, bytes):
        return np.asarray(value, dtype=object)
    out = np.empty(len(value), dtype=object)
    for i, v in enumerate(value):
        out[i] = np.asarray(v, dtype=vlen)
    return out
