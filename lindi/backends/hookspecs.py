"""The plugin hooks of LINDI (pluggy project name and entry-point group ``lindi``).

A plugin is a module (or object) with functions decorated by :data:`hookimpl`.
Third-party packages expose it through an entry point in the ``lindi`` group::

    [project.entry-points.lindi]
    mybackend = "my_package.plugin"

The built-in backends are registered the same way by :mod:`lindi.backends.builtins`.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from .base import Backend

PROJECT_NAME = "lindi"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def lindi_backends() -> Sequence[type[Backend]]:
    """Return the backend classes this plugin provides.

    Each class subclasses :class:`lindi.backends.base.Backend`, has a unique
    ``name`` and is instantiated once by the registry with its options from
    the user config (``[backends.options.<name>]``). The URL prefixes an
    instance claims (``Backend.prefixes()``) decide which URLs it serves:
    the longest matching prefix wins, and two backends claiming the same
    prefix is an error when the registry loads unless the user pins it.
    """
    raise NotImplementedError  # a specification: pluggy calls the plugins' implementations, never this


@hookspec(firstresult=True)
def lindi_credentials(backend: str, target: str) -> str | None:
    """Return a secret (an API key or bearer token) for ``target`` or ``None``.

    ``backend`` is the asking backend's name, ``target`` what it needs a secret
    for (the DANDI backend asks with the instance name, e.g. ``"dandi"`` or
    ``"dandi-sandbox"``). The first non-``None`` answer wins; the built-in
    provider reading environment variables runs last, so a plugin (a keyring,
    a vault) can take precedence. Secrets are only ever sent to the host they
    belong to and are never written into a document.
    """
