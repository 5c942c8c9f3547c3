"""What the remote tests compare: the values pynwb reads from a file, as plain Python/numpy objects."""
from __future__ import annotations

from typing import Any

import numpy as np


def read_summary(file: Any) -> dict[str, Any]:
    """Open ``file`` (a path or an h5py-like file) with pynwb and collect metadata and data values."""
    import pynwb

    io = pynwb.NWBHDF5IO(file, mode="r") if isinstance(file, str) else pynwb.NWBHDF5IO(file=file, mode="r")
    nwb = io.read()
    es = nwb.acquisition["ElectricalSeries"]
    behavior = nwb.processing["behavior"]
    return {
        "identifier": nwb.identifier,
        "session_start_time": nwb.session_start_time.isoformat(),
        "electrodes": nwb.electrodes.to_dataframe().drop(columns=["group"]).to_dict("list"),
        "units_spike_times": [np.asarray(x).tolist() for x in nwb.units["spike_times"][:]],
        "units_quality": list(nwb.units["quality"][:]),
        "trials": nwb.trials.to_dataframe().to_dict("list"),
        "es_rate": es.rate,
        "es_conversion": es.conversion,
        "es_data": np.asarray(es.data[:]),
        "es_electrodes": list(es.electrodes.data[:]),
        "position": np.asarray(behavior["Position"]["SpatialSeries"].data[:]),
        "speed_timestamps": np.asarray(behavior["speed"].timestamps[:]),
    }


def assert_same(got: dict[str, Any], expected: dict[str, Any]) -> None:
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(got[key], value, err_msg=key)
            assert got[key].dtype == value.dtype, key
        else:
            assert got[key] == value, key
