"""Every issue code of SPEC section 10 has a vector expecting it, and no vector expects a code section 10 lacks."""
from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import CONFORMANCE, REPO

SPEC = Path(REPO) / "spec" / "SPEC.md"


def spec_codes() -> set[str]:
    """The codes of the tables of section 10 (the first column of 10.1 and 10.2)."""
    text = SPEC.read_text(encoding="utf-8")
    section = text[text.index("### 10.1 Errors"):text.index("## 11.")]
    return set(re.findall(r"^\| `(LINDI-[EW]-[A-Z0-9-]+)` \|", section, flags=re.MULTILINE))


def vector_codes() -> dict[str, set[str]]:
    """code -> ids of the validate vectors that expect it."""
    found: dict[str, set[str]] = {}
    root = Path(CONFORMANCE) / "vectors"
    for path in sorted((root / "validate").rglob("*.vector.json")):
        expect = json.loads(path.read_text(encoding="utf-8"))["expect"]
        for issue in expect.get("errors", []) + expect.get("warnings", []):
            found.setdefault(issue["code"], set()).add(str(path.relative_to(root)))
    return found


def test_section_10_has_both_tables():
    codes = spec_codes()
    assert len(codes) > 40 and any(c.startswith("LINDI-W-") for c in codes)


def test_every_code_of_section_10_has_a_vector():
    missing = sorted(spec_codes() - set(vector_codes()))
    assert not missing, f"codes of SPEC section 10 that no vector expects: {missing}"


def test_no_vector_uses_a_code_section_10_does_not_list():
    unknown = {code: sorted(ids) for code, ids in vector_codes().items() if code not in spec_codes()}
    assert not unknown, f"vectors expect codes SPEC section 10 does not list: {unknown}"


def test_every_invalid_vector_states_pointers():
    root = Path(CONFORMANCE) / "vectors" / "validate"
    for path in root.rglob("*.vector.json"):
        expect = json.loads(path.read_text(encoding="utf-8"))["expect"]
        for issue in expect.get("errors", []) + expect.get("warnings", []):
            assert set(issue) == {"code", "pointer"} and isinstance(issue["pointer"], str), path
        if "/invalid/" in str(path):
            assert expect["errors"], path
