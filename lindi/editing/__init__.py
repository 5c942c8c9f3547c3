"""Editing LINDI documents through LindiH5pyFile (modes r+, w, a): the write side of the h5py API.

:class:`DocumentEditor` turns each h5py operation into a checked set of ref
changes; :mod:`.objects` holds the writable Group/Dataset/AttributeManager the
file hands out when it is open for writing.

The reader does not import this package: importing it plugs :class:`DocumentEditor`
into the reader's one slot (:mod:`lindi.h5file.editor_protocol`). ``lindi``'s public
names import it before handing out the reader's classes (:mod:`lindi._lazy`).
"""
from __future__ import annotations

from ..h5file.editor_protocol import plug_in_editor
from .editor import DocumentEditor
from .errors import EditError

plug_in_editor(DocumentEditor)

__all__ = ["DocumentEditor", "EditError"]
