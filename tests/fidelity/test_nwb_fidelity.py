"""NWB files made by pynwb read back with pynwb from LINDI as equal objects, and equal h5py object by object."""
from __future__ import annotations

import pynwb
import pytest

import lindi

from .compare_h5 import assert_same_as_h5py
from .compare_nwb import assert_same_nwb
from .nwb_features import NWB_FEATURES
from .routes import ROUTES, describe_invalid, open_route


@pytest.mark.parametrize("name", sorted(NWB_FEATURES))
def test_nwb_document_validates(converted, name):
    report = lindi.validate(converted(f"nwb:{name}").rfs)
    assert report.valid, describe_invalid(report)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("name", sorted(NWB_FEATURES))
def test_pynwb_reads_equal_objects(converted, name, route):
    conv = converted(f"nwb:{name}")
    client = open_route(route, conv)
    try:
        with pynwb.NWBHDF5IO(str(conv.source), "r") as expected_io:
            expected = expected_io.read()
            with pynwb.NWBHDF5IO(file=client, mode="r") as got_io:
                assert_same_nwb(expected, got_io.read())
    finally:
        client.close()


@pytest.mark.parametrize("name", sorted(NWB_FEATURES))
def test_nwb_hdf5_objects_equal_h5py(converted, name):
    conv = converted(f"nwb:{name}")
    client = open_route("lindi_file", conv)
    try:
        assert_same_as_h5py(conv.source, client, selections=False)
    finally:
        client.close()
