"""Every metadata object the editor writes is checked against the spec's JSON Schema first.

That is where "a dtype or shape the spec cannot hold" is decided (e.g. float128,
complex256), by the spec's own definitions rather than a second copy of them.
"""
from __future__ import annotations

from typing import Any

from .errors import EditError

_DEFINITIONS = {".zarray": "zarray", ".zattrs": "zattrs", ".lindi": "lindi", ".zgroup": "zgroup"}


def check_metadata(leaf: str, value: dict[str, Any], *, where: str) -> None:
    """Raise an EditError naming ``where`` when ``value`` is not valid ``leaf`` metadata under spec 1.0."""
    from ..validation.schema import schema_errors  # jsonschema loads with the first edit, not with the reader

    for error in schema_errors(_DEFINITIONS[leaf], value):
        path = "/".join(str(p) for p in error.absolute_path)
        raise EditError(f"cannot write {where}: the LINDI format cannot hold it ({leaf}"
                        f"{' /' + path if path else ''}: {error.message})")
