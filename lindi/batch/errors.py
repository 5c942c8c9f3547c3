"""Errors of a batch run that stop it before any file is processed (exit status 2)."""
from __future__ import annotations

from ..errors import BatchUsageError, SchedulerError

__all__ = ["BatchUsageError", "SchedulerError"]
