"""The four commands as a user meets them: help with examples, exit codes, JSON, width, the real console script."""
from __future__ import annotations

import subprocess
import sys

import pytest

from lindi import strict_json

from .conftest import json_lines, write_doc


@pytest.mark.parametrize("command", ["ls", "info", "diff", "cat"])
def test_help_has_examples(run, command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and f"lindi {command} " in result.stdout


def test_commands_are_listed(run):
    assert all(name in run("--help").stdout for name in ("ls", "info", "diff", "cat"))


@pytest.mark.parametrize("args", [["ls", "{missing}"], ["info", "{missing}"], ["diff", "{doc}", "{missing}"],
                                  ["cat", "{missing}", "/x"], ["ls", "{doc}", "/no/such"],
                                  ["cat", "{doc}", "/g"], ["cat", "{doc}", "/g/data[1,x]"],
                                  ["cat", "{doc}", "/g/data[0,0,0]"], ["ls", "{bad}"], ["ls"]])
def test_errors_exit_2_with_one_line(run, converted, tmp_path, args):
    doc = converted("h5:links").lindi_path
    bad = tmp_path / "bad.lindi.json"
    bad.write_text('{"version": 1, "refs": {"a/.zarray": NaN}}')
    values = {"{missing}": tmp_path / "missing.lindi.json", "{doc}": doc, "{bad}": bad}
    result = run(*[values.get(a, a) for a in args])
    assert result.exit_code == 2, result.stdout
    if len(args) > 1:
        assert result.stderr.startswith(f"lindi {args[0]}: error: ") and result.stderr.count("\n") == 1


def test_diff_exit_codes_and_json(run, converted, tmp_path):
    conv = converted("h5:links")
    doc = conv.written_document()
    assert run("diff", conv.lindi_path, conv.lindi_path).exit_code == 0
    doc["refs"]["g/inner/.zattrs"] = {"tag": "changed", "new": 1}
    doc["refs"]["added/.zgroup"] = {"zarr_format": 2}
    del doc["refs"]["soft_chain/.zgroup"], doc["refs"]["soft_chain/.zattrs"]
    doc["refs"]["g/data/.zarray"] = {**doc["refs"]["g/data/.zarray"], "dtype": "<i4", "shape": [3, 2],
                                     "chunks": [3, 2]}
    edited = write_doc(tmp_path / "edited.lindi.json", doc)
    result = run("diff", conv.lindi_path, edited, "--json")
    assert result.exit_code == 1
    report = strict_json.loads(result.stdout)
    assert report["counts"] == {"added": 1, "removed": 1, "changed": 2} and not report["equal"]
    objects = {o["path"]: o for o in report["objects"]}
    assert objects["/added"]["status"] == "added" and objects["/soft_chain"]["status"] == "removed"
    inner = {c["what"]: (c["a"], c["b"]) for c in objects["/g/inner"]["changes"]}
    assert inner["attribute tag"][0]["value"] == "inner" and inner["attribute tag"][1]["value"] == "changed"
    assert inner["attribute new"][0] is None and inner["attribute new"][1]["dtype"] == "int64"
    data = {c["what"]: (c["a"], c["b"]) for c in objects["/g/data"]["changes"]}
    assert data["dtype"] == ("int64", "int32") and data["shape"] == ([2, 3], [3, 2])
    text = run("diff", conv.lindi_path, edited).stdout.splitlines()
    assert "+ /added  group" in text and "- /soft_chain  soft link" in text
    assert any(line.startswith("~ /g/inner  attribute tag: \"inner\"") for line in text)
    assert text[-1] == "1 added, 1 removed, 2 changed"


def test_lines_are_cut_to_the_terminal_width(run, converted):
    conv = converted("nwb:ecephys")
    for args in (["ls", conv.lindi_path, "-r", "-a"], ["info", conv.lindi_path]):
        narrow = run(*args, columns=50).stdout.splitlines()
        wide = run(*args, columns=400).stdout.splitlines()
        assert max(len(line) for line in narrow) == 50
        assert max(len(line) for line in wide) > 50
        assert any(line.endswith("…") for line in narrow)


def test_ls_json_is_one_record_per_object(run, converted):
    conv = converted("h5:links")
    records = json_lines(run("ls", conv.lindi_path, "-r", "--json").stdout)
    assert [r["path"] for r in records][:3] == ["/ext_missing", "/ext_present", "/g"]
    single = json_lines(run("ls", conv.lindi_path, "/g/data", "--json").stdout)
    assert len(single) == 1 and single[0]["shape"] == [2, 3] and single[0]["dtype"] == "int64"
    below = [r["path"] for r in json_lines(run("ls", conv.lindi_path, "/g", "--json").stdout)]
    assert below == ["/g/data", "/g/inner", "/g/soft_rel"]


def test_cat_formats(run, converted, tmp_path):
    conv = converted("h5:links")
    assert run("cat", conv.lindi_path, "/g/data[1]").stdout == "[3 4 5]\n"
    assert strict_json.loads(run("cat", conv.lindi_path, "/g/data[:, 1:]", "--format", "json").stdout) == {
        "path": "/g/data", "shape": [2, 2], "dtype": "int64", "data": [["1", "2"], ["4", "5"]]}
    out = tmp_path / "x.npy"
    assert run("cat", conv.lindi_path, "/soft_abs", "--format", "npy", "-o", out).exit_code == 0
    import numpy as np
    assert np.load(out).tolist() == [[0, 1, 2], [3, 4, 5]]


def test_console_script(converted):
    conv = converted("h5:links")
    result = subprocess.run([sys.executable, "-m", "lindi.cli.main", "ls", str(conv.lindi_path), "/g"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["/g/data", "dataset", "(2,", "3)", "int64", "contiguous",
                                                     "inline", "48", "B"]
