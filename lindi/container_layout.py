"""Reading a local LINDI container's layout: which kind a location is, the members of a tar, the document inside.

A container is a ``.lindi.d`` directory or a ``.lindi.tar`` holding ``lindi.json`` and its chunks. This
read-only part sits low, so that the validator can check the document inside a container without importing
the staging layer, which writes containers (:mod:`lindi.staging`) and builds on these functions.
"""
from __future__ import annotations

import os
import re
import tarfile

from ._urls import is_remote, local_path
from .errors import ContainerError

__all__ = ["DOCUMENT_NAME", "Members", "container_document", "container_kind", "safe_member_name", "tar_members"]

#: The document's name inside a container.
DOCUMENT_NAME = "lindi.json"
#: ``name -> (data offset, size)`` of the members of a tar.
Members = dict[str, tuple[int, int]]

_DRIVE = re.compile(r"^[A-Za-z]:")


def container_kind(location: str) -> str:
    """``"dir"``, ``"tar"`` or ``"json"`` for a source path or URL."""
    name = location.rstrip("/").lower()
    if name.endswith(".lindi.d") or (not is_remote(location) and os.path.isdir(local_path(location))):
        return "dir"
    if name.endswith(".tar"):
        return "tar"
    if not is_remote(location) and os.path.isfile(local_path(location)):
        try:
            with open(local_path(location), "rb") as f:
                head = f.read(512)
        except OSError:
            return "json"  # unreadable: reading it as a document reports why, in one line
        if len(head) == 512 and head[257:262] == b"ustar":
            return "tar"
    return "json"


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


def tar_members(path: str) -> Members:
    """``name -> (data offset, size)`` of every member of a local tar (refusing unsafe entries)."""
    members: Members = {}
    try:
        with tarfile.open(path, mode="r:") as tar:
            for info in tar:
                name = _check_member(info, path)
                if info.isfile():
                    members[name] = (info.offset_data, info.size)
    except tarfile.TarError as exc:
        raise ContainerError(f"not a readable uncompressed tar: {exc}", source=path) from None
    except OSError as exc:
        raise ContainerError(f"cannot read the archive: {exc.strerror}", source=path) from None
    return members


def _check_member(info: tarfile.TarInfo, location: str) -> str:
    if info.issym() or info.islnk():
        raise ContainerError(f"tar entry {info.name!r} is a link (to {info.linkname!r}); links are not allowed",
                             source=location)
    if not (info.isfile() or info.isdir()):
        raise ContainerError(f"tar entry {info.name!r} is not a regular file", source=location)
    return safe_member_name(info.name, container=location)


def container_document(path: str) -> bytes:
    """The ``lindi.json`` text inside a local ``.lindi.d`` or ``.lindi.tar``, as stored (refs ``./``-relative)."""
    try:
        if container_kind(path) == "dir":
            with open(os.path.join(path, DOCUMENT_NAME), "rb") as f:
                return f.read()
        members = tar_members(path)
        if DOCUMENT_NAME not in members:
            raise ContainerError(f"no {DOCUMENT_NAME} in the archive", source=path)
        offset, size = members[DOCUMENT_NAME]
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read(size)
    except OSError as exc:
        raise ContainerError(f"cannot read {DOCUMENT_NAME}: {exc.strerror or exc}", source=path) from None
