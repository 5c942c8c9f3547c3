"""The ``_REFERENCE`` object of an object or region reference (SPEC section 6).

Its four members are required; a NULL reference has ``path`` null. The converter, the reader (a NULL
reference read from ``null``) and the editor (writing a NULL reference) start from the same body.
"""
from __future__ import annotations

from typing import Any

from .names import REFERENCE


def null_reference_body() -> dict[str, Any]:
    """A fresh body of a NULL reference: no target, no object ids, the source is this document."""
    return {"object_id": None, "path": None, "source": ".", "source_object_id": None}


def null_reference() -> dict[str, Any]:
    """A fresh ``{"_REFERENCE": {...}}`` NULL reference."""
    return {REFERENCE: null_reference_body()}
