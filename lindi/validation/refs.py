"""One tight pass over ``refs``: metadata keys are collected, chunk refs are checked in place.

Speed matters here (a million chunk refs must cost little more than parsing
them), so per-array facts (chunk key regex, chunk grid, separator) are
computed once per array and cached, URL checks are cached per distinct URL,
and nothing proportional to the number of chunks is kept in memory.
"""
from __future__ import annotations

import binascii
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lindi.format.zarr_dtypes import OBJECT_DTYPE
from lindi.strict_json import MAX_SAFE_INTEGER, ref_pointer

from .metadata import META_NAMES, check_metadata, parse_metadata
from .report import Collector
from .schema import LATEST
from .urls import has_credentials, template_names

#: URL schemes every reader understands; others need a plugin backend (a warning).
STANDARD_SCHEMES = frozenset({"http", "https", "s3", "gs", "file"})

TEMPLATE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_INDEX = "(0|[1-9][0-9]*)"
_URL_CACHE_LIMIT = 100_000


@dataclass
class NodeMeta:
    """The metadata objects of one node; None = absent, INVALID = present but rejected."""

    zgroup: Any = None
    zarray: Any = None
    zattrs: Any = None
    lindi: Any = None
    pointers: dict[str, str] = field(default_factory=dict)


INVALID = object()


@dataclass
class ArrayInfo:
    """What the chunk loop needs to know about one array, computed once."""

    path: str
    pattern: re.Pattern[str]
    grid: tuple[int, ...]
    slash: bool
    prefix_len: int
    external: bool
    json_codec: bool
    chunks: list[int]
    compressor: dict[str, Any] | None


# Outcomes of resolving a chunk key's parent that are not an array.
NOT_ARRAY = "not-array"
BAD_ARRAY = "bad-array"  # .zarray present but invalid (already reported)
BAD_PATH = "bad-path"


class RefsPass:
    """Checks every ref once; afterwards ``nodes`` holds the validated metadata per node path."""

    def __init__(self, refs: Mapping[str, Any], templates: dict[str, str], legacy: bool, out: Collector, *,
                 schema_version: str = LATEST, credential_templates: frozenset[str] = frozenset()):
        self.refs = refs
        self.templates = templates
        self.legacy = legacy
        self.schema_version = schema_version
        #: templates whose value carries credentials (reported at the template, not at each ref)
        self.credential_templates = credential_templates
        self.out = out
        self.nodes: dict[str, NodeMeta] = {}
        self.used_templates: set[str] = set()
        self.json_chunks: list[tuple[str, Any, ArrayInfo]] = []
        self._parents: dict[str, ArrayInfo | str] = {}
        self._urls: dict[str, bool] = {}

    # -- metadata -------------------------------------------------------------------------------------

    def metadata(self, key: str, parent: str, name: str, value: Any) -> Any:
        """Parse and check the metadata at ``key`` once; returns the object, INVALID or None."""
        kind = META_NAMES.get(name)
        node = self.nodes.get(parent)
        if kind is not None and node is not None and kind in node.pointers:
            return getattr(node, kind)
        out = self.out
        if kind is None:
            out.error("LINDI-E-KEY", ref_pointer(key), f"{key!r}: {name!r} is not a metadata name (.zgroup, .zarray, .zattrs, .lindi)")
            return None
        if _bad_path(parent):
            out.error("LINDI-E-KEY", ref_pointer(key),
                      f"{key!r}: node path has an empty segment, one starting with '.', or a lone surrogate")
            return None
        if node is None:
            node = self.nodes[parent] = NodeMeta()
        node.pointers[kind] = ref_pointer(key)
        result: Any = INVALID
        if kind == "lindi" and self.legacy:
            out.error("LINDI-E-PROFILE", ref_pointer(key), f"{key}: .lindi keys need lindi_spec (the legacy profile has none)")
        else:
            obj = parse_metadata(key, value, out)
            if obj is not None and check_metadata(key, kind, obj, isinstance(value, dict), out,
                                                  version=self.schema_version, legacy=self.legacy):
                result = obj
        setattr(node, kind, result)
        return result

    # -- chunks ---------------------------------------------------------------------------------------

    def _array_info(self, parent: str) -> ArrayInfo | str:
        if _bad_path(parent):
            return BAD_PATH
        zarray_key = f"{parent}/.zarray" if parent else ".zarray"
        if zarray_key in self.refs:
            z = self.metadata(zarray_key, parent, ".zarray", self.refs[zarray_key])
            if not isinstance(z, dict):
                return BAD_ARRAY
            slash = z.get("dimension_separator", ".") == "/"
            zattrs_key = f"{parent}/.zattrs" if parent else ".zattrs"
            zattrs = self.metadata(zattrs_key, parent, ".zattrs", self.refs[zattrs_key]) if zattrs_key in self.refs else None
            external = isinstance(zattrs, dict) and "_EXTERNAL_ARRAY_LINK" in zattrs
            ndim = len(z["shape"])
            sep = re.escape("/" if slash else ".")
            pattern = re.compile(sep.join([_INDEX] * ndim) if ndim else "0")
            grid = tuple(math.ceil(s / c) for s, c in zip(z["shape"], z["chunks"]))
            json_codec = z["dtype"] == OBJECT_DTYPE and any(f["id"] == "json2" for f in z["filters"] or [])
            return ArrayInfo(parent, pattern, grid, slash, len(parent) + 1 if parent else 0, external, json_codec,
                             list(z["chunks"]), z["compressor"])
        # chunk keys of a "/"-separated array have the array as an ancestor, not as the parent
        if "/" not in parent:
            return NOT_ARRAY
        ancestor = parent.rpartition("/")[0]
        info = self._parents.get(ancestor)
        if info is None:
            info = self._parents[ancestor] = self._array_info(ancestor)
        if isinstance(info, ArrayInfo):
            return info if info.slash else NOT_ARRAY
        return BAD_ARRAY if info == BAD_ARRAY else NOT_ARRAY

    def _chunk_key_error(self, key: str, info: ArrayInfo | str, rel: str) -> None:
        out = self.out
        if info == BAD_PATH:
            out.error("LINDI-E-KEY", ref_pointer(key),
                      f"{key!r}: path has an empty segment, one starting with '.', or a lone surrogate")
        elif info == NOT_ARRAY:
            out.error("LINDI-E-CHUNK-ORPHAN", ref_pointer(key), f"{key!r} is not a metadata key and no array with .zarray contains it")
        elif isinstance(info, ArrayInfo):
            m = info.pattern.fullmatch(rel)
            if m is None:
                sep = "/" if info.slash else "."
                out.error("LINDI-E-CHUNK-KEY", ref_pointer(key),
                          f"{key!r}: chunk name {rel!r} must be {len(info.grid)} decimal indices (no leading zeros) joined by {sep!r}"
                          if info.grid else f"{key!r}: the chunk of a 0-d array is named '0', not {rel!r}")
            else:
                out.error("LINDI-E-CHUNK-GRID", ref_pointer(key),
                          f"{key!r}: chunk index {rel!r} lies outside the chunk grid {list(info.grid)} of {info.path or '/'}")
        elif info == "external":
            out.error("LINDI-E-EXTERNAL-ARRAY-LINK", ref_pointer(key),
                      f"{key!r}: an array with _EXTERNAL_ARRAY_LINK must not have chunk keys")

    def _url_ok(self, key: str, url: Any) -> None:
        out = self.out
        if type(url) is not str or not url:
            out.error("LINDI-E-REF-URL", ref_pointer(key, 0), f"{key!r}: the URL must be a non-empty string, not {url!r}")
            return
        resolved = url
        if "{{" in url or "}}" in url:
            parts = template_names(url)
            if parts is None:
                out.error("LINDI-E-TEMPLATE", ref_pointer(key, 0), f"{key!r}: malformed template syntax in URL {url!r}")
                return
            for n in parts[1::2]:
                if n not in self.templates:
                    out.error("LINDI-E-TEMPLATE-UNDEFINED", ref_pointer(key, 0), f"{key!r}: template {{{{{n}}}}} is not defined")
                    return
                self.used_templates.add(n)
            if self.credential_templates.intersection(parts[1::2]) or \
                    not all(isinstance(self.templates[n], str) for n in parts[1::2]):
                return  # reported at the template
            if any(type(self.templates[n]) is not str for n in parts[1::2]):
                return  # a template value that is not a string is reported at the template (schema)
            resolved = "".join(self.templates[p] if i % 2 else p for i, p in enumerate(parts))
        if has_credentials(resolved):
            out.error("LINDI-E-URL-CREDENTIALS", ref_pointer(key, 0),
                      f"{key!r}: URL carries credentials (user information or a signature); readers add them at read time")
        m = URL_SCHEME.match(resolved)
        if m and len(m.group(1)) > 1 and m.group(1).lower() not in STANDARD_SCHEMES:
            out.warning("LINDI-W-URL-SCHEME", ref_pointer(key, 0),
                        f"{key!r}: URL scheme {m.group(1)!r} needs a plugin backend")
        if len(self._urls) < _URL_CACHE_LIMIT:
            self._urls[url] = True

    def run(self) -> None:
        """Check every ref (metadata parsed and schema-checked, chunks checked in the loop)."""
        out = self.out
        parents = self._parents
        urls = self._urls
        metadata = self.metadata
        max_safe = MAX_SAFE_INTEGER
        for key, value in self.refs.items():
            parent, _, name = key.rpartition("/")
            if name[:1] == "." or not name:
                if name:
                    metadata(key, parent, name, value)
                else:
                    out.error("LINDI-E-KEY", ref_pointer(key), f"{key!r}: a key must not be empty or end with '/'")
                continue
            info = parents.get(parent)
            if info is None:
                info = parents[parent] = self._array_info(parent)
            json_chunk = False
            if type(info) is ArrayInfo:
                rel = key[info.prefix_len:] if info.slash else name
                m = info.pattern.fullmatch(rel)
                if m is None:
                    self._chunk_key_error(key, info, rel)
                else:
                    for i, n in zip(m.groups(), info.grid):
                        if int(i) >= n:
                            self._chunk_key_error(key, info, rel)
                            break
                    else:
                        json_chunk = info.json_codec
                if info.external:
                    self._chunk_key_error(key, "external", rel)
            else:
                self._chunk_key_error(key, info, name)
            t = type(value)
            if t is list:
                if json_chunk:
                    out.error("LINDI-E-JSON-CHUNK", ref_pointer(key),
                              f"{key!r}: the chunk of a JSON-codec array is inline text or bytes, never a range")
                if len(value) != 3:
                    out.error("LINDI-E-REF-VALUE", ref_pointer(key),
                              f"{key!r}: a range ref is [url, offset, length] (the [url] form is not allowed), got {len(value)} items")
                    continue
                url, offset, length = value
                if not (type(offset) is int and type(length) is int and 0 <= offset <= max_safe and 0 <= length <= max_safe) \
                        and not _in_range(offset, length):
                    out.error("LINDI-E-REF-RANGE", ref_pointer(key),
                              f"{key!r}: offset and length must be integers from 0 to 2**53 - 1, got {offset!r}, {length!r}")
                if type(url) is not str or url not in urls:
                    self._url_ok(key, url)
            elif t is str:
                if value.startswith("base64:") and not _check_base64(key, value, out):
                    continue
                if json_chunk and isinstance(info, ArrayInfo):  # json_chunk implies it
                    self.json_chunks.append((key, value, info))
            elif t is dict:
                out.error("LINDI-E-REF-VALUE", ref_pointer(key), f"{key!r}: an inline JSON object is only allowed for metadata keys")
            else:
                out.error("LINDI-E-REF-VALUE", ref_pointer(key),
                          f"{key!r}: a ref value is a string or [url, offset, length], not {type(value).__name__}")


def _in_range(*numbers: Any) -> bool:
    """True when every number is an integer value (``8`` or ``8.0``, SPEC section 7) in [0, 2**53 - 1]."""
    return all(type(n) in (int, float) and float(n).is_integer() and 0 <= n <= MAX_SAFE_INTEGER for n in numbers)


def _bad_path(path: str) -> bool:
    """True when a node path has an empty segment, a segment starting with '.', or a lone surrogate."""
    if not path:
        return False
    if not path.isascii():
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:
            return True
    return any(not s or s[0] == "." for s in path.split("/"))


def _check_base64(key: str, value: str, out: Collector) -> bool:
    try:
        binascii.a2b_base64(value[7:], strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        out.error("LINDI-E-BASE64", ref_pointer(key), f"{key!r}: base64 payload does not decode ({exc})")
        return False
    return True


def decode_inline(value: str) -> bytes:
    """The bytes of an inline string ref (after a successful :func:`_check_base64`)."""
    if value.startswith("base64:"):
        return binascii.a2b_base64(value[7:])
    return value.encode("utf-8")
