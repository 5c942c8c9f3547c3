"""LINDI 0.4's public API behaviours that scripts rely on (where they agree with h5py)."""
from __future__ import annotations

import json
import subprocess
import sys

import h5py
import numpy as np
import pytest

import lindi


@pytest.fixture
def h5(tmp_path):
    path = tmp_path / "a.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=np.arange(5))
        f.attrs["a"] = 1
    return path


def test_write_lindi_file_by_extension_with_generation_metadata(h5, tmp_path):
    f = lindi.LindiH5pyFile.from_hdf5_file(str(h5))
    with pytest.raises(ValueError, match="lindi.json"):
        f.write_lindi_file(str(tmp_path / "x.lindi.invalid"))
    f.write_lindi_file(str(tmp_path / "x.lindi.json"), generation_metadata={"by": "me"})
    assert json.loads((tmp_path / "x.lindi.json").read_text())["generationMetadata"] == {"by": "me"}
    for name in ("x.lindi.tar", "x.lindi.d"):
        f.write_lindi_file(str(tmp_path / name))
        with lindi.LindiH5pyFile.from_lindi_file(str(tmp_path / name)) as g:
            assert g["x"][()].tolist() == [0, 1, 2, 3, 4]
    assert (tmp_path / "x.lindi.d").is_dir()


def test_missing_file_write_modes_and_read_only_errors(h5, tmp_path):
    with pytest.raises(FileNotFoundError):
        lindi.LindiH5pyFile.from_lindi_file(str(tmp_path / "missing.lindi.json"))
    with pytest.raises(ValueError):
        lindi.LindiH5pyFile.from_hdf5_file(str(h5), mode="w")
    f = lindi.LindiH5pyFile.from_hdf5_file(str(h5))
    with pytest.raises(ValueError):  # ReadOnlyError, a ValueError as h5py raises
        f.attrs["b"] = 2
    with pytest.raises(ValueError):
        f.create_group("g")


def test_local_cache_remote_chunk_names(tmp_path):
    cache = lindi.LocalCache(str(tmp_path / "cache"))
    assert cache.get_remote_chunk(url="https://h/x", offset=0, size=3) is None
    cache.put_remote_chunk(url="https://h/x", offset=0, size=3, data=b"abc")
    assert cache.get_remote_chunk(url="https://h/x", offset=0, size=3) == b"abc"
    with pytest.raises(ValueError):
        cache.put_remote_chunk(url="https://h/x", offset=0, size=4, data=b"abc")
    assert issubclass(lindi.ChunkTooLargeError, ValueError)


def test_url_resolvers_rewrite_remote_urls():
    from lindi.store.document import from_dict
    from lindi.store.url_resolvers import _resolvers

    lindi.add_additional_url_resolver(lambda url: url.replace("old.example", "new.example"))
    try:
        doc = from_dict({"version": 1, "refs": {}})
        assert doc.expand_url("https://old.example/f.nwb", "x/0") == "https://new.example/f.nwb"
    finally:
        _resolvers.pop()


def test_deep_import_paths_of_lindi04():
    code = ("import inspect\n"
            "from lindi.LindiH5pyFile.LindiH5pyFile import LindiH5pyFile\n"
            "from lindi.LocalCache.LocalCache import LocalCache, ChunkTooLargeError\n"
            "from lindi.LindiH5ZarrStore.LindiH5ZarrStore import LindiH5ZarrStore\n"
            "import lindi\n"
            "assert LindiH5pyFile is lindi.LindiH5pyFile and LocalCache is lindi.LocalCache\n"
            "assert LindiH5ZarrStore is lindi.LindiH5ZarrStore and ChunkTooLargeError is lindi.ChunkTooLargeError\n"
            "print('ok')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "ok", proc.stderr


def test_get_with_a_reference_and_getlink_or_getclass_raises_as_h5py(h5):
    with h5py.File(h5, "r+") as f:
        f.attrs["r"] = f["x"].ref
    with h5py.File(h5, "r") as h, lindi.LindiH5pyFile.from_hdf5_file(str(h5)) as f:
        for file in (h, f):
            ref = file.attrs["r"]
            assert file.get(ref)[()].tolist() == [0, 1, 2, 3, 4]
            for flags in ({"getlink": True}, {"getclass": True}, {"getlink": True, "getclass": True}):
                with pytest.raises(TypeError):
                    file.get(ref, **flags)


def test_lindi_h5_zarr_store_is_a_zarr_v2_mapping(h5, tmp_path):
    with h5py.File(h5, "r+") as f:
        f.create_group("g/inner")
    with lindi.LindiH5ZarrStore.from_file(str(h5), opts=lindi.LindiH5ZarrStoreOpts()) as store:
        assert set(store.listdir("")) == {"g", "x"} and store.listdir("g") == ["inner"]
        assert store.listdir("g/inner") == []
        for key in (".zgroup", ".zattrs", "x/.zarray", "x/.zattrs", "x/0", "g/inner/.zattrs"):
            assert key in store, key
        assert "x" not in store and "g/.zarray" not in store
        assert json.loads(store["x/.zarray"])["shape"] == [5]
        assert np.frombuffer(store["x/0"], dtype="<i8").tolist() == [0, 1, 2, 3, 4]
        assert set(store) >= {".zgroup", "x/0"}
        f = lindi.LindiH5pyFile.from_zarr_store(store)
        assert f["x"][()].tolist() == [0, 1, 2, 3, 4] and f.attrs["a"] == 1
    with lindi.LindiH5ZarrStore.from_file(str(h5)) as store:  # any other mapping of keys to bytes
        plain = {key: store[key] for key in store}
    with lindi.LindiH5pyFile.from_zarr_store(plain) as f:
        assert f["x"][()].tolist() == [0, 1, 2, 3, 4] and "inner" in f["g"]


def test_copy_from_lindi_into_h5py_and_into_another_lindi_file(h5, tmp_path):
    with h5py.File(h5, "r+") as f:
        g = f.create_group("g")
        g.create_dataset("d", data=np.arange(6).reshape(2, 3), chunks=(1, 3), compression="gzip")
        g.attrs["note"] = "n"
        g["soft"] = h5py.SoftLink("/x")
    source = lindi.LindiH5pyFile.from_hdf5_file(str(h5))  # read-only: copying out does not edit it
    with h5py.File(tmp_path / "out.h5", "w") as out:
        source.copy("g", out, "g_copy")
        with pytest.raises(ValueError):
            source.copy("g", out, "g2", shallow=True)
    with h5py.File(tmp_path / "out.h5", "r") as out, h5py.File(h5, "r") as orig:
        assert out["g_copy/d"][()].tolist() == orig["g/d"][()].tolist()
        assert out["g_copy/d"].compression == "gzip" and out["g_copy/d"].chunks == (1, 3)
        assert out["g_copy"].attrs["note"] == "n" and out["g_copy"].get("soft", getlink=True).path == "/x"
    other = lindi.LindiH5pyFile.from_reference_file_system(None, mode="w")
    source.copy("g", other, "g_copy")
    assert other["g_copy/d"][()].tolist() == [[0, 1, 2], [3, 4, 5]] and other["g_copy"].attrs["note"] == "n"
