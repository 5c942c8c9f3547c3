"""h5py-compatible, read-only access to LINDI documents (File, Group, Dataset, attributes, references)."""
from .attributes import LindiH5pyAttributes
from .dataset import LindiH5pyDataset
from .file import LindiH5pyFile
from .group import LindiH5pyGroup
from .links import LindiH5pyHardLink, LindiH5pySoftLink
from .readonly import ReadOnlyError
from .reference import LindiH5pyReference, LindiH5pyRegionReference

__all__ = ["LindiH5pyAttributes", "LindiH5pyDataset", "LindiH5pyFile", "LindiH5pyGroup", "LindiH5pyHardLink",
           "LindiH5pyReference", "LindiH5pyRegionReference", "LindiH5pySoftLink", "ReadOnlyError"]
