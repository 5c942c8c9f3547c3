"""A digest of an NWB file as pynwb reads it, printed as JSON.

Run by this package's Python and by LINDI 0.4.6's virtualenv alike, so it imports nothing from
the tests: ``python nwb_digest.py PATH [--convert-with-lindi OUT]``.
"""
import hashlib
import json
import sys

import numpy as np
import pynwb


def digest(io_file) -> dict:
    nwb = pynwb.NWBHDF5IO(file=io_file, mode="r").read()
    es = nwb.acquisition["ElectricalSeries"]
    data = np.asarray(es.data[:])
    position = nwb.processing["behavior"]["Position"].spatial_series["SpatialSeries"]
    return {
        "identifier": nwb.identifier,
        "session_description": nwb.session_description,
        "es_shape": list(data.shape),
        "es_dtype": str(data.dtype),
        "es_sha256": hashlib.sha256(np.ascontiguousarray(data).tobytes()).hexdigest(),
        "es_rate": float(es.rate),
        "electrode_locations": [str(x) for x in nwb.electrodes["location"][:]],
        "spike_times": [np.asarray(x).round(12).tolist() for x in nwb.units["spike_times"][:]],
        "trial_stimulus": [str(x) for x in nwb.trials["stimulus"][:]],
        "position_sha256": hashlib.sha256(np.ascontiguousarray(position.data[:]).tobytes()).hexdigest(),
    }


def main() -> None:
    import lindi

    path = sys.argv[1]
    if len(sys.argv) == 4 and sys.argv[2] == "--convert-with-lindi":
        with lindi.LindiH5ZarrStore.from_file(path, url=path) as store:
            rfs = store.to_reference_file_system()
        with open(sys.argv[3], "w") as f:
            json.dump(rfs, f)
        return
    opener = lindi.LindiH5pyFile.from_lindi_file if path.endswith(".json") else lindi.LindiH5pyFile.from_hdf5_file
    print(json.dumps(digest(opener(path)), sort_keys=True))


if __name__ == "__main__":
    main()
