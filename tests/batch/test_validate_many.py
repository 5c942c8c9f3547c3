"""validate_many over converted outputs and broken documents; a rerun with a results file skips valid ones."""
from __future__ import annotations

import json

from lindi.batch import ClusterOptions, convert_many, validate_many

from .conftest import write_plain


def _documents(tmp_path, client):
    for i in range(6):
        write_plain(tmp_path / f"f{i}.h5", i)
    docs = tmp_path / "docs"
    convert_many(str(tmp_path / "*.h5"), docs, cluster=ClusterOptions(client=client))
    (docs / "bare_nan.lindi.json").write_text('{"version": 1, "refs": {".zgroup": {"zarr_format": 2}}, "x": NaN}')
    (docs / "not_json.lindi.json").write_text("hello")
    bad_version = {"version": 2, "refs": {".zgroup": {"zarr_format": 2}}}
    (docs / "bad_version.lindi.json").write_text(json.dumps(bad_version))
    return docs


def test_each_document_reported_and_rerun_skips_valid_ones(tmp_path, client):
    docs = _documents(tmp_path, client)
    manifest = tmp_path / "docs.txt"
    names = sorted(p.name for p in docs.glob("*.lindi.json"))
    manifest.write_text("\n".join(["docs/" + n for n in names] + ["docs/gone.lindi.json"]))
    results = tmp_path / "validate.jsonl"
    cluster = ClusterOptions(client=client)

    first = validate_many(manifest, jsonl=results, cluster=cluster)
    status = {r.input.rsplit("/", 1)[1]: (r.status, r.reason) for r in first.records}
    assert {n for n, (s, _) in status.items() if s == "ok"} == {f"f{i}.h5.lindi.json" for i in range(6)}
    assert status["bare_nan.lindi.json"][1].startswith("invalid: LINDI-E-JSON")
    assert status["not_json.lindi.json"][1].startswith("invalid: LINDI-E-JSON")
    assert status["bad_version.lindi.json"][0] == "failed" and "LINDI-E-" in status["bad_version.lindi.json"][1]
    assert status["gone.lindi.json"] == ("failed", f"input missing: {docs / 'gone.lindi.json'}")
    assert first.exit_code == 1 and "4 failed" in first.summary()

    again = validate_many(manifest, jsonl=results, cluster=cluster)
    assert [r.status for r in again.records if r.input.endswith(".h5.lindi.json")] == ["skipped"] * 6
    assert again.counts["failed"] == 4  # invalid documents are checked again

    (docs / "bare_nan.lindi.json").write_text('{"version": 1, "refs": {".zgroup": {"zarr_format": 2}}}')
    fixed = validate_many(manifest, jsonl=results, cluster=cluster)
    assert {r.input.rsplit("/", 1)[1]: r.status for r in fixed.records}["bare_nan.lindi.json"] == "ok"


def test_without_results_file_everything_is_checked(tmp_path, client):
    docs = _documents(tmp_path, client)
    result = validate_many(str(docs / "f*.lindi.json"), cluster=ClusterOptions(client=client))
    assert result.counts == {"ok": 6, "failed": 0, "skipped": 0} and result.exit_code == 0
    assert validate_many(str(docs / "f*.lindi.json"), cluster=ClusterOptions(client=client)).counts["ok"] == 6
