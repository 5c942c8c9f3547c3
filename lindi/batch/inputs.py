"""Which inputs a batch run covers (a manifest or a glob) and where each output goes.

A *manifest* is a text file with one local path or URL per line (blank lines and
``#`` comments ignored, relative paths relative to the manifest). A *glob* is a
pattern with ``*``, ``?`` or ``[``; ``**`` matches folders recursively.
"""
from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from ..backends.urls import is_local, local_path
from .errors import BatchUsageError

_GLOB_CHARS = frozenset("*?[")
#: Suffix of a LINDI document; glob matches with it are never conversion inputs.
LINDI_SUFFIX = ".lindi.json"


def expand_inputs(spec: str, *, exclude_suffix: str | None = None) -> list[str]:
    """The inputs named by ``spec`` (manifest path or glob), local ones as absolute paths, without duplicates.

    ``exclude_suffix`` drops glob matches ending with it (outputs of an earlier run next to the inputs).
    """
    if is_local(spec) and any(c in _GLOB_CHARS for c in spec):
        matches = [m for m in glob.glob(os.path.expanduser(spec), recursive=True) if os.path.isfile(m)]
        if exclude_suffix:
            matches = [m for m in matches if not m.endswith(exclude_suffix)]
        if not matches:
            raise BatchUsageError(f"no file matches the pattern {spec!r}")
        return _unique(os.path.abspath(m) for m in sorted(matches))
    if is_local(spec) and os.path.isfile(local_path(spec)):
        return read_manifest(local_path(spec))
    raise BatchUsageError(f"{spec!r} is neither an existing manifest file nor a glob pattern (use * ? [ ])")


def read_manifest(path: str) -> list[str]:
    """Inputs listed in the manifest at ``path`` (see the module docstring for the format)."""
    try:
        with open(path, "rb") as fp:
            data = fp.read()
    except OSError as exc:
        raise BatchUsageError(f"cannot read manifest {path}: {exc.strerror or exc}") from None
    if b"\0" in data:
        raise BatchUsageError(f"manifest {path} is a binary file; a manifest lists one path or URL per line")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise BatchUsageError(f"manifest {path} line {line}: not UTF-8 text") from None
    base = os.path.dirname(os.path.abspath(path))
    entries = []
    for number, text_line in enumerate(text.splitlines(), 1):
        entry = text_line.strip()
        if not entry or entry.startswith("#"):
            continue
        if not is_local(entry):
            entries.append(entry)
            continue
        try:
            entries.append(os.path.abspath(os.path.join(base, local_path(entry))))
        except ValueError as exc:
            raise BatchUsageError(f"manifest {path} line {number}: {exc}") from None
    if not entries:
        raise BatchUsageError(f"manifest {path} lists no inputs")
    return _unique(entries)


def plan_outputs(inputs: list[str], out_dir: str, suffix: str = LINDI_SUFFIX) -> list[str]:
    """One output path per input under ``out_dir``.

    Local inputs keep their layout below the deepest folder common to all of them;
    a URL goes to ``<host>/<path>``. Two inputs mapping to one output are an error.
    """
    out_dir = os.path.abspath(out_dir)
    local_dirs = [os.path.dirname(p) for p in inputs if is_local(p)]
    root = os.path.commonpath(local_dirs) if local_dirs else ""
    outputs: list[str] = []
    seen: dict[str, str] = {}
    for item in inputs:
        rel = os.path.relpath(item, root) if is_local(item) else _url_relpath(item)
        out = os.path.join(out_dir, rel + suffix)
        if out in seen:
            raise BatchUsageError(f"inputs {seen[out]!r} and {item!r} would both be written to {out}")
        seen[out] = item
        outputs.append(out)
    return outputs


def _url_relpath(url: str) -> str:
    parts = urlsplit(url)
    segments = [unquote(s) for s in parts.path.split("/") if s not in ("", ".", "..")]
    host = parts.netloc.rsplit("@", 1)[-1].replace(":", "_") or parts.scheme
    safe = [s.replace(os.sep, "_") for s in [host, *segments]]
    return os.path.join(*safe)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
