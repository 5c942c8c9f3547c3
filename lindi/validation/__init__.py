"""Validator of LINDI documents against the spec (spec/SPEC.md) and its JSON Schema.

``validate(doc | path | url) -> ValidationReport`` reports every problem with a
stable code (LINDI-E-... errors, LINDI-W-... warnings) and a JSON pointer.

Importing this package binds ``lindi.validate`` to the package itself, so the
package is made callable: ``lindi.validate(doc)`` and
``lindi.validate.validate(doc)`` are the same call.
"""
from __future__ import annotations

import sys
import types
from typing import Any

from .report import Issue, ValidationReport
from .source import ValidationSourceError
from .validator import validate

__all__ = ["Issue", "ValidationReport", "ValidationSourceError", "validate"]


class _CallableModule(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> ValidationReport:
        return validate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
