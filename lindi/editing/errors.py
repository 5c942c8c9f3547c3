"""The error every refused edit raises: it names the object and leaves the document unchanged."""
from __future__ import annotations

from ..errors import EditError

__all__ = ["EditError"]
