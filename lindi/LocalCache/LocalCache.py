"""LINDI 0.4's import path ``lindi.LocalCache.LocalCache`` (a re-export of :mod:`lindi.cache`)."""
from ..cache import ChunkTooLargeError, LocalCache

__all__ = ["ChunkTooLargeError", "LocalCache"]
