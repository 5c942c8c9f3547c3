"""Staging area, self-contained containers (``.lindi.d``, ``.lindi.tar``) and publishing.

New chunks go to a :class:`StagingArea` (content-addressed files); a document
with staged refs is written as a container or published with
:func:`publish`, which uploads each blob once and the document last.
"""
from __future__ import annotations

from .area import StagingArea
from .containers import container_kind, load_container, write_container
from .destinations import BackendDestination, CallbackDestination, Destination, resolve_destination
from .errors import ContainerError, PublishError, StagingError
from .lindi_dir import load_lindi_dir, write_lindi_dir
from .lindi_tar import load_lindi_tar, write_lindi_tar
from .publish import PublishResult, callback_destination, publish

__all__ = [
    "BackendDestination", "CallbackDestination", "Destination", "PublishResult", "callback_destination",
    "publish", "resolve_destination", "ContainerError", "PublishError", "StagingArea", "StagingError", "container_kind", "load_container",
    "load_lindi_dir", "load_lindi_tar", "write_container", "write_lindi_dir", "write_lindi_tar",
]
