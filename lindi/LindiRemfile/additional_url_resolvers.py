"""LINDI 0.4's ``lindi.LindiRemfile.additional_url_resolvers`` module (see :mod:`lindi.store.url_resolvers`)."""
from __future__ import annotations

from ..store.url_resolvers import add_additional_url_resolver

__all__ = ["add_additional_url_resolver"]
