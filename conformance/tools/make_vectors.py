#!/usr/bin/env python3
"""Regenerate the conformance vectors (conformance/vectors/) from their sources in this script.

    python conformance/tools/make_vectors.py [--only read,remote,legacy,write,validate] [--python04 PY]

- validate/: hand-written documents, one or more per rule of the spec, with the exact (code, pointer) issues
  they must produce; plus every read/ and legacy/ document (as on disk) as a valid vector.
- read/: an HDF5 file per feature (tools/features.py) converted by this package, its chunk bytes copied
  into one blob next to the document; the expected dump is h5py's on the ORIGINAL HDF5 file.
- remote/: one read document whose refs point at the runner's HTTP double, once per server behaviour.
- legacy/: the same kind of files converted by LINDI 0.4.6 (run with --python04, a Python that has
  lindi==0.4.6; default conformance/.work/venv04/bin/python).
- write/: op lists; the expected dump is h5py's on the ops replayed into an HDF5 file.
Needs h5py and this package (lindi) installed; the HDF5 files are temporary.
"""
from __future__ import annotations

import argparse
import base64
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Any
from urllib.parse import urlparse

import h5py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import features  # noqa: E402

from lindi.canonical_dump import dump_text  # noqa: E402
from lindi.conformance.ops import OPS_FORMAT, replay  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTORS = os.path.join(ROOT, "vectors")
DEFAULT_PY04 = os.path.join(ROOT, ".work", "venv04", "bin", "python")


def write_json(path: str, doc: Any, *, pretty: bool = True) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        if pretty:
            f.write(json.dumps(doc, indent=2, sort_keys=True, allow_nan=False) + "\n")
        else:
            f.write(json.dumps(doc, separators=(",", ":"), sort_keys=True, allow_nan=False) + "\n")


def descriptor(path: str, description: str, requires: list[str], expect: dict[str, Any], **members: Any) -> None:
    write_json(path, {"description": description, "requires": requires, "expect": expect, **members})


# ------------------------------------------------------------------ read vectors


def _local(url: str, templates: dict[str, str]) -> str:
    for name, value in templates.items():
        url = url.replace("{{" + name + "}}", value)
    return urlparse(url).path if url.startswith("file://") else url


def externalize(doc: dict[str, Any], blob_path: str, url: str) -> None:
    """Copy every byte range the document references into one blob and point the refs at ``url``."""
    templates = doc.pop("templates", {}) or {}
    blob = bytearray()
    placed: dict[tuple[str, int, int], int] = {}
    for key in sorted(doc["refs"]):
        value = doc["refs"][key]
        if not isinstance(value, list):
            continue
        src, offset, length = _local(value[0], templates), value[1], value[2]
        if (src, offset, length) not in placed:
            with open(src, "rb") as f:
                f.seek(offset)
                data = f.read(length)
            placed[(src, offset, length)] = len(blob)
            blob += data
        doc["refs"][key] = [url, placed[(src, offset, length)], length]
    with open(blob_path, "wb") as f:
        f.write(bytes(blob))


def convert(h5_path: str) -> dict[str, Any]:
    from lindi.LindiH5ZarrStore import LindiH5ZarrStore, LindiH5ZarrStoreOpts

    opts = LindiH5ZarrStoreOpts(inline_threshold=64, template_threshold=None,
                                contiguous_dataset_max_chunk_size=1024)
    with LindiH5ZarrStore.from_file(h5_path, opts=opts) as store:
        return store.to_reference_file_system()


def expected_dump(h5_path: str) -> dict[str, Any]:
    with h5py.File(h5_path, "r") as f:
        return json.loads(dump_text(f))


#: The warnings each converted read/ document must give (all others give none).
CONVERTED_WARNINGS = {"links": ["LINDI-W-SOFT-LINK-DANGLING"]}


def slash_separator(doc: dict[str, Any]) -> None:
    """Rewrite every array of 2 or more dimensions to dimension_separator "/" (chunk keys a/1/2)."""
    refs = doc["refs"]
    arrays = [k[: -len("/.zarray")] for k, v in refs.items() if k.endswith("/.zarray") and len(v["shape"]) > 1]
    for path in arrays:
        refs[f"{path}/.zarray"]["dimension_separator"] = "/"
        for key in [k for k in refs if k.rpartition("/")[0] == path and not k.rpartition("/")[2].startswith(".")]:
            refs[f"{path}/" + key.rpartition("/")[2].replace(".", "/")] = refs.pop(key)


#: Documents the converter does not write as such: changed before they become vectors (same expected dump).
POSTPROCESS = {"separator": slash_separator}


def make_read(tmp: str) -> None:
    for name, builder in features.READ_FEATURES.items():
        h5_path = os.path.join(tmp, f"{name}.h5")
        features.build(builder, h5_path)
        out = os.path.join(VECTORS, "read", name)
        os.makedirs(out, exist_ok=True)
        doc = convert(h5_path)
        if name in POSTPROCESS:
            POSTPROCESS[name](doc)
        externalize(doc, os.path.join(out, f"{name}.bin"), f"./{name}.bin")
        write_json(os.path.join(out, f"{name}.lindi.json"), doc, pretty=False)
        write_json(os.path.join(out, f"{name}.dump.json"), expected_dump(h5_path), pretty=False)
        descriptor(os.path.join(out, f"{name}.vector.json"),
                   f"read: {builder.__doc__ or name} (HDF5 feature file '{name}' of tools/features.py)",
                   ["dump", f"spec-{doc['lindi_spec']}", name], {"dump": f"{name}.dump.json"},
                   document=f"{name}.lindi.json")


REMOTE_MODES = {
    "files": ("plain HTTP range requests (206)", {}),
    "redirect": ("every URL answers 302 to the real location", {}),
    "signed": ("302 to a presigned URL good for one request; reusing it gives 403 'Request has expired', "
               "so a reader must re-resolve the original URL", {}),
    "full": ("the server ignores Range and answers 200 with the whole object: a reader must either "
             "cut the right bytes or refuse, never decode the wrong bytes", {"or_error": True}),
    "short": ("206 responses lack their last byte: the read must fail", {"error": True}),
}


def make_remote(tmp: str) -> None:
    name = "layouts"
    h5_path = os.path.join(tmp, f"remote-{name}.h5")
    features.build(features.READ_FEATURES[name], h5_path)
    want = expected_dump(h5_path)
    base = convert(h5_path)
    for mode, (text, extra) in REMOTE_MODES.items():
        out = os.path.join(VECTORS, "remote", mode)
        os.makedirs(out, exist_ok=True)
        doc = copy.deepcopy(base)
        externalize(doc, os.path.join(out, "data.bin"), "{{server}}/" + f"{mode}/remote/{mode}/data.bin")
        write_json(os.path.join(out, "doc.lindi.json"), doc, pretty=False)
        expect = {"dump": "../expected.dump.json", **extra}
        descriptor(os.path.join(out, f"{mode}.vector.json"), f"remote: {text}", ["dump", "spec-1.0", "http"],
                   expect, document="doc.lindi.json", serve_mode=mode)
    out = os.path.join(VECTORS, "remote", "relative")
    os.makedirs(out, exist_ok=True)
    doc = copy.deepcopy(base)
    externalize(doc, os.path.join(out, "data.bin"), "./data.bin")
    write_json(os.path.join(out, "doc.lindi.json"), doc, pretty=False)
    descriptor(os.path.join(out, "relative.vector.json"),
               "remote: the document is fetched over HTTP and its refs are relative to its URL",
               ["dump", "spec-1.0", "http"], {"dump": "../expected.dump.json"}, document="doc.lindi.json")
    write_json(os.path.join(VECTORS, "remote", "expected.dump.json"), want, pretty=False)


# ------------------------------------------------------------------ legacy vectors

_CONVERT_04 = """
import json, sys
import lindi
store = lindi.LindiH5ZarrStore.from_file(sys.argv[1], url=sys.argv[1])
json.dump(store.to_reference_file_system(), open(sys.argv[2], "w"))
"""


def make_legacy(tmp: str, python04: str) -> None:
    if not os.path.exists(python04):
        raise SystemExit(f"make_vectors: {python04} not found: create it with "
                         f"`python3 -m venv conformance/.work/venv04 && conformance/.work/venv04/bin/pip "
                         f"install lindi==0.4.6`, or pass --python04")
    for name, builder in {**features.LEGACY_FEATURES, **features.READ_FEATURES}.items():
        if name not in features.LEGACY_FEATURES and name not in features.LEGACY_READ_FEATURES:
            continue
        h5_path = os.path.join(tmp, f"legacy-{name}.h5")
        features.build(builder, h5_path)
        raw = os.path.join(tmp, f"legacy-{name}.json")
        subprocess.run([python04, "-I", "-c", _CONVERT_04, h5_path, raw], check=True)
        with open(raw, encoding="utf-8") as f:
            doc = json.load(f)
        out = os.path.join(VECTORS, "legacy", name)
        os.makedirs(out, exist_ok=True)
        # LINDI 0.4 documents hold absolute URLs only: the runner serves these over HTTP.
        externalize(doc, os.path.join(out, f"{name}.bin"), "{{server}}/" + f"files/legacy/{name}/{name}.bin")
        write_json(os.path.join(out, f"{name}.lindi.json"), doc, pretty=False)
        write_json(os.path.join(out, f"{name}.dump.json"), expected_dump(h5_path), pretty=False)
        descriptor(os.path.join(out, f"{name}.vector.json"),
                   f"legacy: '{name}' converted by LINDI 0.4.6 (no lindi_spec, generationMetadata), served over HTTP",
                   ["dump", "legacy", "http"], {"dump": f"{name}.dump.json"}, document=f"{name}.lindi.json",
                   serve_mode="files")


# ------------------------------------------------------------------ write vectors

STR = {"class": "string", "charset": "utf-8", "length": None}
WRITE_OPS: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "basic": ("groups, a chunked dataset, a scalar, attributes and a soft link", [
        {"op": "create_group", "path": "/acquisition"},
        {"op": "create_dataset", "path": "/acquisition/data", "dtype": "<f4", "shape": [6, 2], "chunks": [4, 2],
         "data": [[0, 0.5], [1, 1.5], [2, 2.5], [3, 3.5], [4, 4.5], [5, "NaN"]]},
        {"op": "create_dataset", "path": "/rate", "dtype": "<f8", "shape": [], "data": 30.0},
        {"op": "create_dataset", "path": "/ids", "dtype": "<i8", "shape": [3], "data": ["1", "-2", "9007199254740993"]},
        {"op": "set_attribute", "path": "/", "name": "title", "dtype": STR, "shape": [], "value": "written"},
        {"op": "set_attribute", "path": "/acquisition/data", "name": "unit", "dtype": STR, "shape": [],
         "value": "volts"},
        {"op": "set_attribute", "path": "/acquisition/data", "name": "gain", "dtype": "<f8", "shape": [],
         "value": 2.5},
        {"op": "soft_link", "path": "/latest", "target": "/acquisition/data"},
    ]),
    "creation_order": ("a group tracking creation order: attributes and members iterate in creation order", [
        {"op": "create_group", "path": "/ordered", "track_order": True},
        {"op": "set_attribute", "path": "/ordered", "name": "zeta", "dtype": "<i4", "shape": [], "value": 1},
        {"op": "set_attribute", "path": "/ordered", "name": "alpha", "dtype": "<i4", "shape": [], "value": 2},
        {"op": "set_attribute", "path": "/ordered", "name": "mid", "dtype": STR, "shape": [], "value": "m"},
        {"op": "create_group", "path": "/ordered/c"},
        {"op": "create_group", "path": "/ordered/a"},
        {"op": "create_dataset", "path": "/ordered/b", "dtype": "<f8", "shape": [2], "data": [30.0, 0.5]},
        {"op": "set_attribute", "path": "/ordered/b", "name": "whole", "dtype": "<f8", "shape": [], "value": 30.0},
    ]),
    "strings": ("variable-length string datasets and attribute arrays", [
        {"op": "create_dataset", "path": "/names", "dtype": STR, "shape": [3], "data": ["a", "NaN", "ü"]},
        {"op": "set_attribute", "path": "/names", "name": "tags", "dtype": STR, "shape": [2], "value": ["x", "y"]},
        {"op": "create_dataset", "path": "/flags", "dtype": "|b1", "shape": [2], "data": [True, False]},
    ]),
}


def make_write(tmp: str) -> None:
    for name, (text, ops) in WRITE_OPS.items():
        out = os.path.join(VECTORS, "write", name)
        doc = {"lindi_conformance_ops": OPS_FORMAT, "ops": ops}
        write_json(os.path.join(out, f"{name}.ops.json"), doc)
        h5_path = os.path.join(tmp, f"write-{name}.h5")
        with h5py.File(h5_path, "w") as f:
            replay(doc, f)
        write_json(os.path.join(out, f"{name}.dump.json"), expected_dump(h5_path), pretty=False)
        descriptor(os.path.join(out, f"{name}.vector.json"), f"write: {text}", ["write", "dump"],
                   {"dump": f"{name}.dump.json"}, ops=f"{name}.ops.json")


# ------------------------------------------------------------------ validate vectors


def _b64(data: bytes) -> str:
    return "base64:" + base64.b64encode(data).decode("ascii")


def _zarray(shape: list[int], chunks: list[int], dtype: str = "<i4", **extra: Any) -> dict[str, Any]:
    meta = {"zarr_format": 2, "shape": shape, "chunks": chunks, "dtype": dtype, "compressor": None,
            "filters": None, "fill_value": 0, "order": "C"}
    meta.update(extra)
    return meta


def base_doc() -> dict[str, Any]:
    """A small valid 1.1 document every invalid vector is a single mutation of."""
    return {
        "version": 1, "lindi_spec": "1.1", "generator": {"name": "make_vectors", "version": "1"},
        "templates": {"u1": "https://example.org/data.h5"},
        "refs": {
            ".zgroup": {"zarr_format": 2},
            ".zattrs": {"title": "base"},
            "g/.zgroup": {"zarr_format": 2},
            "g/a/.zarray": _zarray([4], [2]),
            "g/a/0": _b64(bytes(8)),
            "g/a/1": ["{{u1}}", 2048, 8],
        },
    }


JSON_CODEC = [{"id": "json2", "allow_nan": True, "check_circular": True, "encoding": "utf-8", "ensure_ascii": True,
               "indent": None, "separators": [",", ":"], "skipkeys": False, "sort_keys": True, "strict": True}]


def _set(*pairs: tuple[str, Any]) -> Any:
    def mutate(doc: dict[str, Any]) -> None:
        for key, value in pairs:
            if value is None:
                doc["refs"].pop(key, None)
            else:
                doc["refs"][key] = value
    return mutate


def _top(name: str, value: Any) -> Any:
    def mutate(doc: dict[str, Any]) -> None:
        if value is None:
            doc.pop(name, None)
        else:
            doc[name] = value
    return mutate


def _all(*mutations: Any) -> Any:
    def mutate(doc: dict[str, Any]) -> None:
        for m in mutations:
            m(doc)
    return mutate


def _text(mutation: Any, old: str, new: str) -> Any:
    """A mutation whose document is written as text with ``old`` replaced by ``new`` (for what JSON
    serialisers refuse to write, such as ``1e400`` or a lone surrogate)."""
    def mutate(doc: dict[str, Any]) -> str:
        if mutation is not None:
            mutation(doc)
        text = json.dumps(doc, indent=2, sort_keys=True)
        assert old in text, old
        return text.replace(old, new)
    return mutate


def _legacy(doc: dict[str, Any]) -> None:
    doc.pop("lindi_spec")
    doc.pop("generator")


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


REF = {"object_id": None, "path": "/g/a", "source": ".", "source_object_id": None}
OBJECT_ARRAY = _zarray([2, 2], [2, 2], "|O", filters=JSON_CODEC, fill_value=None)

BAD_REF = {"_REFERENCE": {"path": 3}}
GONE_REF = {"_REFERENCE": dict(REF, path="/gone")}
CAP = 1000  # the contract's error and warning cap (README, "The CLI contract")

INVALID: dict[str, dict[str, tuple[str, Any, list[str]]]] = {
    # feature -> name -> (description, mutation or raw text, expected error codes)
    "json": {
        "bare_nan": ("a bare NaN token", '{"version": 1, "lindi_spec": "1.1", "refs": {".zgroup": {"zarr_format": 2},'
                     ' ".zattrs": {"x": NaN}}}', ["LINDI-E-JSON"]),
        "truncated": ("truncated text", '{"version": 1, "refs": {".zgroup": {"zarr_for', ["LINDI-E-JSON"]),
        "overflow": ("a number literal beyond the float64 range", _text(None, '"title": "base"', '"title": 1e400'),
                     ["LINDI-E-NONFINITE-NUMBER"]),
        "deep": ("a .zattrs value nested 300 levels deep", _set((".zattrs", {"x": _nested(300)})), ["LINDI-E-LIMIT"]),
    },
    "document": {
        "not_object": ("the document is an array", "[1, 2]", ["LINDI-E-DOCUMENT"]),
        "no_refs": ("no refs member", _top("refs", None), ["LINDI-E-DOCUMENT"]),
        "generator_no_name": ("generator without a name", _top("generator", {"version": "1"}), ["LINDI-E-DOCUMENT"]),
        "version_2": ("version is 2", _top("version", 2), ["LINDI-E-VERSION"]),
        "version_string": ("version is the string \"1\"", _top("version", "1"), ["LINDI-E-VERSION"]),
        "spec_major_2": ("lindi_spec names an unknown major version", _top("lindi_spec", "2.0"),
                         ["LINDI-E-SPEC-VERSION"]),
        "gen_member": ("the kerchunk gen member", _top("gen", []), ["LINDI-E-UNKNOWN-MEMBER"]),
        "generation_metadata_in_1_x": ("generationMetadata in a 1.x document", _top("generationMetadata", {}),
                                       ["LINDI-E-UNKNOWN-MEMBER"]),
        "no_root_group": ("the root .zgroup is missing", _set((".zgroup", None)), ["LINDI-E-NO-ROOT-GROUP"]),
        "too_many_errors": (f"{CAP + 1} malformed references in one .zattrs text: the contract's cap is {CAP}",
                            _set((".zattrs", json.dumps({f"r{i}": BAD_REF for i in range(CAP + 1)}))),
                            ["LINDI-E-REFERENCE", "LINDI-E-TOO-MANY-ERRORS"]),
    },
    "templates": {
        "bad_name": ("a template name that breaks the grammar",
                     _top("templates", {"u1": "https://example.org/data.h5", "1bad": "x"}), ["LINDI-E-TEMPLATE"]),
        "not_object": ("templates is a list", _all(_top("templates", ["https://example.org/data.h5"]),
                                                   _set(("g/a/1", None))), ["LINDI-E-TEMPLATE"]),
        "triple_brace": ("the url {{{u1}}: the reference at the first {{ has the name {u1",
                         _set(("g/a/1", ["{{{u1}}", 0, 8])), ["LINDI-E-TEMPLATE"]),
        "stray_close": ("a }} outside a reference", _set(("g/a/1", ["{{u1}}}}", 0, 8])), ["LINDI-E-TEMPLATE"]),
        "undefined": ("a ref uses an undefined template", _set(("g/a/1", ["{{u9}}", 0, 8])),
                      ["LINDI-E-TEMPLATE-UNDEFINED"]),
        "credentials_in_template": ("a template value with a signature query member",
                                    _top("templates", {"u1": "https://b.s3.amazonaws.com/d.h5?X-Amz-Signature=ab"}),
                                    ["LINDI-E-URL-CREDENTIALS"]),
    },
    "keys": {
        "dot_segment": ("a key with a '..' segment", _set(("g/../b/.zgroup", {"zarr_format": 2})), ["LINDI-E-KEY"]),
        "leading_slash": ("a key with a leading slash", _set(("/h/.zgroup", {"zarr_format": 2})), ["LINDI-E-KEY"]),
        "lone_surrogate": ("a node name holding a lone surrogate (no UTF-8 form)",
                           _text(_set(("LONE/.zgroup", {"zarr_format": 2})), '"LONE/.zgroup"', '"\\ud800x/.zgroup"'),
                           ["LINDI-E-KEY"]),
    },
    "refs": {
        "one_element": ("the [url] form", _set(("g/a/1", ["https://example.org/data.h5"])), ["LINDI-E-REF-VALUE"]),
        "number_value": ("a ref value that is a number", _set(("g/a/1", 5)), ["LINDI-E-REF-VALUE"]),
        "negative_offset": ("a negative offset", _set(("g/a/1", ["{{u1}}", -1, 8])), ["LINDI-E-REF-RANGE"]),
        "float_length": ("a fractional length", _set(("g/a/1", ["{{u1}}", 0, 8.5])), ["LINDI-E-REF-RANGE"]),
        "offset_beyond_2_53": ("an offset beyond 2**53 - 1", _set(("g/a/1", ["{{u1}}", 2**53, 8])),
                               ["LINDI-E-REF-RANGE"]),
        "empty_url": ("an empty URL", _set(("g/a/1", ["", 0, 8])), ["LINDI-E-REF-URL"]),
        "user_info": ("a URL with user information", _set(("g/a/1", ["https://me:pw@example.org/d.h5", 0, 8])),
                      ["LINDI-E-URL-CREDENTIALS"]),
        "bad_base64": ("base64 without padding", _set(("g/a/0", "base64:abc")), ["LINDI-E-BASE64"]),
    },
    "metadata": {
        "zattrs_not_json": ("a .zattrs that is not JSON text", _set(("g/.zattrs", "not json")),
                            ["LINDI-E-METADATA-JSON"]),
        "zgroup_format_3": (".zgroup with zarr_format 3", _set(("g/.zgroup", {"zarr_format": 3})), ["LINDI-E-ZGROUP"]),
        "zarray_no_shape": (".zarray without shape", _set(("g/a/.zarray", {k: v for k, v in _zarray([4], [2]).items()
                                                                        if k != "shape"})), ["LINDI-E-ZARRAY"]),
        "zattrs_text_array": (".zattrs holding JSON text of an array", _set(("g/.zattrs", "[1, 2]")),
                              ["LINDI-E-METADATA-JSON"]),
        "fill_out_of_range": ("an integer fill value outside the dtype's range",
                              _set(("g/a/.zarray", _zarray([4], [2], fill_value=2**31))), ["LINDI-E-ZARRAY"]),
        "object_fill_zero": ("fill_value 0 on a |O array of a 1.x document (legacy only)",
                             _set(("g/s/.zarray", _zarray([2], [2], "|O", filters=JSON_CODEC, fill_value=0)),
                                  ("g/s/0", '["a","b","|O",[2]]')), ["LINDI-E-ZARRAY"]),
        "json_codec_chunks": ("a JSON-codec array whose chunks differ from its shape",
                              _set(("g/s/.zarray", _zarray([4], [2], "|O", filters=JSON_CODEC, fill_value=None))),
                              ["LINDI-E-ZARRAY"]),
        "lindi_unknown_member": (".lindi with a member 1.1 does not define", _set(("g/.lindi", {"colour": "red"})),
                                 ["LINDI-E-LINDI-META"]),
        "lindi_in_legacy": ("a .lindi key in a legacy document",
                            _all(_legacy, _set(("g/.lindi", {"member_order": ["a"]}))), ["LINDI-E-PROFILE"]),
    },
    "nodes": {
        "group_and_array": ("a node that is a group and an array", _set(("g/a/.zgroup", {"zarr_format": 2})),
                            ["LINDI-E-NODE-KIND"]),
        "orphan": ("a node whose parent is missing", _set(("x/y/.zgroup", {"zarr_format": 2})), ["LINDI-E-ORPHAN"]),
    },
    "chunks": {
        "orphan": ("a chunk key under a group", _set(("g/0", _b64(bytes(4)))), ["LINDI-E-CHUNK-ORPHAN"]),
        "bad_key": ("a chunk name that is not an index", _set(("g/a/x", _b64(bytes(8)))), ["LINDI-E-CHUNK-KEY"]),
        "outside_grid": ("a chunk index outside the grid", _set(("g/a/7", _b64(bytes(8)))), ["LINDI-E-CHUNK-GRID"]),
    },
    "codecs": {
        "unknown": ("an unknown codec id", _set(("g/a/.zarray", _zarray([4], [2], compressor={"id": "no_such_codec"}))),
                    ["LINDI-E-CODEC-UNKNOWN"]),
        "pickle": ("the pickle codec", _set(("g/a/.zarray", _zarray([4], [2], filters=[{"id": "pickle"}]))),
                   ["LINDI-E-CODEC-FORBIDDEN"]),
        "config_type": ("a zlib level given as a string",
                        _set(("g/a/.zarray", _zarray([4], [2], compressor={"id": "zlib", "level": "9"}))),
                        ["LINDI-E-CODEC-CONFIG"]),
        "config_missing": ("lindi_hdf5_lzf without nbytes",
                           _set(("g/a/.zarray", _zarray([4], [2], compressor={"id": "lindi_hdf5_lzf"}))),
                           ["LINDI-E-CODEC-CONFIG"]),
    },
    "annotations": {
        "scalar_shape": ("_SCALAR on an array of shape [4]", _set(("g/a/.zattrs", {"_SCALAR": True})), ["LINDI-E-SCALAR"]),
        "soft_link_empty": ("_SOFT_LINK with an empty path",
                            _set(("l/.zgroup", {"zarr_format": 2}), ("l/.zattrs", {"_SOFT_LINK": {"path": ""}})),
                            ["LINDI-E-SOFT-LINK"]),
        "soft_link_extra_attribute": ("a soft link placeholder whose .zattrs has another member",
                                      _set(("l/.zgroup", {"zarr_format": 2}),
                                           ("l/.zattrs", {"_SOFT_LINK": {"path": "/g"}, "note": "x"})),
                                      ["LINDI-E-SOFT-LINK"]),
        "reference_malformed": ("_REFERENCE without a path member",
                                _set((".zattrs", {"r": {"_REFERENCE": {"source": "."}}})), ["LINDI-E-REFERENCE"]),
        "compound_malformed": ("_COMPOUND_DTYPE that is not a list of pairs",
                               _set(("g/c/.zarray", _zarray([1], [1], "|O", filters=JSON_CODEC, fill_value=None)),
                                    ("g/c/.zattrs", {"_COMPOUND_DTYPE": "x"}), ("g/c/0", '[[1,2],"|O",[1]]')),
                               ["LINDI-E-COMPOUND-DTYPE"]),
        "compound_grammar": ("a _COMPOUND_DTYPE field type outside the grammar of section 3.8",
                             _set(("g/c/.zarray", _zarray([1], [1], "|O", filters=JSON_CODEC, fill_value=None)),
                                  ("g/c/.zattrs", {"_COMPOUND_DTYPE": [["x", "int33"]]}), ("g/c/0", '[[1],"|O",[1]]')),
                             ["LINDI-E-COMPOUND-DTYPE"]),
        "external_array_link_malformed": ("_EXTERNAL_ARRAY_LINK without a url",
                                          _set(("g/a/.zattrs", {"_EXTERNAL_ARRAY_LINK": {"link_type": "hdf5_dataset",
                                                                                         "name": "/a"}}),
                                               ("g/a/0", None), ("g/a/1", None)),
                                          ["LINDI-E-EXTERNAL-ARRAY-LINK"]),
        "json_chunk_count": ("a JSON-codec chunk with the wrong element count",
                             _set(("g/s/.zarray", _zarray([2], [2], "|O", filters=JSON_CODEC, fill_value=None)),
                                  ("g/s/0", '["a","|O",[2]]')),
                             ["LINDI-E-JSON-CHUNK"]),
        "json_chunk_range": ("a JSON-codec chunk given as a byte range",
                             _set(("g/s/.zarray", _zarray([2], [2], "|O", filters=JSON_CODEC, fill_value=None)),
                                  ("g/s/0", ["{{u1}}", 0, 20])),
                             ["LINDI-E-JSON-CHUNK"]),
        "json_chunk_mixed_legacy": ("a legacy object array mixing strings and references (no type information)",
                                    _all(_legacy, _set(("g/s/.zarray", _zarray([2], [2], "|O", filters=JSON_CODEC,
                                                                               fill_value=None)),
                                                       ("g/s/0", json.dumps(["a", {"_REFERENCE": REF}, "|O", [2]])))),
                                    ["LINDI-E-JSON-CHUNK"]),
    },
    "attributes": {
        "untyped_null": ("an attribute null without type info", _set((".zattrs", {"n": None})), ["LINDI-E-ATTR-TYPE"]),
        "untyped_bool_int_list": ("a list mixing booleans and integers without type info",
                                  _set((".zattrs", {"m": [True, 1]})), ["LINDI-E-ATTR-TYPE"]),
        "untyped_empty_list": ("an empty list without type info", _set((".zattrs", {"e": []})), ["LINDI-E-ATTR-TYPE"]),
    },
    "lindi_meta": {
        "dtype_mismatch": (".lindi enum base that disagrees with the .zarray dtype",
                           _set(("g/a/.lindi", {"dtype": {"class": "enum", "base": "<i8", "members": {"A": 0}}})),
                           ["LINDI-E-DTYPE"]),
        "enum_float_base": ("an enum over a float type", _set(("g/f/.zarray", _zarray([1], [1], "<f4")),
                                                              ("g/f/.lindi", {"dtype": {"class": "enum", "base": "<f4",
                                                                                        "members": {"A": 0}}})),
                            ["LINDI-E-DTYPE"]),
        "dtype_malformed": (".lindi dtype descriptor of an unknown class",
                            _set(("g/a/.lindi", {"dtype": {"class": "colour"}})), ["LINDI-E-DTYPE"]),
        "null_dataspace_shape": ("null_dataspace on an array of shape [4]",
                                 _set(("g/a/.lindi", {"null_dataspace": True})), ["LINDI-E-NULL-DATASPACE"]),
        "attr_type_missing": (".lindi attrs names an attribute .zattrs lacks",
                              _set((".lindi", {"attrs": {"nope": {"dtype": "<i2"}}})), ["LINDI-E-ATTR-TYPE"]),
        "attr_order": ("attr_order that is not a permutation", _set((".zattrs", {"a": 1, "b": 2}),
                                                                    (".lindi", {"attr_order": ["a"]})),
                       ["LINDI-E-ATTR-ORDER"]),
        "member_order": ("member_order that is not a permutation", _set((".lindi", {"member_order": ["h"]})),
                         ["LINDI-E-MEMBER-ORDER"]),
        "storage_maxshape": ("storage maxshape smaller than the shape",
                             _set(("g/a/.lindi", {"storage": {"layout": "chunked", "maxshape": [3]}})),
                             ["LINDI-E-STORAGE"]),
        "link_malformed": ("a hard link without a target",
                           _set(("h/.zgroup", {"zarr_format": 2}), ("h/.lindi", {"link": {"type": "hard"}})),
                           ["LINDI-E-LINK"]),
        "hard_link_target_missing": ("a hard link to a missing node",
                                     _set(("h/.zgroup", {"zarr_format": 2}),
                                          ("h/.lindi", {"link": {"type": "hard", "target": "/nope"}})),
                                     ["LINDI-E-HARD-LINK-TARGET"]),
        "hard_link_copy_target_missing": ("a hard_link copy whose first name is missing",
                                          _set(("h/.zarray", _zarray([4], [2])), ("h/.lindi", {"hard_link": "/nope"})),
                                          ["LINDI-E-HARD-LINK-TARGET"]),
        "hard_link_copy_differs": ("a hard_link copy whose chunk refs differ from its first name's",
                                   _set(("h/.zarray", _zarray([4], [2])), ("h/0", _b64(bytes(8))),
                                        ("h/.lindi", {"hard_link": "/g/a"})),
                                   ["LINDI-E-LINK"]),
    },
}

VALID: dict[str, dict[str, tuple[str, Any, list[str]]]] = {
    # feature -> name -> (description, mutation, expected warning codes)
    "document": {
        "base": ("the base document every invalid vector mutates", None, []),
        "minimal": ("only version, lindi_spec and a root group",
                    lambda d: (d.clear(), d.update({"version": 1, "lindi_spec": "1.1",
                                                   "refs": {".zgroup": {"zarr_format": 2}}})), []),
        "spec_1_0": ("a document declaring 1.0", _top("lindi_spec", "1.0"), []),
        "newer_minor": ("a newer minor spec version reads with a warning", _top("lindi_spec", "1.7"),
                        ["LINDI-W-SPEC-MINOR"]),
        "newer_minor_two_digits": ("minor 10 is newer than 1 (numeric, not text, comparison)",
                                   _top("lindi_spec", "1.10"), ["LINDI-W-SPEC-MINOR"]),
        "integral_floats": ("offsets, lengths and shapes written as 2048.0: numbers are values, not text",
                            _text(None, '"g/a/1": [\n      "{{u1}}",\n      2048,\n      8\n    ]',
                                  '"g/a/1": [\n      "{{u1}}",\n      2048.0,\n      8e0\n    ]'), []),
        "version_as_1_0": ("version written as 1.0: numbers are values, not text", _text(None, '"version": 1',
                                                                                         '"version": 1.0'), []),
        "metadata_as_text": ("metadata given as JSON text instead of an inline object",
                             _set(("g/.zgroup", '{"zarr_format": 2}')), []),
        "legacy_minimal": ("a LINDI 0.4 style document: no lindi_spec, generationMetadata",
                           _all(_legacy, _top("generationMetadata", {"generatedBy": "lindi"})),
                           ["LINDI-W-LEGACY-PROFILE"]),
        "too_many_warnings": (f"{CAP + 1} references to a missing path in one .zattrs text: the cap is {CAP}",
                              _set((".zattrs", json.dumps({f"r{i}": GONE_REF for i in range(CAP + 1)}))),
                              ["LINDI-W-REFERENCE-TARGET", "LINDI-W-TOO-MANY-WARNINGS"]),
    },
    "templates": {
        "unused": ("a template no ref uses", _top("templates", {"u1": "https://example.org/data.h5", "u2": "https://y"}),
                   ["LINDI-W-TEMPLATE-UNUSED"]),
        "single_braces": ("single braces are literals", _set(("g/a/1", ["{{u1}}?v={x}", 0, 8])), []),
        "url_scheme": ("a URL scheme outside the standard five", _set(("g/a/1", ["ftp://example.org/d.h5", 0, 8])),
                       ["LINDI-W-URL-SCHEME", "LINDI-W-TEMPLATE-UNUSED"]),
    },
    "codecs": {
        "optional_bitround": ("an optional codec of section 9", _set(("g/a/.zarray", _zarray(
            [4], [2], "<f4", filters=[{"id": "bitround", "keepbits": 10}]))), ["LINDI-W-CODEC-NONSTANDARD"]),
        "deflate_as_filter": ("deflate as LINDI 0.4 and 1.1 write it: zlib last in filters, compressor null",
                              _set(("g/a/.zarray", _zarray([4], [2], filters=[{"id": "shuffle", "elementsize": 4},
                                                                              {"id": "zlib", "level": 4}]))), []),
        "deflate_as_compressor": ("deflate as 1.0 wrote it: zlib as compressor",
                                  _set(("g/a/.zarray", _zarray([4], [2], compressor={"id": "zlib", "level": 4}))), []),
    },
    "json_chunks": {
        "nested_2d": ("a 2-d JSON-codec chunk in numcodecs' nested layout (1.1)",
                      _set(("g/s/.zarray", OBJECT_ARRAY), ("g/s/0.0", '[["a","b"],["c","d"],"|O",[2,2]]')), []),
        "flat_2d": ("a 2-d JSON-codec chunk in the flat layout of 1.0 (readers accept both)",
                    _set(("g/s/.zarray", OBJECT_ARRAY), ("g/s/0.0", '["a","b","c","d","|O",[2,2]]')), []),
        "legacy_fill_zero": ("a legacy object array with fill_value 0, as LINDI 0.4 writes",
                             _all(_legacy, _set(("g/s/.zarray", _zarray([2], [2], "|O", filters=JSON_CODEC,
                                                                        fill_value=0)),
                                                ("g/s/0", '["a","b","|O",[2]]'))), ["LINDI-W-LEGACY-PROFILE"]),
    },
    "numbers": {
        "big_integers": ("integers at the 64-bit limits as plain JSON integers (1.1) and as decimal strings (1.0)",
                         _set((".zattrs", {"u": 18446744073709551615, "i": -9223372036854775808,
                                           "s": "18446744073709551615"}),
                              (".lindi", {"attrs": {"u": {"dtype": "<u8"}, "s": {"dtype": "<u8"}}}),
                              ("g/b/.zarray", _zarray([1], [1], "<u8", fill_value=18446744073709551615)),
                              ("g/e/.zarray", _zarray([1], [1], "<u8", fill_value="9")),
                              ("g/e/.lindi", {"dtype": {"class": "enum", "base": "<u8",
                                                        "members": {"MAX": 18446744073709551615}}})), []),
        "whole_float_attribute": ("a float64 attribute whose value is integral carries type info",
                                  _set((".zattrs", {"rate": 30.0, "ints": [1.0, 2.5]}),
                                       (".lindi", {"attrs": {"rate": {"dtype": "<f8"}}})), []),
    },
    "annotations": {
        "dangling_soft_link": ("a soft link whose target is missing (allowed, as in HDF5)",
                               _set(("l/.zgroup", {"zarr_format": 2}), ("l/.zattrs", {"_SOFT_LINK": {"path": "/nope"}})),
                               ["LINDI-W-SOFT-LINK-DANGLING"]),
        "reference_target_missing": ("an attribute reference to a missing path",
                                     _set((".zattrs", {"r": {"_REFERENCE": dict(REF, path="/missing")}})),
                                     ["LINDI-W-REFERENCE-TARGET"]),
        "scalar": ("_SCALAR on an array of shape [1]",
                   _set(("g/s/.zarray", _zarray([1], [1])), ("g/s/.zattrs", {"_SCALAR": True}),
                        ("g/s/0", _b64(bytes(4)))), []),
        "reference_attribute": ("an attribute holding a reference", _set((".zattrs", {"r": {"_REFERENCE": REF}})), []),
        "compound_grammar": ("_COMPOUND_DTYPE types of every grammar form",
                             _set(("g/c/.zarray", _zarray([1], [1], "|O", filters=JSON_CODEC, fill_value=None)),
                                  ("g/c/.zattrs", {"_COMPOUND_DTYPE": [
                                      ["a", "int32"], ["b", ">f8"], ["c", "|S6"], ["d", "object"], ["e", "<REFERENCE>"],
                                      ["f", "[('x', '<f4'), ('y', 'u1')]"], ["g", "('<i2', (3,))"], ["h", "<U2"]]}),
                                  ("g/c/0", json.dumps([[1, 2.5, "s", "t", {"_REFERENCE": REF}, [0.5, 1], [1, 2, 3],
                                                         "ab"], "|O", [1]]))), []),
    },
    "lindi_meta": {
        "hard_link": ("a hard link placeholder (1.0 form)",
                      _set(("h/.zgroup", {"zarr_format": 2}), ("h/.lindi", {"link": {"type": "hard", "target": "/g/a"}})),
                      []),
        "hard_link_copy_array": ("a hard-linked array copied under its second name, marked hard_link (1.1 form)",
                                 _set(("h/.zarray", _zarray([4], [2])), ("h/0", _b64(bytes(8))),
                                      ("h/1", ["{{u1}}", 2048, 8]), ("h/.lindi", {"hard_link": "/g/a"})), []),
        "hard_link_copy_group": ("a hard-linked group copied with its members (1.1 form)",
                                 _set(("h/.zgroup", {"zarr_format": 2}), ("h/a/.zarray", _zarray([4], [2])),
                                      ("h/a/0", _b64(bytes(8))), ("h/a/1", ["{{u1}}", 2048, 8]),
                                      ("h/.lindi", {"hard_link": "/g"})), []),
        "external_link": ("an external link placeholder (file relative to the document)",
                          _set(("e/.zgroup", {"zarr_format": 2}),
                               ("e/.lindi", {"link": {"type": "external", "file": "o.h5", "target": "/x"}})), []),
        "attr_types": ("typed attributes", _set((".zattrs", {"a": 1, "b": [1.5]}),
                                                (".lindi", {"attrs": {"a": {"dtype": "<i2"},
                                                                      "b": {"dtype": "<f4", "shape": [1]}},
                                                            "attr_order": ["b", "a"]})), []),
        "storage": ("storage with chunks and an unlimited maxshape",
                    _set(("g/a/.lindi", {"storage": {"layout": "chunked", "chunks": [2], "maxshape": [None]}})), []),
    },
}


def _issues(items: list[Any]) -> list[dict[str, str]]:
    """The distinct (code, pointer) pairs of a report, sorted: what a vector expects."""
    return [{"code": c, "pointer": p} for c, p in sorted({(i.code, i.pointer) for i in items})]


def expected_issues(path: str, codes: list[str], validity: str) -> dict[str, Any]:
    """The exact expectation of a validate vector: this package's report, checked against the hand-written codes.

    The codes are the contract written by hand; the pointers come from the validator (reviewed in the
    committed vectors), so a change in either shows up as a diff.
    """
    from lindi.validation import validate

    report = validate(path)
    errors, warnings = _issues(report.errors), _issues(report.warnings)
    kind = "errors" if validity == "invalid" else "warnings"
    got = sorted({i["code"] for i in (errors if kind == "errors" else warnings)})
    if got != sorted(set(codes)) or (validity == "valid" and errors):
        raise SystemExit(f"make_vectors: {path}: expected {kind} {sorted(set(codes))}, the validator gives "
                         f"errors {errors} warnings {warnings}")
    return {"valid": validity == "valid", "errors": errors, "warnings": warnings}


def served_issues(path: str, codes: list[str]) -> dict[str, Any]:
    """:func:`expected_issues` of a document the runner serves (its {{server}} placeholder filled in)."""
    with open(path, encoding="utf-8") as f:
        text = f.read().replace("{{server}}", "http://127.0.0.1:8")
    with tempfile.TemporaryDirectory() as tmp:
        copy_path = os.path.join(tmp, os.path.basename(path))
        with open(copy_path, "w", encoding="utf-8") as f:
            f.write(text)
        return expected_issues(copy_path, codes, "valid")


def make_document_validity() -> None:
    """A valid vector for every read/ and legacy/ document on disk (made by make_read and make_legacy)."""
    for name in sorted(os.listdir(os.path.join(VECTORS, "read"))):
        descriptor(os.path.join(VECTORS, "validate", "valid", "converted", f"{name}.vector.json"),
                   f"the read/{name} document is valid", ["validate"],
                   expected_issues(os.path.join(VECTORS, "read", name, f"{name}.lindi.json"),
                                   CONVERTED_WARNINGS.get(name, []), "valid"),
                   document=f"../../../read/{name}/{name}.lindi.json")
    for name in sorted(os.listdir(os.path.join(VECTORS, "legacy"))):
        descriptor(os.path.join(VECTORS, "validate", "valid", "legacy", f"{name}.vector.json"),
                   f"the legacy/{name} document validates under the legacy profile", ["validate", "legacy", "http"],
                   served_issues(os.path.join(VECTORS, "legacy", name, f"{name}.lindi.json"), ["LINDI-W-LEGACY-PROFILE"]),
                   document=f"../../../legacy/{name}/{name}.lindi.json", serve_mode="files")


def make_validate() -> None:
    make_document_validity()
    for validity, table in (("invalid", INVALID), ("valid", VALID)):
        for feature, cases in table.items():
            for name, (text, change, codes) in cases.items():
                out = os.path.join(VECTORS, "validate", validity, feature)
                os.makedirs(out, exist_ok=True)
                doc_path = os.path.join(out, f"{name}.lindi.json")
                if isinstance(change, str):
                    raw: Any = change
                else:
                    doc = base_doc()
                    raw = change(doc) if change is not None else None
                    if not isinstance(raw, str):
                        write_json(doc_path, doc)
                if isinstance(raw, str):
                    with open(doc_path, "w", encoding="utf-8") as f:
                        f.write(raw + "\n")
                descriptor(os.path.join(out, f"{name}.vector.json"), f"{validity}: {text}", ["validate"],
                           expected_issues(doc_path, codes, validity), document=f"{name}.lindi.json")


def main() -> None:
    kinds = ("read", "remote", "legacy", "write", "validate")  # validate last: it checks the read/legacy documents
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(kinds), help="comma-separated subset of " + ", ".join(kinds))
    parser.add_argument("--python04", default=DEFAULT_PY04, help="a Python interpreter with lindi==0.4.6")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if only - set(kinds):
        parser.error(f"unknown kinds {sorted(only - set(kinds))}")
    tmp = tempfile.mkdtemp(prefix="make-vectors-")
    try:
        for kind in kinds:
            if kind not in only:
                continue
            shutil.rmtree(os.path.join(VECTORS, kind), ignore_errors=True)
            if kind == "validate":
                make_validate()
            elif kind == "read":
                make_read(tmp)
            elif kind == "remote":
                make_remote(tmp)
            elif kind == "legacy":
                make_legacy(tmp, args.python04)
            else:
                make_write(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
