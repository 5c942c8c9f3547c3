"""``LindiTarFile``: LINDI 0.4's class for growing a ``.lindi.tar`` or ``.lindi.d``, same names and arguments.

LINDI 0.4 patched the archive in place (headers renamed, bytes overwritten), so a
crash or a second writer could leave it broken. Here the class is a thin layer
over :mod:`lindi.staging`: a ``.lindi.tar`` collects its changes in memory and
:meth:`LindiTarFile.close` writes the whole archive once, atomically (the old
one stays until the new one is complete); a ``.lindi.d`` replaces each file
atomically. From the first change to :meth:`~LindiTarFile.close` the container
holds the document lock that ``LindiH5pyFile`` editors take, so two writers
never interleave. Remote archives are read only.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import partial
from types import TracebackType
from typing import Any, Self

from .._atomic import resolve_target
from .._locking import DocumentLock, lock_document
from ..backends.urls import local_path
from ..staging.blobs import atomic_write
from ..staging.lindi_dir import DOCUMENT_NAME
from ..staging.lindi_tar import (
    BLOCK,
    ENTRY_NAME,
    INDEX_NAME,
    archive_members,
    read_member,
    write_tar_members,
)
from ..staging.paths import inside_directory, safe_member_name
from ..store.policy import is_remote

__all__ = ["LindiTarFile"]

#: members the archive layout writes itself
_LAYOUT_NAMES = (ENTRY_NAME, INDEX_NAME)


class LindiTarFile:
    """Files of a ``.lindi.tar`` (``dir_representation=False``) or a ``.lindi.d`` directory, by name."""

    def __init__(self, tar_path_or_url: str, dir_representation: bool = False):
        self._remote = is_remote(tar_path_or_url)
        self._location = tar_path_or_url if self._remote else resolve_target(local_path(tar_path_or_url))
        self._dir = dir_representation
        self._lock: DocumentLock | None = None
        self._locked = False
        self._pending: dict[str, bytes] = {}  # tar only: name -> new content, written at close()
        self._trashed: set[str] = set()
        self._members = {} if self._dir else archive_members(self._location)
        if not self._dir and DOCUMENT_NAME not in self._members and ENTRY_NAME not in self._members:
            raise ValueError(f"{tar_path_or_url} is not a LINDI tar archive (no {ENTRY_NAME})")

    # -- context -------------------------------------------------------------------------------
    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc_value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Write the changes of a ``.lindi.tar`` (one atomic replacement) and release the lock."""
        try:
            if self._pending or self._trashed:
                self._rewrite_tar()
        finally:
            self._pending, self._trashed = {}, set()
            if self._lock is not None:
                self._lock.release()
            self._lock, self._locked = None, False

    # -- reading -------------------------------------------------------------------------------
    def has_file_with_name(self, file_name: str) -> bool:
        name = self._name(file_name)
        if self._dir:
            return os.path.isfile(self._dir_path(name))
        return name in self._pending or (name in self._members and name not in self._trashed)

    def read_file(self, file_name: str) -> bytes:
        name = self._name(file_name)
        if self._dir:
            try:
                with open(self._dir_path(name), "rb") as f:
                    return f.read()
            except FileNotFoundError:
                raise FileNotFoundError(f"File {file_name} not found in {self._location}") from None
        if name in self._pending:
            return self._pending[name]
        offset, size = self._stored(name)
        return read_member(self._location, offset, size)

    def get_file_info(self, file_name: str) -> dict[str, Any] | None:
        """``{"n", "o", "d", "s"}`` (header offset, data offset, size) as stored; None for a file that is
        missing or only written at :meth:`close`."""
        if self._dir:
            raise ValueError("Cannot get file info in a directory representation")
        name = self._name(file_name)
        if name in self._pending or name in self._trashed or name not in self._members:
            return None
        offset, size = self._members[name]
        return {"n": name, "o": offset - BLOCK, "d": offset, "s": size}

    def get_file_byte_range(self, file_name: str) -> tuple[int, int]:
        info = self.get_file_info(file_name)
        if info is None:
            raise FileNotFoundError(f"File {file_name} not found in {self._location} (or not written until close())")
        return info["d"], info["d"] + info["s"]

    # -- writing -------------------------------------------------------------------------------
    def write_file(self, file_name: str, data: bytes) -> None:
        self.write_files({file_name: data})

    def write_files(self, files: dict[str, bytes]) -> None:
        """Add or replace files (LINDI 0.4 appended a second copy; here the name holds the new content)."""
        self._begin_change()
        for file_name, data in files.items():
            name = self._name(file_name)
            if self._dir:
                atomic_write(self._dir_path(name), bytes(data))
            else:
                self._pending[name] = bytes(data)
                self._trashed.discard(name)

    def overwrite_file_content(self, file_name: str, data: bytes) -> None:
        """Replace an existing file's content by content of the same size, as LINDI 0.4 requires."""
        if not self.has_file_with_name(file_name):
            raise FileNotFoundError(f"File {file_name} not found in {self._location}")
        if len(self.read_file(file_name)) != len(data):
            raise ValueError(f"overwrite_file_content(): data for {file_name} must have the size of the existing file")
        self.write_file(file_name, data)

    def trash_file(self, file_name: str) -> None:
        name = self._name(file_name)
        if not self.has_file_with_name(name):
            raise FileNotFoundError(f"File {file_name} not found in {self._location}")
        self._begin_change()
        if self._dir:
            os.remove(self._dir_path(name))
        else:
            self._pending.pop(name, None)
            if name in self._members:
                self._trashed.add(name)

    def write_rfs(self, rfs: dict[str, Any]) -> None:
        """Store ``rfs`` as the container's ``lindi.json``."""
        self.write_file(DOCUMENT_NAME, json.dumps(rfs, indent=2, sort_keys=True).encode())

    @staticmethod
    def create(fname: str, *, rfs: dict[str, Any], dir_representation: bool = False) -> None:
        """A new container at ``fname`` holding only ``rfs`` as its ``lindi.json`` (an existing one is replaced)."""
        document = json.dumps(rfs, indent=2, sort_keys=True).encode()
        if dir_representation:
            os.makedirs(fname, exist_ok=True)
            atomic_write(os.path.join(fname, DOCUMENT_NAME), document)
        else:
            write_tar_members(fname, [(DOCUMENT_NAME, len(document), partial(bytes, document))])

    # -- internals -----------------------------------------------------------------------------
    def _name(self, file_name: str) -> str:
        name = safe_member_name(file_name, container=self._location)
        if name in _LAYOUT_NAMES:
            raise ValueError(f"{name} is part of the archive layout, not a file of the container")
        return name

    def _dir_path(self, name: str) -> str:
        return inside_directory(self._location, name, container=self._location)

    def _stored(self, name: str) -> tuple[int, int]:
        if name in self._trashed or name not in self._members:
            raise FileNotFoundError(f"File {name} not found in {self._location}")
        return self._members[name]

    def _begin_change(self) -> None:
        """Refuse changes to a remote archive; take the document lock at the first change and re-read
        the member list under it, so nothing another writer finished before is lost."""
        if self._remote:
            raise ValueError(f"Cannot change a remote container ({self._location})")
        if self._locked:
            return
        self._lock = lock_document(self._location)
        self._locked = True
        if not self._dir:
            self._members = archive_members(self._location)

    def _rewrite_tar(self) -> None:
        names = [n for n in self._members if n not in _LAYOUT_NAMES and n not in self._trashed
                 and n not in self._pending]
        members: list[tuple[str, int, Callable[[], bytes]]] = []
        for name in names:
            offset, size = self._members[name]
            members.append((name, size, partial(read_member, self._location, offset, size)))
        for name, data in self._pending.items():
            members.append((name, len(data), partial(bytes, data)))
        members.sort(key=lambda m: m[0] != DOCUMENT_NAME)  # lindi.json first, as LINDI 0.4 lays it out
        write_tar_members(self._location, members)
        self._members = archive_members(self._location)
