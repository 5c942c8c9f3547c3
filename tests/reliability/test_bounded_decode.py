"""Decompression bombs against every codec, in ``compressor`` and in ``filters``, measured in a fresh process.

Each bomb is a small stored chunk for a 400-byte chunk (10 x 10 int32) that decodes to 128 MiB or
more. The read must end in a LimitExceededError naming the array's ``.zarray`` and the codec, and
the reading process's peak resident memory may rise by at most :data:`MAX_GROWTH` (ru_maxrss, so
allocations inside C codecs count). The ref-length bound, which refuses most of these refs before
fetching, is lifted (``max_ref_factor``) so that the decoder's own cap is what is tested.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

import numcodecs
import numpy as np
import pytest

from .memory_probe import probe, probe_many

MiB = 1024**2
MAX_GROWTH = 16 * MiB
ZARRAY = {"zarr_format": 2, "shape": [10, 10], "chunks": [10, 10], "dtype": "<i4", "fill_value": 0, "order": "C"}
NO_REF_BOUND = {"max_ref_factor": 10**12}


def _encode(config: dict, nbytes: int) -> bytes:
    return _encoded_zeros(json.dumps(config, sort_keys=True), nbytes)


@functools.cache
def _encoded_zeros(config_text: str, nbytes: int) -> bytes:
    """``nbytes`` zero bytes encoded by a codec (cached: several bombs share frames)."""
    return bytes(numcodecs.get_codec(json.loads(config_text)).encode(np.zeros(nbytes, dtype=np.uint8)))


def multi_frame_zstd(total: int, first: int = 400) -> bytes:
    """A first zstd frame that declares exactly the chunk size, then 64 MiB frames up to ``total``."""
    big = _encode({"id": "zstd", "level": 3}, 64 * MiB)
    return _encode({"id": "zstd", "level": 3}, first) + big * (total // (64 * MiB))


def concatenated(config: dict, total: int, piece: int = 16 * MiB) -> bytes:
    """Streams that may follow each other in one chunk (gzip, bz2, lzma, zstd): cheap to build, large to decode."""
    return _encode(config, piece) * (total // piece)


BOMBS: dict[str, tuple[dict, Callable[[], bytes]]] = {
    "zlib": ({"id": "zlib", "level": 9}, lambda: _encode({"id": "zlib", "level": 9}, 128 * MiB)),
    "gzip": ({"id": "gzip", "level": 9}, lambda: concatenated({"id": "gzip", "level": 9}, 128 * MiB)),
    "bz2": ({"id": "bz2", "level": 9}, lambda: concatenated({"id": "bz2", "level": 9}, 128 * MiB)),
    "lzma": ({"id": "lzma"}, lambda: concatenated({"id": "lzma"}, 128 * MiB)),
    "zstd": ({"id": "zstd", "level": 3}, lambda: multi_frame_zstd(1024 * MiB)),
    "blosc": ({"id": "blosc", "cname": "zstd", "clevel": 9, "shuffle": 0},
              lambda: _encode({"id": "blosc", "cname": "zstd", "clevel": 9, "shuffle": 0}, 128 * MiB)),
    "lz4": ({"id": "lz4", "acceleration": 1}, lambda: _encode({"id": "lz4", "acceleration": 1}, 128 * MiB)),
}


def bomb_document(tmp_path: Path, codec: dict, payload: bytes, placement: str) -> str:
    """A document whose array ``a`` has one chunk: ``payload`` decoded by ``codec`` placed as given."""
    blob = tmp_path / "bomb.bin"
    blob.write_bytes(payload)
    codecs = {"compressor": codec, "filters": None} if placement == "compressor" else \
        {"compressor": None, "filters": [codec]}
    doc = {"version": 1, "lindi_spec": "1.0",
           "refs": {".zgroup": {"zarr_format": 2}, "a/.zarray": {**ZARRAY, **codecs},
                    "a/0.0": [str(blob), 0, len(payload)]}}
    path = tmp_path / "bomb.lindi.json"
    path.write_text(json.dumps(doc))
    return str(path)


PLACEMENTS = ("compressor", "filters")


@pytest.fixture(scope="module")
def bomb_results(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict]:
    """Every bomb in every placement, read one after the other in one fresh process."""
    cases, tasks = [], []
    for name, (codec, build) in sorted(BOMBS.items()):
        for placement in PLACEMENTS:
            path = bomb_document(tmp_path_factory.mktemp(f"{name}-{placement}"), codec, build(), placement)
            cases.append((name, placement))
            tasks.append({"kind": "read", "path": path, "dataset": "a", "limits": NO_REF_BOUND})
    return dict(zip(cases, probe_many(tasks, timeout=600)))


@pytest.mark.parametrize("placement", PLACEMENTS)
@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bomb_is_refused_with_bounded_memory(bomb_results, name, placement):
    codec, _ = BOMBS[name]
    result = bomb_results[name, placement]
    assert result["outcome"] == "LimitExceededError", result
    assert "/refs/a~1.zarray" in result["message"] and codec["id"] in result["message"], result
    assert result["growth"] < MAX_GROWTH, f"{name} in {placement}: peak memory rose by {result['growth']} bytes"


def test_multi_frame_zstd_whose_first_frame_looks_right(tmp_path):
    """R1: the first frame declares exactly the chunk's 8 bytes, 16 more frames hold 1 GiB. Default limits
    (the stored chunk is small enough to pass the ref-length bound): refused with little memory."""
    payload = multi_frame_zstd(1024 * MiB, first=8)
    blob = tmp_path / "frames.bin"
    blob.write_bytes(payload)
    doc = {"version": 1, "lindi_spec": "1.0",
           "refs": {".zgroup": {"zarr_format": 2},
                    "x/.zarray": {**ZARRAY, "shape": [1], "chunks": [1], "dtype": "<f8", "compressor":
                                  {"id": "zstd", "level": 3}, "filters": None},
                    "x/0": [str(blob), 0, len(payload)]}}
    path = tmp_path / "frames.lindi.json"
    path.write_text(json.dumps(doc))
    result = probe({"kind": "read", "path": str(path), "dataset": "x"})
    assert result["outcome"] == "LimitExceededError", result
    assert "zstd" in result["message"] and "/refs/x~1.zarray" in result["message"]
    assert result["growth"] < MAX_GROWTH, result


def test_filter_placed_bomb_under_a_memory_limit_names_the_array(tmp_path):
    """R2: under RLIMIT_AS (512 MiB above what the process holds), a 1 GiB zstd bomb in ``filters`` is a
    LimitExceededError whose message names the array's .zarray key and the codec, never an empty one."""
    path = bomb_document(tmp_path, {"id": "zstd", "level": 3}, multi_frame_zstd(1024 * MiB), "filters")
    result = probe({"kind": "read", "path": path, "dataset": "a", "limits": NO_REF_BOUND,
                    "address_space": 512 * MiB})
    assert result["outcome"] == "LimitExceededError", result
    assert "/refs/a~1.zarray" in result["message"] and "zstd" in result["message"]
    assert "chunk of array /a" in result["message"]
