"""The object codecs of ``|O`` arrays and which values they store (SPEC sections 3.1, 3.2 and 9).

Values that have no fixed-size binary form (variable-length strings, ragged arrays, references, compounds and
array types) are stored as an ``|O`` array whose one inline chunk is written by the JSON codec. The rule is
the storage dtype's (:func:`is_json_encoded`); the codec configuration LINDI writes is :data:`JSON_CODEC`.
"""
from __future__ import annotations

from typing import Any

from .descriptors import Descriptor
from .zarr_dtypes import OBJECT_DTYPE, storage_dtype

#: numcodecs' JSON codec, the one 1.x writers use (section 3.2).
JSON_CODEC_ID = "json2"
#: numcodecs' earlier JSON codec id, which early LINDI documents name; readers decode it like ``json2``.
LEGACY_JSON_CODEC_ID = "json"
#: Codec ids whose chunk is a JSON text the reader decodes itself.
JSON_CODEC_IDS: frozenset[str] = frozenset({JSON_CODEC_ID, LEGACY_JSON_CODEC_ID})
#: numcodecs' variable-length object codecs (section 9).
VLEN_CODEC_IDS: frozenset[str] = frozenset({"vlen-utf8", "vlen-bytes", "vlen-array"})
#: Codec ids that can encode an object (``|O``) array; such an array must name one (section 3.2).
OBJECT_CODEC_IDS: frozenset[str] = VLEN_CODEC_IDS | {JSON_CODEC_ID}
#: Codec ids that can execute code or unpickle objects (numcodecs' object codec ``pickle``); never resolved
#: from a document. Here, not in :mod:`lindi.codecs`, so that the validator knows them without importing
#: h5py and numcodecs.
FORBIDDEN_CODEC_IDS: frozenset[str] = frozenset({"pickle"})

#: The JSON codec configuration LINDI writes in ``filters`` (section 3.2).
JSON_CODEC: dict[str, Any] = {
    "id": JSON_CODEC_ID, "allow_nan": True, "check_circular": True, "encoding": "utf-8", "ensure_ascii": True,
    "indent": None, "separators": [",", ":"], "skipkeys": False, "sort_keys": True, "strict": True}


def is_json_encoded(desc: Descriptor) -> bool:
    """Whether arrays of this type are stored as one inline JSON-codec chunk (their storage dtype is ``|O``)."""
    return storage_dtype(desc) == OBJECT_DTYPE


def is_json_codec_array(zarray: dict[str, Any]) -> bool:
    """Whether a ``.zarray`` describes a JSON-codec array: dtype ``|O`` with a JSON codec in ``filters``."""
    filters = zarray.get("filters") or []
    return zarray.get("dtype") == OBJECT_DTYPE and any(f.get("id") in JSON_CODEC_IDS for f in filters)
