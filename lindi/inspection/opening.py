"""Open a document for inspection through the normal reader, with or without access to its chunks.

``ls``, ``info`` and ``diff`` must show what a document holds without contacting the
places it points at (a document may come from a stranger): they open it with a range
reader that refuses every request, so any code path that would fetch a chunk fails
with :class:`ChunkReadRefused` instead of reaching the network or a local file.
``cat`` opens it with the normal reader and cache.
"""
from __future__ import annotations

import os
from collections.abc import Sequence

from ..cache import LocalCache
from ..errors import ChunkReadRefused
from ..h5file import LindiH5pyFile
from ..staging import container_kind, load_container
from ..store.policy import is_remote
from ..store.ranges import RangeRequest


def refuse_reads(requests: Sequence[RangeRequest]) -> list[bytes]:
    """A range reader that fetches nothing: the guarantee that inspection reads only the document."""
    count = len(requests)
    raise ChunkReadRefused(f"inspection reads only the document; it would have fetched {count} "
                           f"range{'s' if count != 1 else ''} starting at {requests[0][0] if requests else '?'}")


def _refuse_external_file(url: str, where: str) -> None:
    raise ChunkReadRefused(f"inspection reads only the document; it would have opened the HDF5 file {url!r} "
                           f"named at {where}")


def open_document(location: str | os.PathLike[str], *, read_chunks: bool = False,
                  local_cache: LocalCache | None = None) -> LindiH5pyFile:
    """A read-only :class:`LindiH5pyFile` of a ``.lindi.json`` (path or URL), ``.lindi.tar`` or ``.lindi.d``.

    Without ``read_chunks`` no byte outside the document is ever requested, and no HDF5 file behind
    an external link or external array is opened.
    """
    src = os.fspath(location)
    reader = None if read_chunks else refuse_reads
    if is_remote(src) and container_kind(src) == "tar":  # the reader opens local containers only
        rfs, base = load_container(src)
        f = LindiH5pyFile.from_reference_file_system(rfs, base=base, range_reader=reader, local_cache=local_cache)
        f._store.document.source = src  # errors name the tar; its members are "inside the container"
    else:
        f = LindiH5pyFile.from_lindi_file(src, range_reader=reader, local_cache=local_cache)
    if not read_chunks:
        f._external_files.open = _refuse_external_file  # type: ignore[method-assign]
    return f
