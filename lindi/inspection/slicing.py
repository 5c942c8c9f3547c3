"""``PATH[SLICE]`` with numpy's slice syntax, parsed as text: integers, ``start:stop:step``, ``...``.

Nothing is evaluated; anything else is a :class:`SliceError` naming the offending item.
"""
from __future__ import annotations

import re
from typing import Any

from ..errors import SliceError

_INT = re.compile(r"[+-]?\d+")
Selection = tuple[Any, ...]


def split_target(text: str) -> tuple[str, Selection | None]:
    """``("/path", selection)`` of ``/path[sel]``; selection None when no brackets are given."""
    if not text.endswith("]"):
        return text, None
    start = text.rfind("[")
    if start < 0:
        raise SliceError(f"{text!r}: ']' without '['")
    return text[:start], parse_selection(text[start + 1:-1])


def parse_selection(text: str) -> Selection:
    """A tuple of ints, slices and Ellipsis from ``"0, 10:20, ::2, ..."``."""
    items = text.split(",")
    if text.strip() == "":
        raise SliceError("empty selection []: use PATH alone for the whole dataset")
    out: list[Any] = []
    for position, raw in enumerate(items, 1):
        item = raw.strip()
        if item == "...":
            if Ellipsis in out:
                raise SliceError("an index can only have a single ellipsis ('...')")
            out.append(Ellipsis)
        elif ":" in item:
            parts = item.split(":")
            if len(parts) > 3:
                raise SliceError(f"item {position} {item!r}: at most start:stop:step")
            bounds = [_int(p, position, item) if p.strip() else None for p in parts]
            if len(bounds) == 3 and bounds[2] == 0:
                raise SliceError(f"item {position} {item!r}: slice step cannot be zero")
            out.append(slice(*bounds))
        else:
            out.append(_int(item, position, item))
    return tuple(out)


def _int(text: str, position: int, item: str) -> int:
    if not _INT.fullmatch(text.strip()):
        raise SliceError(f"item {position} {item!r}: {text.strip()!r} is not an integer "
                         "(use integers, start:stop:step or ...)")
    return int(text.strip())
