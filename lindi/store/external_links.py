"""External link file names as the spec resolves them: from the document's location (spec 1.1).

HDF5 resolves a relative external-link file name from the folder of the file holding the link, a
document from its own folder, and a document is often written elsewhere. So a document written to
a folder names the target relative to that folder when it lies beside or below it (the pair can
move together), otherwise absolutely.
"""
from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping
from typing import Any

from ..backends.urls import local_path
from .document import join_url
from .policy import is_remote


def link_base(linking_file: str) -> str:
    """Where HDF5 resolves a relative external-link file name of ``linking_file``: its folder (or its URL)."""
    if is_remote(linking_file):
        return linking_file
    return os.path.dirname(os.path.abspath(local_path(linking_file)))


def relocated_link(link: Any, *, old_base: str | None, new_dir: str) -> Any:
    """``link`` (a ``.lindi`` link member) with its file named from ``new_dir``; other values unchanged.

    ``old_base``: the folder (or URL) a relative name resolved from until now; None keeps it as written.
    """
    if not (isinstance(link, dict) and link.get("type") == "external" and isinstance(link.get("file"), str)):
        return link
    name = link["file"]
    if not (is_remote(name) or os.path.isabs(name)):
        if old_base is None:
            return link  # nothing to resolve it from: keep it as written
        if is_remote(old_base):
            return {**link, "file": join_url(old_base, name)}
        name = os.path.normpath(os.path.join(local_path(old_base), name))
    if is_remote(name):
        return {**link, "file": name}
    relative = os.path.relpath(name, new_dir)
    inside = not relative.startswith(os.pardir + os.sep) and relative != os.pardir
    return {**link, "file": relative.replace(os.sep, posixpath.sep) if inside else name}


def relocate_external_links(refs: Mapping[str, Any], *, old_base: str | None, new_dir: str) -> dict[str, Any]:
    """The ``.lindi`` refs of ``refs`` whose external link file changes when written into ``new_dir``."""
    changed: dict[str, Any] = {}
    for key, value in refs.items():
        if (key == ".lindi" or key.endswith("/.lindi")) and isinstance(value, dict) and "link" in value:
            link = relocated_link(value["link"], old_base=old_base, new_dir=new_dir)
            if link is not value["link"]:
                changed[key] = {**value, "link": link}
    return changed
