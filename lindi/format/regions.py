"""The ``region`` member of a region reference (SPEC section 6): encoding a selection, and reading one back.

A selection is one of four kinds: ``all``, ``none``, ``points`` (a list of coordinates) or ``hyperslab``
(blocks given by their first and last, inclusive, coordinates). The converter reads them off the dataspace of
an HDF5 region reference, the reader off the dataspace h5py makes for ``dset.regionref[sel]``: both through
:func:`region_of_space`, which encodes with :func:`encode_region`. The reader selects the elements of a stored
region with :func:`region_selection`.
"""
from __future__ import annotations

from typing import Any, Literal, Protocol

import numpy as np

RegionKind = Literal["all", "none", "points", "hyperslab"]

#: HDF5's selection types (``H5S_sel_type`` of the HDF5 C library), as a dataspace reports them.
_SELECTION_KINDS: dict[int, RegionKind] = {0: "none", 1: "points", 2: "hyperslab", 3: "all"}


class DataspaceSelection(Protocol):
    """The selection of an HDF5 dataspace, as h5py's ``h5s.SpaceID`` exposes it."""

    def get_select_type(self) -> int: ...

    def get_select_elem_pointlist(self) -> Any: ...

    def get_select_hyper_blocklist(self) -> Any: ...


def region_of_space(space: DataspaceSelection) -> dict[str, Any]:
    """The ``region`` member of the selection of an HDF5 dataspace."""
    code = space.get_select_type()
    kind = _SELECTION_KINDS.get(code)
    if kind == "points":
        return encode_region(kind, space.get_select_elem_pointlist())
    if kind == "hyperslab":
        return encode_region(kind, space.get_select_hyper_blocklist())
    if kind is None:
        raise ValueError(f"unknown HDF5 selection type {code}")
    return encode_region(kind)

def encode_region(kind: RegionKind, coordinates: Any = None) -> dict[str, Any]:
    """The ``region`` member of a selection.

    ``coordinates``: for ``points`` an ``(n, rank)`` array of element coordinates, for ``hyperslab`` an
    ``(n, 2, rank)`` array of blocks (first and last coordinate, inclusive); nothing for ``all``/``none``.
    """
    if kind in ("all", "none"):
        if coordinates is not None:
            raise ValueError(f"a {kind!r} region has no coordinates")
        return {"kind": kind}
    if kind not in ("points", "hyperslab"):
        raise ValueError(f"unknown region kind {kind!r}")
    array = np.asarray(coordinates, dtype=np.int64)
    depth = 2 if kind == "points" else 3
    if array.ndim != depth or (kind == "hyperslab" and array.shape[1] != 2) or (array < 0).any():
        raise ValueError(f"{kind} coordinates must be a non-negative integer array of "
                         f"{'(n, rank)' if kind == 'points' else '(n, 2, rank)'}, not shape {array.shape}")
    if kind == "points":
        return {"kind": "points", "points": array.tolist()}
    if (array[:, 1] < array[:, 0]).any():
        raise ValueError("a hyperslab block ends before it starts")
    return {"kind": "hyperslab", "blocks": array.tolist()}


def region_selection(region: dict[str, Any], shape: tuple[int, ...]) -> tuple[Any, tuple[int, ...] | None]:
    """(selection, output shape) of a region on a dataset of ``shape``, shaped as h5py's ``guess_shape`` does.

    The selection is a tuple of per-axis index arrays (numpy fancy indexing) in C order, or ``(Ellipsis,)``.
    """
    kind = region.get("kind", "all")
    if kind == "all":
        return (Ellipsis,), shape
    if kind == "none":
        return tuple(np.zeros(0, np.int64) for _ in shape), (0,) * len(shape)
    if kind == "points":
        pts = np.asarray(region["points"], dtype=np.int64).reshape(-1, len(shape))
        return tuple(pts.T), (len(pts),)
    if kind == "hyperslab":
        mask = np.zeros(shape, dtype=bool)
        for start, end in region["blocks"]:
            mask[tuple(slice(s, e + 1) for s, e in zip(start, end))] = True
        coords = np.nonzero(mask)
        n = len(coords[0])
        if n == 0:
            return coords, (0,) * len(shape)
        guess = tuple(len(np.unique(c)) for c in coords)
        return coords, guess if int(np.prod(guess)) == n else (n,)
    raise ValueError(f"unknown region kind {kind!r}")
