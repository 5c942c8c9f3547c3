"""Loading a LINDI document (a reference file system) from a path, URL or dict.

The document is checked only as far as reading needs (top-level shape,
spec version, templates); full validation is the validator's job.
"""
from __future__ import annotations

import os
import re
import warnings
from abc import abstractmethod
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urljoin

from .. import strict_json
from .._version import LINDI_SPEC_VERSION, __version__
from ..backends.urls import local_path
from ..errors import DocumentError, LimitExceededError
from ..security.limits import ENV_VARS, Limits, check_document, check_parse_memory, read_capped
from ..strict_json import ref_pointer
from .hardlink_copies import ZGROUP, collapse_hard_link_copies, with_hard_link_copies
from .policy import UrlPolicy, applying, is_remote
from .url_resolvers import resolve_url

SUPPORTED_MAJOR, SUPPORTED_MINOR = (int(n) for n in LINDI_SPEC_VERSION.split("."))
#: A template use ``{{name}}`` in a ref URL (spec section 1); group 1 is the name.
TEMPLATE_USE = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")


class PackedRefs(MutableMapping[str, Any]):
    """Refs that their producer keeps in a compact form of its own (a converted HDF5 file: chunk tables).

    Read through the Mapping interface like a dict of refs (hard-link copies collapsed to placeholders,
    as :func:`from_dict` leaves them), without a Python object per chunk made up front. Until the first
    edit (``pristine``) they also give the document as written straight from the compact form; an edit
    turns them into a plain dict inside, and the document is then written like any other.
    """

    @property
    @abstractmethod
    def pristine(self) -> bool:
        """True until the first edit."""

    @abstractmethod
    def structure(self) -> Mapping[str, Any]:
        """The refs that are not packed chunk refs: every metadata key (what the node index reads)."""

    @abstractmethod
    def written_metadata(self) -> Mapping[str, Any]:
        """The non-chunk refs as written (hard-link copies expanded); pristine only."""

    @abstractmethod
    def written_refs(self, *, detached: bool) -> dict[str, Any]:
        """The ``refs`` member as written, a new dict (``detached``: sharing no mutable value); pristine only."""

    @abstractmethod
    def write_json(self, fp: IO[str], head: Mapping[str, Any], overrides: Mapping[str, Any]) -> None:
        """Stream the document ``head`` + ``refs`` as compact strict JSON, ``overrides`` replacing the values
        of some non-chunk refs; pristine only."""


@dataclass
class RefDocument:
    """A parsed document: refs, templates and where it came from.

    ``base`` is the location relative ref URLs resolve against (the directory
    of a local document, or the URL of a remote one); None for a dict without
    a source. ``legacy`` is True for LINDI 0.3/0.4 documents (no lindi_spec).
    ``refs`` is a dict, or :class:`PackedRefs` for a converted file.
    """

    refs: MutableMapping[str, Any]
    templates: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    base: str | None = None
    lindi_spec: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    policy: UrlPolicy = field(default_factory=UrlPolicy)
    limits: Limits | None = None

    @property
    def legacy(self) -> bool:
        return self.lindi_spec is None

    @property
    def flat_json_chunks(self) -> bool:
        """Spec 1.0 wrote N-D JSON-codec chunks as one flat list; LINDI 0.4 and spec 1.1 nest them (numcodecs)."""
        return self.lindi_spec == "1.0"

    @property
    def packed(self) -> PackedRefs | None:
        """The refs while they are packed and unedited (they write themselves), else None."""
        refs = self.refs
        return refs if isinstance(refs, PackedRefs) and refs.pristine else None

    def node_keys(self) -> Iterable[str]:
        """The keys that can name nodes (``.zgroup``/``.zarray``): all of them, less packed chunk refs."""
        return self.refs.structure() if isinstance(self.refs, PackedRefs) else self.refs

    def head(self) -> dict[str, Any]:
        """The members written before ``refs``."""
        out: dict[str, Any] = {"version": 1}
        if self.lindi_spec is not None:
            out["lindi_spec"] = self.lindi_spec
        out.update(self.extra)
        if self.templates:
            out["templates"] = dict(self.templates)
        return out

    def to_dict(self, *, detached: bool = False) -> dict[str, Any]:
        """The document as a JSON-ready dict (the same members it was loaded with).

        ``detached``: sharing no mutable value with the document, so later edits of either do not leak.
        """
        packed = self.packed
        if packed is not None:
            out = strict_json.copy_document(self.head()) if detached else self.head()
            out["refs"] = packed.written_refs(detached=detached)
            return out
        out = self.head()
        out["refs"] = with_hard_link_copies(self.refs if isinstance(self.refs, dict) else dict(self.refs))
        return strict_json.copy_document(out) if detached else out

    def expand_url(self, url: str, key: str) -> str:
        """Substitute templates and make a relative URL absolute against ``base``."""
        if "{{" in url:
            def sub(m: re.Match[str]) -> str:
                try:
                    return self.templates[m.group(1)]
                except KeyError:
                    raise DocumentError(f"undefined template {m.group(1)!r}", pointer=ref_pointer(key),
                                        source=self.source) from None
            url = TEMPLATE_USE.sub(sub, url)
        if not ("://" in url or os.path.isabs(url)):
            self.policy.check_relative(url, where=f"{self.source or 'document'} {ref_pointer(key)}")
            url = self._join_base(url, key)
        if is_remote(url):
            url = resolve_url(url)
        self.policy.check(url, where=f"{self.source or 'document'} {ref_pointer(key)}")
        return url

    def _join_base(self, url: str, key: str) -> str:
        if self.base is None:
            raise DocumentError(f"relative URL {url!r} but the document has no location", pointer=ref_pointer(key),
                                source=self.source)
        if is_remote(self.base):
            return join_url(self.base, url)
        return os.path.normpath(os.path.join(local_path(self.base), url))


def join_url(base: str, url: str) -> str:
    """RFC 3986 resolution of ``url`` against ``base`` for any scheme (``s3://``, ``gs://`` too).

    ``urljoin`` only resolves schemes it knows, so the base is resolved as
    http and the original scheme put back.
    """
    scheme, rest = base.split("://", 1)
    joined = urljoin("http://" + rest, url)
    return f"{scheme}://{joined[len('http://'):]}" if joined.startswith("http://") else joined


def empty_document() -> dict[str, Any]:
    """A new document: just the root group (what a file created in mode ``w`` starts from)."""
    return {"version": 1, "lindi_spec": LINDI_SPEC_VERSION, "generator": {"name": "lindi", "version": __version__},
            "refs": {".zgroup": dict(ZGROUP)}}


def from_dict(doc: Any, *, source: str | None = None, base: str | None = None) -> RefDocument:
    """Check the top level of a parsed document and wrap it."""
    if not isinstance(doc, dict):
        raise DocumentError("a LINDI document must be a JSON object", pointer="", source=source)
    if doc.get("version") != 1:
        raise DocumentError(f"unsupported reference file system version {doc.get('version')!r} (need 1)",
                            pointer="/version", source=source)
    refs = doc.get("refs")
    if not isinstance(refs, dict):
        raise DocumentError("missing or non-object 'refs'", pointer="/refs", source=source)
    templates = doc.get("templates") or {}
    if not isinstance(templates, dict) or not all(isinstance(v, str) for v in templates.values()):
        raise DocumentError("'templates' must map names to strings", pointer="/templates", source=source)
    spec = doc.get("lindi_spec")
    if spec is not None:
        m = re.fullmatch(r"(\d+)\.(\d+)", spec) if isinstance(spec, str) else None
        if not m:
            raise DocumentError(f"lindi_spec must be 'MAJOR.MINOR', got {spec!r}", pointer="/lindi_spec", source=source)
        major, minor = int(m.group(1)), int(m.group(2))
        if major != SUPPORTED_MAJOR:
            raise DocumentError(f"unsupported lindi_spec major version {spec} (this reader knows {SUPPORTED_MAJOR}.x)",
                                pointer="/lindi_spec", source=source)
        if minor > SUPPORTED_MINOR:
            warnings.warn(f"{source or 'document'}: lindi_spec {spec} is newer than {SUPPORTED_MAJOR}.{SUPPORTED_MINOR};"
                          " reading what this reader knows", stacklevel=3)
    extra = {k: v for k, v in doc.items() if k not in ("version", "lindi_spec", "templates", "refs")}
    if spec is not None:  # LINDI 0.4 wrote no .lindi: its documents hold no marked copies
        refs = collapse_hard_link_copies(refs)
    return RefDocument(refs=refs, templates=dict(templates), source=source, base=base, lindi_spec=spec, extra=extra)


def load_document(source: str | os.PathLike[str] | dict[str, Any], *, policy: UrlPolicy | None = None,
                  limits: Limits | None = None) -> RefDocument:
    """Load a document from a local path, any URL a backend serves, or an already parsed dict.

    A remote document is fetched whole through :mod:`lindi.backends` (its size
    from the registry, then one read); relative refs resolve against its URL.
    ``policy`` defaults to :meth:`UrlPolicy.for_document` of the location.
    """
    if isinstance(source, dict):
        return from_dict(source)
    src = os.fspath(source)
    policy = policy or UrlPolicy.for_document(src)
    limits = limits or Limits.from_env()
    if is_remote(src):
        with applying(policy):  # a redirect of the document URL is checked like its refs
            text = _fetch_whole(src, limits)
        doc = from_dict(_parse(text, src, limits), source=src, base=src)
    else:
        path = os.path.abspath(local_path(src))
        try:
            with open(path, "rb") as f:
                text = read_capped(f, source=src, limits=limits)
        except OSError as exc:
            raise DocumentError(f"cannot read document: {exc.strerror}", source=src) from None
        doc = from_dict(_parse(text, src, limits), source=path, base=os.path.dirname(path))
    doc.policy, doc.limits = policy, limits
    return doc


def _parse(text: bytes, source: str, limits: Limits) -> Any:
    check_parse_memory(text, source=source, limits=limits)
    parsed = strict_json.loads(text, source=source)
    check_document(parsed, source=source, limits=limits)
    return parsed


def _fetch_whole(url: str, limits: Limits) -> bytes:
    """The whole object at ``url`` (raises :class:`lindi.errors.RemoteError` naming it)."""
    from ..backends import get_registry

    try:
        return get_registry().read_object(url, limits.max_document_bytes)
    except LimitExceededError as exc:
        raise LimitExceededError(f"document too large: {exc}; raise the limit with max_document_bytes=... or "
                                 f"{ENV_VARS['max_document_bytes']}", pointer="", source=url) from None
