"""A small real document with staged chunks, and a check that every ref of a published one resolves."""
from __future__ import annotations

from typing import Any

import numpy as np

import lindi
from lindi.backends import read_ranges
from lindi.staging import StagingArea
from lindi.staging.refs import is_range

ZARRAY = {"zarr_format": 2, "shape": [0], "chunks": [4], "dtype": "<i4", "compressor": None, "filters": None,
          "fill_value": 0, "order": "C"}


def staged_document(area: StagingArea, values: np.ndarray, *, chunk: int = 4) -> dict[str, Any]:
    """A 1-d int32 array ``x`` whose chunks are all staged (repeated chunks share one blob)."""
    n_chunks = -(-len(values) // chunk)
    refs: dict[str, Any] = {".zgroup": {"zarr_format": 2}, "x/.zattrs": {"units": "m"},
                            "x/.zarray": {**ZARRAY, "shape": [len(values)], "chunks": [chunk]}}
    for i in range(n_chunks):
        block = np.zeros(chunk, dtype="<i4")
        part = values[i * chunk:(i + 1) * chunk]
        block[:len(part)] = part
        refs[f"x/{i}"] = area.store_chunk(block.tobytes())
    return {"version": 1, "lindi_spec": "1.0", "refs": refs}


def chunk_bytes(doc: dict[str, Any], base: str | None = None) -> dict[str, bytes]:
    """The bytes of every range ref, fetched through the backends (relative refs against ``base``)."""
    from lindi.store.document import from_dict

    parsed = from_dict(doc, base=base)
    keys = [k for k, v in doc["refs"].items() if is_range(v)]
    urls = [(parsed.expand_url(doc["refs"][k][0], k), doc["refs"][k][1], doc["refs"][k][2]) for k in keys]
    return dict(zip(keys, read_ranges(urls)))


def read_values(doc: dict[str, Any], base: str | None = None) -> np.ndarray:
    return lindi.LindiH5pyFile.from_reference_file_system(doc, base=base)["x"][()]
