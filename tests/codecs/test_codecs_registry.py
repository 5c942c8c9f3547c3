"""register_codecs / get_codec / the exported id sets."""
from __future__ import annotations

from importlib.metadata import entry_points

import numcodecs.registry
import pytest

from lindi.codecs import (FORBIDDEN_CODEC_IDS, KNOWN_CODEC_IDS, LINDI_CODEC_IDS, HDF5Lzf, HDF5Nbit,
                          HDF5ScaleOffset, get_codec, register_codecs)
from lindi.errors import DocumentError, LindiError


def test_register_is_idempotent_and_puts_codecs_in_numcodecs():
    register_codecs()
    register_codecs()
    for codec_id in LINDI_CODEC_IDS | {"imagecodecs_szip", "imagecodecs_lz4h5"}:
        assert codec_id in numcodecs.registry.codec_registry
    assert numcodecs.registry.codec_registry["lindi_hdf5_scaleoffset"] is HDF5ScaleOffset


def test_entry_points_declare_lindi_codecs():
    declared = {ep.name: ep for ep in entry_points(group="numcodecs.codecs")}
    for codec_id in LINDI_CODEC_IDS:
        assert declared[codec_id].load().codec_id == codec_id


def test_get_codec_builds_lindi_codecs():
    codec = get_codec({"id": "lindi_hdf5_nbit", "dtype": "<i4", "nelements": 8, "precision": 5, "offset": 2})
    assert isinstance(codec, HDF5Nbit) and codec.precision == 5
    assert isinstance(get_codec({"id": "lindi_hdf5_lzf", "nbytes": 64}), HDF5Lzf)


@pytest.mark.parametrize("codec_id", sorted(FORBIDDEN_CODEC_IDS))
def test_forbidden_codec_is_refused_with_place(codec_id):
    with pytest.raises(DocumentError, match=rf"codec '{codec_id}' is forbidden.*/a/.zarray") as info:
        get_codec({"id": codec_id}, pointer="/refs/a~1.zarray", source="/a/.zarray")
    assert isinstance(info.value, LindiError)
    assert codec_id not in KNOWN_CODEC_IDS


@pytest.mark.parametrize("config, message", [
    ({"id": "no_such_codec"}, "unknown codec 'no_such_codec'"),
    ({"level": 3}, "string 'id'"),
    ("zlib", "string 'id'"),
    ({"id": "lindi_hdf5_nbit", "dtype": "<i4", "nelements": 8, "precision": 40, "offset": 0}, "invalid configuration"),
])
def test_bad_codec_configs_are_document_errors(config, message):
    with pytest.raises(DocumentError, match=message):
        get_codec(config)


def test_known_ids_cover_what_the_pipeline_writes():
    assert {"zlib", "shuffle", "fletcher32", "blosc", "zstd", "imagecodecs_szip", "imagecodecs_lz4h5",
            "json2"} <= KNOWN_CODEC_IDS
    assert LINDI_CODEC_IDS <= KNOWN_CODEC_IDS
    assert not FORBIDDEN_CODEC_IDS & KNOWN_CODEC_IDS
