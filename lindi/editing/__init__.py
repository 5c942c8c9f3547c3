"""Editing LINDI documents through LindiH5pyFile (modes r+, w, a): the write side of the h5py API.

:class:`DocumentEditor` turns each h5py operation into a checked set of ref
changes; :mod:`.objects` holds the writable Group/Dataset/AttributeManager the
file hands out when it is open for writing.

The reader does not import this package: importing it plugs :class:`DocumentEditor`
into the reader's one slot (:mod:`lindi.h5file.editor_protocol`). That is why
``lindi.LindiH5pyFile`` (and LINDI 0.4's ``lindi.LindiH5pyFile.LindiH5pyFile``) is
taken from here: it is the reader's class, handed out with the editor plugged in,
so every file opened through it can write. The arrow goes one way only (the import
graph is checked by ``tests/test_layers.py``).
"""
from __future__ import annotations

from ..h5file import LindiH5pyFile
from ..h5file.editor_protocol import plug_in_editor
from .editor import DocumentEditor
from .errors import EditError

plug_in_editor(DocumentEditor)

__all__ = ["DocumentEditor", "EditError", "LindiH5pyFile"]
