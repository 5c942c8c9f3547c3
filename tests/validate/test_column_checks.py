"""Runs of chunk refs are checked as columns (lindi.validation.chunk_runs): a bad ref anywhere in a long run
is still reported at that ref, with the same code, pointer and message as the per-ref check gives."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from lindi.strict_json import ref_pointer
from lindi.validation import refs as refs_module, validate
from lindi.validation.chunk_runs import below, plain_range_refs
from lindi.validation.refs import RefsPass

N = 2000  # rows of chunks per array: every array's run is thousands of refs long
URLS = ("{{u1}}", "https://example.org/f.h5")


def _document(n: int = N) -> dict:
    """Three arrays of 2n, 2n and n chunks ("." 2-d, "/" 2-d, "." 1-d), each run of refs unbroken."""
    refs: dict = {".zgroup": {"zarr_format": 2}, "acq/.zgroup": {"zarr_format": 2}}
    layouts = {"acq/dot": ([10 * n, 6], [10, 3], "."), "acq/slash": ([5 * n, 4], [5, 2], "/"), "flat": ([n], [1], ".")}
    offset = 0
    for path, (shape, chunks, sep) in layouts.items():
        refs[f"{path}/.zarray"] = {"zarr_format": 2, "shape": shape, "chunks": chunks, "dtype": "<i2", "compressor": None,
                                   "filters": None, "fill_value": 0, "order": "C", "dimension_separator": sep}
        for i in range(n):
            for j in range(2 if len(shape) == 2 else 1):
                name = f"{i}{sep}{j}" if len(shape) == 2 else str(i)
                refs[f"{path}/{name}"] = [URLS[(i + j) % 2], offset, 100 + i % 7]
                offset += 100
    return {"version": 1, "lindi_spec": "1.0", "templates": {"u1": "https://example.org/g.h5"}, "refs": refs}


def _rename(doc: dict, old: str, new: str) -> None:
    """Give the ref at ``old`` the key ``new``, keeping its place in the run."""
    doc["refs"] = {new if k == old else k: v for k, v in doc["refs"].items()}


def _issues(report) -> list[tuple[str, str, str]]:
    return [(i.code, i.pointer, i.message) for i in report.errors + report.warnings]


def _per_ref(doc: dict, monkeypatch) -> list[tuple[str, str, str]]:
    """The report of the per-ref check alone (no array gets a run regex)."""
    with monkeypatch.context() as m:
        m.setattr(refs_module, "run_pattern", lambda *args: None)
        return _issues(validate(doc))


def test_valid_document_takes_the_column_path(monkeypatch):
    """Only the metadata keys go through the per-ref check; the 10,000 chunk refs are checked as runs."""
    assert N >= refs_module._RUN_MIN_GRID
    doc = _document()
    checked: list[str] = []
    original = RefsPass._ref

    def counting(self, key, value):
        checked.append(key)
        return original(self, key, value)

    monkeypatch.setattr(RefsPass, "_ref", counting)
    report = validate(doc)
    assert report.valid, report.errors[:3]
    assert checked == [k for k in doc["refs"] if k.rpartition("/")[2].startswith(".")]


def test_small_arrays_are_checked_ref_by_ref(monkeypatch):
    """Arrays of fewer chunks than _RUN_MIN_GRID get no run regex (compiling one costs more than it saves)."""
    doc = _document(50)
    compiled: list[str] = []
    original = refs_module.run_pattern
    monkeypatch.setattr(refs_module, "run_pattern", lambda *args: compiled.append(args[0]) or original(*args))
    assert validate(doc).valid and compiled == []
    monkeypatch.setattr(refs_module, "_RUN_MIN_GRID", 100)
    assert validate(doc).valid and compiled == ["acq/dot/", "acq/slash/"]


MID = f"acq/dot/{N // 2}.1"


@pytest.mark.parametrize("value, code", [
    ([URLS[0], "4096", 10], "LINDI-E-REF-RANGE"),           # offset of the wrong type
    ([URLS[0], True, 10], "LINDI-E-REF-RANGE"),             # a boolean is not an integer
    ([URLS[0], 4096.5, 10], "LINDI-E-REF-RANGE"),           # not an integer value
    ([URLS[0], 0, -1], "LINDI-E-REF-RANGE"),                # negative length
    ([URLS[0], 2**53, 10], "LINDI-E-REF-RANGE"),            # beyond 2**53 - 1
    ([URLS[0], 0, None], "LINDI-E-REF-RANGE"),
    (["https://example.org/f.h5"], "LINDI-E-REF-VALUE"),   # the [url] form
    ([URLS[0], 0, 1, 2], "LINDI-E-REF-VALUE"),
    ({"a": 1}, "LINDI-E-REF-VALUE"),
    (7, "LINDI-E-REF-VALUE"),
    ("base64:abc", "LINDI-E-BASE64"),
    (["", 0, 10], "LINDI-E-REF-URL"),
    ([5, 0, 10], "LINDI-E-REF-URL"),
    ([["x"], 0, 10], "LINDI-E-REF-URL"),                    # an unhashable URL
    (["{{u9}}/f", 0, 10], "LINDI-E-TEMPLATE-UNDEFINED"),
    (["{{u1", 0, 10], "LINDI-E-TEMPLATE"),
    (["https://user:pw@example.org/f.h5", 0, 10], "LINDI-E-URL-CREDENTIALS"),
])
def test_bad_value_in_a_long_run_is_reported_at_its_ref(value, code, monkeypatch):
    doc = _document()
    doc["refs"][MID] = value
    report = validate(doc)
    url_problem = code in ("LINDI-E-REF-URL", "LINDI-E-TEMPLATE", "LINDI-E-TEMPLATE-UNDEFINED", "LINDI-E-URL-CREDENTIALS")
    assert [(i.code, i.pointer) for i in report.errors] == [(code, ref_pointer(MID, 0) if url_problem else ref_pointer(MID))]
    assert _issues(report) == _per_ref(doc, monkeypatch)


@pytest.mark.parametrize("value", [[URLS[0], 4096.0, 10.0], "plain inline text", "base64:AAAA"])
def test_values_the_per_ref_check_accepts_break_a_run_but_stay_valid(value, monkeypatch):
    doc = _document()
    doc["refs"][MID] = value
    assert validate(doc).valid
    assert _per_ref(doc, monkeypatch) == []


def test_unknown_scheme_warns_at_the_first_ref_using_it(monkeypatch):
    doc = _document()
    for key in (MID, "acq/dot/1500.0", "flat/7"):
        doc["refs"][key] = ["weird://host/f.h5", 0, 10]
    report = validate(doc)
    assert report.valid
    assert [(w.code, w.pointer) for w in report.warnings] == [("LINDI-W-URL-SCHEME", ref_pointer(MID, 0))]
    assert _issues(report) == _per_ref(doc, monkeypatch)


@pytest.mark.parametrize("old, new, code", [
    (MID, f"acq/dot/0{N // 2}.1", "LINDI-E-CHUNK-KEY"),      # leading zero
    (MID, f"acq/dot/{N // 2}.2", "LINDI-E-CHUNK-GRID"),      # second index outside the grid [N, 2]
    (MID, f"acq/dot/{N // 2}", "LINDI-E-CHUNK-KEY"),         # one index for a 2-d array
    ("acq/dot/7.0", f"acq/dot/{N}.0", "LINDI-E-CHUNK-GRID"),  # first index just outside the grid
    ("acq/slash/9/1", "acq/slash/9.1", "LINDI-E-CHUNK-KEY"),  # "." in a "/"-separated array
    ("acq/slash/9/1", f"acq/slash/{N + 3}/1", "LINDI-E-CHUNK-GRID"),
    ("flat/1999", "flat/2000", "LINDI-E-CHUNK-GRID"),        # the last ref of a run
    ("flat/0", "flat/+0", "LINDI-E-CHUNK-KEY"),              # the first ref of a run
    ("flat/10", "flat/١٠", "LINDI-E-CHUNK-KEY"),             # digits other than ASCII
    (MID, "acq/nowhere/1.1", "LINDI-E-CHUNK-ORPHAN"),
    (MID, "acq//1.1", "LINDI-E-KEY"),
])
def test_bad_key_in_a_long_run_is_reported_at_its_ref(old, new, code, monkeypatch):
    doc = _document()
    _rename(doc, old, new)
    report = validate(doc)
    assert [(i.code, i.pointer) for i in report.errors] == [(code, ref_pointer(new))]
    assert _issues(report) == _per_ref(doc, monkeypatch)


def test_several_errors_in_runs_and_across_blocks_come_in_document_order(monkeypatch):
    doc = _document()
    doc["refs"]["acq/dot/3.0"] = [URLS[0], -5, 10]
    doc["refs"]["acq/slash/1000/1"] = ["", 0, 1]
    doc["refs"]["flat/1999"] = [URLS[1], 0, 1.5]
    _rename(doc, "acq/dot/1800.1", "acq/dot/1800.9")
    monkeypatch.setattr(refs_module, "_BLOCK", 1000)  # runs cut at block ends
    report = validate(doc)
    assert [(i.code, i.pointer) for i in report.errors] == [
        ("LINDI-E-REF-RANGE", ref_pointer("acq/dot/3.0")), ("LINDI-E-CHUNK-GRID", ref_pointer("acq/dot/1800.9")),
        ("LINDI-E-REF-URL", ref_pointer("acq/slash/1000/1", 0)), ("LINDI-E-REF-RANGE", ref_pointer("flat/1999"))]
    assert _issues(report) == _per_ref(doc, monkeypatch)


def test_key_with_a_newline_falls_back_to_the_per_ref_check(monkeypatch):
    doc = _document(100)
    _rename(doc, "acq/dot/20.1", "acq/dot/20.1\nacq/dot/21.0")
    report = validate(doc)
    assert [(i.code, i.pointer) for i in report.errors] == [("LINDI-E-CHUNK-ORPHAN", ref_pointer("acq/dot/20.1\nacq/dot/21.0"))]
    assert _issues(report) == _per_ref(doc, monkeypatch)


def test_array_inside_a_slash_array_keeps_its_own_chunks(monkeypatch):
    """With an array at acq/slash/4, keys acq/slash/4/... are its chunks (per-ref resolution), not the outer
    array's: the outer array's refs are then checked one by one."""
    doc = _document(100)
    doc["refs"]["acq/slash/4/.zarray"] = dict(doc["refs"]["acq/slash/.zarray"], shape=[4], chunks=[4],
                                              dimension_separator=".")
    report = validate(doc)
    assert ("LINDI-E-CHUNK-GRID", ref_pointer("acq/slash/4/1")) in [(i.code, i.pointer) for i in report.errors]
    assert _issues(report) == _per_ref(doc, monkeypatch)


def test_root_slash_array_resolves_as_per_ref(monkeypatch):
    monkeypatch.setattr(refs_module, "_RUN_MIN_GRID", 1)
    refs = {".zarray": {"zarr_format": 2, "shape": [40, 4], "chunks": [4, 2], "dtype": "<i2", "compressor": None,
                        "filters": None, "fill_value": 0, "order": "C", "dimension_separator": "/"}}
    refs.update({f"{i}/{j}": ["https://example.org/f.h5", 0, 8] for i in range(10) for j in range(2)})
    doc = {"version": 1, "lindi_spec": "1.0", "refs": refs}
    assert _issues(validate(doc)) == _per_ref(doc, monkeypatch)


@pytest.mark.parametrize("n", [0, 1, 2, 9, 10, 11, 99, 100, 101, 250_000, 10**6 + 7])
def test_below_matches_exactly_the_indices_under_n(n):
    pattern = re.compile(below(n))
    candidates = {0, 1, 9, 10, 11, 99, 100, 101, n - 2, n - 1, n, n + 1, 10 * n + 3, n // 2} | set(range(min(n + 5, 300)))
    for v in candidates:
        if v >= 0:
            assert (pattern.fullmatch(str(v)) is not None) == (v < n), (n, v)
    for text in ("", "00", "01", "-1", "+1", f"0{n}", " 1", "1 "):
        assert pattern.fullmatch(text) is None, (n, text)


def test_plain_range_refs_is_all_or_nothing():
    good = [["u", 0, 1], ["v", 2**53 - 1, 0]]
    assert plain_range_refs(good) == ["u", "v"]
    for bad in (["u", -1, 1], ["u", 0, 2**53], ["u", 1.0, 1], ["u", 1, False], ["u", 1], "base64:AA==", ("u", 1, 1)):
        assert plain_range_refs([*good, bad]) is None, bad


MUTATIONS = st.sampled_from([
    ("value", [URLS[0], -1, 1]), ("value", [URLS[0], 1, "1"]), ("value", [URLS[0], 1.0, 1]), ("value", ["", 1, 1]),
    ("value", ["{{nope}}", 1, 1]), ("value", ["s3://user@b/k", 1, 1]), ("value", ["ftp2://h/k", 1, 1]),
    ("value", "inline"), ("value", "base64:!!"), ("value", [URLS[1]]), ("value", None),
    ("key", "9.9"), ("key", "1.01"), ("key", "x"), ("key", "3/1"), ("key", ".zgroup"), ("key", "5.1"), ("key", "2.0"),
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(st.tuples(st.integers(0, 10**6), MUTATIONS), max_size=6), block=st.integers(3, 200),
       min_run=st.integers(1, 8))
def test_column_path_reports_what_the_per_ref_check_reports(mutations, block, min_run, monkeypatch):
    doc = _document(30)
    keys = list(doc["refs"])
    for where, (kind, change) in mutations:
        key = keys[where % len(keys)]
        if kind == "value":
            doc["refs"][key] = change
        elif key.startswith("acq/dot/"):
            _rename(doc, key, "acq/dot/" + change)
            keys = list(doc["refs"])
    with monkeypatch.context() as m:
        m.setattr(refs_module, "_BLOCK", block)
        m.setattr(refs_module, "_MIN_RUN", min_run)
        m.setattr(refs_module, "_RUN_MIN_GRID", 1)
        fast = _issues(validate(doc))
    assert fast == _per_ref(doc, monkeypatch)
