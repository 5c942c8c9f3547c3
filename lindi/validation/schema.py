"""Loading the packaged JSON Schema and validating parts of a document against its $defs.

The schema describes the whole document, but the validator only runs it over
the document skeleton and the metadata objects; chunk refs are checked by a
hand-written loop (see :mod:`lindi.validate.refs`) because a schema walk of
a million refs is far too slow.
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

SCHEMA_FILE = "lindi-1.0.schema.json"
SCHEMA_ID = "https://lindi.neurodatawithoutborders.org/schema/lindi-1.0.schema.json"


def schema_path() -> Path:
    """Where the schema lives: lindi/_spec_schema in a wheel, ../spec/schema in a source checkout."""
    package_dir = Path(lindi.__file__).resolve().parent
    for candidate in (package_dir / "_spec_schema" / SCHEMA_FILE, package_dir.parent / "spec" / "schema" / SCHEMA_FILE):
        if candidate.is_file():
            return candidate
    raise LindiError(f"the LINDI JSON Schema {SCHEMA_FILE} is not installed (looked in lindi/_spec_schema and spec/schema)")


@functools.cache
def load_schema() -> dict[str, Any]:
    """The LINDI 1.0 JSON Schema as a dict."""
    with open(schema_path(), encoding="utf-8") as f:
        return json.load(f)


@functools.cache
def _validator(definition: str) -> Draft202012Validator:
    schema = load_schema()
    registry: Registry = Registry().with_resource(SCHEMA_ID, Resource.from_contents(schema))
    return Draft202012Validator({"$ref": f"{SCHEMA_ID}#/$defs/{definition}"}, registry=registry)


def schema_errors(definition: str, instance: Any) -> Iterator[ValidationError]:
    """Schema violations of ``instance`` against ``#/$defs/<definition>``, deepest first within each branch."""
    return _validator(definition).iter_errors(instance)
