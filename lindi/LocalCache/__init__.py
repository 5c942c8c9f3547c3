"""LINDI 0.4's ``lindi.LocalCache`` package (``lindi.cache`` is the implementation)."""
from .LocalCache import ChunkTooLargeError, LocalCache

__all__ = ["ChunkTooLargeError", "LocalCache"]
