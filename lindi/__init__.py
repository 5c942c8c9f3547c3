"""LINDI: HDF5 (NWB above all) as Zarr written down as JSON.

Public names are imported lazily so that ``import lindi`` and the ``lindi``
command stay fast and optional extras are only needed when used.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import errors as _errors
from ._lazy import keep_class_names as _keep_class_names, lazy_getattr as _lazy_getattr
from ._version import __version__

_LAZY = {
    "validate": "lindi.validation",
    "ValidationReport": "lindi.validation",
    "LindiH5pyFile": "lindi.editing",  # the reader's class, handed out with the editor plugged in
    "LindiH5ZarrStore": "lindi.conversion.h5_zarr_store",
    "LindiH5ZarrStoreOpts": "lindi.conversion.options",
    "LindiH5pyGroup": "lindi.h5file",
    "LindiH5pyDataset": "lindi.h5file",
    "LindiH5pyReference": "lindi.h5file",
    "LindiH5pySoftLink": "lindi.h5file",
    "LindiH5pyHardLink": "lindi.h5file",
    "add_additional_url_resolver": "lindi.store.url_resolvers",
    "LocalCache": "lindi.cache",
    "StagingArea": "lindi.staging",
    "publish": "lindi.staging",
    "PublishResult": "lindi.staging",
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
    from .conversion.h5_zarr_store import (
        LindiH5ZarrStore as LindiH5ZarrStore,
    )
    from .conversion.options import (
        LindiH5ZarrStoreOpts as LindiH5ZarrStoreOpts,
    )
    from .editing import (
        LindiH5pyFile as LindiH5pyFile,
    )
    from .errors import (
        LindiError as LindiError,
    )
    from .h5file import (
        LindiH5pyDataset as LindiH5pyDataset,
        LindiH5pyGroup as LindiH5pyGroup,
        LindiH5pyHardLink as LindiH5pyHardLink,
        LindiH5pyReference as LindiH5pyReference,
        LindiH5pySoftLink as LindiH5pySoftLink,
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


__getattr__ = _lazy_getattr(globals(), _LAZY)

# LINDI 0.4's subpackages named like the class they export: the name is the class, whatever is imported first.
_keep_class_names(globals(), ["LindiH5pyFile", "LindiH5ZarrStore", "LocalCache"])
