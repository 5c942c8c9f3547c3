"""Manifest and glob expansion, and where each output goes."""
from __future__ import annotations

import os

import pytest

from lindi.batch import BatchUsageError, expand_inputs, plan_outputs


def test_manifest_lines_comments_relative_paths_urls_and_duplicates(tmp_path):
    (tmp_path / "m").mkdir()
    manifest = tmp_path / "m" / "list.txt"
    manifest.write_text("# archive\n\n  a.h5  \n../b.nwb\n/abs/c.h5\nfile:///abs/d.h5\n"
                        "https://example.org/x/e.nwb?sig=1\na.h5\n")
    assert expand_inputs(str(manifest)) == [
        str(tmp_path / "m" / "a.h5"), str(tmp_path / "b.nwb"), "/abs/c.h5", "/abs/d.h5",
        "https://example.org/x/e.nwb?sig=1"]


@pytest.mark.parametrize("content, message", [
    (b"", "lists no inputs"), (b"# only a comment\n\n", "lists no inputs"),
    (b"\x89HDF\r\n\x1a\n\x00\x00", "binary file"), (b"ok.h5\n\xff\xfe\n", "line 2: not UTF-8"),
    (b"file://otherhost/x.h5\n", "line 1"),
])
def test_bad_manifests_are_usage_errors_naming_the_file(tmp_path, content, message):
    manifest = tmp_path / "list.txt"
    manifest.write_bytes(content)
    with pytest.raises(BatchUsageError, match=message) as info:
        expand_inputs(str(manifest))
    assert str(manifest) in str(info.value)


def test_glob_recursive_files_only_sorted_and_excluding_outputs(tmp_path):
    for name in ("b.h5", "a.h5", "deep/c.h5", "a.h5.lindi.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "folder.h5").mkdir()
    found = expand_inputs(str(tmp_path / "**" / "*.h5*"), exclude_suffix=".lindi.json")
    assert found == [str(tmp_path / n) for n in ("a.h5", "b.h5", "deep/c.h5")]
    assert str(tmp_path / "a.h5.lindi.json") in expand_inputs(str(tmp_path / "*"))


def test_nothing_to_expand_is_a_usage_error(tmp_path):
    with pytest.raises(BatchUsageError, match="no file matches"):
        expand_inputs(str(tmp_path / "*.nwb"))
    with pytest.raises(BatchUsageError, match="neither an existing manifest"):
        expand_inputs(str(tmp_path / "absent.txt"))


def test_outputs_keep_the_layout_below_the_common_folder_and_urls_go_under_their_host(tmp_path):
    inputs = [str(tmp_path / "a" / "x.h5"), str(tmp_path / "a" / "sub" / "y.nwb"),
              "https://dandi.example/api/assets/1234/download/", "s3://bucket/../k/z.nwb"]
    out = tmp_path / "out"
    assert plan_outputs(inputs, str(out)) == [
        str(out / "x.h5.lindi.json"), str(out / "sub" / "y.nwb.lindi.json"),
        str(out / "dandi.example/api/assets/1234/download.lindi.json"), str(out / "bucket/k/z.nwb.lindi.json")]
    assert plan_outputs([str(tmp_path / "one.h5")], "rel") == [os.path.abspath("rel/one.h5.lindi.json")]


def test_two_inputs_for_one_output_are_refused():
    with pytest.raises(BatchUsageError, match="would both be written to"):
        plan_outputs(["https://a.org/f.nwb", "https://a.org/f.nwb?v=2"], "/tmp/out")
