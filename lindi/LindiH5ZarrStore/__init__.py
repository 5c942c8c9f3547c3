"""LINDI 0.4's ``lindi.LindiH5ZarrStore`` package, kept for compatibility: the converter lives in :mod:`lindi.conversion`."""
from __future__ import annotations

from .._lazy import keep_class_names, lazy_getattr

_HOMES = {"LindiH5ZarrStore": "lindi.conversion.h5_zarr_store", "LindiH5ZarrStoreOpts": "lindi.conversion.options"}
__all__ = list(_HOMES)
__getattr__ = lazy_getattr(globals(), _HOMES)

keep_class_names(globals(), _HOMES)
