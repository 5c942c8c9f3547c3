"""What an edit changed: a document edited in r+ mode with a staging area, compared with diff, ls and info."""
from __future__ import annotations

import shutil

import numpy as np

import lindi
from lindi import strict_json

from .conftest import json_lines


def test_diff_ls_info_after_an_edit(converted, run, tmp_path):
    conv = converted("nwb:ecephys")
    before = tmp_path / "before.nwb.lindi.json"
    after = tmp_path / "after.nwb.lindi.json"
    shutil.copy(conv.lindi_path, before)
    shutil.copy(conv.lindi_path, after)
    with lindi.StagingArea.create(base_dir=tmp_path / "staging", keep=True) as staging:
        with lindi.LindiH5pyFile.from_lindi_file(str(after), mode="r+", staging_area=staging) as f:
            f.attrs["edited_by"] = "lindi diff test"
            f.create_dataset("analysis/filtered", data=np.arange(20_000, dtype="<f4"), chunks=(5_000,))
            f["acquisition/ElectricalSeries/data"][0:2, 0] = [7, 7]
        staged_dir = staging.directory
    result = run("diff", before, after, "--json")
    assert result.exit_code == 1
    report = strict_json.loads(result.stdout)
    objects = {o["path"]: o for o in report["objects"]}
    assert objects["/analysis/filtered"]["status"] == "added"
    root = {c["what"]: c for c in objects["/"]["changes"]}
    assert root["attribute edited_by"]["a"] is None and root["attribute edited_by"]["b"]["value"] == "lindi diff test"
    data_changes = [c for c in objects["/acquisition/ElectricalSeries/data"]["changes"] if c["what"] == "data"]
    assert data_changes and data_changes[0]["detail"]["changed"]["count"] >= 1
    assert report["counts"]["removed"] == 0

    record = json_lines(run("ls", after, "/analysis/filtered", "--json").stdout)[0]
    assert record["chunks_referenced"] == 4 and record["chunk_shape"] == [5000]
    assert record["places"] == {f"staging {staged_dir}": 4}
    summary = json_lines(run("info", after, "--json").stdout.replace("\n", " "))[0]
    hosts = {h["host"]: h for h in summary["hosts"]}
    staged = hosts[f"staging area {staged_dir}"]
    assert staged["kind"] == "staging" and staged["verdict"] == "allowed" and staged["bytes"] >= 20_000 * 4
    assert run("diff", after, after).exit_code == 0
