"""The stable issue codes of the validator, each with its meaning and an example.

This table is the single source of the codes; spec/SPEC.md section 10 lists the same codes
with the same meanings (a test keeps the two in step). Codes never change meaning once released.
"""
from __future__ import annotations

from typing import NamedTuple


class CodeInfo(NamedTuple):
    meaning: str
    example: str


ERRORS: dict[str, CodeInfo] = {
    "LINDI-E-JSON": CodeInfo("The input is not strict JSON (syntax error, truncated, bare NaN/Infinity, not UTF-8).",
                             '{"version": 1, "refs": {'),
    "LINDI-E-DOCUMENT": CodeInfo("The document is not an object, `refs` is missing or not an object, or `generator` is malformed.",
                                 '{"version": 1}'),
    "LINDI-E-VERSION": CodeInfo("`version` is missing or is not the integer 1 (the string \"1\" included).", '{"version": 2, "refs": {}}'),
    "LINDI-E-SPEC-VERSION": CodeInfo("`lindi_spec` is not \"MAJOR.MINOR\" or names a major version this reader does not know.",
                                     '"lindi_spec": "2.0"'),
    "LINDI-E-UNKNOWN-MEMBER": CodeInfo("A top-level member that the profile does not allow (e.g. `gen`, or `generationMetadata` in 1.x).",
                                       '"gen": []'),
    "LINDI-E-TEMPLATE": CodeInfo("`templates` is not an object, a template definition is invalid (name grammar, non-string or empty value, braces), or a URL breaks the template grammar.",
                                 '"templates": {"1u": "https://x"}'),
    "LINDI-E-TEMPLATE-UNDEFINED": CodeInfo("A ref URL uses a template that `templates` does not define.", '["{{u9}}", 0, 10]'),
    "LINDI-E-KEY": CodeInfo("A key of `refs` breaks the key grammar (empty or dot segment, leading slash, unknown dot name, lone surrogate).",
                            '"a//b/.zattrs"'),
    "LINDI-E-REF-VALUE": CodeInfo("A ref value has the wrong form: not a string, object or [url, offset, length]; the [url] form; an inline object for a chunk key.",
                                  '"a/0": ["https://x/f.h5"]'),
    "LINDI-E-REF-RANGE": CodeInfo("The offset or length of a ref is not a non-negative integer.", '["https://x/f.h5", -1, 10]'),
    "LINDI-E-REF-URL": CodeInfo("The URL of a ref is not a non-empty string.", '["", 0, 10]'),
    "LINDI-E-URL-CREDENTIALS": CodeInfo("A URL or template value carries credentials (user information or a signature query member).",
                                        '["https://user:pw@x/f.h5", 0, 10]'),
    "LINDI-E-BASE64": CodeInfo("A `base64:` value is not valid padded standard base64.", '"base64:abc"'),
    "LINDI-E-METADATA-JSON": CodeInfo("A metadata key (.zgroup/.zarray/.zattrs/.lindi) is not an inline JSON object or JSON text of an object.",
                                      '".zgroup": "not json"'),
    "LINDI-E-NONFINITE-NUMBER": CodeInfo("A number is not finite as a float64: a literal beyond its range (1e400), or NaN/infinity in a document given as an in-memory object.",
                                         '".zattrs": {"x": 1e400}'),
    "LINDI-E-ZGROUP": CodeInfo(".zgroup metadata does not match the schema.", '{"zarr_format": 3}'),
    "LINDI-E-ZARRAY": CodeInfo(".zarray metadata does not match the schema or is inconsistent (chunks rank, fill value, object codec, JSON-codec chunks not equal to shape).",
                               '{"shape": [4], "chunks": [2, 2], ...}'),
    "LINDI-E-LINDI-META": CodeInfo(".lindi metadata is not an object or has a member 1.0 does not define.", '{"colour": "red"}'),
    "LINDI-E-PROFILE": CodeInfo("A legacy-profile document (no `lindi_spec`) uses a 1.0 feature (.lindi keys).", '"a/.lindi": {...} without lindi_spec'),
    "LINDI-E-NODE-KIND": CodeInfo("A node is both group and array, or has .zattrs/.lindi but neither .zgroup nor .zarray.",
                                  '"a/.zgroup" and "a/.zarray"'),
    "LINDI-E-NO-ROOT-GROUP": CodeInfo("The root `.zgroup` is missing.", '{"version": 1, "refs": {}}'),
    "LINDI-E-ORPHAN": CodeInfo("A node's parent is not a group (missing, or an array).", '"a/b/.zgroup" without "a/.zgroup"'),
    "LINDI-E-CHUNK-ORPHAN": CodeInfo("A chunk key does not belong to an array with .zarray.", '"g/0" where g is a group'),
    "LINDI-E-CHUNK-KEY": CodeInfo("A chunk name does not match the chunk key grammar for the array's rank and separator.",
                                  '"a/0.01" or "a/0" for a 2-d array'),
    "LINDI-E-CHUNK-GRID": CodeInfo("A chunk index lies outside the array's chunk grid.", '"a/7" for shape [10], chunks [5]'),
    "LINDI-E-CODEC-UNKNOWN": CodeInfo("A codec id is not in the spec's codec list (section 9).", '{"id": "mycodec"}'),
    "LINDI-E-CODEC-CONFIG": CodeInfo("A known codec's configuration lacks a required member, has one section 9 does not list, or one of the wrong type.",
                                     '{"id": "zlib", "level": "9"}'),
    "LINDI-E-CODEC-FORBIDDEN": CodeInfo("A codec that can execute code or is otherwise forbidden (pickle).", '{"id": "pickle"}'),
    "LINDI-E-SCALAR": CodeInfo("`_SCALAR` is not `true`, or is on a node that is not an array of shape [1].", '"_SCALAR": true on shape [3]'),
    "LINDI-E-SOFT-LINK": CodeInfo("`_SOFT_LINK` is malformed, its .zattrs has other members, or its node is not a childless group without .lindi.", '"_SOFT_LINK": {"path": ""}'),
    "LINDI-E-REFERENCE": CodeInfo("An object in an attribute or a JSON-codec chunk is not a well-formed `_REFERENCE`.",
                                  '{"_REFERENCE": {"path": 3}}'),
    "LINDI-E-COMPOUND-DTYPE": CodeInfo("`_COMPOUND_DTYPE` is malformed (section 3.8 grammar), on a non-object array, or disagrees with the .lindi compound descriptor.",
                                       '"_COMPOUND_DTYPE": [["x"]]'),
    "LINDI-E-EXTERNAL-ARRAY-LINK": CodeInfo("`_EXTERNAL_ARRAY_LINK` is malformed, not on an array, or the array also has chunk keys.",
                                            '{"link_type": "zarr"}'),
    "LINDI-E-DTYPE": CodeInfo("The .lindi `dtype` descriptor is malformed or does not match the .zarray dtype.",
                              '{"class": "opaque", "size": 4} on dtype "<i4"'),
    "LINDI-E-NULL-DATASPACE": CodeInfo("`null_dataspace` on something other than an array of shape [0], or a null attribute with a value.",
                                       '"null_dataspace": true on shape [3]'),
    "LINDI-E-ATTR-TYPE": CodeInfo(".lindi `attrs` is malformed, names an attribute .zattrs lacks, the value does not fit the declared shape, or an untyped value has no inference (section 5.1).",
                                  '"attrs": {"missing": {"dtype": "<i2"}}'),
    "LINDI-E-ATTR-ORDER": CodeInfo("`attr_order` is not a permutation of the node's attribute names.", '"attr_order": ["a"] with attrs a, b'),
    "LINDI-E-MEMBER-ORDER": CodeInfo("`member_order` is not a permutation of the group's child names, or is on an array.",
                                     '"member_order": ["x"] with children x, y'),
    "LINDI-E-LINK": CodeInfo("`link` or `hard_link` is malformed, a link placeholder is not a childless group, or a hard-link copy differs from its first name.", '"link": {"type": "hard"}'),
    "LINDI-E-STORAGE": CodeInfo("`storage` is malformed, not on an array, or its chunks/maxshape do not fit the array's shape.",
                                '"storage": {"layout": "chunked", "maxshape": [5]} on shape [10]'),
    "LINDI-E-HARD-LINK-TARGET": CodeInfo("The target of a hard link (`link` or `hard_link`) does not exist.", '{"type": "hard", "target": "/nope"}'),
    "LINDI-E-JSON-CHUNK": CodeInfo("A JSON-codec chunk is a range, or does not decode to its elements (flat or nested) followed by \"|O\" and the shape.",
                                   '"s/0": "[1, 2]"'),
    "LINDI-E-LIMIT": CodeInfo("A value exceeds a limit of the format (metadata or JSON-codec values nested more than 256 levels, an array of more than 32 dimensions).", "a .zattrs value nested 100000 levels"),
    "LINDI-E-TOO-MANY-ERRORS": CodeInfo("The error cap was reached; later errors are not reported.", "1001 errors with the contract's cap of 1000"),
}

WARNINGS: dict[str, CodeInfo] = {
    "LINDI-W-LEGACY-PROFILE": CodeInfo("The document has no `lindi_spec` and is read under the legacy (LINDI 0.3/0.4) profile.",
                                       '{"version": 1, "refs": {...}}'),
    "LINDI-W-SPEC-MINOR": CodeInfo("`lindi_spec` names a newer minor version; unknown additions may be ignored.", '"lindi_spec": "1.7"'),
    "LINDI-W-TEMPLATE-UNUSED": CodeInfo("A template is defined but no ref uses it.", '"templates": {"u2": "https://y"}'),
    "LINDI-W-URL-SCHEME": CodeInfo("A ref URL has a scheme outside http, https, s3, gs, file; a reader needs a plugin backend for it.",
                                   '["ftp://x/f.h5", 0, 10]'),
    "LINDI-W-CODEC-NONSTANDARD": CodeInfo("A codec id the spec lists as optional (section 9): other readers may lack it.",
                                          '{"id": "bitround"}'),
    "LINDI-W-SOFT-LINK-DANGLING": CodeInfo("A soft link's target does not exist in the document (allowed, as in HDF5).",
                                           '"_SOFT_LINK": {"path": "/nowhere"}'),
    "LINDI-W-REFERENCE-TARGET": CodeInfo("An object reference points at a path that does not exist in the document.",
                                         '{"_REFERENCE": {"path": "/gone", ...}}'),
    "LINDI-W-TOO-MANY-WARNINGS": CodeInfo("The warning cap was reached; later warnings are not reported.", "1001 warnings with the contract's cap of 1000"),
}
