"""``lindi.tar.lindi_tar.LindiTarFile`` (LINDI 0.4's class for growing containers) on real containers
written by this package: same methods, atomic writes, the document lock."""
from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest

import lindi
from lindi.errors import DocumentLockedError
from lindi.staging.errors import ContainerError
from lindi.tar.lindi_tar import LindiTarFile


@pytest.fixture(params=["x.lindi.tar", "x.lindi.d"])
def container(request, tmp_path):
    source = tmp_path / "a.h5"
    with h5py.File(source, "w") as f:
        f.create_dataset("x", data=np.arange(20000), chunks=(10000,))  # chunks big enough to stay refs
    path = tmp_path / request.param
    lindi.LindiH5pyFile.from_hdf5_file(str(source)).write_lindi_file(str(path))
    return str(path), request.param.endswith(".d")


def test_grow_a_container_and_read_it_as_a_lindi_file(container):
    path, is_dir = container
    with LindiTarFile(path, dir_representation=is_dir) as t:
        rfs = json.loads(t.read_file("lindi.json"))
        member, offset, _ = rfs["refs"]["x/1"]  # a chunk the writer copied in
        assert np.frombuffer(t.read_file(member)[offset:][:16], "<i8").tolist() == [10000, 10001]
        t.write_file("blobs/extra", b"\x07\x00\x00\x00\x00\x00\x00\x00")
        rfs["refs"]["y/.zarray"] = {"zarr_format": 2, "shape": [1], "chunks": [1], "dtype": "<i8",
                                    "compressor": None, "filters": None, "fill_value": 0, "order": "C"}
        rfs["refs"]["y/0"] = ["./blobs/extra", 0, 8]
        rfs["refs"]["y/.zattrs"] = {}
        t.write_rfs(rfs)
        assert t.read_file("blobs/extra").startswith(b"\x07")  # readable before close
    with lindi.LindiH5pyFile.from_lindi_file(path) as f:
        assert f["x"][()].tolist() == list(range(20000))
        assert f["y"][()].tolist() == [7]
    with LindiTarFile(path, dir_representation=is_dir) as t:
        t.overwrite_file_content("blobs/extra", b"\x09" + bytes(7))
        with pytest.raises(ValueError, match="size"):
            t.overwrite_file_content("blobs/extra", b"\x09")
    with lindi.LindiH5pyFile.from_lindi_file(path) as f:
        assert f["y"][()].tolist() == [9]
    with LindiTarFile(path, dir_representation=is_dir) as t:
        t.trash_file("blobs/extra")
        assert not t.has_file_with_name("blobs/extra")
        with pytest.raises(FileNotFoundError):
            t.trash_file("blobs/extra")
    with LindiTarFile(path, dir_representation=is_dir) as t:
        assert not t.has_file_with_name("blobs/extra") and t.has_file_with_name("lindi.json")


def test_tar_offsets_are_what_a_range_reader_needs(container):
    path, is_dir = container
    if is_dir:
        with pytest.raises(ValueError, match="directory"):
            LindiTarFile(path, dir_representation=True).get_file_info("lindi.json")
        return
    with LindiTarFile(path) as t:
        t.write_file("notes.txt", b"hello")
        assert t.get_file_info("notes.txt") is None  # only laid out at close()
    with LindiTarFile(path) as t:
        start, end = t.get_file_byte_range("notes.txt")
    assert Path(path).read_bytes()[start:end] == b"hello"


def test_a_second_writer_is_refused_and_nothing_is_half_written(container):
    path, is_dir = container
    before = None if is_dir else Path(path).read_bytes()
    with lindi.LindiH5pyFile.from_lindi_file(path, mode="r+"):
        t = LindiTarFile(path, dir_representation=is_dir)
        assert t.read_file("lindi.json").lstrip().startswith(b"{")  # reading needs no lock
        with pytest.raises(DocumentLockedError):
            t.write_file("blobs/extra", b"x")
        t.close()
    if before is not None:
        assert Path(path).read_bytes() == before


def test_names_that_leave_the_container_are_refused(container):
    path, is_dir = container
    with LindiTarFile(path, dir_representation=is_dir) as t:
        for bad in ("../outside", "/etc/passwd"):
            with pytest.raises(ContainerError, match="leaves the container"):
                t.write_file(bad, b"x")
        if not is_dir:
            with pytest.raises(ValueError, match="layout"):
                t.write_file(".tar_index.json", b"x")


def test_create_a_new_container(tmp_path):
    rfs = {"version": 1, "refs": {".zgroup": {"zarr_format": 2}, ".zattrs": {"made": "here"}}}
    for name, is_dir in (("n.lindi.tar", False), ("n.lindi.d", True)):
        LindiTarFile.create(str(tmp_path / name), rfs=rfs, dir_representation=is_dir)
        with lindi.LindiH5pyFile.from_lindi_file(str(tmp_path / name)) as f:
            assert f.attrs["made"] == "here"
