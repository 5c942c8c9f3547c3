"""Names of new links: what the key grammar allows (spec section 2.1) and how they split into steps.

h5py accepts names the format cannot hold (``a//b``, ``.``, ``..``, ``.hidden``);
refusing them up front keeps every key of the document valid.
"""
from __future__ import annotations

from .errors import EditError


def split_name(name: str | bytes, *, where: str) -> tuple[bool, list[str]]:
    """``(absolute, parts)`` of a link name; an EditError names ``where`` when a part is not allowed."""
    if isinstance(name, bytes):
        name = name.decode("utf-8")
    if not isinstance(name, str):
        raise TypeError(f"a link name must be str or bytes, not {type(name).__name__}")
    absolute = name.startswith("/")
    body = name[1:] if absolute else name
    parts = body.split("/")
    if body == "" or any(p == "" for p in parts):
        raise EditError(f"invalid name {name!r} in {where}: empty path component")
    for p in parts:
        if p.startswith("."):
            raise EditError(f"invalid name {name!r} in {where}: component {p!r} starts with '.', "
                            "which LINDI keys cannot hold")
    return absolute, parts
