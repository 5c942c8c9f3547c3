"""Conversion options (exposed as ``lindi.LindiH5ZarrStore.LindiH5ZarrStoreOpts``)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LindiH5ZarrStoreOpts:
    """How an HDF5 file is turned into a LINDI document.

    inline_threshold: arrays whose stored size in the HDF5 file is below this
        many bytes are inlined (their stored bytes, as base64) instead of referenced.
    contiguous_dataset_max_chunk_size: contiguous datasets larger than this are
        split along axis 0 into chunks of whole rows of at most this many bytes
        (None: one chunk), so that slicing reads little.
    template_threshold: the source URL becomes the template ``{{u1}}`` when it
        is referenced at least this many times (None: never).
    strict: raise :class:`lindi.errors.UnsupportedObjectError` (or
        :class:`lindi.errors.ConversionError`) at the first object that cannot be
        converted, instead of reporting it and converting the rest.
    num_dataset_chunks_threshold: LINDI 0.4 option: a chunked dataset with more
        chunks than this becomes an ``_EXTERNAL_ARRAY_LINK`` (None: always reference chunks).
    """

    inline_threshold: int = 4096
    contiguous_dataset_max_chunk_size: int | None = 20 * 1000 * 1000
    template_threshold: int | None = 2
    strict: bool = False
    num_dataset_chunks_threshold: int | None = None

    def __post_init__(self) -> None:
        if self.inline_threshold < 0:
            raise ValueError("inline_threshold must be >= 0")
        if self.contiguous_dataset_max_chunk_size is not None and self.contiguous_dataset_max_chunk_size <= 0:
            raise ValueError("contiguous_dataset_max_chunk_size must be positive or None")
