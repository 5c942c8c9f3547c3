"""Opening the HDF5 source: h5py for structure, plain reads for raw stored bytes."""
from __future__ import annotations

import os
from urllib.parse import unquote, urlparse

import h5py

from ..errors import ConversionError


class SourceOpenError(ConversionError, OSError):
    """The source is missing, unreadable or not an HDF5 file (an I/O problem, not a conversion one)."""


class HDF5Source:
    """A local HDF5 file opened read-only, with ``read_range`` over the same bytes."""

    def __init__(self, path: str | os.PathLike[str]):
        text = os.fspath(path)
        if text.startswith("file://"):
            text = unquote(urlparse(text).path)
        elif "://" in text:
            raise SourceOpenError("only local HDF5 files can be converted here; download the file first",
                                  file=text)
        self.path = os.path.abspath(text)
        try:
            self._raw = open(self.path, "rb")
        except OSError as exc:
            raise SourceOpenError(f"cannot open: {exc.strerror or exc}", file=self.path) from None
        try:
            self.h5 = h5py.File(self._raw, "r")
        except (OSError, ValueError) as exc:
            self._raw.close()
            raise SourceOpenError(f"not a readable HDF5 file: {exc}", file=self.path) from None

    def read_range(self, offset: int, length: int) -> bytes:
        """``length`` stored bytes at ``offset``; a short read means a truncated file."""
        self._raw.seek(offset)
        data = self._raw.read(length)
        if len(data) != length:
            raise ConversionError(f"file ends before byte {offset + length} (truncated?)", file=self.path)
        return data

    def close(self) -> None:
        self.h5.close()
        self._raw.close()
