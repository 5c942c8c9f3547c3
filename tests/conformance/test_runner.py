"""The runner against this package: every vector passes, corrupted expectations fail, stdlib only."""
from __future__ import annotations

import ast
import json
import os
import sys
from pathlib import Path

import pytest

from .conftest import CONFORMANCE, LINDI_CMD, RUNNER, run_suite


def _top_level_imports(path) -> set[str]:
    tree = ast.parse(open(path, encoding="utf-8").read())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"relative import in {path}"
            imported.add(node.module.split(".")[0])
    return imported - {"__future__"}


def test_runner_imports_only_the_standard_library():
    imported = _top_level_imports(RUNNER)
    outside = sorted(m for m in imported if m not in sys.stdlib_module_names)
    assert imported and not outside, outside


@pytest.mark.parametrize("module", ["canonical_dump.py", "conformance/ops.py"])
def test_dump_and_replay_stay_loadable_by_path(module):
    """The LINDI 0.4 adapter loads these files by path in a venv whose `lindi` is the old package."""
    import lindi

    path = os.path.join(os.path.dirname(lindi.__file__), module)
    outside = sorted(m for m in _top_level_imports(path) if m not in sys.stdlib_module_names)
    assert set(outside) <= {"numpy", "h5py"}, outside


def _corrupt_dump(vectors, vector_id):
    path = vectors / f"{vector_id}.dump.json"
    doc = json.loads(path.read_text())
    entry = doc["objects"]["/i4_le"]
    entry["value"][1] = 12345  # a wrong expectation
    path.write_text(json.dumps(doc))


def test_a_wrong_read_expectation_fails_the_run(vectors_copy):
    _corrupt_dump(vectors_copy, "read/numeric/numeric")
    proc = run_suite("--vectors", str(vectors_copy), "-k", "read/numeric", "--", *LINDI_CMD)
    assert proc.returncode == 1
    assert "FAIL  read/numeric/numeric: object /i4_le, member 'value'" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1].startswith("0 passed, 1 failed")


@pytest.mark.parametrize("expected, message", [
    ([{"code": "LINDI-E-BASE64", "pointer": "/refs/g~1a~11"}],
     "errors: missing [('LINDI-E-BASE64', '/refs/g~1a~11')], unexpected [('LINDI-E-REF-RANGE', '/refs/g~1a~11')]"),
    ([{"code": "LINDI-E-REF-RANGE", "pointer": "/refs/g~1a~10"}],
     "errors: missing [('LINDI-E-REF-RANGE', '/refs/g~1a~10')], unexpected [('LINDI-E-REF-RANGE', '/refs/g~1a~11')]"),
    ([], "errors: missing [], unexpected [('LINDI-E-REF-RANGE', '/refs/g~1a~11')]"),
])
def test_a_wrong_code_or_pointer_or_an_extra_issue_fails_the_run(vectors_copy, expected, message):
    """The runner compares the exact set of (code, pointer) pairs, not only that the codes appear."""
    path = vectors_copy / "validate/invalid/refs/negative_offset.vector.json"
    desc = json.loads(path.read_text())
    desc["expect"]["errors"] = expected
    desc["expect"]["valid"] = not expected and desc["expect"]["valid"]
    path.write_text(json.dumps(desc))
    proc = run_suite("--vectors", str(vectors_copy), "-k", "negative_offset", "--", *LINDI_CMD)
    assert proc.returncode == 1
    assert message in proc.stdout or "expected valid=False" in proc.stdout, proc.stdout


def test_the_runner_grants_loopback_to_the_implementation(tmp_path, vectors_copy):
    """Remote vectors come from 127.0.0.1: the runner says so through the environment (README, CLI contract)."""
    fake = tmp_path / "impl.py"
    fake.write_text("import json, os, sys\n"
                    "if sys.argv[1] == 'capabilities':\n"
                    "    print(json.dumps({'implementation': {'name': 'env', 'version': '0'}, 'commands': ['validate'],"
                    " 'features': []}))\n"
                    "else:\n"
                    "    assert os.environ.get('LINDI_CONFORMANCE_ALLOW_LOOPBACK') == '1'\n"
                    "    print(json.dumps({'valid': True, 'errors': [], 'warnings': []}))\n")
    proc = run_suite("--vectors", str(vectors_copy), "-k", "validate/valid/document/base", "--", sys.executable,
                     str(fake))
    assert proc.stdout.strip().splitlines()[-1] == "1 passed, 0 failed, 0 skipped, 0 errors", proc.stdout


def test_vectors_needing_unclaimed_capabilities_are_skipped(vectors_copy, tmp_path):
    fake = tmp_path / "impl.py"
    fake.write_text("import json, sys\n"
                    "assert sys.argv[1] == 'capabilities'\n"
                    "print(json.dumps({'implementation': {'name': 'none', 'version': '0'}, 'commands': [],"
                    " 'features': []}))\n")
    proc = run_suite("--vectors", str(vectors_copy), "-k", "validate/valid/document", "--", sys.executable,
                     str(fake))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    n = len(list((vectors_copy / "validate/valid/document").glob("*.vector.json")))
    assert proc.stdout.strip().splitlines()[-1] == f"0 passed, 0 failed, {n} skipped, 0 errors"


def test_table_is_written_by_the_runner(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("x\n<!-- conformance-results:begin (written by run.py --table; do not edit) -->\n"
                      "<!-- conformance-results:end -->\n")
    proc = run_suite("-k", "validate/valid/document", "--table", str(readme), "--name", "mine", "--", *LINDI_CMD)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = readme.read_text()
    n = len(list((Path(CONFORMANCE) / "vectors/validate/valid/document").glob("*.vector.json")))
    assert "| mine | " in text and f"| {n}/{n} |" in text


@pytest.mark.parametrize("schema", ["vector", "dump", "ops"])
def test_schemas_are_valid_and_match_the_vectors(schema):
    import jsonschema

    doc = json.load(open(os.path.join(CONFORMANCE, "schemas", f"{schema}.schema.json")))
    jsonschema.Draft202012Validator.check_schema(doc)
    validator = jsonschema.Draft202012Validator(doc)
    suffix = {"vector": ".vector.json", "dump": ".dump.json", "ops": ".ops.json"}[schema]
    checked = 0
    for dirpath, _, files in os.walk(os.path.join(CONFORMANCE, "vectors")):
        for name in files:
            if name.endswith(suffix):
                validator.validate(json.load(open(os.path.join(dirpath, name))))
                checked += 1
    assert checked >= 2
