"""The one place that refuses writes to a file or object opened read-only (``ValueError``, as in h5py)."""
from __future__ import annotations

from typing import NoReturn

from ..errors import ReadOnlyError

__all__ = ["ReadOnlyError", "refuse_write"]


def refuse_write(what: str) -> NoReturn:
    raise ReadOnlyError(f"cannot {what}: the LINDI file is open read-only")
