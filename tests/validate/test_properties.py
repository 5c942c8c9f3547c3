"""Property tests: random valid documents validate; a random single mutation is always caught."""
from __future__ import annotations

import base64
import copy
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lindi.validation import validate

NAMES = st.text("abcdefgh_XYZ019", min_size=1, max_size=6).filter(lambda s: not s[0].isdigit())
ATTR_VALUES = st.one_of(st.integers(-(2**53) + 1, 2**53 - 1), st.text(max_size=8),
                        st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                        st.lists(st.integers(0, 100), min_size=1, max_size=4))


@st.composite
def arrays(draw, path: str) -> dict:
    ndim = draw(st.integers(1, 3))
    shape = draw(st.lists(st.integers(0, 12), min_size=ndim, max_size=ndim))
    chunks = draw(st.lists(st.integers(1, 5), min_size=ndim, max_size=ndim))
    sep = draw(st.sampled_from([".", "/"]))
    refs = {f"{path}/.zarray": {"zarr_format": 2, "shape": shape, "chunks": chunks, "dtype": draw(st.sampled_from(["<i2", ">f8", "|u1"])),
                                "compressor": draw(st.sampled_from([None, {"id": "zlib", "level": 1}, {"id": "blosc"}])),
                                "filters": None, "fill_value": 0, "order": "C", "dimension_separator": sep}}
    grid = [math.ceil(s / c) for s, c in zip(shape, chunks)]
    for _ in range(draw(st.integers(0, 6))):
        if 0 in grid:
            break
        index = [draw(st.integers(0, g - 1)) for g in grid]
        key = f"{path}/" + sep.join(map(str, index))
        refs[key] = draw(st.one_of(
            st.tuples(st.sampled_from(["{{u1}}", "./blobs/ab", "https://e.org/f.h5"]), st.integers(0, 2**40), st.integers(0, 2**20)).map(list),
            st.binary(max_size=12).map(lambda b: "base64:" + base64.b64encode(b).decode())))
    return refs


@st.composite
def documents(draw) -> dict:
    refs: dict = {".zgroup": {"zarr_format": 2}}
    groups = [""]
    for _ in range(draw(st.integers(0, 4))):
        parent = draw(st.sampled_from(groups))
        path = f"{parent}/{draw(NAMES)}".lstrip("/")
        if f"{path}/.zgroup" in refs or f"{path}/.zarray" in refs:
            continue
        if draw(st.booleans()):
            refs[f"{path}/.zgroup"] = {"zarr_format": 2}
            groups.append(path)
        else:
            refs.update(draw(arrays(path)))
        if draw(st.booleans()):
            refs[f"{path}/.zattrs"] = draw(st.dictionaries(NAMES.map(lambda s: "a" + s), ATTR_VALUES, max_size=3))
    return {"version": 1, "lindi_spec": "1.0", "templates": {"u1": "https://example.org/f.nwb"}, "refs": refs}


def _chunk_keys(doc):
    return [k for k, v in doc["refs"].items() if not k.rpartition("/")[2].startswith(".")]


def _set_chunk(doc, draw, value):
    keys = _chunk_keys(doc)
    if not keys:
        return False
    doc["refs"][draw(st.sampled_from(keys))] = value
    return True


def _mutations():
    def negative_offset(doc, draw):
        return _set_chunk(doc, draw, ["{{u1}}", -5, 10]) and "LINDI-E-REF-RANGE"

    def url_only(doc, draw):
        return _set_chunk(doc, draw, ["https://e.org/f"]) and "LINDI-E-REF-VALUE"

    def bad_base64(doc, draw):
        return _set_chunk(doc, draw, "base64:A") and "LINDI-E-BASE64"

    def undefined_template(doc, draw):
        return _set_chunk(doc, draw, ["{{nope}}", 0, 1]) and "LINDI-E-TEMPLATE-UNDEFINED"

    def outside_grid(doc, draw):
        arrays = [k[: -len("/.zarray")] for k in doc["refs"] if k.endswith("/.zarray")]
        if not arrays:
            return False
        path = draw(st.sampled_from(arrays))
        z = doc["refs"][path + "/.zarray"]
        grid = [math.ceil(s / c) for s, c in zip(z["shape"], z["chunks"])]
        doc["refs"][f"{path}/" + z["dimension_separator"].join(map(str, grid))] = "x"
        return "LINDI-E-CHUNK-GRID"

    def no_root(doc, draw):
        del doc["refs"][".zgroup"]
        return "LINDI-E-NO-ROOT-GROUP"

    def pickle(doc, draw):
        arrays = [k for k in doc["refs"] if k.endswith("/.zarray")]
        if not arrays:
            return False
        doc["refs"][draw(st.sampled_from(arrays))]["compressor"] = {"id": "pickle"}
        return "LINDI-E-CODEC-FORBIDDEN"

    def gen_member(doc, draw):
        doc["gen"] = []
        return "LINDI-E-UNKNOWN-MEMBER"

    def bad_version(doc, draw):
        doc["version"] = draw(st.sampled_from([0, 2, "1", None]))
        return "LINDI-E-VERSION"

    def orphan(doc, draw):
        doc["refs"]["nowhere/child/.zgroup"] = {"zarr_format": 2}
        return "LINDI-E-ORPHAN"

    def nan_attr(doc, draw):
        doc["refs"][".zattrs"] = {"x": float("nan")}
        return "LINDI-E-NONFINITE-NUMBER"

    return [negative_offset, url_only, bad_base64, undefined_template, outside_grid, no_root, pickle,
            gen_member, bad_version, orphan, nan_attr]


MUTATIONS = _mutations()
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(documents())
def test_random_valid_documents_validate(doc):
    report = validate(doc)
    assert report.valid, report.errors
    assert {w.code for w in report.warnings} <= {"LINDI-W-TEMPLATE-UNUSED"}


@SETTINGS
@given(documents(), st.sampled_from(MUTATIONS), st.data())
def test_single_mutation_is_caught(doc, mutation, data):
    doc = copy.deepcopy(doc)
    expected = mutation(doc, data.draw)
    if not expected:
        return  # the mutation needs a part this document lacks
    report = validate(doc)
    assert not report.valid
    assert expected in {e.code for e in report.errors}, (mutation.__name__, report.errors)
