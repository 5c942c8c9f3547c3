"""The one place that refuses writes until write mode lands (a later issue)."""
from __future__ import annotations

from typing import NoReturn

from ..errors import LindiError


class ReadOnlyError(LindiError, PermissionError, ValueError):
    """A write was attempted on an object opened read-only (a ValueError, as h5py raises)."""


def refuse_write(what: str) -> NoReturn:
    raise ReadOnlyError(f"cannot {what}: the LINDI file is open read-only")
