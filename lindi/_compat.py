"""The one place LINDI adapts to differences between zarr-python 3 releases (3.1 up to the newest 3.x).

Feature detection, not version numbers: the shim asks zarr what it has.

* Missing chunks. zarr 3.1 always reads an absent chunk key as the fill value.
  Later releases made that the ``array.read_missing_chunks`` option, which a
  user's zarr config (or ``ZARR_ARRAY__READ_MISSING_CHUNKS``) may turn off. A
  LINDI document has no ref for an HDF5 chunk that was never written, and h5py
  reads it as the fill value, so LINDI pins the option on for the arrays it opens
  (zarr 3.1 refuses the unknown key, hence only where it exists).
"""
from __future__ import annotations

from dataclasses import fields
from typing import Any, cast

import zarr
from zarr.abc.store import Store
from zarr.core.array_spec import ArrayConfig

#: Runtime settings every LINDI array needs whatever the user's zarr config says, limited to the ones this
#: zarr release knows.
PINNED_ARRAY_CONFIG: dict[str, Any] = {
    name: value for name, value in {"read_missing_chunks": True}.items()
    if name in {f.name for f in fields(ArrayConfig)}
}


def open_v2_array(store: Store, path: str) -> zarr.Array:
    """Open the Zarr v2 array at ``path`` read-only, with :data:`PINNED_ARRAY_CONFIG` applied."""
    array = zarr.open_array(store=store, path=path, mode="r", zarr_format=2)
    # cast: with_config exists only in the zarr releases that need a pinned setting (see above)
    return cast(Any, array).with_config(PINNED_ARRAY_CONFIG) if PINNED_ARRAY_CONFIG else array
