"""LINDI 0.4's ``lindi.LindiH5pyFile`` package, kept for compatibility: the classes live in :mod:`lindi.h5file`."""
from __future__ import annotations

from .._lazy import keep_class_names, lazy_getattr

_HOMES = {**dict.fromkeys(["LindiH5pyDataset", "LindiH5pyGroup", "LindiH5pyHardLink", "LindiH5pyReference",
                           "LindiH5pySoftLink"], "lindi.h5file"),
          "LindiH5pyFile": "lindi.editing"}  # the reader's class, with the editor plugged in
__all__ = list(_HOMES)
__getattr__ = lazy_getattr(globals(), _HOMES)

keep_class_names(globals(), ["LindiH5pyAttributes", "LindiH5pyDataset", "LindiH5pyFile", "LindiH5pyGroup",
                             "LindiH5pyLink", "LindiH5pyReference"])
