"""One NWB file per neurodata feature, written with pynwb.

ecephys, units, behavior and trials reuse the builders of :mod:`lindi.demo`;
ophys and icephys are built here. ``NWB_FEATURES`` maps a name to a builder
taking the output path.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
from hdmf.backends.hdf5 import H5DataIO

from lindi import demo

NWB_FEATURES: dict[str, Callable[[Path], None]] = {}


def nwb_feature(func: Callable[[Path], None]) -> Callable[[Path], None]:
    NWB_FEATURES[func.__name__.removeprefix("build_")] = func
    return func


@nwb_feature
def build_ecephys(path: Path) -> None:
    nwbfile = demo.new_nwbfile("ecephys")
    demo.add_ecephys(nwbfile, n_samples=12_000, n_channels=8)
    demo.write_nwbfile(nwbfile, path)


@nwb_feature
def build_units(path: Path) -> None:
    nwbfile = demo.new_nwbfile("units")
    demo.add_ecephys(nwbfile, n_samples=100, n_channels=4)
    demo.add_units(nwbfile, n_units=6)
    demo.write_nwbfile(nwbfile, path)


@nwb_feature
def build_behavior(path: Path) -> None:
    nwbfile = demo.new_nwbfile("behavior")
    demo.add_behavior(nwbfile)
    demo.write_nwbfile(nwbfile, path)


@nwb_feature
def build_time_intervals(path: Path) -> None:
    from pynwb.epoch import TimeIntervals

    nwbfile = demo.new_nwbfile("intervals")
    demo.add_trials(nwbfile, n_trials=12)
    nwbfile.add_epoch(start_time=0.0, stop_time=1.0, tags=["a", "b"])
    nwbfile.add_epoch(start_time=1.0, stop_time=2.0, tags=[])
    sleep = TimeIntervals(name="sleep", description="sleep bouts")
    sleep.add_column(name="depth", description="sleep depth")
    sleep.add_interval(start_time=3.0, stop_time=4.0, depth=2)
    nwbfile.add_time_intervals(sleep)
    demo.write_nwbfile(nwbfile, path)


@nwb_feature
def build_ophys(path: Path) -> None:
    from pynwb.ophys import (DfOverF, Fluorescence, ImageSegmentation, OpticalChannel, RoiResponseSeries,
                             TwoPhotonSeries)

    nwbfile = demo.new_nwbfile("ophys")
    device = nwbfile.create_device(name="microscope", description="two-photon")
    channel = OpticalChannel(name="green", description="GCaMP", emission_lambda=510.0)
    plane = nwbfile.create_imaging_plane(name="plane0", optical_channel=channel, imaging_rate=30.0,
                                         description="layer 2/3", device=device, excitation_lambda=920.0,
                                         indicator="GCaMP6f", location="V1", grid_spacing=[0.01, 0.01],
                                         grid_spacing_unit="meters", origin_coords=[1.0, 2.0, 0.0],
                                         origin_coords_unit="meters")
    rng = np.random.default_rng(2)
    movie = rng.integers(0, 4000, size=(20, 16, 16), dtype="uint16")
    nwbfile.add_acquisition(TwoPhotonSeries(
        name="TwoPhotonSeries", data=H5DataIO(movie, chunks=(5, 16, 16), compression="gzip"),
        imaging_plane=plane, rate=30.0, unit="normalized amplitude"))
    module = nwbfile.create_processing_module(name="ophys", description="segmentation")
    segmentation = ImageSegmentation()
    module.add(segmentation)
    rois = segmentation.create_plane_segmentation(name="PlaneSegmentation", description="rois",
                                                  imaging_plane=plane)
    for i in range(4):
        mask = np.zeros((16, 16), dtype="f4")
        mask[2 * i:2 * i + 4, 3:7] = 1.0
        rois.add_roi(image_mask=mask)
    region = rois.create_roi_table_region(region=[0, 1, 2, 3], description="all rois")
    traces = rng.normal(size=(20, 4)).astype("f4")
    module.add(Fluorescence(roi_response_series=RoiResponseSeries(
        name="RoiResponseSeries", data=traces, rois=region, unit="lumens", rate=30.0)))
    module.add(DfOverF(roi_response_series=RoiResponseSeries(
        name="dff", data=traces / 10, rois=region, unit="ratio", rate=30.0)))
    demo.write_nwbfile(nwbfile, path)


@nwb_feature
def build_icephys(path: Path) -> None:
    from pynwb.icephys import CurrentClampSeries, CurrentClampStimulusSeries, VoltageClampSeries

    nwbfile = demo.new_nwbfile("icephys")
    device = nwbfile.create_device(name="amplifier", description="patch amplifier")
    electrode = nwbfile.create_icephys_electrode(name="patch0", description="whole cell", device=device)
    for sweep in range(2):
        stim = CurrentClampStimulusSeries(name=f"stim{sweep}", data=np.linspace(0, 1e-10, 50), rate=10_000.0,
                                          electrode=electrode, gain=1.0, sweep_number=sweep)
        resp = CurrentClampSeries(name=f"resp{sweep}", data=np.sin(np.arange(50) / 5) * 0.01, rate=10_000.0,
                                  electrode=electrode, gain=1.0, bias_current=0.0, bridge_balance=0.0,
                                  capacitance_compensation=0.0, sweep_number=sweep)
        nwbfile.add_stimulus(stim)
        nwbfile.add_acquisition(resp)
        row = nwbfile.add_intracellular_recording(electrode=electrode, stimulus=stim, response=resp)
        nwbfile.add_icephys_simultaneous_recording(recordings=[row])
    nwbfile.add_acquisition(VoltageClampSeries(name="vclamp", data=np.arange(30, dtype="f8") * 1e-12,
                                               rate=10_000.0, electrode=electrode, gain=1.0))
    demo.write_nwbfile(nwbfile, path)


@nwb_feature
def build_demo_sample(path: Path) -> None:
    demo.build_sample_nwb(path)
