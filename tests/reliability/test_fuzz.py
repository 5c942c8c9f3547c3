"""Fuzzing: mutated documents and HDF5 files with flipped bytes give only LindiErrors, in bounded time/memory."""
from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .fuzz_targets import Worker, valid_documents

SEEDS = valid_documents()
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**64, max_value=2**64) | st.floats(allow_nan=False,
                                                                                         allow_infinity=False)
    | st.text(max_size=12) | st.sampled_from(["base64:", "base64:AAAA", "|O", "<i4", "NaN", "{{u1}}", "..", "/"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8)


def mutate(doc: Any, data: st.DataObject, rounds: int = 3) -> Any:
    """Replace, delete or retype up to ``rounds`` values anywhere in ``doc`` (a deep copy)."""
    doc = copy.deepcopy(doc)
    for _ in range(data.draw(st.integers(1, rounds))):
        node, path = doc, []
        while isinstance(node, (dict, list)) and node and data.draw(st.integers(0, 3)) > 0:
            key = data.draw(st.sampled_from(sorted(node) if isinstance(node, dict) else list(range(len(node)))))
            path.append((node, key))
            node = node[key]
        if not path:
            continue
        parent, key = path[-1]
        action = data.draw(st.sampled_from(["replace", "delete", "number", "string"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[key]
        elif action == "number" and isinstance(parent[key], int) and not isinstance(parent[key], bool):
            parent[key] = parent[key] + data.draw(st.sampled_from([-1, 1, 7, -2**40, 2**40]))
        elif action == "string" and isinstance(parent[key], str):
            s = parent[key]
            i = data.draw(st.integers(0, len(s)))
            parent[key] = s[:i] + data.draw(st.text(max_size=3)) + s[i + 1:]
        else:
            parent[key] = data.draw(JSON_VALUES)
    return doc


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    w = Worker()
    yield w
    w.close()


def _check(worker: Worker, task: dict[str, Any]) -> None:
    result = worker.run(task)
    assert result["outcome"] != "escape", (f"{result['type']}: {result['message']}\n{result.get('traceback', '')}\n"
                                           f"input: {json.dumps(task)[:2000]}")


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@FUZZ
@given(st.data())
def test_mutated_valid_cases(worker, tmp_path_factory, data):
    doc = mutate(data.draw(st.sampled_from(SEEDS)), data)
    _check(worker, {"target": "document", "doc": doc, "base": None})


@FUZZ
@given(st.data())
def test_mutated_converted_document(worker, sample_doc, sample_h5, data):
    doc = mutate(sample_doc, data, rounds=4)
    _check(worker, {"target": "document", "doc": doc, "base": str(sample_h5.parent)})


@FUZZ
@given(st.data())
def test_hdf5_with_flipped_bytes(worker, sample_h5, tmp_path_factory, data):
    raw = bytearray(sample_h5.read_bytes())
    region = data.draw(st.sampled_from([2048, len(raw)]))  # the superblock/object headers, or anywhere
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, min(region, len(raw)) - 1))
        raw[pos] ^= data.draw(st.integers(1, 255))
    path: Path = tmp_path_factory.mktemp("flipped") / "f.h5"
    path.write_bytes(bytes(raw))
    _check(worker, {"target": "hdf5", "path": str(path)})


def test_worker_reports_crashes_and_foreign_exceptions(tmp_path):
    """The harness itself: a foreign exception is an 'escape' finding, the worker survives it."""
    w = Worker(timeout=60)
    try:
        minimal = {"version": 1, "lindi_spec": "1.0", "refs": {".zgroup": {"zarr_format": 2}}}
        assert w.run({"target": "document", "doc": minimal, "base": None})["outcome"] == "ok"
        bad = w.run({"target": "hdf5", "path": 12})  # a TypeError inside the harness call
        assert bad["outcome"] == "escape" and "TypeError" in bad["type"]
        assert w.run({"target": "document", "doc": {"version": 2, "refs": {}}, "base": None})["outcome"] == "lindi_error"
    finally:
        w.close()


@pytest.mark.parametrize("family", ["codecs", "overlong-refs"])
def test_generated_family(worker, tmp_path, family):
    """Issue 18's families, 12 cases each from a fixed seed: bombs in any codec position, refs of any length."""
    import random

    from .fuzz_families import FAMILIES

    rng = random.Random(18)
    for _ in range(12):
        _check(worker, FAMILIES[family](rng, tmp_path))
