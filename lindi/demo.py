"""A small but realistic NWB file built with pynwb, for ``lindi demo`` and the fidelity tests.

The parts (ecephys, units, behavior, trials) are separate functions so that the
tests can build one NWB file per feature from the same code the demo runs.
Everything is deterministic (fixed seed, fixed timestamps) so sizes and values
are reproducible.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np

from .errors import LindiError

if TYPE_CHECKING:  # pragma: no cover
    from pynwb import NWBFile

SESSION_START = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def _pynwb():
    """pynwb is an optional extra (``lindi[nwb]``): fail with a clear message when it is missing."""
    try:
        import pynwb
    except ImportError as exc:  # pragma: no cover - the test extra always installs it
        raise LindiError('the demo needs pynwb: pip install "lindi[nwb]"') from exc
    return pynwb


def new_nwbfile(identifier: str = "lindi-demo") -> NWBFile:
    """An empty NWB file with fixed session metadata."""
    pynwb = _pynwb()
    return pynwb.NWBFile(
        session_description="LINDI demo session: a simulated probe recording with behavior",
        identifier=identifier,
        session_start_time=SESSION_START,
        experimenter=["Doe, Jane"],
        lab="LINDI lab",
        institution="Nowhere University",
        keywords=["lindi", "demo"],
    )


def add_ecephys(nwbfile: NWBFile, *, n_samples: int = 30_000, n_channels: int = 16, rate: float = 30_000.0) -> None:
    """Device, electrode group, electrodes table and a chunked gzip ElectricalSeries in acquisition."""
    from hdmf.backends.hdf5 import H5DataIO
    from pynwb.ecephys import ElectricalSeries

    device = nwbfile.create_device(name="probe", description="a 16-site silicon probe", manufacturer="LINDI")
    group = nwbfile.create_electrode_group(name="shank0", description="the only shank", location="CA1",
                                           device=device)
    nwbfile.add_electrode_column(name="label", description="site label")
    for ch in range(n_channels):
        nwbfile.add_electrode(group=group, location="CA1", label=f"site{ch:02d}",
                              x=0.0, y=float(20 * ch), z=0.0, imp=float(1e6 + ch), filtering="none")
    region = nwbfile.create_electrode_table_region(region=list(range(n_channels)), description="all sites")
    rng = np.random.default_rng(0)
    t = np.arange(n_samples) / rate
    data = (200 * np.sin(2 * np.pi * 7 * t)[:, None] + rng.normal(0, 30, (n_samples, n_channels))).astype("int16")
    series = ElectricalSeries(
        name="ElectricalSeries", description="raw voltage",
        data=H5DataIO(data, chunks=(min(n_samples, 5000), n_channels), compression="gzip", compression_opts=4),
        electrodes=region, starting_time=0.0, rate=rate, conversion=0.195e-6,
    )
    nwbfile.add_acquisition(series)


def add_units(nwbfile: NWBFile, *, n_units: int = 5) -> None:
    """A units table with ragged spike times, a ragged per-unit electrode list and an extra column."""
    rng = np.random.default_rng(1)
    nwbfile.add_unit_column(name="quality", description="curation label")
    n_electrodes = len(nwbfile.electrodes) if nwbfile.electrodes is not None else 0
    for unit in range(n_units):
        spikes = np.sort(rng.uniform(0, 1.0, size=3 + 4 * unit))
        kwargs = {"electrodes": [unit % n_electrodes, (unit + 1) % n_electrodes]} if n_electrodes else {}
        nwbfile.add_unit(spike_times=spikes, quality="good" if unit % 2 else "mua", **kwargs)


def add_behavior(nwbfile: NWBFile, *, n_samples: int = 500) -> None:
    """A processing module 'behavior' with Position/SpatialSeries (timestamps) and a speed TimeSeries."""
    pynwb = _pynwb()
    from pynwb.behavior import Position, SpatialSeries

    module = nwbfile.create_processing_module(name="behavior", description="tracked position")
    t = np.arange(n_samples) / 50.0
    xy = np.stack([np.cos(t), np.sin(t)], axis=1)
    position = Position(name="Position")
    position.add_spatial_series(SpatialSeries(name="SpatialSeries", description="head position", data=xy,
                                              timestamps=t, reference_frame="arena center"))
    module.add(position)
    module.add(pynwb.TimeSeries(name="speed", data=np.hypot(*np.gradient(xy, axis=0).T) * 50, unit="m/s",
                                timestamps=position["SpatialSeries"]))


def add_trials(nwbfile: NWBFile, *, n_trials: int = 8) -> None:
    """A trials table with extra columns (a string, a float, a bool)."""
    nwbfile.add_trial_column(name="stimulus", description="which stimulus")
    nwbfile.add_trial_column(name="reward", description="reward volume (uL)")
    nwbfile.add_trial_column(name="correct", description="response was correct")
    for i in range(n_trials):
        nwbfile.add_trial(start_time=0.1 * i, stop_time=0.1 * i + 0.05, stimulus=f"grating{i % 3}",
                          reward=0.5 * (i % 2), correct=bool(i % 3))


def write_nwbfile(nwbfile: NWBFile, path: str | os.PathLike[str]) -> None:
    """Write ``nwbfile`` with pynwb's HDF5 backend."""
    pynwb = _pynwb()
    with pynwb.NWBHDF5IO(os.fspath(path), mode="w") as io:
        io.write(nwbfile)


def build_sample_nwb(path: str | os.PathLike[str]) -> None:
    """The demo file: ecephys, units, behavior and trials (about 1 MB)."""
    nwbfile = new_nwbfile()
    add_ecephys(nwbfile)
    add_units(nwbfile)
    add_behavior(nwbfile)
    add_trials(nwbfile)
    write_nwbfile(nwbfile, path)
