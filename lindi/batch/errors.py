"""Errors of a batch run that stop it before any file is processed (exit status 2)."""
from __future__ import annotations

from ..errors import LindiError


class BatchUsageError(LindiError, ValueError):
    """The inputs, output folder or results file of a batch run are unusable (names which and why)."""


class SchedulerError(LindiError, OSError):
    """The Dask scheduler could not be reached or the local cluster could not start."""
