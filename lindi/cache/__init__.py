"""On-disk cache of remote byte ranges (see :class:`LocalCache`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_getattr
from .local_cache import ChunkTooLargeError, LocalCache, cached_range_reader, unsigned_url

__all__ = ["CacheInfo", "ChunkTooLargeError", "LocalCache", "cached_range_reader", "unsigned_url"]
__getattr__ = lazy_getattr(globals(), {"CacheInfo": "lindi.cache.info"})  # pydantic on first use

if TYPE_CHECKING:  # pragma: no cover
    from .info import CacheInfo as CacheInfo
