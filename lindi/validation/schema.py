"""Loading the packaged JSON Schemas and validating parts of a document against their $defs.

The schema describes the whole document, but the validator only runs it over
the document skeleton and the metadata objects; chunk refs are checked by a
hand-written loop (see :mod:`lindi.validation.refs`) because a schema walk of
a million refs is far too slow. Documents declaring ``"1.0"`` are checked with
the 1.0 schema; every other document (1.1 and newer minors, legacy) with the
1.1 schema, a superset.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource

import lindi
from lindi.errors import LindiError

#: The newest schema; the default everywhere a version is not given.
LATEST = "1.1"
SCHEMA_VERSIONS = ("1.0", "1.1")
SCHEMA_FILE = f"lindi-{LATEST}.schema.json"
SCHEMA_ID = f"https://lindi.neurodatawithoutborders.org/schema/{SCHEMA_FILE}"


def schema_version_for(lindi_spec: Any) -> str:
    """The schema a document declaring ``lindi_spec`` is checked with."""
    return "1.0" if lindi_spec == "1.0" else LATEST


def schema_path(version: str = LATEST) -> Path:
    """Where a schema lives: lindi/_spec_schema in a wheel, ../spec/schema in a source checkout."""
    name = f"lindi-{version}.schema.json"
    package_dir = Path(lindi.__file__).resolve().parent
    for candidate in (package_dir / "_spec_schema" / name, package_dir.parent / "spec" / "schema" / name):
        if candidate.is_file():
            return candidate
    raise LindiError(f"the LINDI JSON Schema {name} is not installed (looked in lindi/_spec_schema and spec/schema)")


@functools.cache
def load_schema(version: str = LATEST) -> dict[str, Any]:
    """A LINDI JSON Schema as a dict."""
    with open(schema_path(version), encoding="utf-8") as f:
        return json.load(f)


@functools.cache
def _validator(definition: str, version: str) -> Draft202012Validator:
    schema = load_schema(version)
    registry: Registry = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
    return Draft202012Validator({"$ref": f"{schema['$id']}#/$defs/{definition}"}, registry=registry)


def schema_errors(definition: str, instance: Any, version: str = LATEST) -> Iterator[ValidationError]:
    """Schema violations of ``instance`` against ``#/$defs/<definition>``, deepest first within each branch."""
    return _validator(definition, version).iter_errors(instance)
