"""LINDI: HDF5 (NWB above all) as Zarr written down as JSON.

Public names are imported lazily so that ``import lindi`` and the ``lindi``
command stay fast and optional extras are only needed when used.
"""
from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

from . import errors as _errors
from ._version import __version__

_LAZY = {
    "validate": ("lindi.validation", "validate"),
    "ValidationReport": ("lindi.validation", "ValidationReport"),
    "LindiH5pyFile": ("lindi.LindiH5pyFile", "LindiH5pyFile"),
    "LindiH5ZarrStore": ("lindi.LindiH5ZarrStore", "LindiH5ZarrStore"),
    "LindiH5ZarrStoreOpts": ("lindi.LindiH5ZarrStore", "LindiH5ZarrStoreOpts"),
    "LindiH5pyGroup": ("lindi.LindiH5pyFile", "LindiH5pyGroup"),
    "LindiH5pyDataset": ("lindi.LindiH5pyFile", "LindiH5pyDataset"),
    "LindiH5pyReference": ("lindi.LindiH5pyFile", "LindiH5pyReference"),
    "LindiH5pySoftLink": ("lindi.LindiH5pyFile", "LindiH5pySoftLink"),
    "LindiH5pyHardLink": ("lindi.LindiH5pyFile", "LindiH5pyHardLink"),
    "add_additional_url_resolver": ("lindi.store.url_resolvers", "add_additional_url_resolver"),
    "LocalCache": ("lindi.cache", "LocalCache"),
    "StagingArea": ("lindi.staging", "StagingArea"),
    "publish": ("lindi.staging", "publish"),
    "PublishResult": ("lindi.staging", "PublishResult"),
}

#: Every public exception, importable as ``lindi.<Name>`` (they live in :mod:`lindi.errors`, which imports nothing).
_ERRORS = {name: value for name, value in vars(_errors).items()
           if isinstance(value, type) and issubclass(value, Exception) and value.__module__ == _errors.__name__}
globals().update(_ERRORS)

__all__ = ["__version__", *_LAZY, *_ERRORS]

if TYPE_CHECKING:  # pragma: no cover
    # ``import X as X``: explicit re-exports for type checkers; at run time __getattr__ imports lazily.
    # no-redef: the class shares its name with a submodule (lindi.LindiH5pyFile, lindi.staging.publish, ...)
    from .cache import (
        ChunkTooLargeError as ChunkTooLargeError,
        LocalCache as LocalCache,
    )
    from .errors import (
        LindiError as LindiError,
    )
    from .LindiH5pyFile import (  # type: ignore[no-redef]
        LindiH5pyDataset as LindiH5pyDataset,
        LindiH5pyFile as LindiH5pyFile,
        LindiH5pyGroup as LindiH5pyGroup,
        LindiH5pyHardLink as LindiH5pyHardLink,
        LindiH5pyReference as LindiH5pyReference,
        LindiH5pySoftLink as LindiH5pySoftLink,
    )
    from .LindiH5ZarrStore import (  # type: ignore[no-redef]
        LindiH5ZarrStore as LindiH5ZarrStore,
        LindiH5ZarrStoreOpts as LindiH5ZarrStoreOpts,
    )
    from .staging import (  # type: ignore[no-redef]
        PublishResult as PublishResult,
        StagingArea as StagingArea,
        publish as publish,
    )
    from .store.url_resolvers import (
        add_additional_url_resolver as add_additional_url_resolver,
    )
    from .validation import (
        ValidationReport as ValidationReport,
        validate as validate,
    )


# Subpackages named like the class they export; other subpackages (lindi.validation) stay modules.
_CLASS_SUBPACKAGES = frozenset({"LindiH5pyFile", "LindiH5ZarrStore", "LocalCache"})


class _LindiModule(types.ModuleType):
    """Keeps ``lindi.LindiH5pyFile`` / ``lindi.LindiH5ZarrStore`` the classes (as in LINDI 0.4).

    Importing a subpackage binds its module as an attribute of ``lindi``; for the
    subpackages named like the class they export, bind the class instead.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name in _CLASS_SUBPACKAGES and isinstance(value, types.ModuleType) and value.__name__ == f"lindi.{name}" \
                and hasattr(value, name):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _LindiModule


def __getattr__(name: str):
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'lindi' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module_name), attr)
    globals()[name] = value
    return value
