"""``validate()``: read a document, check it against spec 1.x (or the legacy profile), report every problem."""
from __future__ import annotations

import itertools
import os
import re
from collections.abc import Mapping
from typing import Any

from jsonschema.exceptions import best_match

from lindi import strict_json
from lindi.errors import DocumentError, LimitExceededError
from lindi.security.limits import check_parse_memory
from lindi.strict_json import json_pointer

from .metadata import MAX_DEPTH
from .refs import TEMPLATE_NAME, RefsPass
from .report import Collector, Profile, TooManyErrors, ValidationReport, shorten
from .schema import schema_errors, schema_version_for
from .source import read_source
from .tree import TreeChecks
from .urls import has_credentials

#: The major version of the spec this validator implements.
SPEC_MAJOR = 1
SPEC_MINOR = 1

_SPEC_VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
_TOP_CODES = {"version": "LINDI-E-VERSION", "lindi_spec": "LINDI-E-SPEC-VERSION", "templates": "LINDI-E-TEMPLATE"}


def validate(document: Mapping[str, Any] | str | os.PathLike[str], *, max_errors: int = 1000) -> ValidationReport:
    """Validate a LINDI document given as a parsed object, a file path or an http(s) URL.

    Problems with the document are reported, never raised; only a document that
    cannot be read at all (missing file, unreachable URL) raises
    :class:`lindi.validate.source.ValidationSourceError`.
    """
    out = Collector(max_errors)
    with strict_json.gc_paused():  # a parsed document holds no cycles: collections while checking it only cost time
        profile, source = _read_and_check(document, out)  # the document is freed before the collector resumes
    return out.report(profile, source)


def _read_and_check(document: Mapping[str, Any] | str | os.PathLike[str], out: Collector) -> tuple[Profile | None, str | None]:
    """The profile and the source (None for an object) of a document, its problems reported to ``out``."""
    source: str | None = None
    profile: Profile | None = None
    if isinstance(document, Mapping):
        doc: Any = document
    else:
        source = os.fspath(document)
        raw = read_source(source)  # raises ValidationSourceError: the document cannot be examined at all
        try:  # the raw text is not kept: only the parsed document stays in memory
            check_parse_memory(raw, source=source)
            doc = strict_json.loads(raw, source=source)
        except LimitExceededError as exc:  # parsed objects that would not fit in memory
            out.error("LINDI-E-LIMIT", "", str(exc))
            return None, source
        except DocumentError as exc:
            if _nesting_depth(raw) > MAX_DEPTH:  # SPEC 7: too deep for the parser is a limit, not bad JSON
                out.error("LINDI-E-LIMIT", "", f"the document nests more than {MAX_DEPTH} levels deep")
            else:
                out.error("LINDI-E-JSON", "", str(exc))
            return None, source
        del raw
    try:
        profile = _check(doc, out)
    except TooManyErrors:
        pass
    except RecursionError:  # a pathologically deep in-memory object slipped past the depth checks
        out.errors.append(_limit_issue())
    return profile, source


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(rb"[\[\]{}]")


def _nesting_depth(raw: bytes) -> int:
    """The deepest array/object nesting of a (possibly broken) JSON text, strings skipped."""
    steps = (1 if b in b"[{" else -1 for b in _BRACKETS.findall(_STRING.sub(b"", raw)))
    return max(itertools.accumulate(steps, initial=0))


def _limit_issue():
    from .report import Issue

    return Issue(code="LINDI-E-LIMIT", pointer="", message="a value is nested too deeply to check")


def _check(doc: Any, out: Collector) -> Profile | None:
    if not isinstance(doc, Mapping):
        out.error("LINDI-E-DOCUMENT", "", f"a LINDI document is a JSON object, not {type(doc).__name__}")
        return None
    refs = doc.get("refs")
    skeleton = dict(doc)
    if isinstance(refs, Mapping):
        skeleton["refs"] = {}
    schema_version = schema_version_for(doc.get("lindi_spec"))
    reported: set[tuple[str, str]] = set()  # one issue per (code, place), however many schema rules a value breaks
    for err in schema_errors("document", skeleton, schema_version):
        err = best_match([err])
        path = list(err.absolute_path)
        if not path and err.validator in ("additionalProperties", "not"):
            extra = [k for k in doc if k not in ("version", "lindi_spec", "generator", "templates", "refs", "generationMetadata")]
            if err.validator == "not":
                extra = ["generationMetadata"]
            for name in extra:
                out.error("LINDI-E-UNKNOWN-MEMBER", json_pointer(name), f"top-level member {name!r} is not allowed"
                          + (" in a 1.x document (legacy profile only)" if name == "generationMetadata" else ""))
            continue
        code = _TOP_CODES.get(path[0], "LINDI-E-DOCUMENT") if path else "LINDI-E-DOCUMENT"
        if not path and err.validator == "required" and "version" in err.message:
            code = "LINDI-E-VERSION"
        if (code, json_pointer(*path)) not in reported:
            reported.add((code, json_pointer(*path)))
            out.error(code, json_pointer(*path), shorten(err.message))
    profile = _profile(doc, out)
    if profile is None or not isinstance(refs, Mapping):
        return profile
    templates = doc.get("templates")
    templates = dict(templates) if isinstance(templates, Mapping) else {}
    usable = {name for name, value in templates.items() if _usable_template(name, value)}
    with_credentials = frozenset(name for name in usable if has_credentials(templates[name]))
    for name in sorted(with_credentials):
        out.error("LINDI-E-URL-CREDENTIALS", json_pointer("templates", name),
                  f"template {name!r} carries credentials (user information or a signature)")
    refs_pass = RefsPass(refs, templates, profile == "legacy", out, schema_version=schema_version,
                         credential_templates=with_credentials)
    refs_pass.run()
    TreeChecks(refs_pass, out, flat_json_chunks=doc.get("lindi_spec") == "1.0").run()
    for name in sorted(usable - refs_pass.used_templates):
        out.warning("LINDI-W-TEMPLATE-UNUSED", json_pointer("templates", name), f"template {name!r} is defined but never used")
    return profile


def _usable_template(name: Any, value: Any) -> bool:
    """False for template definitions that broke the schema (reported already)."""
    return TEMPLATE_NAME.fullmatch(name) is not None and isinstance(value, str) and "{{" not in value and "}}" not in value


def _profile(doc: Mapping[str, Any], out: Collector) -> Profile | None:
    """The profile from ``lindi_spec``; None when the major version is unknown (no further checks)."""
    declared = doc.get("lindi_spec")
    if declared is None:
        out.warning("LINDI-W-LEGACY-PROFILE", "", "no lindi_spec: checked under the legacy profile (LINDI 0.3/0.4)")
        return "legacy"
    m = _SPEC_VERSION.fullmatch(declared) if isinstance(declared, str) else None
    if m is None:
        return None  # reported by the schema as LINDI-E-SPEC-VERSION
    major, minor = int(m.group(1)), int(m.group(2))
    if major != SPEC_MAJOR:
        out.error("LINDI-E-SPEC-VERSION", "/lindi_spec",
                  f"lindi_spec {declared!r}: this validator reads major version {SPEC_MAJOR} only")
        return None
    if minor > SPEC_MINOR:
        out.warning("LINDI-W-SPEC-MINOR", "/lindi_spec",
                    f"lindi_spec {declared!r} is newer than {SPEC_MAJOR}.{SPEC_MINOR}; unknown additions are not checked")
    return "1.0"
