"""Content addressing and atomic files: the two rules every staged or published blob follows.

A blob is named by the SHA-256 of its bytes, laid out as
``blobs/sha256/ab/cd/<64 hex>`` so no directory grows huge. A file is written
to a temporary name in its final directory and renamed into place, so a crash
or a full disk never leaves a half-written blob under a real name.
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile

from .errors import StagingError

_HEX64 = re.compile(r"[0-9a-f]{64}")
BLOB_DIR = "blobs/sha256"


def sha256_hex(data: bytes) -> str:
    """The content address of ``data``."""
    return hashlib.sha256(data).hexdigest()


def check_digest(digest: str) -> str:
    """``digest`` if it is a lower-case SHA-256 hex string; otherwise a ValueError."""
    if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
        raise ValueError(f"not a SHA-256 hex digest: {digest!r}")
    return digest


def blob_relpath(digest: str) -> str:
    """``blobs/sha256/ab/cd/<digest>``: where a blob lives below a container or destination root."""
    check_digest(digest)
    return f"{BLOB_DIR}/{digest[0:2]}/{digest[2:4]}/{digest}"


_HINTS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
          errno.EFBIG: "the file size limit is exceeded", errno.EROFS: "the file system is read-only",
          errno.EACCES: "permission denied", errno.EPERM: "permission denied"}


def atomic_write(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename; clear error, no leftovers."""
    directory = os.path.dirname(path) or "."
    tmp = None
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        hint = _HINTS.get(exc.errno or 0, exc.strerror or str(exc))
        raise StagingError(f"cannot write {path}: {hint}") from exc
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
