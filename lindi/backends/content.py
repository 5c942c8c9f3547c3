"""Content addressing shared by the staging area and every writing backend.

A blob is named by the SHA-256 of its bytes, laid out as
``blobs/sha256/ab/cd/<64 hex>`` below a root, so identical chunks are stored
once and no directory grows huge.
"""
from __future__ import annotations

import hashlib
import re

from ..errors import IntegrityError

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


def verified_blob_path(destination: str, digest: str, data: bytes) -> str:
    """``destination`` + the blob's relative path, after checking that ``data`` has that digest."""
    actual = sha256_hex(data)
    if actual != check_digest(digest):
        raise IntegrityError(f"blob bytes have SHA-256 {actual}, not the claimed {digest}", url=destination)
    return join_dir(destination, blob_relpath(digest))


def join_dir(destination: str, name: str) -> str:
    """``name`` below the directory-like ``destination`` (a ``/`` is added when missing)."""
    return destination if not name else (destination.rstrip("/") + "/" + name)
