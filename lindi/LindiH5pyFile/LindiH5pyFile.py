"""LINDI 0.4's ``lindi.LindiH5pyFile.LindiH5pyFile`` module, kept for compatibility (see :mod:`lindi.h5file`)."""
from __future__ import annotations

from .._lazy import lazy_getattr

_HOMES = {"LindiH5pyFile": "lindi.editing"}  # the reader's class, with the editor plugged in
__all__ = list(_HOMES)
__getattr__ = lazy_getattr(globals(), _HOMES)
