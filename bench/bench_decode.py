"""Local decode throughput of a large gzip dataset: LINDI (reading a converted document) vs h5py.

    python bench/bench_decode.py [--mb 200] [--repeat 3]

Both read the whole int16 dataset (30 kHz x 64 channels, chunks of 1 s, gzip level 4) from the
same local HDF5 file in slabs of 10 chunks; throughput is decoded megabytes per second (median of
``--repeat``). LINDI fetches each slab's chunks in one batch and decodes them in worker threads.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

ROWS, CHANNELS = 30_000, 64
SLAB = 10 * ROWS


def build(path: Path, megabytes: int) -> int:
    n = megabytes * 1_000_000 // (2 * CHANNELS) // ROWS * ROWS
    rng = np.random.default_rng(0)
    with h5py.File(path, "w") as f:
        d = f.create_dataset("data", shape=(n, CHANNELS), dtype="int16", chunks=(ROWS, CHANNELS),
                             compression="gzip", compression_opts=4)
        for start in range(0, n, SLAB):
            rows = min(SLAB, n - start)
            t = np.arange(start, start + rows) / ROWS
            d[start:start + rows] = (200 * np.sin(2 * np.pi * 7 * t)[:, None]
                                     + rng.normal(0, 30, (rows, CHANNELS))).astype("int16")
    return n


def read_all(dataset, n: int) -> float:
    t0 = time.perf_counter()
    total = 0
    for start in range(0, n, SLAB):
        total += int(dataset[start:start + SLAB, :][-1, -1])
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import lindi

    path = Path(tempfile.mkdtemp(prefix="lindi-bench-decode-")) / "decode.h5"
    n = build(path, args.mb)
    raw_mb = n * CHANNELS * 2 / 1e6
    print(f"{raw_mb:.0f} MB of int16 in {n // ROWS} gzip chunks ({path.stat().st_size / 1e6:.0f} MB on disk)")
    with h5py.File(path, "r") as f:
        h5 = statistics.median(read_all(f["data"], n) for _ in range(args.repeat))
    ours = lindi.LindiH5pyFile.from_hdf5_file(str(path))["data"]
    lindi_s = statistics.median(read_all(ours, n) for _ in range(args.repeat))
    print(f"h5py   {raw_mb / h5:7.0f} MB/s  ({h5:.2f} s)")
    print(f"LINDI  {raw_mb / lindi_s:7.0f} MB/s  ({lindi_s:.2f} s)")
    print(f"ratio LINDI / h5py: {h5 / lindi_s:.2f}x")


if __name__ == "__main__":
    main()
