"""The codec ids of SPEC section 9 and their configuration members, so that validity never depends on
which codecs some library has registered where the validator runs (a test keeps this table and the
spec's two tables identical)."""
from __future__ import annotations

from typing import Any

from lindi.format.object_codecs import FORBIDDEN_CODEC_IDS

#: member -> (type, required); a type is "integer", "number", "string", "boolean" or "array",
#: optionally followed by "|null".
Members = dict[str, tuple[str, bool]]

_INT, _NUM, _STR, _BOOL, _ARR = "integer", "number", "string", "boolean", "array"

#: Codecs every conforming reader decodes.
REQUIRED_CODECS: dict[str, Members] = {
    "zlib": {"level": (_INT, False)},
    "gzip": {"level": (_INT, False)},
    "bz2": {"level": (_INT, False)},
    "lzma": {"format": (_INT, False), "check": (_INT, False), "preset": ("integer|null", False),
             "filters": ("array|null", False)},
    "blosc": {"cname": (_STR, False), "clevel": (_INT, False), "shuffle": (_INT, False), "blocksize": (_INT, False)},
    "zstd": {"level": (_INT, False), "checksum": (_BOOL, False)},
    "lz4": {"acceleration": (_INT, False)},
    "shuffle": {"elementsize": (_INT, False)},
    "fletcher32": {},
    "json2": {"encoding": (_STR, False), "skipkeys": (_BOOL, False), "ensure_ascii": (_BOOL, False),
              "check_circular": (_BOOL, False), "allow_nan": (_BOOL, False), "sort_keys": (_BOOL, False),
              "indent": ("integer|null", False), "separators": (_ARR, False), "strict": (_BOOL, False)},
    "imagecodecs_szip": {"options_mask": (_INT, True), "pixels_per_block": (_INT, True),
                         "bits_per_pixel": (_INT, True), "pixels_per_scanline": (_INT, True), "header": (_BOOL, False)},
    "imagecodecs_lz4h5": {"level": ("integer|null", False), "blocksize": ("integer|null", False)},
    "lindi_hdf5_lzf": {"nbytes": (_INT, True)},
    "lindi_hdf5_bitshuffle": {"itemsize": (_INT, True), "blocksize": (_INT, False)},
    "lindi_hdf5_scaleoffset": {"dtype": (_STR, True), "nelements": (_INT, True), "scale_type": (_STR, True),
                               "scale_factor": (_INT, True), "fill_value": ("number|string|null", False)},
    "lindi_hdf5_nbit": {"dtype": (_STR, True), "nelements": (_INT, True), "precision": (_INT, True),
                        "offset": (_INT, True)},
}

#: Codecs the spec knows but a reader may lack (LINDI-W-CODEC-NONSTANDARD).
OPTIONAL_CODECS: dict[str, Members] = {
    "delta": {"dtype": (_STR, True), "astype": ("string|null", False)},
    "astype": {"encode_dtype": (_STR, True), "decode_dtype": (_STR, True)},
    "fixedscaleoffset": {"offset": (_NUM, True), "scale": (_NUM, True), "dtype": (_STR, True),
                         "astype": ("string|null", False)},
    "quantize": {"digits": (_INT, True), "dtype": (_STR, True), "astype": ("string|null", False)},
    "packbits": {},
    "categorize": {"labels": (_ARR, True), "dtype": (_STR, True), "astype": (_STR, False)},
    "bitround": {"keepbits": (_INT, True)},
    "crc32": {"location": (_STR, False)},
    "crc32c": {"location": (_STR, False)},
    "adler32": {"location": (_STR, False)},
    "jenkins_lookup3": {"initval": (_INT, False), "prefix": ("string|null", False)},
    "base64": {},
    "vlen-utf8": {},
    "vlen-bytes": {},
    "vlen-array": {"dtype": (_STR, True)},
    "imagecodecs_lzf": {"header": (_BOOL, False)},
    "imagecodecs_bitshuffle": {"itemsize": (_INT, False), "blocksize": (_INT, False)},
}


def _has_type(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return kind == "number" or (kind == "integer" and (isinstance(value, int) or value.is_integer()))


def codec_problem(config: dict[str, Any]) -> tuple[str, str] | None:
    """``(code, message)`` when a (schema-valid) codec configuration breaks section 9."""
    codec_id = config["id"]
    if codec_id in FORBIDDEN_CODEC_IDS:
        return "LINDI-E-CODEC-FORBIDDEN", f"codec {codec_id!r} is forbidden (it can execute code)"
    members = REQUIRED_CODECS.get(codec_id, OPTIONAL_CODECS.get(codec_id))
    if members is None:
        return "LINDI-E-CODEC-UNKNOWN", f"codec {codec_id!r} is not in the spec's codec list (section 9)"
    for name, value in config.items():
        if name == "id":
            continue
        if name not in members:
            return "LINDI-E-CODEC-CONFIG", f"codec {codec_id!r} has no member {name!r} (section 9)"
        kind = members[name][0]
        if not any(_has_type(value, k) for k in kind.split("|")):
            return "LINDI-E-CODEC-CONFIG", f"codec {codec_id!r} member {name!r} must be {kind}, not {value!r}"
    for name, (_, required) in members.items():
        if required and name not in config:
            return "LINDI-E-CODEC-CONFIG", f"codec {codec_id!r} needs the member {name!r} (section 9)"
    return None
