"""LINDI 0.4's ``lindi.LocalCache.LocalCache`` module (see :mod:`lindi.cache`)."""
from __future__ import annotations

from .._lazy import lazy_getattr

_HOMES = dict.fromkeys(["ChunkTooLargeError", "LocalCache"], "lindi.cache")
__all__ = list(_HOMES)
__getattr__ = lazy_getattr(globals(), _HOMES)
