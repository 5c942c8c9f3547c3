"""Names inside a container: relative, normalised, never leaving the container."""
from __future__ import annotations

import os

from ..container_layout import safe_member_name
from .errors import ContainerError

__all__ = ["inside_directory", "safe_member_name"]


def inside_directory(root: str, relative: str, *, container: str, pointer: str | None = None) -> str:
    """The real path of ``relative`` below ``root``; a ContainerError when a symlink leads outside."""
    real_root = os.path.realpath(root)
    target = os.path.realpath(os.path.join(real_root, *relative.split("/")))
    if not target.startswith(real_root + os.sep):
        raise ContainerError(f"{relative!r} resolves outside the container (symlink?)", pointer=pointer,
                             source=container)
    return target


