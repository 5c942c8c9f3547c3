"""LINDI 0.4's ``lindi.LindiH5ZarrStore.LindiH5ZarrStore`` module (see :mod:`lindi.conversion.h5_zarr_store`)."""
from __future__ import annotations

from .._lazy import lazy_getattr

_HOMES = {"LindiH5ZarrStore": "lindi.conversion.h5_zarr_store"}
__all__ = list(_HOMES)
__getattr__ = lazy_getattr(globals(), _HOMES)
