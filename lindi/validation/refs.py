"""One tight pass over ``refs``: metadata keys are collected, chunk refs are checked in place.

Speed matters here (a million chunk refs must cost less than parsing them), so
per-array facts (chunk key regex, chunk grid, separator) are computed once per
array and cached, URL checks are cached per distinct URL, runs of consecutive
chunk refs of one array are checked as columns (:mod:`.chunk_runs`) and only
checked ref by ref when a column check fails, and nothing proportional to the
number of chunks is kept beyond one block of keys.
"""
from __future__ import annotations

import binascii
import bisect
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from lindi.format.object_codecs import JSON_CODEC_ID
from lindi.format.zarr_dtypes import OBJECT_DTYPE
from lindi.strict_json import MAX_SAFE_INTEGER, ref_pointer

from .chunk_runs import plain_range_refs, run_pattern
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
#: Refs taken from the mapping at a time: bounds the joined text of keys the run regexes scan.
_BLOCK = 1 << 16
#: Shorter runs of one array's chunk refs are checked ref by ref (the column checks have a fixed cost).
_MIN_RUN = 4
#: Arrays with fewer chunks in their grid are checked ref by ref: compiling their run regex costs more.
_RUN_MIN_GRID = 128


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
    #: matches a run of this array's valid chunk keys, one per line; None when its refs are checked one by one
    run: re.Pattern[str] | None


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
        self._array_paths: list[str] | None = None  # sorted, built when a "/"-separated array needs it

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
            json_codec = z["dtype"] == OBJECT_DTYPE and any(f["id"] == JSON_CODEC_ID for f in z["filters"] or [])
            run = None
            if not (external or json_codec) and math.prod(grid) >= _RUN_MIN_GRID and \
                    self._run_resolves_here(parent, slash, ndim):
                run = run_pattern(f"{parent}/" if parent else "", grid, "/" if slash else ".")
            return ArrayInfo(parent, pattern, grid, slash, len(parent) + 1 if parent else 0, external, json_codec,
                             list(z["chunks"]), z["compressor"], run)
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

    def _run_resolves_here(self, path: str, slash: bool, ndim: int) -> bool:
        """True when every key a run regex of the array at ``path`` accepts belongs to that array in
        :meth:`_array_info`'s resolution too: always for "."-separated and 1-d arrays; for a deeper
        "/"-separated one only when no other array lies below it (and it is not the root, whose chunk
        keys ``i/j`` resolve to the node ``i``)."""
        if not slash or ndim < 2:
            return True
        if not path:
            return False
        if self._array_paths is None:  # one pass over the keys, for the first such array only
            self._array_paths = sorted(k[:-len("/.zarray")] for k in self.refs if k.endswith("/.zarray"))
        below = bisect.bisect_right(self._array_paths, path + "/")
        return below == len(self._array_paths) or not self._array_paths[below].startswith(path + "/")

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

    def _url_ok(self, key: str, url: Any, out: Collector) -> bool:
        """Report the URL's problems for ``key`` to ``out``; True when the URL may be cached (later refs
        with it are not checked again)."""
        if type(url) is not str or not url:
            out.error("LINDI-E-REF-URL", ref_pointer(key, 0), f"{key!r}: the URL must be a non-empty string, not {url!r}")
            return False
        resolved = url
        if "{{" in url or "}}" in url:
            parts = template_names(url)
            if parts is None:
                out.error("LINDI-E-TEMPLATE", ref_pointer(key, 0), f"{key!r}: malformed template syntax in URL {url!r}")
                return False
            for n in parts[1::2]:
                if n not in self.templates:
                    out.error("LINDI-E-TEMPLATE-UNDEFINED", ref_pointer(key, 0), f"{key!r}: template {{{{{n}}}}} is not defined")
                    return False
                self.used_templates.add(n)
            if self.credential_templates.intersection(parts[1::2]) or \
                    not all(isinstance(self.templates[n], str) for n in parts[1::2]):
                return False  # reported at the template
            if any(type(self.templates[n]) is not str for n in parts[1::2]):
                return False  # a template value that is not a string is reported at the template (schema)
            resolved = "".join(self.templates[p] if i % 2 else p for i, p in enumerate(parts))
        if has_credentials(resolved):
            out.error("LINDI-E-URL-CREDENTIALS", ref_pointer(key, 0),
                      f"{key!r}: URL carries credentials (user information or a signature); readers add them at read time")
        m = URL_SCHEME.match(resolved)
        if m and len(m.group(1)) > 1 and m.group(1).lower() not in STANDARD_SCHEMES:
            out.warning("LINDI-W-URL-SCHEME", ref_pointer(key, 0),
                        f"{key!r}: URL scheme {m.group(1)!r} needs a plugin backend")
        return True

    def _remember_url(self, url: str) -> None:
        if len(self._urls) < _URL_CACHE_LIMIT:
            self._urls[url] = True

    def run(self) -> None:
        """Check every ref (metadata parsed and schema-checked, chunks checked in blocks of runs)."""
        keys_left, values_left = iter(self.refs), iter(self.refs.values())
        while keys := list(islice(keys_left, _BLOCK)):
            self._block(keys, list(islice(values_left, len(keys))))

    def _block(self, keys: list[str], values: list[Any]) -> None:
        """Check consecutive refs: a run of one array's chunk keys at a time, any other key by itself.

        The keys are joined one per line so that an array's run regex finds, in one call, how many
        keys from here on are valid chunk keys of that array.
        """
        try:
            text = "\n".join(keys) + "\n"
        except TypeError:  # a key that is not a string: the per-ref check says so
            text = ""
        if text.count("\n") != len(keys):  # or a key with a newline in it: no lines to match
            for key, value in zip(keys, values):
                self._ref(key, value)
            return
        parents = self._parents
        i = pos = 0
        while i < len(keys):
            key = keys[i]
            parent, _, name = key.rpartition("/")
            if name[:1] != "." and name:
                info = parents.get(parent)
                if info is None:
                    info = parents[parent] = self._array_info(parent)
                if type(info) is ArrayInfo and info.run is not None:
                    run = info.run.match(text, pos)  # matches at least the empty run
                    end = run.end() if run else pos
                    count = text.count("\n", pos, end)
                    if count >= _MIN_RUN:
                        self._run(keys[i:i + count], values[i:i + count])
                        i += count
                        pos = end
                        continue
            self._ref(key, values[i])
            pos += len(key) + 1
            i += 1

    def _run(self, keys: list[str], values: list[Any]) -> None:
        """Valid chunk keys of one array: their values checked as columns, or one by one if that fails."""
        urls = plain_range_refs(values)
        if urls is None or not self._urls_clean(keys[0], urls):
            for key, value in zip(keys, values):
                self._ref(key, value)

    def _urls_clean(self, key: str, urls: list[Any]) -> bool:
        """True when every URL is one the per-ref check passes without a word; such URLs are cached."""
        try:
            distinct = set(urls).difference(self._urls)
        except TypeError:  # an unhashable URL
            return False
        for url in distinct:
            probe = Collector(self.out.max_errors)
            if not self._url_ok(key, url, probe) or probe.errors or probe.warnings:
                return False
            self._remember_url(url)
        return True

    def _ref(self, key: str, value: Any) -> None:
        """Check one ref: the key (metadata name or chunk key of an array) and the value."""
        out = self.out
        parent, _, name = key.rpartition("/")
        if name[:1] == "." or not name:
            if name:
                self.metadata(key, parent, name, value)
            else:
                out.error("LINDI-E-KEY", ref_pointer(key), f"{key!r}: a key must not be empty or end with '/'")
            return
        info = self._parents.get(parent)
        if info is None:
            info = self._parents[parent] = self._array_info(parent)
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
                return
            url, offset, length = value
            if not (type(offset) is int and type(length) is int and 0 <= offset <= MAX_SAFE_INTEGER
                    and 0 <= length <= MAX_SAFE_INTEGER) and not _in_range(offset, length):
                out.error("LINDI-E-REF-RANGE", ref_pointer(key),
                          f"{key!r}: offset and length must be integers from 0 to 2**53 - 1, got {offset!r}, {length!r}")
            if (type(url) is not str or url not in self._urls) and self._url_ok(key, url, out):
                self._remember_url(url)
        elif t is str:
            if value.startswith("base64:") and not _check_base64(key, value, out):
                return
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
