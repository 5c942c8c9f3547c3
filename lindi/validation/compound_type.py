"""The grammar of `_COMPOUND_DTYPE` field types (SPEC section 3.8): numpy's ``str(dtype)`` text of a field.

A recursive-descent recogniser: it says whether a type string is well formed, nothing more, so that a
validator in any language can apply the same grammar.
"""
from __future__ import annotations

import re

_NAMED = re.compile(r"bool|u?int(?:8|16|32|64)|float(?:16|32|64)|complex(?:64|128)|object"
                    r"|(?:datetime|timedelta)64(?:\[[0-9]*[A-Za-z]+\])?")
_COUNT = r"(?:0|[1-9][0-9]*)"
_TYPESTR = re.compile(r"[<>](?:[iu](?:2|4|8)|f(?:2|4|8)|c(?:8|16)|[mM]8(?:\[[0-9]*[A-Za-z]+\])?)"
                      rf"|\|(?:b1|[iu]1|S[1-9][0-9]*|V[1-9][0-9]*|O)|[<>]U{_COUNT}")
_SHORT = re.compile(r"\?|O|[iub]1|S[1-9][0-9]*|V[1-9][0-9]*")
_NAME = re.compile(r"'[^'\\]*'|\"[^\"\\]*\"")
_SHAPE = re.compile(rf"\({_COUNT},\)|\({_COUNT}(?:, {_COUNT})+\)")


class _Parser:
    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def take(self, literal: str) -> bool:
        if self.text.startswith(literal, self.pos):
            self.pos += len(literal)
            return True
        return False

    def match(self, pattern: re.Pattern[str]) -> bool:
        m = pattern.match(self.text, self.pos)
        if m is None:
            return False
        self.pos = m.end()
        return True

    def field_type(self) -> bool:
        """ftype: a quoted typestr/short type, or a nested struct."""
        if self.text.startswith("[", self.pos):
            return self.struct()
        start = self.pos
        if not self.take("'"):
            return False
        if not (self.match(_TYPESTR) or self.match(_SHORT)) or not self.take("'"):
            self.pos = start
            return False
        return True

    def struct(self) -> bool:
        if not self.take("["):
            return False
        while True:
            if not (self.take("(") and self.match(_NAME) and self.take(", ") and self.field_type()):
                return False
            if self.take(", ") and not self.match(_SHAPE):
                return False
            if not self.take(")"):
                return False
            if self.take("]"):
                return True
            if not self.take(", "):
                return False

    def subarray(self) -> bool:
        return self.take("(") and self.field_type() and self.take(", ") and self.match(_SHAPE) and self.take(")")


def is_compound_field_type(text: str) -> bool:
    """True when ``text`` is a `_COMPOUND_DTYPE` field type of the section 3.8 grammar."""
    if text == "<REFERENCE>" or _NAMED.fullmatch(text) or _TYPESTR.fullmatch(text):
        return True
    parser = _Parser(text)
    ok = parser.struct() if text.startswith("[") else parser.subarray()
    return ok and parser.pos == len(text)
