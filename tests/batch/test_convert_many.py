"""convert_many on 50+ generated files over two Dask workers: every input reported, reruns skip, retries."""
from __future__ import annotations

import json
import os
import shutil

import pytest

from lindi.batch import ClusterOptions, convert_many, load_records
from lindi.batch.many import DEFAULT_RESULTS_NAME
from lindi.LindiH5ZarrStore import LindiH5ZarrStore
from lindi.validation import validate

from .conftest import N_NWB, N_PLAIN, Archive, write_plain


@pytest.fixture(scope="module")
def first_run(archive: Archive, client, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    manifest = archive.manifest(archive.root / "manifest.txt")
    result = convert_many(manifest, out, cluster=ClusterOptions(client=client))
    return out, manifest, result


def test_every_input_has_a_record_and_broken_ones_do_not_stop_the_run(archive: Archive, first_run):
    out, _, result = first_run
    assert len(archive.good) == N_PLAIN + N_NWB + 1 >= 50
    by_input = {r.input: r for r in result.records}
    assert list(by_input) == [str(p) for p in [*archive.good, *archive.broken]]  # input order kept
    for path in archive.good:
        record = by_input[str(path)]
        assert record.status == "ok", record
        assert record.attempts == 1 and record.seconds > 0
        assert record.output_bytes == os.path.getsize(record.output)
        assert validate(record.output).valid
    for path, why in archive.broken.items():
        record = by_input[str(path)]
        assert record.status == "failed" and why in record.reason and record.output_bytes is None
        assert not os.path.exists(record.output)
    assert result.counts == {"ok": len(archive.good), "failed": len(archive.broken), "skipped": 0}
    assert result.exit_code == 1
    assert not [n for n in os.listdir(out) if n.endswith(".tmp")]  # atomic writes leave no temp files


def test_layout_chunks_and_unsupported_objects_are_recorded(archive: Archive, first_run):
    out, _, result = first_run
    by_input = {r.input: r for r in result.records}
    sub = archive.good[0]
    assert sub.parent.name == "sub"
    assert by_input[str(sub)].output == str(out / "sub" / "plain00.h5.lindi.json")
    with LindiH5ZarrStore.from_file(archive.good[3]) as store:
        assert by_input[str(archive.good[3])].chunks == store.report.chunks_referenced > 0
    unsupported = by_input[str(archive.unsupported)]
    assert unsupported.status == "ok" and [u["path"] for u in unsupported.unsupported] == ["/bs"]


def test_results_file_has_one_record_per_input(archive: Archive, first_run):
    out, _, result = first_run
    lines = (out / DEFAULT_RESULTS_NAME).read_text().splitlines()
    assert [json.loads(line)["input"] for line in lines] == [r.input for r in result.records]
    assert json.loads(lines[0])["fingerprint"]["size"] == archive.good[0].stat().st_size
    summary = result.summary()
    assert f"{len(archive.good)} ok" in summary and f"{len(archive.broken)} failed" in summary
    assert f"FAILED {archive.root / 'empty.h5'}" in summary and "bitshuffle.h5: 1 unsupported objects" in summary


def test_rerun_skips_everything_done(archive: Archive, first_run, client):
    out, manifest, first = first_run
    mtimes = {r.output: os.stat(r.output).st_mtime_ns for r in first.records if r.status == "ok"}
    again = convert_many(manifest, out, cluster=ClusterOptions(client=client))
    assert again.counts == {"ok": 0, "failed": len(archive.broken), "skipped": len(archive.good)}
    for before, after in zip(first.records, again.records):
        if before.status == "ok":
            assert after.reason == "unchanged since the last run"
            assert (after.chunks, after.output_bytes) == (before.chunks, before.output_bytes)
            assert os.stat(after.output).st_mtime_ns == mtimes[after.output]  # not rewritten
    assert len((out / DEFAULT_RESULTS_NAME).read_text().splitlines()) == len(first.records)


def test_changed_input_is_converted_again_and_fresh_output_is_trusted(tmp_path, client):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        write_plain(src / f"f{i}.h5", i)
    out = tmp_path / "out"
    cluster = ClusterOptions(client=client)
    assert convert_many(str(src / "*.h5"), out, cluster=cluster).counts["ok"] == 3

    write_plain(src / "f1.h5", 99)  # new content, new size and mtime
    rerun = convert_many(str(src / "*.h5"), out, cluster=cluster)
    assert [r.status for r in rerun.records] == ["skipped", "ok", "skipped"]

    os.unlink(out / DEFAULT_RESULTS_NAME)  # no records: outputs newer than inputs and valid are kept
    (out / "f2.h5.lindi.json").write_text("{not json")
    third = convert_many(str(src / "*.h5"), out, cluster=cluster)
    assert [(r.status, r.reason) for r in third.records] == [
        ("skipped", "output newer than input and valid"), ("skipped", "output newer than input and valid"),
        ("ok", "")]
    assert validate(str(out / "f2.h5.lindi.json")).valid


def test_glob_does_not_pick_up_earlier_outputs_or_the_results_file(tmp_path, client):
    write_plain(tmp_path / "a.h5", 1)
    cluster = ClusterOptions(client=client)
    convert_many(str(tmp_path / "*"), tmp_path, cluster=cluster)
    rerun = convert_many(str(tmp_path / "*"), tmp_path, cluster=cluster)
    assert [(r.input, r.status) for r in rerun.records] == [(str(tmp_path / "a.h5"), "skipped")]


def test_transient_failures_are_retried_a_bounded_number_of_times(tmp_path, client):
    for i in range(2):
        write_plain(tmp_path / f"f{i}.h5", i)
    out = tmp_path / "out"
    (out / "f1.h5.lindi.json").mkdir(parents=True)  # the output path is taken by a folder: an OSError
    shutil.copy(tmp_path / "f0.h5", tmp_path / "copy.txt")
    result = convert_many([tmp_path / "f0.h5", tmp_path / "f1.h5", tmp_path / "nothere.h5"], out, retries=3,
                          cluster=ClusterOptions(client=client))
    ok, blocked, missing = result.records
    assert (ok.status, ok.attempts) == ("ok", 1)
    assert blocked.status == "failed" and blocked.retryable and blocked.attempts == 4
    assert "IsADirectoryError" in blocked.reason
    assert (missing.status, missing.retryable, missing.attempts) == ("failed", False, 1)  # not worth retrying
    assert "1 retried" in result.summary()
    no_retry = convert_many([tmp_path / "f1.h5"], out, retries=0, jsonl=tmp_path / "r.jsonl",
                            cluster=ClusterOptions(client=client))
    assert no_retry.records[0].attempts == 1
    assert load_records(str(tmp_path / "r.jsonl"))[str(tmp_path / "f1.h5")].status == "failed"
