"""ls/info/diff on every feature file of the fidelity corpus, checked against h5py on the original HDF5 file."""
from __future__ import annotations

import os

import io
from pathlib import Path

import h5py
import numpy as np
import pytest
from fidelity.h5_features import FEATURES
from fidelity.nwb_features import NWB_FEATURES

from lindi import strict_json
from lindi._version import LINDI_SPEC_VERSION
from lindi.inspection.values import describe_dtype

from .conftest import json_lines


def _h5py_links(path) -> dict[str, object]:
    """``/name -> link object`` for every link of the HDF5 file reachable without following soft/external links."""
    out: dict[str, object] = {}
    with h5py.File(path, "r") as f:
        def walk(group, prefix):
            for name in group:
                full = f"{prefix}/{name}"
                link = group.get(name, getlink=True)
                if isinstance(link, h5py.HardLink):
                    obj = group[name]
                    out[full] = (link, type(obj), getattr(obj, "shape", None),
                                 describe_dtype(obj.dtype) if isinstance(obj, h5py.Dataset) else None,
                                 h5py.h5o.get_info(obj.id).addr,
                                 obj.id.get_num_chunks() if isinstance(obj, h5py.Dataset) and obj.chunks else None)
                    if isinstance(obj, h5py.Group):
                        walk(obj, full)
                else:
                    out[full] = (link,)
        walk(f, "")
    return out


def _addr(h5path, name):
    with h5py.File(h5path, "r") as f:
        return h5py.h5o.get_info(f[name].id).addr


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_ls_matches_h5py(feature, converted, run):
    conv = converted(f"h5:{feature}")
    result = run("ls", conv.lindi_path, "-r", "-a", "--json")
    records = {r["path"]: r for r in json_lines(result.stdout)}
    expected = _h5py_links(conv.source)
    assert result.exit_code == 0, [r for r in records.values() if r["error"]]
    assert records.pop("/")["kind"] == "group"  # with -a the listed group itself comes first (its attributes)
    lindi_only = set(records) - set(expected)
    assert not lindi_only, lindi_only
    for path, info in expected.items():
        if path not in records:  # below a second name of a hard link: listed under the first name only
            assert any(path.startswith(p + "/") for p, r in records.items() if r["kind"] == "hard link"), path
            continue
        record = records[path]
        link = info[0]
        if isinstance(link, h5py.SoftLink):
            assert (record["kind"], record["target"]) == ("soft link", link.path)
        elif isinstance(link, h5py.ExternalLink):
            # spec 1.1: the file name is written as seen from the document's folder (here another folder)
            assert (record["kind"], record["target"]) == ("external link", link.path)
            assert os.path.normpath(os.path.join(os.path.dirname(conv.lindi_path), record["link_file"])) == \
                os.path.normpath(os.path.join(os.path.dirname(conv.source), link.filename))
        elif record["kind"] == "hard link":  # a second name of one object: the target is the same object
            assert _addr(conv.source, record["target"]) == info[4]
        else:
            _, cls, shape, dtype, _, n_chunks = info
            assert record["kind"] == ("dataset" if cls is h5py.Dataset else "group"), path
            if cls is h5py.Dataset:
                assert record["shape"] == (None if shape is None else list(shape)), path
                assert record["dtype"] == dtype, path
                if n_chunks is not None and record["external_array"] is None:
                    # every chunk HDF5 wrote is a chunk of the document (a ref or inline), none invented
                    assert record["chunks_referenced"] + record["chunks_inline"] >= min(n_chunks, 1), path


def test_chunk_counts_and_places(converted, run):
    conv = converted("h5:layouts")
    records = {r["path"]: r for r in json_lines(run("ls", conv.lindi_path, "--json").stdout)}
    with h5py.File(conv.source, "r") as f:
        written = f["chunked_sparse"].id.get_num_chunks()
        contiguous_bytes = f["contiguous"].id.get_storage_size()
    sparse = records["/chunked_sparse"]
    assert sparse["chunks_referenced"] + sparse["chunks_inline"] == written == 2
    assert sparse["layout"] == "chunked" and sparse["chunk_shape"] == [5, 5]
    never = records["/chunked_never_written"]
    assert never["chunks_referenced"] == never["chunks_inline"] == 0
    contiguous = records["/contiguous"]
    assert contiguous["referenced_bytes"] + contiguous["inline_bytes"] == contiguous_bytes
    if contiguous["chunks_referenced"]:
        assert contiguous["places"] == {f"file {conv.source}": contiguous["chunks_referenced"]}


def test_codecs_are_listed(converted, run):
    conv = converted("h5:filters")
    records = json_lines(run("ls", conv.lindi_path, "--json").stdout)
    with h5py.File(conv.source, "r") as f:
        gzip_names = [r["path"] for r in records if r["kind"] == "dataset"
                      and f[r["path"]].compression == "gzip"]
        shuffled = [r["path"] for r in records if r["kind"] == "dataset" and f[r["path"]].shuffle]
    by_path = {r["path"]: r for r in records}
    assert gzip_names and shuffled
    for name in gzip_names:
        assert "zlib" in by_path[name]["codecs"] or "gzip" in by_path[name]["codecs"], by_path[name]
    for name in shuffled:
        assert "shuffle" in by_path[name]["codecs"], by_path[name]


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_info_and_self_diff(feature, converted, run):
    conv = converted(f"h5:{feature}")
    result = run("info", conv.lindi_path, "--json")
    assert result.exit_code == 0, result.stdout
    summary = json_lines(result.stdout.replace("\n", " "))[0]
    records = json_lines(run("ls", conv.lindi_path, "-r", "--json").stdout)
    counts = summary["objects"]
    assert counts["datasets"] == sum(r["kind"] == "dataset" for r in records)
    assert counts["groups"] == 1 + sum(r["kind"] == "group" for r in records)
    assert summary["referenced_bytes"] == sum(r["referenced_bytes"] for r in records)
    assert summary["inline_bytes"] == sum(r["inline_bytes"] for r in records)
    assert summary["referenced_bytes"] == sum(s["bytes"] for s in summary["sources"])
    assert summary["profile"] == "1.x" and summary["spec_version"] == LINDI_SPEC_VERSION
    assert all(h["verdict"] == "allowed" for h in summary["hosts"])  # a local document may point anywhere
    assert run("diff", conv.lindi_path, conv.lindi_path).exit_code == 0


def test_info_names_the_local_source_and_largest(converted, run):
    conv = converted("h5:layouts")
    summary = json_lines(run("info", conv.lindi_path, "--json").stdout.replace("\n", " "))[0]
    assert [s["source"] for s in summary["sources"]] == [str(conv.source)]
    assert summary["hosts"][0]["host"] == "local files" and summary["hosts"][0]["refs"] == summary["chunk_refs"]
    sizes = [d["stored_bytes"] for d in summary["largest"]]
    assert sizes == sorted(sizes, reverse=True) and summary["largest"][0]["path"] == "/compact_large"


@pytest.mark.parametrize("feature", sorted(NWB_FEATURES))
def test_info_nwb_identity(feature, converted, run):
    import pynwb

    conv = converted(f"nwb:{feature}")
    summary = json_lines(run("info", conv.lindi_path, "--json").stdout.replace("\n", " "))[0]
    with pynwb.NWBHDF5IO(str(conv.source), "r") as io:
        nwbfile = io.read()
        assert summary["nwb"]["identifier"] == nwbfile.identifier
        assert summary["nwb"]["session_description"] == nwbfile.session_description
    with h5py.File(conv.source, "r") as f:
        assert summary["nwb"]["nwb_version"] == f.attrs["nwb_version"]


@pytest.mark.parametrize("feature", ["numeric", "layouts", "filters", "fill_values"])
def test_cat_equals_h5py(feature, converted, run):
    conv = converted(f"h5:{feature}")
    checked = 0
    with h5py.File(conv.source, "r") as f:
        names = []
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) and o.ndim else None)
        for name in names:
            dset = f[name]
            if dset.dtype.kind not in "biufc" or dset.dtype.names:
                continue
            selection = "[1:, ::2]" if dset.ndim == 2 else "[1::2]"
            try:
                expected = dset[1:, ::2] if dset.ndim == 2 else dset[1::2]
            except OSError:  # a filter this machine's h5py cannot read either
                continue
            result = run("cat", conv.lindi_path, f"/{name}{selection}", "--format", "npy")
            assert result.exit_code == 0, (name, result.stderr)
            np.testing.assert_array_equal(np.load(io.BytesIO(result.stdout_bytes)), expected)
            assert np.load(io.BytesIO(result.stdout_bytes)).dtype == expected.dtype
            checked += 1
    assert checked >= 3


LEGACY = sorted((Path(__file__).parents[2] / "conformance" / "vectors" / "legacy").glob("*/*.lindi.json"))


@pytest.mark.parametrize("doc", LEGACY, ids=lambda p: p.parent.name)
def test_legacy_documents(doc, run):
    """LINDI 0.3/0.4 documents: the legacy profile, every object listed, dataset values readable with cat."""
    summary = json_lines(run("info", doc, "--json").stdout.replace("\n", " "))[0]
    assert summary["profile"].startswith("legacy") and summary["spec_version"] is None
    records = json_lines(run("ls", doc, "-r", "--json").stdout)
    assert records and not [r for r in records if r["error"]]
    assert summary["objects"]["datasets"] == sum(r["kind"] == "dataset" for r in records) > 0
    dataset = next(r for r in records if r["kind"] == "dataset" and r["shape"])
    result = run("cat", doc, dataset["path"], "--format", "json", "--no-cache")
    assert result.exit_code == 0, result.stderr
    assert strict_json.loads(result.stdout)["shape"] == dataset["shape"]
