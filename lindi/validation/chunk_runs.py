"""Checking a run of consecutive chunk refs of one array as columns, in C loops instead of a Python loop per ref.

A document's chunk refs come in long runs of one array each. For such a run,
one regex match over the run's keys (joined by newlines) checks the chunk-key
grammar *and* the chunk grid, and builtins over the values (``map``, ``set``,
``min``, ``max``) check that every value is ``[url, offset, length]`` with
integer offsets and lengths in range. These checks only say "all fine" or
"something is wrong somewhere": the caller then checks the run ref by ref,
so every error is reported exactly as the per-ref check reports it.
"""
from __future__ import annotations

import re
from itertools import chain
from typing import Any

from lindi.strict_json import MAX_SAFE_INTEGER


def below(n: int) -> str:
    """A regex for the decimal numbers 0 .. n - 1 without leading zeros (matches nothing for n = 0).

    Longest forms first: a shorter alternative that matches a prefix of the number
    would only be undone by the separator that must follow.
    """
    if n <= 0:
        return "(?!)"
    top = str(n - 1)
    width = len(top)
    alternatives = []
    for i, digit in enumerate(top):  # numbers of `width` digits that first fall below `top` at digit i
        low = 1 if i == 0 else 0
        if int(digit) > low:
            rest = width - i - 1
            alternatives.append(top[:i] + f"[{low}-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    alternatives.append(top)
    if width > 1:
        alternatives.append(f"[1-9][0-9]{{0,{width - 2}}}")  # the shorter numbers
    if top != "0":
        alternatives.append("0")
    return "(?:" + "|".join(alternatives) + ")"


def run_pattern(prefix: str, grid: tuple[int, ...], separator: str) -> re.Pattern[str]:
    """Matches the longest run of lines ``<prefix><chunk name>\\n`` whose chunk names are in the grid.

    Possessive, so the engine keeps no backtracking state per line however long the run.
    """
    name = re.escape(separator).join(below(n) for n in grid) if grid else "0"
    return re.compile(f"(?:{re.escape(prefix)}{name}\n)*+")


def plain_range_refs(values: list[Any]) -> list[Any] | None:
    """The URLs of ``values`` when every one is ``[url, offset, length]`` with integer offset and length in
    [0, 2**53 - 1]; None when any value is anything else (the caller then checks them one by one)."""
    count = len(values)  # counting in a list of types is faster than collecting them in a set
    if list(map(type, values)).count(list) != count or list(map(len, values)).count(3) != count:
        return None
    flat = list(chain.from_iterable(values))
    urls = flat[::3]
    del flat[::3]  # the offsets and lengths remain
    if list(map(type, flat)).count(int) != len(flat) or min(flat, default=0) < 0 or \
            max(flat, default=0) > MAX_SAFE_INTEGER:
        return None
    return urls
