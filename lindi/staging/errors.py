"""Errors of the staging area, the containers and publishing; each names the path or URL at fault."""
from __future__ import annotations

from ..errors import DocumentError, LindiError


class StagingError(LindiError, OSError):
    """The staging directory cannot take a blob (full or read-only disk, permissions)."""


class ContainerError(DocumentError):
    """A ``.lindi.d`` or ``.lindi.tar`` is malformed or tries to reach outside itself (path traversal)."""


class PublishError(LindiError):
    """Publishing cannot start or cannot finish (bad source or destination, no credentials)."""
