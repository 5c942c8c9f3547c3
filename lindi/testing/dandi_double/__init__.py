"""A local stand-in for the DANDI Archive's REST API and its S3 storage (see :mod:`.server`).

Needs the ``test`` extra: moto's S3 server holds the blobs, dandischema validates assets.
"""
from __future__ import annotations

from ...backends.dandi_etag import dandi_etag
from .records import Asset, Blob, Dandiset
from .server import CLI_MINIMAL_VERSION, SCHEMA_VERSION, DandiApiDouble

__all__ = ["CLI_MINIMAL_VERSION", "SCHEMA_VERSION", "Asset", "Blob", "DandiApiDouble", "Dandiset", "dandi_etag"]
