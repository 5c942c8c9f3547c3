"""The codec ids a LINDI 1.0 document may use (spec section "Codecs").

Kept in one place: the validator, the converter and the reader all ask
:func:`codec_status`. Ids outside the spec list are accepted when registered
with numcodecs at run time (a portability warning), except forbidden ids.
"""
from __future__ import annotations

from typing import Literal

#: Codec ids defined by the spec, which every conforming reader supports.
SPEC_CODEC_IDS: frozenset[str] = frozenset({
    # numcodecs built-ins
    "zlib", "gzip", "shuffle", "fletcher32", "blosc", "zstd", "lz4", "bz2", "lzma", "delta",
    "json2", "vlen-utf8",
    # imagecodecs (HDF5 lzf and szip through libaec)
    "imagecodecs_lzf", "imagecodecs_aec",
    # LINDI registered codecs for HDF5 filters with no exact numcodecs equivalent
    "lindi_hdf5_scaleoffset", "lindi_hdf5_nbit", "lindi_hdf5_szip",
})

#: Codec ids that are never allowed: they can execute code from the document.
FORBIDDEN_CODEC_IDS: frozenset[str] = frozenset({"pickle"})

CodecStatus = Literal["spec", "registered", "forbidden", "unknown"]


def _registered_ids() -> set[str]:
    """Ids registered with numcodecs in this process (incl. entry points)."""
    from numcodecs import registry

    ids = set(registry.codec_registry)
    ids.update(getattr(registry, "entries", {}) or {})
    return ids


def codec_status(codec_id: str) -> CodecStatus:
    """Classify a codec id: in the spec list, registered here only, forbidden or unknown."""
    if codec_id in FORBIDDEN_CODEC_IDS:
        return "forbidden"
    if codec_id in SPEC_CODEC_IDS:
        return "spec"
    if codec_id in _registered_ids():
        return "registered"
    return "unknown"
