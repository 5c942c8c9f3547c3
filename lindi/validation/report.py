"""The validation report (pydantic models) and the capped collector that fills it."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from .codes import ERRORS, WARNINGS

Profile = Literal["1.0", "legacy"]


class Issue(BaseModel):
    """One problem: a stable code, where it is (JSON pointer into the document) and why."""

    code: str
    pointer: str = Field(description="JSON pointer (RFC 6901) into the document; '' is the whole document")
    message: str


class ValidationReport(BaseModel):
    """Result of :func:`lindi.validate.validate`; ``valid`` is true when there are no errors."""

    valid: bool
    profile: Profile | None = Field(description="'1.0' for any 1.x document, 'legacy' without lindi_spec, "
                                                "None when the document could not be read far enough to tell")
    errors: list[Issue]
    warnings: list[Issue]
    truncated: bool = Field(False, description="True when the error or warning cap cut the report short")
    source: str | None = None


class TooManyErrors(Exception):
    """Raised inside the validator to stop early once the error cap is reached."""


def shorten(text: str, limit: int = 200) -> str:
    """Keep messages readable when they quote a huge value."""
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


class Collector:
    """Collects issues up to ``max_errors`` errors (and as many warnings)."""

    def __init__(self, max_errors: int):
        if max_errors < 1:
            raise ValueError("max_errors must be at least 1")
        self.max_errors = max_errors
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.truncated = False

    def error(self, code: str, ptr: str, message: str) -> None:
        assert code in ERRORS, code
        if len(self.errors) >= self.max_errors:
            self.truncated = True
            self.errors.append(Issue(code="LINDI-E-TOO-MANY-ERRORS", pointer="",
                                     message=f"stopped after {self.max_errors} errors"))
            raise TooManyErrors
        self.errors.append(Issue(code=code, pointer=ptr, message=shorten(message, 500)))

    def warning(self, code: str, ptr: str, message: str) -> None:
        assert code in WARNINGS, code
        if len(self.warnings) > self.max_errors:
            return
        if len(self.warnings) == self.max_errors:
            self.truncated = True
            self.warnings.append(Issue(code="LINDI-W-TOO-MANY-WARNINGS", pointer="",
                                       message=f"stopped after {self.max_errors} warnings"))
            return
        self.warnings.append(Issue(code=code, pointer=ptr, message=shorten(message, 500)))

    def report(self, profile: Profile | None, source: str | None) -> ValidationReport:
        return ValidationReport(valid=not self.errors, profile=profile, errors=self.errors,
                                warnings=self.warnings, truncated=self.truncated, source=source)
