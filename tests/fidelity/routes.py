"""The three ways a converted file is opened in the suite, and the session cache of conversions.

``hdf5``: ``LindiH5pyFile.from_hdf5_file(path)`` (the Zarr view of the HDF5 file itself);
``lindi_file``: ``to_reference_file_system()`` written with ``write_lindi_file`` and reopened with
``from_lindi_file``; ``rfs_dict``: ``from_reference_file_system`` on the in-memory document.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lindi
from lindi import strict_json

ROUTES = ["hdf5", "lindi_file", "rfs_dict"]


@dataclass(frozen=True)
class Converted:
    """One HDF5 file converted once: its document and the written ``.lindi.json``."""

    source: Path
    rfs: dict[str, Any]
    lindi_path: Path

    def written_document(self) -> dict[str, Any]:
        return strict_json.loads(self.lindi_path.read_text(encoding="utf-8"), source=str(self.lindi_path))


def convert(source: Path, out_dir: Path) -> Converted:
    """Convert ``source`` with the public API and write the document next to nothing else."""
    out = out_dir / (source.stem + ".lindi.json")
    f = lindi.LindiH5pyFile.from_hdf5_file(str(source))
    try:
        rfs = f.to_reference_file_system()
        f.write_lindi_file(str(out))
    finally:
        f.close()
    return Converted(source, rfs, out)


def open_route(route: str, converted: Converted) -> Any:
    """The LINDI file object for ``route`` (caller closes it)."""
    if route == "hdf5":
        return lindi.LindiH5pyFile.from_hdf5_file(str(converted.source))
    if route == "lindi_file":
        return lindi.LindiH5pyFile.from_lindi_file(str(converted.lindi_path))
    if route == "rfs_dict":
        return lindi.LindiH5pyFile.from_reference_file_system(converted.rfs)
    raise ValueError(f"unknown route {route!r}")


def describe_invalid(report: Any) -> str:
    """The validator's errors, one per line, for an assertion message."""
    return "\n".join(f"{e.code} {e.pointer}: {e.message}" for e in report.errors[:50])
