"""LINDI 0.4's link classes: what ``get(name, getlink=True)`` returns (they are h5py's link classes)."""
from __future__ import annotations

import h5py


class LindiH5pySoftLink(h5py.SoftLink):
    """A soft link of a LINDI file (an ``h5py.SoftLink``)."""


class LindiH5pyHardLink(h5py.HardLink):
    """A hard link of a LINDI file (an ``h5py.HardLink``)."""
