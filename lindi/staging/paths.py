"""Names inside a container: relative, normalised, never leaving the container."""
from __future__ import annotations

import os
import re

from .errors import ContainerError

_DRIVE = re.compile(r"^[A-Za-z]:")


def safe_member_name(name: str, *, container: str, pointer: str | None = None) -> str:
    """``name`` as a normalised relative POSIX path (``./a/b`` -> ``a/b``) or a ContainerError.

    Rejected: empty names, absolute paths, ``..`` segments, backslashes and
    drive letters, i.e. anything that could name a file outside ``container``.
    """
    bad = (not name or name.startswith("/") or "\\" in name or _DRIVE.match(name) or "\x00" in name)
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if bad or not parts or ".." in parts:
        raise ContainerError(f"path {name!r} leaves the container or is not a relative path",
                             pointer=pointer, source=container)
    return "/".join(parts)


def inside_directory(root: str, relative: str, *, container: str, pointer: str | None = None) -> str:
    """The real path of ``relative`` below ``root``; a ContainerError when a symlink leads outside."""
    real_root = os.path.realpath(root)
    target = os.path.realpath(os.path.join(real_root, *relative.split("/")))
    if not target.startswith(real_root + os.sep):
        raise ContainerError(f"{relative!r} resolves outside the container (symlink?)", pointer=pointer,
                             source=container)
    return target


