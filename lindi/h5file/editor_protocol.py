"""What a LindiH5pyFile open for writing asks of its editor, and the one slot the editor plugs into.

The reader never depends on the editor: :mod:`lindi.editing` sits a layer above and uses the reader.
When loaded, ``lindi.editing`` calls :func:`plug_in_editor`, and a file opened in a mode other than ``r``
asks this slot for its editor. ``lindi.LindiH5pyFile`` and LINDI 0.4's ``lindi.LindiH5pyFile.LindiH5pyFile``
are taken from ``lindi.editing`` (it re-exports this package's class after plugging itself in), so they
can always write; code that takes the class from ``lindi.h5file`` and writes loads ``lindi.editing`` once
itself, or gets a clear error saying so.

Why a slot and not a lazy import here: an import inside a function is still a dependency of the reader
on the editor (the cycle this replaces); the slot keeps the arrow pointing one way.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ..errors import LindiError

if TYPE_CHECKING:
    from .attributes import LindiH5pyAttributes
    from .dataset import LindiH5pyDataset
    from .file import LindiH5pyFile
    from .group import LindiH5pyGroup


class FileEditor(Protocol):
    """The editor of one open file: the writable classes the file hands out, and what closing releases.

    The writable classes subclass the reader's and turn h5py's write calls into edits; the file uses
    them for every group, dataset and ``.attrs`` it creates (the root's writes go to a ``group_class``
    view of the root).
    """

    @property
    def group_class(self) -> type[LindiH5pyGroup]: ...

    @property
    def dataset_class(self) -> type[LindiH5pyDataset]: ...

    @property
    def attributes_class(self) -> type[LindiH5pyAttributes]: ...

    def close(self) -> None:
        """Release what the editor holds (scratch files); the document stays as edited."""


class EditorFactory(Protocol):
    """Makes the editor of a file opened for writing (``lindi.editing.DocumentEditor``)."""

    def __call__(self, file: LindiH5pyFile, /) -> FileEditor: ...


_factory: EditorFactory | None = None


def plug_in_editor(factory: EditorFactory) -> None:
    """Make ``factory`` the editor of every file opened for writing from now on (``lindi.editing`` does this)."""
    global _factory
    _factory = factory


def editor_factory() -> EditorFactory:
    """The plugged-in editor factory; a clear error when nothing plugged one in."""
    if _factory is None:
        raise LindiError("opening a LINDI file for writing needs its editor, which plugs in when the package "
                         "lindi.editing is loaded: use lindi.LindiH5pyFile (it loads it) or load lindi.editing once")
    return _factory
