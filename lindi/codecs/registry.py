"""Which codecs a LINDI document may name, and resolving them safely.

zarr-python finds Zarr v2 codecs by id in numcodecs' registry; LINDI adds its own
codecs there and the imagecodecs ones it writes. A document must never be able to
make the reader run code, so ids such as ``pickle`` are refused here.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numcodecs.registry
from numcodecs.abc import Codec
from numcodecs.errors import UnknownCodecError

from ..errors import DocumentError
from ..format.object_codecs import FORBIDDEN_CODEC_IDS, OBJECT_CODEC_IDS
from .nbit import HDF5Nbit
from .plugin_framing import HDF5Bitshuffle, HDF5Lzf
from .scaleoffset import HDF5ScaleOffset

#: Codecs LINDI itself defines.
_LINDI_CODECS = (HDF5ScaleOffset, HDF5Nbit, HDF5Lzf, HDF5Bitshuffle)
LINDI_CODEC_IDS: frozenset[str] = frozenset(cls.codec_id for cls in _LINDI_CODECS)

#: imagecodecs codecs for HDF5 filters numcodecs lacks (id -> class name); LINDI writes szip and
#: lz4h5, the others are known so documents from other tools that name them still read.
_IMAGECODECS = {
    "imagecodecs_lzf": "Lzf",
    "imagecodecs_szip": "Szip",
    "imagecodecs_lz4h5": "Lz4h5",
    "imagecodecs_bitshuffle": "Bitshuffle",
}

#: Every codec id a LINDI document may name: the numcodecs built-ins that are pure data
#: transforms, the imagecodecs ones above and LINDI's own.
KNOWN_CODEC_IDS: frozenset[str] = frozenset({
    "zlib", "gzip", "bz2", "lzma", "blosc", "zstd", "lz4", "shuffle", "delta", "fletcher32",
    "astype", "fixedscaleoffset", "quantize", "packbits", "categorize", "bitround",
    "crc32", "crc32c", "adler32", "jenkins_lookup3", "base64",
    *OBJECT_CODEC_IDS,
    *_IMAGECODECS, *LINDI_CODEC_IDS,
})

CodecStatus = Literal["known", "registered", "forbidden", "unknown"]

_registered = False


def register_codecs() -> None:
    """Put LINDI's codecs and the imagecodecs codecs it relies on into numcodecs' registry.

    Idempotent and cheap after the first call. The same codecs are also declared as
    ``numcodecs.codecs`` entry points, so zarr finds them without this call once
    LINDI is installed.
    """
    global _registered
    if _registered:
        return
    import imagecodecs.numcodecs as icn

    for cls in (*_LINDI_CODECS, *(getattr(icn, name) for name in _IMAGECODECS.values())):
        if numcodecs.registry.codec_registry.get(cls.codec_id) is not cls:
            numcodecs.registry.register_codec(cls)
    _registered = True


def get_codec(config: Mapping[str, Any], *, pointer: str | None = None, source: str | None = None) -> Codec:
    """Instantiate the codec a document describes, refusing forbidden or unknown ids.

    ``pointer``/``source`` name the place in the document for the error message.
    """
    if not isinstance(config, Mapping) or not isinstance(config.get("id"), str):
        raise DocumentError(f"a codec must be an object with a string 'id', not {config!r}",
                            pointer=pointer, source=source)
    codec_id = config["id"]
    if codec_id in FORBIDDEN_CODEC_IDS:
        raise DocumentError(f"codec {codec_id!r} is forbidden: it could execute code from the document",
                            pointer=pointer, source=source)
    register_codecs()
    try:
        return numcodecs.registry.get_codec(dict(config))
    except UnknownCodecError:
        raise DocumentError(f"unknown codec {codec_id!r}", pointer=pointer, source=source) from None
    except (TypeError, ValueError) as exc:
        raise DocumentError(f"invalid configuration for codec {codec_id!r}: {exc}",
                            pointer=pointer, source=source) from None


def codec_status(codec_id: str) -> CodecStatus:
    """Classify a codec id for the validator: in the spec's list, only registered in this
    process (a portability warning), forbidden, or unknown."""
    if codec_id in FORBIDDEN_CODEC_IDS:
        return "forbidden"
    if codec_id in KNOWN_CODEC_IDS:
        return "known"
    if codec_id in numcodecs.registry.codec_registry or codec_id in (getattr(numcodecs.registry, "entries", None) or {}):
        return "registered"
    return "unknown"
