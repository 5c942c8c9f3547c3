"""The error every refused edit raises: it names the object and leaves the document unchanged."""
from __future__ import annotations

from ..errors import LindiError


class EditError(LindiError, ValueError):
    """An edit the format or h5py's rules do not allow (bad name, dtype the spec cannot hold, ...).

    Raised before anything is changed, so the document stays as it was.
    """
