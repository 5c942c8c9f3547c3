"""Byte-range fetching: the one function type every chunk read goes through.

A :data:`RangeReader` takes a batch of ``(url, offset, length)`` requests and
returns their bytes in the same order, one call per batch, so that a backend
can group, coalesce and parallelise as it likes. This module supplies the
coalescing planner and the default readers (local files, plain http(s)).
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

from ..errors import IntegrityError, RemoteError

RangeRequest = tuple[str, int, int]
RangeReader = Callable[[Sequence[RangeRequest]], list[bytes]]


@dataclass(frozen=True)
class CoalesceOptions:
    """How near ranges of one URL are merged into one request.

    ``max_gap``: two ranges whose gap is at most this many bytes are merged
    (the gap bytes are fetched and thrown away). ``max_block``: a merged
    block never grows beyond this size (a single larger range stays whole).
    """

    max_gap: int = 256 * 1024
    max_block: int = 64 * 1024 * 1024


def coalesce(requests: Sequence[RangeRequest], options: CoalesceOptions = CoalesceOptions()
             ) -> tuple[list[RangeRequest], list[tuple[int, int]]]:
    """Plan merged block requests for ``requests``.

    Returns ``(blocks, where)``: ``blocks`` are the requests to send and
    ``where[i] = (block_index, start_in_block)`` locates request ``i``.
    """
    order = sorted(range(len(requests)), key=lambda i: (requests[i][0], requests[i][1], requests[i][2]))
    blocks: list[RangeRequest] = []
    where: list[tuple[int, int]] = [(0, 0)] * len(requests)
    for i in order:
        url, offset, length = requests[i]
        if blocks:
            burl, bstart, blen = blocks[-1]
            bend = bstart + blen
            new_end = max(bend, offset + length)
            if burl == url and offset - bend <= options.max_gap and new_end - bstart <= options.max_block:
                blocks[-1] = (burl, bstart, new_end - bstart)
                where[i] = (len(blocks) - 1, offset - bstart)
                continue
        blocks.append((url, offset, length))
        where[i] = (len(blocks) - 1, 0)
    return blocks, where


def read_coalesced(reader: RangeReader, requests: Sequence[RangeRequest],
                   options: CoalesceOptions = CoalesceOptions()) -> list[bytes]:
    """Fetch ``requests`` through ONE ``reader`` call of merged blocks, then split."""
    if not requests:
        return []
    blocks, where = coalesce(requests, options)
    data = reader(blocks)
    if len(data) != len(blocks):
        raise IntegrityError(f"range reader returned {len(data)} results for {len(blocks)} requests")
    out = []
    for (url, offset, length), (b, start) in zip(requests, where):
        piece = bytes(memoryview(data[b])[start:start + length])
        if len(piece) != length:
            raise IntegrityError(f"expected {length} bytes at offset {offset}, got {len(piece)}",
                                 url=url, ref=f"[{url!r}, {offset}, {length}]")
        out.append(piece)
    return out


def local_path(url: str) -> str | None:
    """The filesystem path of a local URL (absolute path or ``file://``), else None."""
    if url.startswith("file://"):
        return unquote(urlparse(url).path)
    if os.path.isabs(url):
        return url
    return None


def read_local_ranges(requests: Sequence[RangeRequest]) -> list[bytes]:
    """Read ranges of local files; a short read is an :class:`IntegrityError`."""
    out: list[bytes] = []
    handles: dict[str, object] = {}
    try:
        for url, offset, length in requests:
            path = local_path(url)
            if path is None:
                raise RemoteError("not a local file URL", url=url)
            f = handles.get(path)
            if f is None:
                try:
                    f = handles[path] = open(path, "rb")
                except OSError as exc:
                    raise RemoteError(f"cannot open file: {exc.strerror}", url=url) from None
            f.seek(offset)  # type: ignore[attr-defined]
            data = f.read(length)  # type: ignore[attr-defined]
            if len(data) != length:
                raise IntegrityError(f"short read: {len(data)} of {length} bytes (file truncated?)",
                                     url=url, ref=f"[{url!r}, {offset}, {length}]")
            out.append(data)
    finally:
        for f in handles.values():
            f.close()  # type: ignore[attr-defined]
    return out


_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")


def read_http_ranges(requests: Sequence[RangeRequest], *, timeout: float = 60.0) -> list[bytes]:
    """Plain http(s) range reads with strict checks; the backends package replaces this."""
    import requests as http

    out: list[bytes] = []
    with http.Session() as session:
        for url, offset, length in requests:
            ref = f"[{url!r}, {offset}, {length}]"
            if length == 0:
                out.append(b"")
                continue
            try:
                resp = session.get(url, headers={"Range": f"bytes={offset}-{offset + length - 1}"}, timeout=timeout)
            except http.RequestException as exc:
                raise RemoteError(f"request failed: {exc}", url=url, ref=ref) from None
            body = resp.content
            if resp.status_code == 206:
                m = _CONTENT_RANGE.match(resp.headers.get("Content-Range", ""))
                if not m or int(m.group(1)) != offset or int(m.group(2)) != offset + length - 1:
                    raise IntegrityError(f"bad Content-Range {resp.headers.get('Content-Range')!r}", url=url, ref=ref)
            elif resp.status_code == 200 and offset == 0 and len(body) == length:
                pass  # the whole object, exactly what was asked for
            else:
                raise RemoteError(f"HTTP status {resp.status_code} for a range request", url=url, ref=ref)
            if len(body) != length:
                raise IntegrityError(f"expected {length} bytes, got {len(body)}", url=url, ref=ref)
            out.append(body)
    return out


def default_range_reader(requests: Sequence[RangeRequest]) -> list[bytes]:
    """Dispatch by URL: local files and http(s); other schemes need a backend reader."""
    out: list[bytes | None] = [None] * len(requests)
    local = [i for i, r in enumerate(requests) if local_path(r[0]) is not None]
    remote = [i for i, r in enumerate(requests) if r[0].startswith(("http://", "https://"))]
    other = set(range(len(requests))) - set(local) - set(remote)
    if other:
        url = requests[min(other)][0]
        raise RemoteError("no range reader for this URL scheme (install/configure a backend)", url=url)
    for indices, fn in ((local, read_local_ranges), (remote, read_http_ranges)):
        if indices:
            for i, data in zip(indices, fn([requests[i] for i in indices])):
                out[i] = data
    return out  # type: ignore[return-value]
