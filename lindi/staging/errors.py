"""Errors of the staging area, the containers and publishing; each names the path or URL at fault."""
from __future__ import annotations

from ..errors import ContainerError, PublishError, StagingError

__all__ = ["ContainerError", "PublishError", "StagingError"]
