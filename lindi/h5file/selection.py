"""h5py-style selections: normalised per-axis, mapped to the chunks they touch.

A selection becomes one item per axis: an ``int`` (axis dropped), a
``slice`` with explicit start/stop/positive step, or a sorted 1-D int array
(fancy index). The same form drives zarr's orthogonal indexing, numpy
indexing of decoded JSON arrays, and the list of chunk keys to prefetch.
"""
from __future__ import annotations

import itertools
from typing import Any

import numpy as np

Item = int | slice | np.ndarray


def as_shape(shape: Any) -> tuple[int, ...]:
    """A shape given as h5py takes it (an int, or a tuple/list of ints) as a tuple."""
    return tuple(int(n) for n in shape) if isinstance(shape, (tuple, list)) else (int(shape),)


def normalize(args: tuple[Any, ...], shape: tuple[int, ...]) -> list[Item]:
    """Per-axis items for ``args`` on ``shape`` (errors like h5py/numpy)."""
    if any(a is Ellipsis for a in args):
        i = next(i for i, a in enumerate(args) if a is Ellipsis)
        fill = len(shape) - (len(args) - 1)
        if fill < 0 or any(a is Ellipsis for a in args[i + 1:]):
            raise ValueError(f"invalid selection {args!r} for shape {shape}")
        args = args[:i] + (slice(None),) * fill + args[i + 1:]
    if len(args) > len(shape):
        raise IndexError(f"too many indices ({len(args)}) for a dataset of rank {len(shape)}")
    args = args + (slice(None),) * (len(shape) - len(args))
    items: list[Item] = []
    for axis, (a, n) in enumerate(zip(args, shape)):
        if isinstance(a, slice):
            start, stop, step = a.indices(n)
            if step < 1:
                raise ValueError(f"Step must be >= 1 (got {step})")
            items.append(slice(start, max(start, stop), step))
        elif isinstance(a, (int, np.integer)) and not isinstance(a, bool):
            i = int(a)
            if not -n <= i < n:
                raise IndexError(f"index {i} out of range for axis {axis} of size {n}")
            items.append(i + n if i < 0 else i)
        else:
            arr = np.asarray(a)
            if arr.dtype == bool:
                if arr.shape != (n,):
                    raise TypeError(f"boolean index of shape {arr.shape} does not match axis {axis} of size {n}")
                arr = np.nonzero(arr)[0]
            if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
                raise TypeError(f"invalid index {a!r} for axis {axis}")
            arr = arr.astype(np.int64)
            arr = np.where(arr < 0, arr + n, arr)
            if arr.size and (arr.min() < 0 or arr.max() >= n):
                raise IndexError(f"index out of range for axis {axis} of size {n}")
            items.append(arr)
    return items


def result_shape(items: list[Item]) -> tuple[int, ...]:
    shape = []
    for it in items:
        if isinstance(it, slice):
            shape.append(len(range(it.start, it.stop, it.step)))
        elif isinstance(it, np.ndarray):
            shape.append(len(it))
    return tuple(shape)


def _axis_chunks(item: Item, chunk: int) -> list[int]:
    if isinstance(item, int):
        return [item // chunk]
    if isinstance(item, np.ndarray):
        return sorted(set((item // chunk).tolist()))
    if item.stop <= item.start:
        return []
    if item.step < chunk:
        return list(range(item.start // chunk, (item.stop - 1) // chunk + 1))
    return sorted({i // chunk for i in range(item.start, item.stop, item.step)})


def chunk_keys(prefix: str, items: list[Item], chunks: list[int], separator: str = ".") -> list[str]:
    """Keys of every chunk the selection touches."""
    per_axis = [_axis_chunks(it, c) for it, c in zip(items, chunks)]
    head = f"{prefix}/" if prefix else ""
    return [head + separator.join(map(str, idx)) for idx in itertools.product(*per_axis)]


def take(arr: np.ndarray, items: list[Item]) -> np.ndarray:
    """Orthogonal indexing of an in-memory array (what zarr's oindex does)."""
    out = arr
    for axis, it in enumerate(items):
        if isinstance(it, np.ndarray):
            out = np.take(out, it, axis=axis)
        elif isinstance(it, slice):
            out = out[(slice(None),) * axis + (it,)]
    return out[tuple(it if isinstance(it, int) else slice(None) for it in items) + (Ellipsis,)]
