"""The ``.lindi`` ``storage`` member: HDF5 creation properties Zarr v2 metadata cannot carry (spec section 4).

h5py reports a dataset's layout-dependent ``chunks``, its ``maxshape`` (pynwb
appends along unlimited axes) and its ``fillvalue``; the Zarr chunk grid of a
contiguous or JSON-codec array says nothing about them, so they are written here.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import h5py
import numpy as np

_LAYOUTS = {h5py.h5d.CONTIGUOUS: "contiguous", h5py.h5d.CHUNKED: "chunked", h5py.h5d.COMPACT: "compact",
            h5py.h5d.VIRTUAL: "virtual"}


def storage_member(dset: h5py.Dataset, zarr_chunks: list[int],
                   json_fill: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """``{"layout", "chunks"?, "maxshape"?, "fill_value"?}`` of ``dset``.

    ``zarr_chunks``: the ``.zarray`` chunks (the HDF5 chunk shape is written only
    when it differs); ``json_fill``: the element converter of a JSON-codec array,
    whose ``.zarray`` ``fill_value`` is null, so a non-zero HDF5 fill value goes here.
    """
    layout = _LAYOUTS.get(dset.id.get_create_plist().get_layout())
    if layout is None:
        raise ValueError(f"unknown HDF5 layout {dset.id.get_create_plist().get_layout()}")
    out: dict[str, Any] = {"layout": layout}
    if layout == "chunked" and list(dset.chunks) != list(zarr_chunks):
        out["chunks"] = list(dset.chunks)
    if dset.shape is not None and dset.maxshape != dset.shape:
        out["maxshape"] = list(dset.maxshape)
    if json_fill is not None and not dset.dtype.hasobject:
        fill = dset.fillvalue
        if np.asarray(fill).tobytes().strip(b"\0"):  # zero is what a reader assumes without it
            out["fill_value"] = json_fill(fill)
    return out
