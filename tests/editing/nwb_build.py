"""A deterministic NWB file (fixed names and object ids), so two writes of it compare equal."""
from __future__ import annotations

import datetime
import uuid

import numpy as np
import pynwb
from hdmf.data_utils import DataChunkIterator
from pynwb.ecephys import ElectricalSeries

START = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)


def build_nwb(*, with_iterator: bool = True) -> pynwb.NWBFile:
    """An ecephys NWB file with a table, a region reference, strings, attributes and (optionally) a
    DataChunkIterator-written series; object ids derive from names, so every build is the same."""
    nwb = pynwb.NWBFile(session_description="edit test", identifier="id-1", session_start_time=START,
                        file_create_date=[START])
    device = nwb.create_device(name="probe", description="a probe")
    group = nwb.create_electrode_group(name="shank0", description="shank", location="CA1", device=device)
    for i in range(4):
        nwb.add_electrode(location="CA1", group=group, x=float(i), y=0.0, z=0.0)
    region = nwb.create_electrode_table_region(region=[0, 1, 2, 3], description="all")
    nwb.add_acquisition(ElectricalSeries(name="es", data=np.arange(400, dtype=np.int16).reshape(100, 4),
                                         electrodes=region, rate=1000.0, conversion=0.5))
    if with_iterator:
        chunks = iter(np.arange(60.0).reshape(20, 3))
        nwb.add_acquisition(pynwb.TimeSeries(name="dci", data=DataChunkIterator(data=chunks, buffer_size=7),
                                             unit="m", rate=10.0))
    nwb.add_trial(start_time=0.0, stop_time=1.0)
    nwb.add_trial(start_time=2.0, stop_time=3.0)
    for obj in nwb.all_children():
        obj._AbstractContainer__object_id = str(uuid.uuid5(uuid.NAMESPACE_URL, _path(obj)))
    return nwb


def _path(obj: object) -> str:
    parts = []
    while obj is not None:
        parts.append(f"{type(obj).__name__}:{obj.name}")
        obj = obj.parent
    return "/".join(reversed(parts))
