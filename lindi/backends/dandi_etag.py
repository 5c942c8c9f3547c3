"""The DANDI Archive's blob digest, ``dandi:dandi-etag`` (DANDI_API.md section 6).

The archive decides how a blob is split into multipart-upload parts
(``PartGenerator`` in dandischema) and identifies blobs by the S3 multipart
ETag of that layout: ``md5(md5(part_1) + ... + md5(part_n)) + "-n"``. The
client must compute the same value before uploading, and the test double must
hand out the same part layout, so both use this one module.
"""
from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass

KiB, MiB, GiB, TiB = 1024, 1024**2, 1024**3, 1024**4

DEFAULT_PART_SIZE = 64 * MiB
MIN_PART_SIZE = 5 * MiB
MAX_PART_SIZE = 5 * GiB
MAX_PARTS = 10_000
MAX_BLOB_SIZE = 5 * TiB


@dataclass(frozen=True)
class PartLayout:
    """How a blob of ``size`` bytes is split: ``count`` parts of ``initial_size``, the last ``final_size``."""

    size: int
    count: int
    initial_size: int
    final_size: int

    @classmethod
    def for_size(cls, size: int, default_part_size: int = DEFAULT_PART_SIZE) -> PartLayout:
        """The archive's layout for ``size`` bytes (rejects sizes the archive cannot store).

        ``default_part_size``: dandischema's ``PartGenerator.DEFAULT_PART_SIZE``
        (64 MiB); tests lower it, on both sides, to exercise multipart uploads.
        """
        if size < 0:
            raise ValueError(f"blob size {size} is negative")
        if size > MAX_BLOB_SIZE:
            raise ValueError(f"blob size {size} exceeds the archive's limit of 5 TiB")
        part_size = default_part_size
        if math.ceil(size / part_size) >= MAX_PARTS:
            part_size = math.ceil(size / MAX_PARTS)
        if not MIN_PART_SIZE <= part_size <= MAX_PART_SIZE:  # pragma: no cover - unreachable below 5 TiB
            raise ValueError(f"part size {part_size} outside the S3 limits")
        count, final = divmod(size, part_size)
        if final == 0:
            final = part_size
        else:
            count += 1
        if count == 1:
            part_size = final
        return cls(size, count, part_size, final)

    def parts(self) -> Iterator[tuple[int, int, int]]:
        """``(part_number, offset, length)`` of each part, numbered from 1."""
        for i in range(self.count):
            length = self.final_size if i == self.count - 1 else self.initial_size
            yield i + 1, i * self.initial_size, length


def part_etag(part: bytes) -> str:
    """The S3 ETag of one uploaded part (its MD5, hex)."""
    return hashlib.md5(part).hexdigest()


def dandi_etag(data: bytes) -> str:
    """The ``dandi:dandi-etag`` of ``data``, e.g. ``"b6ff9a06b7e20bcb2858c5b8ff744aea-1"``."""
    layout = PartLayout.for_size(len(data))
    view = memoryview(data)
    digests = b"".join(hashlib.md5(view[off:off + n]).digest() for _, off, n in layout.parts())
    return f"{hashlib.md5(digests).hexdigest()}-{layout.count}"
