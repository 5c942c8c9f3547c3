"""h5py-compatible access to LINDI documents (File, Group, Dataset, attributes, references, links).

These classes read; in a writing mode a file hands out the writable subclasses of the editor that
plugs in here (:mod:`lindi.h5file.editor_protocol`, :mod:`lindi.editing`).
"""
from .attributes import LindiH5pyAttributes
from .dataset import LindiH5pyDataset
from .file import LindiH5pyFile
from .group import LindiH5pyGroup
from .links import LindiH5pyHardLink, LindiH5pySoftLink
from .readonly import ReadOnlyError
from .reference import LindiH5pyReference, LindiH5pyRegionReference

__all__ = ["LindiH5pyAttributes", "LindiH5pyDataset", "LindiH5pyFile", "LindiH5pyGroup", "LindiH5pyHardLink",
           "LindiH5pyReference", "LindiH5pyRegionReference", "LindiH5pySoftLink", "ReadOnlyError"]
