"""Open any LINDI source as ``(document, base)`` and write a document as any container.

A source is a ``.lindi.json`` (local or remote), a ``.lindi.d`` directory or a
``.lindi.tar``. ``base`` is what ``LindiH5pyFile.from_reference_file_system(doc,
base=base)`` needs to resolve relative refs: the directory of a local
document, the URL of a remote one.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .. import strict_json
from ..backends.urls import local_path
from ..container_layout import DOCUMENT_NAME, container_kind, tar_members
from ..errors import DocumentError
from ..store.policy import is_remote
from .blobs import atomic_write
from .errors import ContainerError
from .lindi_dir import load_lindi_dir, write_lindi_dir
from .lindi_tar import load_lindi_tar, write_lindi_tar

#: how much of a JSON file is read to tell a LINDI document (its ``"refs"`` key comes early)
_SNIFF_BYTES = 1 << 20


def is_container_name(path: str) -> bool:
    """Whether a file name asks for a container (``.tar`` or ``.lindi.d``) rather than a ``.lindi.json``."""
    return path.rstrip("/").endswith((".tar", ".lindi.d"))


def is_lindi_document(path: str) -> bool:
    """Whether the local ``path`` holds a LINDI document (``.lindi.json``, ``.lindi.d`` or ``.lindi.tar``),
    judged from its first bytes: what a writer may replace without being told to."""
    kind = container_kind(path)
    if kind == "dir":
        return os.path.isfile(os.path.join(path, DOCUMENT_NAME))
    try:
        if kind == "tar":
            return DOCUMENT_NAME in tar_members(path)
        with open(path, "rb") as f:
            head = f.read(_SNIFF_BYTES)
    except (OSError, ContainerError):
        return False
    return head.lstrip().startswith(b"{") and b'"refs"' in head


def load_container(source: str | os.PathLike[str]) -> tuple[dict[str, Any], str]:
    """``(document, base)`` of a ``.lindi.json``, ``.lindi.d`` or ``.lindi.tar`` (path or URL)."""
    location = os.fspath(source)
    kind = container_kind(location)
    if kind == "dir":
        if is_remote(location):
            raise ContainerError("a .lindi.d can only be opened from a local directory; open its lindi.json URL",
                                 source=location)
        return load_lindi_dir(local_path(location))
    if kind == "tar":
        return load_lindi_tar(location)
    return _load_json(location)


def _load_json(location: str) -> tuple[dict[str, Any], str]:
    if is_remote(location):
        from ..backends import get_registry
        registry = get_registry()
        text = registry.read_ranges([(location, 0, registry.size(location))])[0]
        base = location
    else:
        path = os.path.abspath(local_path(location))
        try:
            with open(path, "rb") as f:
                text = f.read()
        except OSError as exc:
            raise DocumentError(f"cannot read document: {exc.strerror}", source=path) from None
        base = os.path.dirname(path)
    doc = strict_json.loads(text, source=location)
    if not isinstance(doc, dict):
        raise DocumentError("a LINDI document must be a JSON object", pointer="", source=location)
    return doc, base


def write_container(doc: Mapping[str, Any], path: str | os.PathLike[str], *, base: str | None = None) -> str:
    """Write ``doc`` by the suffix of ``path``: ``.lindi.d``, ``.lindi.tar`` or a plain ``.json``.

    The containers take copies of every local chunk; a plain ``.json`` is
    written as is (atomically). Returns the absolute path.
    """
    target = os.path.abspath(os.fspath(path))
    if target.endswith(".lindi.d"):
        return write_lindi_dir(doc, target, base=base, overwrite=True)
    if target.endswith(".tar"):
        return write_lindi_tar(doc, target, base=base)
    atomic_write(target, strict_json.dumps(dict(doc), indent=1).encode())
    return target
