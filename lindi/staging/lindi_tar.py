"""``.lindi.tar``: one uncompressed tar holding ``lindi.json`` and its chunks, read by offset.

Layout (the one LINDI 0.4 uses, so each side reads the other's files):
``.tar_entry.json`` first (1024 bytes of JSON padded with spaces, pointing at
the index), ``.tar_index.json`` (``{"files": [{"n": name, "o": header
offset, "d": data offset, "s": size}, ...]}``), ``lindi.json``, then the
blobs. Refs in ``lindi.json`` are ``["./<member>", offset, length]``. On load
they become ``[<tar path or URL>, data offset + offset, length]``, so any
reader reads a chunk with one range request and needs to know nothing about
tar. A local tar is scanned with :mod:`tarfile` (any layout, headers
checksummed); a remote one needs the index.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import tarfile
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .. import strict_json
from .._atomic import atomic_file, remove_stale_temporaries, resolve_target
from ..backends.urls import local_path
from ..container_layout import DOCUMENT_NAME, Members, safe_member_name, tar_members
from ..store.policy import is_remote
from .blobs import blob_relpath, sha256_hex
from .errors import ContainerError, StagingError
from .lindi_dir import link_targets, member_refs
from .refs import LocalRange, local_ranges, read_in_batches, replace_refs

ENTRY_NAME = ".tar_entry.json"
INDEX_NAME = ".tar_index.json"
ENTRY_SIZE = 1024
BLOCK = 512

#: member name -> (data offset, size)


# -- writing ------------------------------------------------------------------------------------

def write_lindi_tar(doc: Mapping[str, Any], path: str | os.PathLike[str], *, base: str | None = None) -> str:
    """Write ``doc`` and every chunk it keeps in local files as a ``.lindi.tar`` at ``path`` (atomically).

    ``base`` is where the document's relative refs resolve (its directory).
    The document may point into the archive it replaces (an edit in mode
    ``r+``): the old archive is read while the new one is written beside it.
    A symlink at ``path`` is written through. Returns the absolute path.
    """
    target = resolve_target(path)
    link_targets(doc, container=target, source=target)  # refused now rather than on every later open
    ranges = local_ranges(doc, base)
    unique = sorted(set(ranges.values()), key=LocalRange.request)
    digest_of: dict[LocalRange, str] = {}
    sizes: dict[str, int] = {}  # digest -> size, in the order the blobs are first read and then written
    for r, data in read_in_batches(unique):  # first pass: names and sizes only, memory stays bounded
        digest_of[r] = sha256_hex(data)
        sizes.setdefault(digest_of[r], len(data))
    new = {key: [f"./{blob_relpath(digest_of[r])}", 0, r.length] for key, r in ranges.items()}
    document = strict_json.dumps(replace_refs(doc, new), indent=1).encode()
    layout = _layout([(DOCUMENT_NAME, len(document))] + [(blob_relpath(d), n) for d, n in sizes.items()])
    with _new_archive(target, layout) as (tar, offsets):
        _add(tar, DOCUMENT_NAME, document, offsets[DOCUMENT_NAME])
        written: set[str] = set()
        for r, data in read_in_batches(unique):
            name = blob_relpath(digest_of[r])
            if name not in written:
                _add(tar, name, data, offsets[name])
                written.add(name)
    return target


def write_tar_members(path: str | os.PathLike[str], members: list[tuple[str, int, Callable[[], bytes]]]) -> str:
    """Write a tar at ``path`` holding ``members`` (name, size, reader of its bytes) after the entry and
    index LINDI 0.4 reads, atomically; members are read one at a time. Returns the absolute path."""
    target = resolve_target(path)
    layout = _layout([(name, size) for name, size, _ in members])
    with _new_archive(target, layout) as (tar, offsets):
        for name, size, read in members:
            data = read()
            if len(data) != size:
                raise StagingError(f"member {name} changed size while {target} was written")
            _add(tar, name, data, offsets[name])
    return target


def archive_members(path_or_url: str) -> Members:
    """``name -> (data offset, size)`` of a local tar (scanned) or a remote one (from its index)."""
    return _remote_members(path_or_url) if is_remote(path_or_url) else tar_members(path_or_url)


def read_member(path_or_url: str, offset: int, length: int) -> bytes:
    """``length`` bytes at ``offset`` of a local or remote archive."""
    return _read(path_or_url, offset, length)


@contextlib.contextmanager
def _new_archive(target: str, layout: dict[str, list[dict[str, Any]]]) -> Iterator[tuple[tarfile.TarFile,
                                                                                          dict[str, int]]]:
    """A tar replacing ``target`` atomically, its entry and index (``layout``) written, with the header
    offset of each member. It ends with exactly the two zero blocks of the end-of-archive marker: LINDI 0.4
    appends members over the last 1024 bytes, and the padding to a 10 KiB record that :mod:`tarfile` adds
    would stay in front of them and end the archive for readers."""
    remove_stale_temporaries(os.path.dirname(target))
    index = layout["files"]
    try:
        with atomic_file(target) as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
                _add(tar, ENTRY_NAME, _padded(json.dumps({"index": index[1]}, sort_keys=True), ENTRY_SIZE), 0)
                _add(tar, INDEX_NAME, _padded(json.dumps(layout, sort_keys=True), index[1]["s"]), index[1]["o"])
                yield tar, {f["n"]: f["o"] for f in index}
                end = tar.offset
            raw.truncate(end + 2 * BLOCK)
    except OSError as exc:
        raise StagingError(f"cannot write {target}: {exc.strerror or exc}") from exc


def _blocks(n: int) -> int:
    return (n + BLOCK - 1) // BLOCK * BLOCK


def _layout(members: list[tuple[str, int]]) -> dict[str, list[dict[str, Any]]]:
    """The index of a tar holding the entry, the index itself and ``members`` in that order."""
    index_size = 8 * 1024
    while True:
        files = [{"n": ENTRY_NAME, "o": 0, "d": BLOCK, "s": ENTRY_SIZE}]
        pos = BLOCK + ENTRY_SIZE
        for name, size in [(INDEX_NAME, index_size), *members]:
            files.append({"n": name, "o": pos, "d": pos + BLOCK, "s": size})
            pos += BLOCK + _blocks(size)
        text = json.dumps({"files": files}, sort_keys=True)
        if len(text) <= index_size:
            return {"files": files}
        index_size = _blocks(len(text) * 5 // 4)


def _padded(text: str, size: int) -> bytes:
    data = text.encode()
    if len(data) > size:
        raise AssertionError(f"{len(data)} bytes do not fit the reserved {size}")
    return data + b" " * (size - len(data))


def _add(tar: tarfile.TarFile, name: str, data: bytes, expected_offset: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o644
    if tar.offset != expected_offset:
        raise AssertionError(f"tar member {name} at {tar.offset}, index says {expected_offset}")
    tar.addfile(info, io.BytesIO(data))


# -- reading ------------------------------------------------------------------------------------

def load_lindi_tar(path_or_url: str | os.PathLike[str]) -> tuple[dict[str, Any], str]:
    """``(document, base)`` of a ``.lindi.tar``; refs into the tar point at the tar itself by offset.

    Entries that could reach outside the archive (absolute names, ``..``,
    symlinks, hard links, devices) and refs to missing members or past a
    member's end are a ContainerError.
    """
    location = os.fspath(path_or_url)
    if is_remote(location):
        members, total = _remote_members(location), None
        tar_url, base = location, location
    else:
        tar_url = os.path.abspath(local_path(location))
        members, total = tar_members(tar_url), os.path.getsize(tar_url)
        base = os.path.dirname(tar_url)
    if DOCUMENT_NAME not in members:
        raise ContainerError(f"no {DOCUMENT_NAME} in the archive", source=location)
    d, s = members[DOCUMENT_NAME]
    doc = strict_json.loads(_read(tar_url, d, s), source=f"{location}/{DOCUMENT_NAME}")
    link_targets(doc, container=location, source=location)  # the rule of member_refs, for link targets
    new: dict[str, Any] = {}
    for key, value, pointer, name in member_refs(doc, container=location, source=location):
        if name not in members:
            raise ContainerError(f"ref to {name!r}, which is not in the archive", pointer=pointer, source=location)
        start, size = members[name]
        offset, length = value[1], value[2]
        if not (isinstance(offset, int) and isinstance(length, int) and 0 <= offset and 0 <= length
                and offset + length <= size):
            raise ContainerError(f"range [{offset}, {length}] is outside member {name!r} ({size} bytes)",
                                 pointer=pointer, source=location)
        new[key] = [tar_url, start + offset, length]
    if total is not None and any(d + s > total for d, s in members.values()):
        raise ContainerError("a member extends past the end of the archive", source=location)
    return replace_refs(doc, new), base


def _remote_members(url: str) -> Members:
    """Members from the ``.tar_entry.json`` / ``.tar_index.json`` pair: two small reads, no scan."""
    head = _read(url, 0, BLOCK + ENTRY_SIZE)
    try:
        first = tarfile.TarInfo.frombuf(head[:BLOCK], "utf-8", "surrogateescape")
    except tarfile.TarError as exc:
        raise ContainerError(f"not a tar archive: {exc}", source=url) from None
    if first.name != ENTRY_NAME:
        raise ContainerError(f"a remote .lindi.tar must start with {ENTRY_NAME} (its index); "
                             "download the archive to read it", source=url)
    try:
        info = json.loads(head[BLOCK:BLOCK + first.size])["index"]
        index = json.loads(_read(url, int(info["d"]), int(info["s"])))
        files = index["files"]
        members = {}
        for f in files:
            name = safe_member_name(str(f["n"]), container=url)
            d, s = f["d"], f["s"]
            if not (isinstance(d, int) and isinstance(s, int) and d >= 0 and s >= 0):
                raise ContainerError(f"bad offsets for {name!r} in the tar index", source=url)
            members[name] = (d, s)
    except (ValueError, KeyError, TypeError) as exc:
        raise ContainerError(f"malformed tar index: {exc!r}", source=url) from None
    return members


def _read(url: str, offset: int, length: int) -> bytes:
    from ..backends import read_ranges
    return read_ranges([(url, offset, length)])[0]
