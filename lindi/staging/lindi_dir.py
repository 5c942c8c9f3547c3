"""``.lindi.d``: a directory holding ``lindi.json`` and its chunks as ``blobs/sha256/ab/cd/<hex>``.

Refs into the directory are relative (``./blobs/...``), so it can be moved,
copied or served over HTTP as is. Loading refuses refs that escape it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from typing import Any

from .. import _atomic, strict_json
from ..container_layout import DOCUMENT_NAME, safe_member_name
from ..store.document import TEMPLATE_USE
from ..store.policy import is_remote
from ..strict_json import ref_pointer
from .blobs import atomic_write, blob_relpath, sha256_hex
from .errors import ContainerError, StagingError
from .paths import inside_directory
from .refs import is_range, local_ranges, read_in_batches, replace_refs

_OLD_SUFFIX = ".old-"


def write_lindi_dir(doc: Mapping[str, Any], path: str | os.PathLike[str], *, base: str | None = None,
                    overwrite: bool = False) -> str:
    """Write ``doc`` as a ``.lindi.d`` at ``path``, copying in every chunk that lives in a local file.

    ``base`` is where the document's relative refs resolve (its directory).
    The directory is built beside ``path`` and swapped into place; a symlink
    at ``path`` is written through. Leftovers of writers that were killed
    (temporaries, an old folder set aside) are cleaned up first. Returns the
    absolute path.
    """
    target = _atomic.resolve_target(path)
    recover_interrupted_swap(target)
    if os.path.exists(target) and not overwrite:
        raise StagingError(f"{target} already exists (pass overwrite=True to replace it)")
    link_targets(doc, container=target, source=target)  # refused now rather than on every later open
    parent = os.path.dirname(target)
    _atomic.remove_stale_temporaries(parent)
    try:
        tmp = tempfile.mkdtemp(prefix=_atomic.temp_prefix("d"), dir=parent)
    except OSError as exc:
        raise StagingError(f"cannot create {target}: {exc.strerror}") from exc
    try:
        ranges = local_ranges(doc, base)
        new: dict[str, Any] = {}
        by_range = {}
        for r, data in read_in_batches(sorted(set(ranges.values()), key=lambda r: r.request())):
            digest = sha256_hex(data)
            rel = blob_relpath(digest)
            dest = os.path.join(tmp, *rel.split("/"))
            if not os.path.exists(dest):
                atomic_write(dest, data)
            by_range[r] = [f"./{rel}", 0, len(data)]
        for key, r in ranges.items():
            new[key] = by_range[r]
        atomic_write(os.path.join(tmp, DOCUMENT_NAME),
                     strict_json.dumps(replace_refs(doc, new), indent=1).encode())
        os.chmod(tmp, _atomic.kept_mode(target, directory=True))
        _move_into_place(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _move_into_place(tmp: str, target: str) -> None:
    """Put the finished folder ``tmp`` under the name ``target``: one exchange where the system can swap
    two names, else two renames with the old folder set aside as ``<target>.old-<pid>@<host>`` in between."""
    if os.path.exists(target) and _atomic.exchange_paths(tmp, target):
        shutil.rmtree(tmp, ignore_errors=True)  # now the old folder
        return
    old = None
    if os.path.exists(target):
        old = f"{target}{_OLD_SUFFIX}{_atomic.writer_tag()}"
        os.rename(target, old)
    os.rename(tmp, target)
    _atomic.fsync_directory(os.path.dirname(target))
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def recover_interrupted_swap(target: str) -> None:
    """Repair what a writer killed between its two renames left: ``target`` missing and the old folder
    under ``<target>.old-<pid>@<host>``. The old folder is put back; one left beside a present ``target`` is
    removed. Folders of writers still running, or of other hosts, are not touched."""
    parent, name = os.path.split(target)
    pattern = re.compile(re.escape(name + _OLD_SUFFIX) + r"(\d+@[A-Za-z0-9._]+)")
    try:
        names = os.listdir(parent)
    except OSError:
        return
    for entry in names:
        m = pattern.fullmatch(entry)
        if m is None or not _atomic.dead_writer(m.group(1)):
            continue
        leftover = os.path.join(parent, entry)
        try:
            if os.path.lexists(target):
                shutil.rmtree(leftover)
            else:
                os.rename(leftover, target)
        except OSError:
            continue  # another process recovered it first


def load_lindi_dir(path: str | os.PathLike[str]) -> tuple[dict[str, Any], str]:
    """``(document, base)`` of a ``.lindi.d``; ``base`` is the directory, where its ``./`` refs resolve.

    Every local ref must be relative and stay inside the directory (no ``..``,
    no absolute path, no symlink leading out): otherwise a ContainerError.
    """
    root = os.path.abspath(os.fspath(path))
    if not os.path.lexists(root):
        recover_interrupted_swap(_atomic.resolve_target(root))
    doc_path = os.path.join(root, DOCUMENT_NAME)
    try:
        with open(doc_path, "rb") as f:
            text = f.read()
    except OSError as exc:
        raise ContainerError(f"cannot read {DOCUMENT_NAME}: {exc.strerror}", source=root) from None
    doc = strict_json.loads(text, source=doc_path)
    for _key, _value, pointer, rel in member_refs(doc, container=root, source=doc_path):
        inside_directory(root, rel, container=root, pointer=pointer)
    for pointer, rel in link_targets(doc, container=root, source=doc_path):
        inside_directory(root, rel, container=root, pointer=pointer)
    return doc, root


def member_refs(doc: Any, *, container: str, source: str) -> Iterator[tuple[str, list, str, str]]:
    """Each range ref of a container's document that stays inside it: (key, ref, JSON pointer, member name).

    Remote refs are skipped; a local ref must be ``./``-relative and must not leave the container.
    """
    refs = doc.get("refs") if isinstance(doc, dict) else None
    if not isinstance(refs, dict):
        raise ContainerError("the document has no 'refs' object", pointer="/refs", source=source)
    templates = doc.get("templates") or {}
    for key, value in refs.items():
        if not is_range(value):
            continue
        url = expand_templates(value[0], templates)
        if is_remote(url):
            continue
        pointer = ref_pointer(key)
        yield key, value, pointer, member_name(url, container=container, pointer=pointer, source=source)


def link_targets(doc: Any, *, container: str, source: str) -> list[tuple[str, str]]:
    """(JSON pointer, member name) of each local ``_EXTERNAL_ARRAY_LINK`` url and external link file.

    The same rule as for range refs (:func:`member_refs`): a container may not
    make the reader open a local file by absolute path or by climbing out of it.
    """
    refs = doc.get("refs") if isinstance(doc, Mapping) else None
    if not isinstance(refs, Mapping):
        raise ContainerError("the document has no 'refs' object", pointer="/refs", source=source)
    templates = doc.get("templates") or {}
    out = []
    for key, value in refs.items():
        target = _link_target(key, value)
        if target is None:
            continue
        url = expand_templates(target, templates)
        if not is_remote(url):
            pointer = ref_pointer(key)
            out.append((pointer, member_name(url, container=container, pointer=pointer, source=source)))
    return out


def member_name(url: str, *, container: str, pointer: str, source: str) -> str:
    """The member a local ref names: ``./``-relative and inside the container, or a ContainerError."""
    if url.lower().startswith("file:") or os.path.isabs(url):
        raise ContainerError(f"absolute local path {url!r} in a container (refs must be ./ relative)",
                             pointer=pointer, source=source)
    return safe_member_name(url, container=container, pointer=pointer)


def _link_target(key: str, value: Any) -> str | None:
    """The file an ``.zattrs`` external array link or a ``.lindi`` external link placeholder names."""
    leaf = key.rsplit("/", 1)[-1]
    if leaf not in (".zattrs", ".lindi"):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None  # not JSON: the reader reports it
    if not isinstance(value, dict):
        return None
    link = value.get("_EXTERNAL_ARRAY_LINK" if leaf == ".zattrs" else "link")
    if not isinstance(link, dict):
        return None
    target = link.get("url") if leaf == ".zattrs" else link.get("file") if link.get("type") == "external" else None
    return target if isinstance(target, str) else None


def expand_templates(url: str, templates: Mapping[str, Any]) -> str:
    """``url`` with ``{{name}}`` replaced (unknown names are left for the reader to report)."""
    return TEMPLATE_USE.sub(lambda m: str(templates.get(m.group(1), m.group(0))), url)
