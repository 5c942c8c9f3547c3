"""Byte-range fetching: the one function type every chunk read goes through.

A :data:`RangeReader` takes a batch of ``(url, offset, length)`` requests and
returns their bytes in the same order, one call per batch, so that a backend
can group, coalesce and parallelise as it likes. This module supplies the
coalescing planner; the default reader is :func:`lindi.backends.read_ranges`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..backends.base import RangeReader, RangeRequest
from ..errors import IntegrityError

__all__ = ["CoalesceOptions", "RangeReader", "RangeRequest", "coalesce", "default_range_reader", "read_coalesced"]


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


def default_range_reader(requests: Sequence[RangeRequest]) -> list[bytes]:
    """Every ``[url, offset, length]`` ref, local or remote, goes through the backends registry."""
    from ..backends import read_ranges

    return read_ranges(requests)
