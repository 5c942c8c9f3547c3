"""Registers the project's extra numcodecs codecs once, and a faster inflate for the ``zlib`` codec.

gzip (HDF5 deflate) chunks dominate NWB data; ISA-L's inflate (the ``isal``
package) returns the same bytes as zlib about 1.5x faster, so when installed
it decodes ``zlib`` chunks. Encoding is unchanged.
"""
from __future__ import annotations

import functools

import numcodecs
from numcodecs.compat import ensure_contiguous_ndarray, ndarray_copy
from numcodecs.zlib import Zlib


class IsalZlib(Zlib):
    """numcodecs ``zlib`` whose decode runs ISA-L inflate (identical output)."""

    def decode(self, buf, out=None):
        from isal import isal_zlib

        data = isal_zlib.decompress(ensure_contiguous_ndarray(buf))
        return ndarray_copy(data, out) if out is not None else data


@functools.cache
def ensure_codecs() -> None:
    try:
        import isal  # noqa: F401
    except ImportError:
        pass
    else:
        numcodecs.register_codec(IsalZlib, codec_id="zlib")
    from lindi.codecs import register_codecs

    register_codecs()
