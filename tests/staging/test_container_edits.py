"""Editing containers in place (issue 18 D1, L2): grow, shrink and rewrite a .lindi.tar / .lindi.d through
mode r+, write converted documents as containers, edit through symlinks; property tests over random edits."""
from __future__ import annotations

import os

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lindi
from lindi.LindiH5ZarrStore import LindiH5ZarrStore
from lindi.staging import load_container, write_container

SUFFIXES = [".lindi.tar", ".lindi.d"]


def _values(seed: int, n: int = 5000) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2**40, size=n, dtype=np.int64)


def _create(path: str, seeds: list[int]) -> dict[str, np.ndarray]:
    truth = {f"d{s}": _values(s) for s in seeds}
    with lindi.LindiH5pyFile.from_lindi_file(path, mode="w") as f:
        for name, values in truth.items():
            f.create_dataset(name, data=values, chunks=(1000,))
    return truth


def _check(path: str, truth: dict[str, np.ndarray]) -> None:
    with lindi.LindiH5pyFile.from_lindi_file(path) as f:
        assert sorted(f) == sorted(truth)
        for name, values in truth.items():
            np.testing.assert_array_equal(f[name][()], values)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_growing_a_container_keeps_every_dataset(tmp_path, suffix):
    """The review's case: one dataset added to a 4-dataset .lindi.tar failed on close and lost the edit."""
    path = str(tmp_path / f"doc{suffix}")
    truth = _create(path, [1, 2, 3, 4])
    with lindi.LindiH5pyFile.from_lindi_file(path, mode="r+") as f:
        f.create_dataset("d5", data=_values(5), chunks=(1000,))
    truth["d5"] = _values(5)
    _check(path, truth)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_shrinking_and_rewriting_a_container(tmp_path, suffix):
    path = str(tmp_path / f"doc{suffix}")
    truth = _create(path, [7, 8, 9])
    with lindi.LindiH5pyFile.from_lindi_file(path, mode="r+") as f:
        del f["d8"]
        f["d9"][1000:3000] = _values(99, 2000)
    del truth["d8"]
    truth["d9"][1000:3000] = _values(99, 2000)
    _check(path, truth)
    size_before = _size(path)
    with lindi.LindiH5pyFile.from_lindi_file(path, mode="r+") as f:
        del f["d9"]
    del truth["d9"]
    _check(path, truth)
    assert _size(path) < size_before


def _size(path: str) -> int:
    if os.path.isdir(path):
        return sum(os.path.getsize(os.path.join(d, n)) for d, _, names in os.walk(path) for n in names)
    return os.path.getsize(path)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_converted_document_written_as_a_container(tmp_path, suffix):
    h5 = tmp_path / "src.h5"
    truth = {f"x{i}": _values(i, 3000) for i in range(5)}
    with h5py.File(h5, "w") as f:
        for name, values in truth.items():
            f.create_dataset(name, data=values, chunks=(500,))
    with LindiH5ZarrStore.from_file(str(h5)) as store:
        rfs = store.to_reference_file_system()
    out = write_container(rfs, str(tmp_path / f"out{suffix}"), base=str(tmp_path))
    os.unlink(h5)  # the container holds its own copies
    _check(out, truth)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_r_plus_through_a_symlink_writes_the_target(tmp_path, suffix):
    """L2: the link was replaced by a real container and *.old-PID was left behind."""
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = str(real_dir / f"doc{suffix}")
    truth = _create(real, [1])
    link = tmp_path / f"link{suffix}"
    link.symlink_to(real)
    with lindi.LindiH5pyFile.from_lindi_file(str(link), mode="r+") as f:
        f.create_dataset("d2", data=_values(2), chunks=(1000,))
    truth["d2"] = _values(2)
    assert link.is_symlink() and os.readlink(link) == real
    _check(real, truth)
    assert sorted(os.listdir(tmp_path)) == ["link" + suffix, "real"]
    assert os.listdir(real_dir) == [f"doc{suffix}"]


# -- property test: random sequences of edits, each closed and reopened ---------------------------------

EDITS = st.lists(st.tuples(st.sampled_from(["add", "delete", "rewrite", "attr"]), st.integers(0, 5),
                           st.integers(0, 2**16)), min_size=1, max_size=6)


@pytest.mark.parametrize("suffix", SUFFIXES)
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(edits=EDITS)
def test_random_edit_sequences_lose_nothing(tmp_path_factory, suffix, edits):
    path = str(tmp_path_factory.mktemp("edits") / f"doc{suffix}")
    truth = _create(path, [100, 101])
    attrs: dict[str, int] = {}
    for op, slot, seed in edits:
        name = f"e{slot}"
        with lindi.LindiH5pyFile.from_lindi_file(path, mode="r+") as f:
            if op == "add" and name not in truth:
                truth[name] = _values(seed, 1000 + 500 * slot)
                f.create_dataset(name, data=truth[name], chunks=(400,))
            elif op == "delete" and truth:
                victim = sorted(truth)[slot % len(truth)]
                del f[victim]
                del truth[victim]
            elif op == "rewrite" and truth:
                victim = sorted(truth)[slot % len(truth)]
                truth[victim][: 300] = _values(seed, 300)
                f[victim][: 300] = truth[victim][: 300]
            else:
                attrs[name] = seed
                f.attrs[name] = seed
        _check(path, truth)
    with lindi.LindiH5pyFile.from_lindi_file(path) as f:
        assert {k: int(v) for k, v in f.attrs.items()} == attrs
    doc, _ = load_container(path)
    assert doc["refs"]  # the container's document is readable on its own too
