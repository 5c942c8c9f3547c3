"""``lindi_hdf5_lzf`` and ``lindi_hdf5_bitshuffle``: imagecodecs kernels with HDF5's plugin framing.

imagecodecs implements LZF and bitshuffle exactly, but its numcodecs wrappers do not fit
chunks written by the HDF5 plugins when zarr drives them: h5py's LZF filter stores a bare
LZF stream whose decoded size is not recorded (imagecodecs guesses a too-small buffer for
well-compressed chunks), and imagecodecs' bitshuffle takes the element size from the
array zarr passes (raw bytes, so 1) instead of the configured one. These codecs do the same
work with the chunk size and element size made explicit.
"""
from __future__ import annotations

from typing import Any

import imagecodecs
import numpy as np
from numcodecs.abc import Codec
from numcodecs.compat import ensure_contiguous_ndarray

# Refuse to grow an LZF output buffer past this (decompression-bomb guard): 2 GiB.
_LZF_MAX_OUTPUT = 2**31
#: What imagecodecs hands back (memoryview in newer releases).
_Encoded = bytes | bytearray | memoryview


def _as_bytes(buf: Any) -> bytes:
    return ensure_contiguous_ndarray(buf).view(np.uint8).reshape(-1).tobytes()


def _into(data: _Encoded, out: Any) -> Any:
    if out is None:
        return data
    target = ensure_contiguous_ndarray(out).view(np.uint8).reshape(-1)
    target[:] = np.frombuffer(data, dtype=np.uint8)
    return out


class HDF5Lzf(Codec):
    """h5py's LZF filter (32000): a bare LZF stream; ``nbytes`` is the decoded chunk size."""

    codec_id = "lindi_hdf5_lzf"

    def __init__(self, nbytes: int):
        self.nbytes = int(nbytes)
        if self.nbytes < 1:
            raise ValueError("nbytes must be positive")

    def encode(self, buf: Any) -> _Encoded:
        return imagecodecs.lzf_encode(_as_bytes(buf), header=False)

    def decode(self, buf: Any, out: Any = None) -> Any:
        data = _as_bytes(buf)
        size = self.nbytes
        while True:  # like h5py: start from the chunk size, grow if another filter changed it
            try:
                return _into(imagecodecs.lzf_decode(data, header=False, out=size), out)
            except imagecodecs.LzfError as exc:
                if "not large enough" not in str(exc) or size * 2 > _LZF_MAX_OUTPUT:
                    raise
                size *= 2


class HDF5Bitshuffle(Codec):
    """The bitshuffle filter (32008) without built-in compression."""

    codec_id = "lindi_hdf5_bitshuffle"

    def __init__(self, itemsize: int, blocksize: int = 0):
        self.itemsize = int(itemsize)
        self.blocksize = int(blocksize)
        if self.itemsize < 1 or self.blocksize < 0 or self.blocksize % 8:
            raise ValueError(f"invalid bitshuffle itemsize {self.itemsize} / blocksize {self.blocksize}")

    def encode(self, buf: Any) -> _Encoded:
        return imagecodecs.bitshuffle_encode(_as_bytes(buf), itemsize=self.itemsize, blocksize=self.blocksize)

    def decode(self, buf: Any, out: Any = None) -> Any:
        return _into(bytes(imagecodecs.bitshuffle_decode(_as_bytes(buf), itemsize=self.itemsize,
                                                         blocksize=self.blocksize)), out)
