"""LINDI 0.4's ``lindi.LindiH5ZarrStore.LindiH5ZarrStoreOpts`` module (see :mod:`lindi.conversion.options`)."""
from __future__ import annotations

from .._lazy import lazy_getattr

_HOMES = {"LindiH5ZarrStoreOpts": "lindi.conversion.options"}
__all__ = list(_HOMES)
__getattr__ = lazy_getattr(globals(), _HOMES)
