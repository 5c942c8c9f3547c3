"""Every HDF5 feature file converts, validates, and reads back through LINDI exactly as h5py reads it."""
from __future__ import annotations

import h5py
import hdf5plugin  # noqa: F401  (registers the bitshuffle filter so h5py can read the reference values)
import pytest

import lindi
from lindi import strict_json

from .compare_h5 import assert_same_as_h5py
from .h5_features import FEATURES
from .routes import ROUTES, describe_invalid, open_route


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_document_validates(converted, name):
    conv = converted(f"h5:{name}")
    report = lindi.validate(conv.rfs)
    assert report.valid, describe_invalid(report)
    written = lindi.validate(conv.written_document())
    assert written.valid, describe_invalid(written)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("name", sorted(FEATURES))
def test_reads_like_h5py(converted, name, route):
    conv = converted(f"h5:{name}")
    f = open_route(route, conv)
    try:
        assert isinstance(f, h5py.File)
        assert_same_as_h5py(conv.source, f)
    finally:
        f.close()


def test_hard_link_names_hold_the_object_and_reference_the_same_chunks(converted):
    """Spec 1.1: every name holds the full object (readers without .lindi see it), marked as a link to
    the first; the chunk refs are the same ranges, so no data is copied."""
    refs = converted("h5:links").rfs["refs"]
    for alias, target in [("hard_alias", "/g/data"), ("hard_group_alias", "/g/inner")]:
        under_target = {k[len(target) - 1:] for k in refs if k.startswith(target[1:] + "/")}
        under_alias = {k[len(alias):] for k in refs if k.startswith(alias + "/")}
        assert under_alias - {"/.lindi"} == under_target - {"/.lindi"}
        for rest in under_alias - {"/.lindi"}:
            assert refs[alias + rest] == refs[target[1:] + rest], rest
        meta = refs[f"{alias}/.lindi"]
        meta = strict_json.loads(meta) if isinstance(meta, str) else meta
        assert meta["hard_link"] == target


@pytest.mark.parametrize("feature, dataset", [("filters", "fletcher32"), ("filters", "shuffle_only"),
                                              ("layouts", "contiguous")])
def test_large_data_is_referenced_not_copied(converted, feature, dataset):
    conv = converted(f"h5:{feature}")
    chunk_refs = [v for k, v in conv.rfs["refs"].items()
                  if k.startswith(dataset + "/") and not k.rsplit("/", 1)[1].startswith(".")]
    assert chunk_refs and all(isinstance(v, list) and len(v) == 3 for v in chunk_refs), chunk_refs[:3]
    with h5py.File(conv.source, "r") as f:
        ds = f[dataset]
        if ds.chunks is not None:
            assert len(chunk_refs) == ds.id.get_num_chunks()
        assert sum(v[2] for v in chunk_refs) == ds.id.get_storage_size()


def test_unsupported_filter_does_not_stop_the_rest(converted):
    conv = converted("h5:unsupported_filter")
    refs = conv.rfs["refs"]
    assert "after/gzip/.zarray" in refs and "plain/.zarray" in refs
