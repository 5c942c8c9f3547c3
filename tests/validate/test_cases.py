"""Every case file under cases/{valid,invalid}/<feature>/ gives exactly the codes its .expect.json names."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from lindi.validation import validate

CASES = Path(__file__).parent / "cases"
CASE_FILES = sorted(p for p in CASES.rglob("*.json") if not p.name.endswith(".expect.json"))


def _expectation(case: Path) -> dict:
    return json.loads(case.with_name(case.name[: -len(".json")] + ".expect.json").read_text())


@pytest.mark.parametrize("case", CASE_FILES, ids=lambda p: str(p.relative_to(CASES).with_suffix("")))
def test_case(case: Path):
    expected = _expectation(case)
    report = validate(case)
    assert sorted({i.code for i in report.errors}) == expected["errors"], report.errors
    assert sorted({i.code for i in report.warnings}) == expected["warnings"], report.warnings
    assert report.valid == (case.relative_to(CASES).parts[0] == "valid")
    for issue in report.errors + report.warnings:
        assert issue.message


def test_every_error_code_has_an_invalid_case():
    from lindi.validation.codes import ERRORS, WARNINGS

    seen = set()
    for case in CASE_FILES:
        expected = _expectation(case)
        seen.update(expected["errors"], expected["warnings"])
    untested = set(ERRORS) | set(WARNINGS)
    untested -= seen
    # these need inputs too big or too odd for a case file; tests/validate/test_validate.py covers them
    assert untested == {"LINDI-E-NONFINITE-NUMBER", "LINDI-E-TOO-MANY-ERRORS", "LINDI-W-TOO-MANY-WARNINGS"}
