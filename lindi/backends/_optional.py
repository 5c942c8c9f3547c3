"""Import of optional cloud SDKs with an error that says which extra to install."""
from __future__ import annotations

import importlib
from types import ModuleType

from ..errors import MissingDependencyError


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or explain ``pip install 'lindi[extra]'``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(f"{module} is needed for this backend: pip install 'lindi[{extra}]' "
                                     f"({exc})") from None
