"""``lindi convert``, the written document, and bad input."""
from __future__ import annotations

import json

import h5py
import hdf5plugin
import numpy as np
import pytest
from click.testing import CliRunner

from lindi.cli.main import cli
from lindi.conversion import SourceOpenError
from lindi.errors import ConversionError
from lindi.LindiH5ZarrStore import LindiH5ZarrStore, LindiH5ZarrStoreOpts


def _make(path, unsupported=False):
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=np.arange(1000, dtype="<i4"), chunks=(100,), compression="gzip")
        f["s"] = "NaN"
        f.attrs["f"] = np.float32(np.inf)
        if unsupported:
            f.create_dataset("bs", data=np.arange(100, dtype="<f4"), chunks=(10,), **hdf5plugin.Bitshuffle(cname="lz4"))
    return path


def run(*args):
    return CliRunner().invoke(cli, ["convert", *map(str, args)])


def test_written_file_equals_dict_and_is_strict_compact_json(tmp_path):
    src = _make(tmp_path / "f.nwb")
    with LindiH5ZarrStore.from_file(src, opts=LindiH5ZarrStoreOpts(inline_threshold=0)) as store:
        doc = store.to_reference_file_system()
        store.write_reference_file_system(tmp_path / "out.lindi.json")
    text = (tmp_path / "out.lindi.json").read_text()
    assert json.loads(text, parse_constant=lambda t: pytest.fail(f"bare {t}")) == doc
    assert "\n" not in text and ": " not in text
    assert doc["lindi_spec"] == "1.1" and doc["generator"]["name"] == "lindi"
    assert doc["templates"] == {"u1": str(src)}
    assert doc["refs"]["x/3"][0] == "{{u1}}"


def test_template_threshold_and_url_option(tmp_path):
    src = _make(tmp_path / "f.h5")
    opts = LindiH5ZarrStoreOpts(inline_threshold=0, template_threshold=None)
    with LindiH5ZarrStore.from_file(src, opts=opts, url="https://example.org/f.h5") as store:
        doc = store.to_reference_file_system()
    assert "templates" not in doc
    assert doc["refs"]["x/0"][0] == "https://example.org/f.h5"


def test_cli_default_output_and_summary(tmp_path):
    src = _make(tmp_path / "f.nwb")
    result = run(src, "--inline-threshold", "0")
    assert result.exit_code == 0, result.output
    out = tmp_path / "f.nwb.lindi.json"
    assert json.loads(out.read_text())["refs"]["x/0"][0] == "{{u1}}"
    assert "chunks referenced 10" in result.output and "unsupported objects 0" in result.output


def test_cli_json_report_lists_unsupported(tmp_path):
    src = _make(tmp_path / "f.h5", unsupported=True)
    result = run(src, "-o", tmp_path / "o.lindi.json", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)["report"]
    assert report["datasets"] == 3 and [u["path"] for u in report["unsupported"]] == ["/bs"]


def test_cli_strict_fails_without_partial_output(tmp_path):
    src = _make(tmp_path / "f.h5", unsupported=True)
    out = tmp_path / "o.lindi.json"
    previous = '{"version": 1, "refs": {".zgroup": {"zarr_format": 2}}}'  # an earlier LINDI output: may be replaced
    out.write_text(previous)
    result = run(src, "-o", out, "--strict")
    assert result.exit_code == 1
    assert "/bs" in result.output
    assert out.read_text() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.h5", "o.lindi.json"]  # no temp files left


@pytest.mark.parametrize("content", [None, b"definitely not hdf5", "truncated"])
def test_bad_input_is_a_clear_io_error(tmp_path, content):
    src = tmp_path / "in.h5"
    if content == "truncated":
        _make(src)
        data = src.read_bytes()
        src.write_bytes(data[: len(data) // 2])
    elif content is not None:
        src.write_bytes(content)
    result = run(src)
    assert result.exit_code == 2
    assert str(src) in result.output
    assert not (tmp_path / "in.h5.lindi.json").exists()
    with pytest.raises(SourceOpenError, match="in.h5"):
        LindiH5ZarrStore.from_file(src)


def test_unwritable_output_is_io_error(tmp_path):
    src = _make(tmp_path / "f.h5")
    result = run(src, "-o", tmp_path / "no" / "such" / "dir.lindi.json")
    assert result.exit_code == 2 and "cannot write" in result.output


def test_corrupt_object_is_reported_and_rest_converts(tmp_path):
    src = tmp_path / "c.h5"
    with h5py.File(src, "w") as f:
        f["good"] = np.arange(10)
        f["bad"] = np.arange(10)
        addr = h5py.h5o.get_info(f["bad"].id).addr
    with open(src, "r+b") as fp:
        fp.seek(addr)
        fp.write(b"\xde\xad\xbe\xef" * 8)
    with LindiH5ZarrStore.from_file(src) as store:
        refs = store.to_reference_file_system()["refs"]
        report = store.report
    assert [u.path for u in report.unsupported] == ["/bad"]
    assert "good/0" in refs and not any(k.startswith("bad/") for k in refs)
    with pytest.raises(ConversionError, match="/bad"):
        LindiH5ZarrStore.from_file(src, opts=LindiH5ZarrStoreOpts(strict=True)).to_reference_file_system()


def test_closed_store_refuses(tmp_path):
    store = LindiH5ZarrStore.from_file(_make(tmp_path / "f.h5"))
    store.close()
    with pytest.raises(ConversionError, match="closed"):
        store.to_reference_file_system()


def test_streamed_json_matches_dict_for_awkward_names(tmp_path):
    src = tmp_path / "w.h5"
    with h5py.File(src, "w") as f:
        for name in ('pct%d%s', 'quo"te', "ünï", "sp ace"):
            f.create_dataset(name, data=np.arange(12, dtype="<i2").reshape(3, 4), chunks=(1, 2))
        f.create_dataset("three_d", data=np.zeros((2, 2, 2)), chunks=(1, 1, 2))
    with LindiH5ZarrStore.from_file(src, opts=LindiH5ZarrStoreOpts(inline_threshold=0), url="s3://b/%20x") as store:
        doc = store.to_reference_file_system()
        store.write_reference_file_system(tmp_path / "w.lindi.json")
    assert json.loads((tmp_path / "w.lindi.json").read_text()) == doc
    assert doc["refs"]['pct%d%s/2.1'][0] == "{{u1}}" and doc["templates"]["u1"] == "s3://b/%20x"
    assert "three_d/1.1.0" in doc["refs"] and "ünï/0.0" in doc["refs"]


def test_remote_hdf5_over_http(tmp_path):
    from lindi.testing.range_server import RangeServer

    src = _make(tmp_path / "remote.h5")
    with RangeServer(root=tmp_path) as server:
        url = server.url_for("remote.h5")
        with LindiH5ZarrStore.from_file(url, opts=LindiH5ZarrStoreOpts(inline_threshold=100_000)) as store:
            remote_doc = store.to_reference_file_system()
        requests = server.requests
        with LindiH5ZarrStore.from_file(url, opts=LindiH5ZarrStoreOpts(inline_threshold=0)) as store:
            assert store.to_reference_file_system()["templates"] == {"u1": url}
    with LindiH5ZarrStore.from_file(src, opts=LindiH5ZarrStoreOpts(inline_threshold=100_000)) as store:
        local_doc = store.to_reference_file_system()
    assert remote_doc["refs"] == local_doc["refs"]  # everything inlined: same bytes read over HTTP
    assert 0 < requests < 40


def test_remote_missing_is_source_error(tmp_path):
    from lindi.testing.range_server import RangeServer

    with RangeServer(root=tmp_path) as server:
        url = server.url_for("absent.h5")
        with pytest.raises(SourceOpenError, match="absent.h5"):
            LindiH5ZarrStore.from_file(url)
