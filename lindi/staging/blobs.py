"""Content addressing and atomic files: the two rules every staged or published blob follows.

Names come from :mod:`lindi.backends.content`. A file is written
to a temporary name in its final directory and renamed into place, so a crash
or a full disk never leaves a half-written blob under a real name.
"""
from __future__ import annotations

from .. import _atomic
from ..backends.content import BLOB_DIR, blob_relpath, check_digest, sha256_hex
from ..backends.local import describe_os_error
from .errors import StagingError

__all__ = ["BLOB_DIR", "atomic_write", "blob_relpath", "check_digest", "sha256_hex"]


def atomic_write(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename; a StagingError says why not."""
    try:
        _atomic.atomic_write(path, data, make_dirs=True)
    except OSError as exc:
        raise StagingError(f"cannot write {path}: {describe_os_error(exc)}") from exc
