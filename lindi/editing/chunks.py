"""Where an encoded chunk goes: inline in the document when small, otherwise into the staging area.

Remote chunks are never written: an edit only ever adds new chunk values.
"""
from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from .errors import EditError

if TYPE_CHECKING:
    from ..staging import StagingArea

#: Chunks up to this many bytes are stored inline (``base64:``), like the converter's ``inline_threshold``.
INLINE_BYTES = 4096
#: Without a staging area, chunks up to this size are still inlined; larger ones need a staging area.
INLINE_BYTES_WITHOUT_STAGING = 1024 * 1024


class ChunkSink:
    """Turns encoded chunk bytes into the ref value to store."""

    def __init__(self, staging_area: StagingArea | None = None):
        self.staging_area = staging_area

    def ref_value(self, data: bytes, *, where: str) -> str | list[Any]:
        if len(data) <= INLINE_BYTES or (self.staging_area is None and len(data) <= INLINE_BYTES_WITHOUT_STAGING):
            return "base64:" + base64.b64encode(data).decode("ascii")
        if self.staging_area is None:
            raise EditError(f"cannot write a {len(data)}-byte chunk of {where} without a staging area: open the "
                            "file with staging_area=lindi.StagingArea.create(...) (chunks up to "
                            f"{INLINE_BYTES_WITHOUT_STAGING} bytes are stored inline)")
        return self.staging_area.store_chunk(data)
