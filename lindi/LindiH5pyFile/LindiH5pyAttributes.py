"""LINDI 0.4's ``lindi.LindiH5pyFile.LindiH5pyAttributes`` module, kept for compatibility (see :mod:`lindi.h5file`)."""
from __future__ import annotations

from .._lazy import lazy_getattr

_HOMES = dict.fromkeys(["LindiH5pyAttributes"], "lindi.h5file")
__all__ = list(_HOMES)
__getattr__ = lazy_getattr(globals(), _HOMES)
