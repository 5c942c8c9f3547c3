"""Editing LINDI documents through LindiH5pyFile (modes r+, w, a): the write side of the h5py API.

:class:`DocumentEditor` turns each h5py operation into a checked set of ref
changes; :mod:`.objects` holds the writable Dataset/AttributeManager the file
hands out when it is open for writing.
"""
from __future__ import annotations

from .editor import DocumentEditor
from .errors import EditError

__all__ = ["DocumentEditor", "EditError"]
