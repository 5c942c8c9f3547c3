"""On-disk cache of remote byte ranges (see :class:`LocalCache`)."""
from .local_cache import CacheInfo, ChunkTooLargeError, LocalCache, cached_range_reader, unsigned_url

__all__ = ["CacheInfo", "ChunkTooLargeError", "LocalCache", "cached_range_reader", "unsigned_url"]
