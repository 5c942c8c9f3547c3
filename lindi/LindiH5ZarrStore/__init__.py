"""The HDF5 -> LINDI converter's public face (LINDI 0.4 names)."""
from __future__ import annotations

from .LindiH5ZarrStore import LindiH5ZarrStore
from .LindiH5ZarrStoreOpts import LindiH5ZarrStoreOpts

__all__ = ["LindiH5ZarrStore", "LindiH5ZarrStoreOpts"]
