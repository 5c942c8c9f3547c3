"""Generated hostile documents for the fuzz harness (issue 18): codec chains and over-long refs.

Each family turns a ``random.Random`` and a working folder into one task for
:class:`tests.reliability.fuzz_targets.Worker` (a document plus the blob its
chunk ref points at, written into the folder). The worker reads the document
under its address-space limit, so a decoder or a fetch that is not bounded
shows up as a MemoryError: a finding.

- ``codecs``: one array whose codecs are a random chain (any codec in
  ``compressor`` or in ``filters``, up to three), whose chunk is a bomb
  (concatenated zstd frames, gzip members, bz2 and lzma streams, big blosc
  and lz4 frames), valid data, valid data with flipped bytes, or garbage;
  half of the cases lift the ref-length bound so that the decoders are reached.
- ``overlong-refs``: arrays with and without codecs whose chunk refs are longer
  (up to 2**53 - 1) or shorter than the chunk, past the end of the blob,
  metadata refs of any length, and arrays of up to 5000 dimensions.
"""
from __future__ import annotations

import functools
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np

MiB = 1024**2
DTYPES = ["|u1", "<i2", "<i4", "<f8"]
COMPRESSORS: list[dict[str, Any]] = [
    {"id": "zlib", "level": 1}, {"id": "gzip", "level": 1}, {"id": "bz2", "level": 1}, {"id": "lzma"},
    {"id": "zstd", "level": 1}, {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1},
    {"id": "lz4", "acceleration": 1}, {"id": "imagecodecs_lzf", "header": True},
]


def _filters(dtype: str, rng: random.Random) -> list[dict[str, Any]]:
    """Filters that are valid for ``dtype``, some of them expanding (astype, categorize, nbit)."""
    size = np.dtype(dtype).itemsize
    return [
        {"id": "shuffle", "elementsize": size}, {"id": "delta", "dtype": dtype}, {"id": "base64"},
        {"id": "fletcher32"}, {"id": "packbits"},
        {"id": "astype", "encode_dtype": "|u1", "decode_dtype": dtype},
        {"id": "fixedscaleoffset", "offset": 0, "scale": 1, "dtype": dtype, "astype": "|u1"},
        {"id": "categorize", "labels": ["a", "b"], "dtype": f"<U{rng.choice([1, 10**5])}", "astype": "|u1"},
        {"id": "lindi_hdf5_nbit", "dtype": "<i4", "nelements": rng.choice([1, 10**9]), "precision": 8,
         "offset": 0},
    ]


@functools.cache
def _frame(config_text: str, nbytes: int) -> bytes:
    """One encoded frame of ``nbytes`` zero bytes (cached: the expensive part of a bomb)."""
    import json

    return bytes(numcodecs.get_codec(json.loads(config_text)).encode(np.zeros(nbytes, dtype=np.uint8)))


def _bomb(config: dict[str, Any], rng: random.Random) -> bytes:
    """A stored chunk that decodes to up to 2 GiB: frames or streams repeated where the format allows it."""
    import json

    text = json.dumps(config, sort_keys=True)
    if config["id"] in ("gzip", "bz2", "lzma", "zstd"):
        return _frame(text, 16 * MiB) * rng.choice([1, 8, 64, 128])
    return _frame(text, rng.choice([1, 64, 256]) * MiB if config["id"] != "zlib" else 64 * MiB)


def _document(refs: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "lindi_spec": "1.0", "refs": {".zgroup": {"zarr_format": 2}, **refs}}


def _zarray(shape: list[int], chunks: list[int], dtype: str, compressor: Any, filters: Any) -> dict[str, Any]:
    return {"zarr_format": 2, "shape": shape, "chunks": chunks, "dtype": dtype, "compressor": compressor,
            "filters": filters, "fill_value": 0, "order": "C"}


def codec_case(rng: random.Random, workdir: Path) -> dict[str, Any]:
    """One array with a random codec chain and a bomb, valid, corrupted or garbage chunk."""
    dtype = rng.choice(DTYPES)
    n = rng.choice([1, 10, 1000])
    chain = [dict(c) for c in rng.sample(COMPRESSORS + _filters(dtype, rng), rng.randint(1, 3))]
    in_compressor = rng.random() < 0.5 and not chain[-1]["id"].startswith(("lindi_", "categorize"))
    compressor, filters = (chain[-1], chain[:-1] or None) if in_compressor else (None, chain)
    mode = rng.choice(["bomb", "bomb", "valid", "flipped", "garbage"])
    if mode == "garbage":
        payload = rng.randbytes(rng.choice([0, 3, 100, 5000]))
    elif mode == "bomb":
        payload = _bomb(chain[-1] if chain[-1]["id"] in {c["id"] for c in COMPRESSORS} else rng.choice(COMPRESSORS),
                        rng)
    else:
        data: Any = np.arange(n).astype(dtype)
        try:
            for config in chain:
                data = numcodecs.get_codec(dict(config)).encode(data)
            payload = bytes(np.ascontiguousarray(data).view(np.uint8).reshape(-1)) if not isinstance(data, bytes) \
                else data
        except Exception:  # noqa: BLE001 - a chain that cannot encode this data: its decoders still get fed
            payload = rng.randbytes(64)
        if mode == "flipped" and payload:
            buf = bytearray(payload)
            for _ in range(rng.randint(1, 4)):
                buf[rng.randrange(len(buf))] ^= rng.randint(1, 255)
            payload = bytes(buf)
    blob = workdir / "codec-chunk.bin"
    blob.write_bytes(payload)
    doc = _document({"a/.zarray": _zarray([n], [n], dtype, compressor, filters),
                     "a/0": ["./codec-chunk.bin", 0, len(payload)]})
    limits = {"max_ref_factor": 10**12} if rng.random() < 0.5 else {}
    return {"target": "document", "doc": doc, "base": str(workdir), "limits": limits}


def overlong_ref_case(rng: random.Random, workdir: Path) -> dict[str, Any]:
    """Chunk and metadata refs of any length and offset, and arrays of very high rank."""
    blob = workdir / "ref-target.bin"
    size = rng.choice([0, 8, 4096, 65536])
    if not blob.exists() or blob.stat().st_size != size:
        blob.write_bytes(bytes(range(256)) * (size // 256) + bytes(size % 256))
    dtype = rng.choice(DTYPES)
    rank = rng.choice([1, 1, 2, 32, 33, 5000])
    chunks = [rng.choice([1, 4, 100])] + [1] * (rank - 1)
    shape = [chunks[0] * rng.choice([1, 3])] + [1] * (rank - 1)
    nbytes = chunks[0] * np.dtype(dtype).itemsize
    compressor = rng.choice([None, None, {"id": "zlib", "level": 1}, {"id": "zstd", "level": 1}])
    lengths = [nbytes, nbytes - 1, nbytes + 1, 2 * nbytes + 65536, 2 * nbytes + 65537, size, size + 1,
               2**31, 2**40, 2**53 - 1, 0]
    refs: dict[str, Any] = {"a/.zarray": _zarray(shape, chunks, dtype, compressor, None)}
    for row in range(shape[0] // chunks[0]):
        key = "a/" + ".".join([str(row)] + ["0"] * (rank - 1))
        refs[key] = ["./ref-target.bin", rng.choice([0, 0, size, 2**40]), max(rng.choice(lengths), 0)]
    if rng.random() < 0.3:
        refs[".zattrs"] = ["./ref-target.bin", 0, rng.choice([size, 2**31, 2**53 - 1])]
    return {"target": "document", "doc": _document(refs), "base": str(workdir)}


FAMILIES: dict[str, Callable[[random.Random, Path], dict[str, Any]]] = {
    "codecs": codec_case,
    "overlong-refs": overlong_ref_case,
}
