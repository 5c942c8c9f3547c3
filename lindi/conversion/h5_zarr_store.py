"""``LindiH5ZarrStore``: an HDF5 file seen as a LINDI reference file system.

The LINDI 0.4 entry point: ``LindiH5ZarrStore.from_file(path).to_reference_file_system()``.
The file is converted once, on first use; chunk tables are read from HDF5's own
index structures (:mod:`lindi.conversion.chunk_index`) and chunks stay in the
HDF5 file, referenced.
"""
from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterator
from typing import Any

from .._atomic import atomic_file
from ..errors import ConversionError, LindiError
from ..strict_json import dumps
from .converter import HDF5Converter
from .document import RefDocument
from .options import LindiH5ZarrStoreOpts
from .report import ConversionReport
from .source import HDF5Input, HDF5Source


class LindiH5ZarrStore:
    """Conversion of one HDF5 file; use :meth:`from_file`, then read or write the document."""

    def __init__(self, source: HDF5Input, *, opts: LindiH5ZarrStoreOpts, url: str,
                 progress: Callable[[int], None] | None = None,
                 read_progress: Callable[[int, int], None] | None = None):
        self._source: HDF5Input | None = source
        self._opts = opts
        self._url = url
        self._progress = progress
        self._read_progress = read_progress
        self._document: RefDocument | None = None
        self._report: ConversionReport | None = None

    @classmethod
    def from_file(cls, hdf5_file_name_or_url: str | os.PathLike[str], *,
                  opts: LindiH5ZarrStoreOpts = LindiH5ZarrStoreOpts(), url: str | None = None,
                  progress: Callable[[int], None] | None = None,
                  read_progress: Callable[[int, int], None] | None = None) -> LindiH5ZarrStore:
        """Open an HDF5 file: a local path, a ``file://`` URL, or a remote URL (read via lindi.backends).

        ``url`` is what chunk refs point at (default: the file's absolute path or its URL;
        give the public URL when the document will be published next to a hosted copy).
        ``progress(n)`` is called after each object with its number of referenced chunks,
        ``read_progress(requests, nbytes)`` after each batch of chunk-index reads (remote: range requests).
        """
        source = HDF5Source(hdf5_file_name_or_url)
        return cls(source, opts=opts, url=url or source.path, progress=progress, read_progress=read_progress)

    def _convert(self) -> RefDocument:
        if self._document is None:
            if self._source is None:
                raise ConversionError("the store is closed")
            try:
                converter = HDF5Converter(self._source.h5, url=self._url, read_range=self._source.read_range,
                                          opts=self._opts, progress=self._progress,
                                          chunk_index=self._source.chunk_index(self._read_progress))
                self._document, self._report = converter.run()
            except LindiError:
                raise
            except Exception as exc:  # h5py on a corrupt file raises OSError, ValueError, RuntimeError, ...
                raise ConversionError(f"cannot convert: {type(exc).__name__}: {exc}", file=self._url) from exc
        return self._document

    @property
    def report(self) -> ConversionReport:
        """Counts and unsupported objects of the conversion (runs it if needed)."""
        self._convert()
        assert self._report is not None
        return self._report

    def to_reference_file_system(self) -> dict[str, Any]:
        """The whole LINDI 1.0 document as a dict."""
        return self._convert().to_dict()

    def write_reference_file_system(self, output_file_name: str | os.PathLike[str]) -> None:
        """Write the document as compact JSON, atomically (temp file + rename: never a partial file)."""
        document = self._convert()
        document.relocate_external_links(os.path.dirname(os.path.abspath(os.fspath(output_file_name))))
        with atomic_file(output_file_name, encoding="ascii") as fp:
            document.write(fp)

    # -- the read-only Zarr v2 store view of LINDI 0.4 ------------------------------------
    @property
    def _view(self) -> dict[str, Any]:
        """Keys as a Zarr v2 store lists them: the document's refs, plus an empty ``.zattrs`` for
        every node (LINDI 0.4's store had one everywhere)."""
        view = self.__dict__.get("_view_cache")
        if view is None:
            doc = self.to_reference_file_system()
            view = dict(doc["refs"])
            for key in list(view):
                node, _, leaf = key.rpartition("/")
                if leaf in (".zgroup", ".zarray"):
                    view.setdefault(f"{node}/.zattrs" if node else ".zattrs", {})
            self.__dict__["_view_cache"] = view
            self.__dict__["_templates"] = doc.get("templates", {})
        return view

    def __contains__(self, key: object) -> bool:
        return key in self._view

    def __iter__(self) -> Iterator[str]:
        return iter(self._view)

    def __len__(self) -> int:
        return len(self._view)

    def __getitem__(self, key: str) -> bytes:
        """The bytes a Zarr reader gets for ``key`` (metadata as JSON text, chunks as stored)."""
        value = self._view[key]
        if isinstance(value, dict):
            return dumps(value).encode()
        if isinstance(value, str):
            return base64.b64decode(value[7:]) if value.startswith("base64:") else value.encode()
        url, offset, length = value
        if self._source is None:
            raise ConversionError("the store is closed")
        for name, prefix in self.__dict__["_templates"].items():
            url = url.replace("{{" + name + "}}", prefix)
        if url != self._source.path and url != self._url:
            raise KeyError(f"{key}: refers to {url}, not to this store's file")
        return self._source.read_range(offset, length)

    def listdir(self, path: str = "") -> list[str]:
        """The member names of the group at ``path`` (Zarr's ``listdir``)."""
        prefix = path.strip("/") + "/" if path.strip("/") else ""
        return sorted({k[len(prefix):].split("/", 1)[0] for k in self._view
                       if k.startswith(prefix) and "/" in k[len(prefix):]})

    def close(self) -> None:
        """Close the HDF5 file (a converted document stays available)."""
        if self._source is not None:
            self._source.close()
            self._source = None

    def __enter__(self) -> LindiH5ZarrStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
