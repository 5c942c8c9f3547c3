"""Validator of LINDI documents against the spec (spec/SPEC.md) and its JSON Schema.

``validate(doc | path | url) -> ValidationReport`` reports every problem with a
stable code (LINDI-E-... errors, LINDI-W-... warnings) and a JSON pointer.
(exported as ``lindi.validate``).
"""
from __future__ import annotations

from .report import Issue, ValidationReport
from .source import ValidationSourceError
from .validator import validate

__all__ = ["Issue", "ValidationReport", "ValidationSourceError", "validate"]
