"""Registers the project's extra numcodecs codecs once, if that package is installed."""
from __future__ import annotations

import functools


@functools.cache
def ensure_codecs() -> None:
    try:
        from lindi.codecs import register_codecs
    except ImportError:  # lindi.codecs not available: numcodecs/imagecodecs built-ins only
        return
    register_codecs()
