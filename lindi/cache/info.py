"""What ``lindi cache info`` reports: a pydantic model, in a module of its own so that reading through a cache
does not load pydantic."""
from __future__ import annotations

from pydantic import BaseModel


class CacheInfo(BaseModel):
    """What ``lindi cache info`` reports."""

    path: str
    entries: int
    bytes: int
    max_bytes: int
