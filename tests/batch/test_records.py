"""The results file: load the latest record per input, survive a cut-short line, never clobber a foreign file."""
from __future__ import annotations

import json

import pytest

from lindi.batch import BatchUsageError, ResultRecord, load_records
from lindi.batch.records import ResultsLog, summarize


def test_last_record_per_input_wins_and_a_cut_short_line_is_ignored(tmp_path):
    path = tmp_path / "r.jsonl"
    log = ResultsLog(str(path))
    log.append(ResultRecord("a.h5", "a.json", "failed", reason="boom"))
    log.append(ResultRecord("b.h5", "b.json", "ok", chunks=3))
    log.append(ResultRecord("a.h5", "a.json", "ok", chunks=7, fingerprint={"size": 1, "mtime_ns": 2}))
    log.close()
    with open(path, "a") as fp:
        fp.write('{"input": "c.h5", "sta')  # a crash in the middle of a line
    records = load_records(str(path))
    assert sorted(records) == ["a.h5", "b.h5"]
    assert records["a.h5"].chunks == 7 and records["a.h5"].fingerprint == {"size": 1, "mtime_ns": 2}


def test_finalize_leaves_one_line_per_record(tmp_path):
    path = tmp_path / "r.jsonl"
    log = ResultsLog(str(path))
    for status in ("failed", "failed", "ok"):
        log.append(ResultRecord("a.h5", None, status))
    log.finalize([ResultRecord("a.h5", None, "ok", seconds=1.5)])
    lines = path.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["seconds"] == 1.5
    assert not [p for p in tmp_path.iterdir() if p.name != "r.jsonl"]


def test_a_file_that_is_not_a_results_file_is_refused(tmp_path):
    other = tmp_path / "notes.jsonl"
    other.write_text('{"hello": 1}\nplain text\n')
    with pytest.raises(BatchUsageError, match="refusing to overwrite"):
        load_records(str(other))
    assert load_records(str(tmp_path / "absent.jsonl")) == {}


def test_summary_counts_rates_and_failures():
    records = [ResultRecord("a", "a.j", "ok", chunks=10), ResultRecord("b", "b.j", "skipped"),
               ResultRecord("c", "c.j", "failed", reason="not HDF5", attempts=3)]
    text = summarize(records, 2.0, verb="converted")
    assert text.splitlines()[0] == ("converted 3 inputs in 2.0 s: 1 ok, 1 skipped (up to date), 1 failed; "
                                    "1 retried; 0.50 files/s, 5 chunks/s")
    assert text.splitlines()[1] == "  FAILED c: not HDF5 (attempts 3)"
