"""The chunk of a JSON-codec array (SPEC sections 3.2 and 8): decoding, the flat and nested layouts, and
the element rules (finite numbers, nesting limit, legacy element kinds)."""
from __future__ import annotations

import math
from typing import Any

from lindi import strict_json
from lindi.errors import DocumentError
from lindi.format.object_codecs import JSON_CODEC_ID
from lindi.format.zarr_dtypes import OBJECT_DTYPE
from lindi.security.limits import Limits

from .metadata import MAX_DEPTH, find_limit_problem
from .refs import decode_inline


class ChunkProblem(Exception):
    """A JSON-codec chunk breaks a rule: ``code`` and a message."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def decode_chunk_bytes(raw: bytes, zarray: dict[str, Any], *, max_chunk_bytes: int | None = None) -> bytes:
    """Undo ``compressor`` and the filters after the object codec, in reverse order (legacy documents).

    Every step's output is held to ``max_chunk_bytes`` (default: ``Limits``), so a small compressed chunk
    cannot inflate to gigabytes while it is being checked.
    """
    filters = zarray["filters"] or []
    ids = [f["id"] for f in filters]
    after = filters[ids.index(JSON_CODEC_ID) + 1:] if JSON_CODEC_ID in ids else []
    codecs = [*after, *([zarray["compressor"]] if zarray["compressor"] is not None else [])]
    if not codecs:  # the usual chunk: plain JSON text, nothing to undo
        return raw
    from lindi.codecs import get_codec  # imports h5py and numcodecs: only when a chunk is decoded
    from lindi.codecs.bounded import OutputLimitExceeded, decode_bounded

    limit = max_chunk_bytes if max_chunk_bytes is not None else Limits.from_env().max_chunk_bytes
    for config in reversed(codecs):
        try:
            raw = bytes(decode_bounded(get_codec(config), raw, limit))
        except OutputLimitExceeded:
            raise ChunkProblem("LINDI-E-JSON-CHUNK", f"decodes with {config.get('id')!r} to more than "
                               f"{limit} bytes (max_chunk_bytes, LINDI_MAX_CHUNK_BYTES)") from None
        except Exception as exc:  # noqa: BLE001  (any codec failure means the chunk is unusable)
            raise ChunkProblem("LINDI-E-JSON-CHUNK", f"does not decode with {config.get('id')!r} ({exc})") from None
    return raw


def nested_elements(items: Any, shape: list[int]) -> list[Any] | None:
    """The flat C-order elements when ``items`` are nested lists with the leading dimensions ``shape``
    (None when they are not)."""
    level = [items]
    for n in shape:
        if not all(isinstance(v, list) and len(v) == n for v in level):
            return None
        level = [x for v in level for x in v]
    return level


def chunk_elements(value: str, zarray: dict[str, Any], flat_first: bool) -> list[Any]:
    """The elements of an inline JSON-codec chunk in C order; raises :class:`ChunkProblem`.

    ``flat_first``: the document declares 1.0, whose writers wrote the flat layout, so a chunk that fits
    both layouts is read flat.
    """
    raw = decode_chunk_bytes(decode_inline(value), zarray)
    try:
        items = strict_json.loads(raw)
    except DocumentError as exc:
        raise ChunkProblem("LINDI-E-JSON-CHUNK", f"is not strict JSON ({exc})") from None
    shape = zarray["chunks"]
    count = math.prod(shape)
    if not isinstance(items, list) or len(items) < 2 or items[-2] != OBJECT_DTYPE or items[-1] != shape:
        raise ChunkProblem("LINDI-E-JSON-CHUNK", f"a JSON-codec chunk is [elements..., \"|O\", {shape}]")
    body = items[:-2]
    nested = nested_elements(body, shape) if len(shape) > 1 else None
    flat = body if len(body) == count else None
    elements: list[Any] | None
    if flat is not None and nested is not None:
        elements = flat if flat_first else nested
    else:
        elements = flat if flat is not None else nested
    if elements is None:
        raise ChunkProblem("LINDI-E-JSON-CHUNK", f"holds neither {count} elements (flat) nor nested lists of shape {shape}")
    for element in elements:
        problem = find_limit_problem(element)
        if problem is not None:
            code, _ = problem
            raise ChunkProblem(code, "holds a non-finite number" if code == "LINDI-E-NONFINITE-NUMBER" else
                               f"holds an element nested more than {MAX_DEPTH} levels deep")
    return elements


def element_kinds_problem(elements: list[Any]) -> str | None:
    """Why untyped (legacy) object elements cannot be typed by SPEC 8.2, or None."""
    kinds = set()
    for element in elements:
        if element is None:
            continue
        if isinstance(element, str):
            kinds.add("string")
        elif isinstance(element, dict):
            kinds.add("reference")
        elif isinstance(element, list) and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in element):
            kinds.add("list of numbers")
        else:
            return f"element {element!r} is not a string, a reference or a list of numbers"
    if len(kinds) > 1:
        return f"elements of different kinds ({', '.join(sorted(kinds))}) without type information"
    return None
