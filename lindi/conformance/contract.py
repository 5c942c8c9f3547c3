"""This package's side of the conformance CLI contract (conformance/README.md, "The CLI contract").

Each function returns the JSON document the subcommand prints; bad input raises a LindiError subclass.
"""
from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable
from typing import Any

import h5py

from .. import strict_json
from .._atomic import atomic_write
from .._version import __version__
from ..canonical_dump import dump_text
from ..errors import DocumentError, LindiError
from .ops import OpsError, replay

SUITE = "1.1"
#: The environment variable by which the conformance runner allows loopback addresses (README, CLI contract).
ALLOW_LOOPBACK_ENV = "LINDI_CONFORMANCE_ALLOW_LOOPBACK"
# The feature vocabulary of conformance/README.md that this package reads.
FEATURES = [
    "spec-1.0", "spec-1.1", "spec_1_1", "legacy", "http",
    "numeric", "bool_complex", "enum", "strings", "opaque", "vlen", "compound", "scalars", "empty_null",
    "references", "region_references", "dimension_scales", "links", "layouts", "filters", "attributes",
    "hierarchy", "storage", "separator", "large_values",
]
# subcommand -> the module it needs (claimed only when that part of the package is installed)
_NEEDS = {"validate": "lindi.validation", "dump": "lindi.LindiH5pyFile", "write": "lindi.LindiH5ZarrStore"}


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:
        return False


def capabilities() -> dict[str, Any]:
    """What this implementation claims: the runner skips vectors that need anything else."""
    return {"implementation": {"name": "lindi", "version": __version__, "language": "python"},
            "suite": SUITE, "commands": ["serve", *(c for c, m in _NEEDS.items() if _available(m))],
            "features": FEATURES}


def validate(path_or_url: str) -> dict[str, Any]:
    """The validator's report in the contract's shape: valid flag, errors and warnings with codes."""
    from ..validation import validate as run_validator

    report = run_validator(path_or_url)
    issues = lambda items: [{"code": i.code, "pointer": i.pointer, "message": i.message} for i in items]  # noqa: E731
    return {"valid": report.valid, "profile": report.profile, "errors": issues(report.errors),
            "warnings": issues(report.warnings)}


def loopback_allowed() -> bool:
    """True when the runner allows remote documents to reach loopback addresses (its HTTP double)."""
    return os.environ.get(ALLOW_LOOPBACK_ENV, "") == "1"


def dump(path_or_url: str) -> str:
    """The canonical dump text of a document as this package's reader sees it."""
    from ..h5file import LindiH5pyFile

    f = LindiH5pyFile.from_lindi_file(path_or_url, allow_private_hosts=True if loopback_allowed() else None)
    try:
        return dump_text(f)
    finally:
        f.close()


def write(ops_path: str, out_path: str) -> dict[str, Any]:
    """Replay an op list and write the result as a self-contained LINDI document at ``out_path``.

    The ops are replayed with h5py into an HDF5 file next to the output, which the converter then turns
    into the document; its chunks reference that file by a relative URL, so the two travel together.
    """
    from ..conversion.h5_zarr_store import LindiH5ZarrStore

    try:
        with open(ops_path, "rb") as f:
            ops = strict_json.loads(f.read(), source=ops_path)
    except OSError as exc:
        raise DocumentError(f"cannot read op list: {exc.strerror}", source=ops_path) from None
    out_dir = os.path.dirname(os.path.abspath(out_path))
    h5_name = os.path.basename(out_path) + ".h5"
    h5_path = os.path.join(out_dir, h5_name)
    try:
        with h5py.File(h5_path, "w") as f:
            replay(ops, f)
    except OpsError as exc:
        raise DocumentError(str(exc), source=ops_path) from None
    with LindiH5ZarrStore.from_file(h5_path, url=f"./{h5_name}") as store:
        doc = store.to_reference_file_system()
    atomic_write(out_path, strict_json.dumps(doc).encode())
    return {"written": out_path, "blobs": [h5_path]}


_COMMANDS: dict[str, tuple[Callable[..., Any], int]] = {"capabilities": (capabilities, 0), "validate": (validate, 1), "dump": (dump, 1), "write": (write, 2)}


def answer(args: list[str]) -> tuple[int, str]:
    """Run one contract request; returns the exit status and the exact stdout text.

    Bad input (a LindiError, or a file that cannot be read) is exit 1 with ``{"error": ...}``; a request
    that is not part of the contract is exit 2.
    """
    if not args or args[0] not in _COMMANDS or len(args) != _COMMANDS[args[0]][1] + 1:
        return 2, json.dumps({"error": f"usage: capabilities | validate PATH | dump PATH | write OPS OUT; got {args}"}) + "\n"
    function = _COMMANDS[args[0]][0]
    try:
        result = function(*args[1:])
    except (LindiError, OSError) as exc:
        return 1, json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n"
    return 0, result if isinstance(result, str) else json.dumps(result, sort_keys=True) + "\n"
