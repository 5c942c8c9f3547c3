"""Finding and rewriting the ``_REFERENCE`` objects stored in a document (attributes and JSON-codec chunks).

References name their target by path (spec section 6), so edits that move
an object (deleting one of its hard links) or copy data to another file
(where h5py makes references NULL) rewrite them here, in one place.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .. import strict_json
from ..format.names import METADATA_KEYS

#: A rewrite gets a reference body (the object under ``_REFERENCE``) and returns the new body, or None to keep it.
Rewrite = Callable[[dict[str, Any]], "dict[str, Any] | None"]
_MARK = '"_REFERENCE"'


def holding_keys(refs: Mapping[str, Any]) -> Iterator[str]:
    """Keys whose value may hold references."""
    return (key for key, value in refs.items() if may_hold(key, value))


def may_hold(key: str, value: Any) -> bool:
    """Whether a ref value may hold references: a ``.zattrs``, or an inline JSON chunk that mentions one."""
    if key == ".zattrs" or key.endswith("/.zattrs"):
        return isinstance(value, dict) or (isinstance(value, str) and _MARK in value)
    return isinstance(value, str) and not value.startswith("base64:") and _MARK in value \
        and key.rpartition("/")[2] not in METADATA_KEYS


def parsed(key: str, value: Any) -> Any:
    """The JSON form of a ``.zattrs`` or JSON-chunk value (a dict passes through)."""
    return strict_json.loads(value, source=key) if isinstance(value, str) else value


def bodies(value: Any) -> Iterator[dict[str, Any]]:
    """Every reference body inside a parsed value."""
    if isinstance(value, dict):
        if isinstance(value.get("_REFERENCE"), dict):
            yield value["_REFERENCE"]
            return
        for v in value.values():
            yield from bodies(v)
    elif isinstance(value, list):
        for v in value:
            yield from bodies(v)


def rewritten(key: str, value: Any, rewrite: Rewrite) -> Any:
    """``value`` of ``key`` with its references rewritten, or None when nothing changed.

    A ``.zattrs`` comes back as an inline JSON object, a chunk as json2 text.
    """
    tree = parsed(key, value)
    new, changed = _walk(tree, rewrite)
    if not changed:
        return None
    if key == ".zattrs" or key.endswith("/.zattrs"):
        return new
    return strict_json.dumps(new, sort_keys=True)


def _walk(value: Any, rewrite: Rewrite) -> tuple[Any, bool]:
    if isinstance(value, dict):
        body = value.get("_REFERENCE")
        if isinstance(body, dict):
            new = rewrite(body)
            return ({"_REFERENCE": new}, True) if new is not None and new != body else (value, False)
        items = {k: _walk(v, rewrite) for k, v in value.items()}
        if any(changed for _, changed in items.values()):
            return {k: v for k, (v, _) in items.items()}, True
        return value, False
    if isinstance(value, list):
        walked = [_walk(v, rewrite) for v in value]
        if any(changed for _, changed in walked):
            return [v for v, _ in walked], True
    return value, False
