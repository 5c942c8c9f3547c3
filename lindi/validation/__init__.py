"""Validator of LINDI documents against the spec (spec/SPEC.md) and its JSON Schema.

``validate(doc | path | url) -> ValidationReport`` reports every problem with a
stable code (LINDI-E-... errors, LINDI-W-... warnings) and a JSON pointer.
(exported as ``lindi.validate``). The names load on first use, so that a module
that needs one part (the editor: :mod:`.schema`) does not load the rest.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_getattr

_HOMES = {"Issue": "lindi.validation.report", "ValidationReport": "lindi.validation.report",
          "ValidationSourceError": "lindi.validation.source", "validate": "lindi.validation.validator"}
__all__ = list(_HOMES)
__getattr__ = lazy_getattr(globals(), _HOMES)

if TYPE_CHECKING:  # pragma: no cover
    from .report import Issue as Issue, ValidationReport as ValidationReport
    from .source import ValidationSourceError as ValidationSourceError
    from .validator import validate as validate
