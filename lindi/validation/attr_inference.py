"""Which untyped attribute values have a default inference (SPEC section 5.1): numbers by value, lists by
their leaves; anything else needs type info in ``.lindi`` ``attrs``."""
from __future__ import annotations

from typing import Any

from lindi.strict_json import SPECIAL_FLOATS

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _leaf_kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        integral = isinstance(value, int) or value.is_integer()
        return "int64" if integral and _INT64_MIN <= value <= _INT64_MAX else "float64"
    if isinstance(value, str):
        return "float64" if value in SPECIAL_FLOATS else "string"
    if isinstance(value, dict):
        return "reference"
    return None  # null


def _leaves(value: list[Any]) -> list[Any] | None:
    """The leaves of a rectangular nested list (None when ragged, empty, or a leaf is missing)."""
    level = value
    while level and all(isinstance(v, list) for v in level):
        if len({len(v) for v in level}) != 1:
            return None
        level = [x for v in level for x in v]
    if not level or any(isinstance(v, list) for v in level):
        return None
    return level


def inference_problem(value: Any) -> str | None:
    """Why ``value`` has no default inference, or None when it has one."""
    if not isinstance(value, list):
        return None if _leaf_kind(value) is not None else "null has no default inference"
    leaves = _leaves(value)
    if leaves is None:
        return "an empty or ragged list has no default inference"
    found = {_leaf_kind(v) for v in leaves}
    if None in found:
        return "a list holding null has no default inference"
    kinds = {k for k in found if k is not None}
    if len(kinds) == 1 or kinds == {"int64", "float64"}:
        return None
    return f"a list mixing {', '.join(sorted(kinds))} has no default inference"
