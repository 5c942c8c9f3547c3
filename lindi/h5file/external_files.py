"""The HDF5 files behind a document's external links and external arrays, opened with h5py once each.

A name in such a link resolves against the document (a relative path beside it, or a URL); a remote
file is read through the backends under the document's URL policy. The files stay open until the
LINDI file closes.
"""
from __future__ import annotations

from typing import Any

import h5py

from ..backends.urls import local_path
from ..errors import LindiError, UrlPolicyError
from ..security.url_policy import applying
from ..store import LindiReferenceStore
from ..store.index import join
from ..store.policy import is_remote
from .remote_hdf5 import open_remote_file


class ExternalFiles:
    """The HDF5 files one open LINDI file has reached through external links or external arrays."""

    def __init__(self, store: LindiReferenceStore):
        self._store = store
        self._files: dict[str, h5py.File] = {}

    def open(self, url: str, where: str) -> h5py.File:
        """The HDF5 file ``url`` (named at the document key ``where``), local or remote."""
        target = self._store.document.expand_url(url, where)
        f = self._files.get(target)
        if f is None:
            if is_remote(target):
                with applying(self._store.document.policy):  # the size probe may meet a redirect too
                    remote = open_remote_file(target, self._store.range_reader)
                f = h5py.File(remote, "r")
            else:
                f = h5py.File(local_path(target), "r")
            self._files[target] = f
        return f

    def linked_object(self, link: dict[str, Any], store_path: str) -> Any:
        """The h5py object an external link placeholder at ``store_path`` names (KeyError as h5py, if it cannot)."""
        try:
            return self.open(link["file"], join(store_path, ".lindi"))[link["target"]]
        except UrlPolicyError:
            raise
        except OSError as exc:
            raise KeyError(f"Unable to open object (can't open external file {link['file']!r}: {exc})") from None

    def dataset(self, link: dict[str, Any], name: str, store_path: str) -> h5py.Dataset:
        """The h5py dataset holding the data of the external array ``name`` (``_EXTERNAL_ARRAY_LINK`` ``link``)."""
        try:
            obj = self.open(link["url"], join(store_path, ".zattrs"))[link["name"]]
        except UrlPolicyError:
            raise
        except (OSError, KeyError) as exc:
            raise LindiError(f"cannot read external array of {name} from {link.get('url')} "
                             f"{link.get('name')}: {exc}") from None
        if not isinstance(obj, h5py.Dataset):
            raise LindiError(f"external array of {name}: {link.get('name')} is not a dataset")
        return obj

    def close(self) -> None:
        for f in self._files.values():
            f.close()
        self._files.clear()
