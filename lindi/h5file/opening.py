"""Finding a LINDI document by path or URL and opening it in an h5py mode, before there is a file object.

A local name may be a ``.lindi.json``, a ``.lindi.tar`` or a ``.lindi.d`` (a ``.lindi.d`` a killed writer
left half-swapped is put back first); a URL is fetched whole under its URL policy. Modes that create
start from an empty document; writing modes lock a local document against other writers, and a
container opened for writing gets a scratch staging area for its new chunks unless one is given.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from .._atomic import resolve_target
from .._locking import DocumentLock, lock_document
from ..backends.urls import local_path
from ..errors import DocumentExistsError, EditError
from ..security.limits import Limits
from ..staging import StagingArea, container_kind, load_container
from ..staging.containers import is_container_name
from ..staging.lindi_dir import recover_interrupted_swap
from ..store import UrlPolicy, empty_document, load_document
from ..store.document import RefDocument, from_dict
from ..store.policy import is_remote

#: h5py's modes: ``r`` reads; the others also write.
MODES = ("r", "r+", "w", "w-", "x", "a")
CREATE_MODES = ("w", "w-", "x")


@dataclass
class OpenedDocument:
    """A document opened in a mode, with what the file object takes over from here."""

    document: RefDocument
    writeback: str | None  # the local path written back on flush/close (writing modes only)
    lock: DocumentLock | None  # held by a writer until the file closes
    staging_area: StagingArea | None
    own_staging: bool  # the staging area is a scratch one, removed when the file closes

    def release(self) -> None:
        """Give back the lock and the scratch staging area (the file object was not made)."""
        if self.own_staging and self.staging_area is not None:
            self.staging_area.cleanup()
        if self.lock is not None:
            self.lock.release()


def open_document(src: str, mode: str, *, policy: UrlPolicy, limits: Limits | None, locking: bool | None,
                  staging_area: StagingArea | None) -> OpenedDocument:
    """Open the document at ``src`` (a path or URL) in ``mode`` (already checked)."""
    path = None if is_remote(src) else os.path.abspath(local_path(src))
    kind = "json" if path is None else container_kind(path)
    if kind == "dir" and path is not None:
        recover_interrupted_swap(resolve_target(path))  # a .lindi.d a killed writer left set aside
    if mode in ("r", "r+") and path is not None and not os.path.exists(path):
        raise FileNotFoundError(f"no such LINDI file: {path}")
    lock = lock_document(resolve_target(path), locking) if mode != "r" and path is not None else None
    try:
        if mode in CREATE_MODES or (mode == "a" and not os.path.exists(path or src)):
            doc = _new_document(src, path, mode)
        elif kind in ("tar", "dir"):
            rfs, base = load_container(path or src)
            doc = from_dict(rfs, source=path or src, base=base)
        else:
            doc = load_document(src, policy=policy, limits=limits)
        doc.policy, doc.limits = policy, doc.limits or limits
        own = mode != "r" and staging_area is None and path is not None and is_container_name(path)
        if own:
            staging_area = StagingArea.scratch()  # chunks wait here until the container is written
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    return OpenedDocument(doc, path if mode != "r" else None, lock, staging_area, own)


def _new_document(src: str, path: str | None, mode: str) -> RefDocument:
    """An empty document for a new local file (modes w, w-/x, and a on a missing file)."""
    if path is None:
        raise EditError(f"cannot create a document at the URL {src}: create it locally, then publish it")
    if mode in ("w-", "x") and os.path.exists(path):
        raise DocumentExistsError(f"Unable to create file {path} (file exists; mode {mode!r})")
    return from_dict(empty_document(), source=path, base=os.path.dirname(path))
