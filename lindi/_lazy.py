"""Lazy re-exports: a module names where each of its public names lives and imports it on first use.

``lindi`` and LINDI 0.4's import paths (``lindi.LindiH5pyFile``, ``lindi.LindiH5ZarrStore``, ...) use it so that
``import lindi`` stays light (no h5py, zarr or numpy) and the old paths cost nothing until used.

LINDI 0.4 gave several subpackages the name of the class they export (``lindi.LindiH5pyFile`` is a class and a
package). Importing a submodule binds it as an attribute of its parent, the first time only, and would hide the
class of the same name. :func:`keep_class_names` imports those (light) submodules up front and forgets the binding,
so the lazy class is what the name means whatever a program imports later.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any


def lazy_getattr(namespace: MutableMapping[str, Any], targets: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``name`` from the module ``targets[name]`` and caches it."""
    module_name = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        try:
            target = targets[name]
        except KeyError:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(target), name)
        namespace[name] = value
        return value

    return __getattr__


def keep_class_names(namespace: MutableMapping[str, Any], submodules: Iterable[str]) -> None:
    """Import the package's submodules ``submodules`` now and drop the attributes that importing them bound."""
    for submodule in submodules:
        importlib.import_module(f"{namespace['__name__']}.{submodule}")
        namespace.pop(submodule, None)
