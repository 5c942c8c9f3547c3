"""LINDI 0.4's ``lindi.LocalCache`` package, kept for compatibility: the cache lives in :mod:`lindi.cache`."""
from __future__ import annotations

from .._lazy import keep_class_names, lazy_getattr

_HOMES = dict.fromkeys(["ChunkTooLargeError", "LocalCache"], "lindi.cache")
__all__ = list(_HOMES)
__getattr__ = lazy_getattr(globals(), _HOMES)

keep_class_names(globals(), ["LocalCache"])
