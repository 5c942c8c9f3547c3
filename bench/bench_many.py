"""Benchmark: converting an archive with ``convert_many`` on Dask vs a plain loop in one process.

Generates ``--files`` HDF5 files of ``--chunks`` chunks each, then converts (and
validates) all of them three ways, each into a fresh output folder so nothing is
skipped: a single-process loop calling the same per-file task, and
``convert_many`` on a LocalCluster of 1 and of 2 worker processes. Cluster
start-up (and the workers' first imports, done by a warm-up call) is timed
separately from the conversion itself. Prints files/s, chunks/s and the ratios
to the loop.

    python bench/bench_many.py [--files 40] [--chunks 20000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

from lindi.batch import ClusterOptions, convert_many
from lindi.batch.cluster import dask_client
from lindi.batch.inputs import plan_outputs
from lindi.batch.tasks import BatchJob, convert_one
from lindi.conversion import LindiH5ZarrStoreOpts


def make_files(folder: Path, files: int, chunks: int) -> list[str]:
    paths = []
    rng = np.random.default_rng(0)
    for i in range(files):
        path = folder / f"f{i:04d}.h5"
        with h5py.File(path, "w") as f:
            f.create_dataset("x", data=rng.random(chunks * 10), chunks=(10,))
        paths.append(str(path))
    return paths


def loop(paths: list[str], out: Path) -> tuple[float, int]:
    start = time.perf_counter()
    records = [convert_one(BatchJob(p, o), LindiH5ZarrStoreOpts()) for p, o in zip(paths, plan_outputs(paths, out))]
    return time.perf_counter() - start, _chunks(records)


def on_dask(paths: list[str], out: Path, workers: int) -> tuple[float, int, float]:
    start = time.perf_counter()
    with dask_client(workers=workers) as client:
        client.run(_warm_up)
        ready = time.perf_counter()
        result = convert_many(paths, out, cluster=ClusterOptions(client=client), retries=0)
        elapsed = time.perf_counter() - ready
    return elapsed, _chunks(result.records), ready - start


def _warm_up() -> None:
    """Import the converter and validator on a worker so the first file does not pay for it."""
    import lindi.batch.tasks  # noqa: F401


def _chunks(records: list) -> int:
    assert all(r.status == "ok" for r in records), [r for r in records if r.status != "ok"][:1]
    return sum(r.chunks for r in records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--chunks", type=int, default=20000, help="chunks per file")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "in").mkdir()
        paths = make_files(root / "in", args.files, args.chunks)
        rows: dict[str, list[float]] = {"single-process loop": [], "dask, 1 worker": [], "dask, 2 workers": []}
        startup: dict[int, list[float]] = {1: [], 2: []}
        total_chunks = 0
        for r in range(args.repeat):
            seconds, total_chunks = loop(paths, root / f"loop{r}")
            rows["single-process loop"].append(seconds)
            for workers in (1, 2):
                seconds, _, start = on_dask(paths, root / f"dask{workers}-{r}", workers)
                rows[f"dask, {workers} worker{'s' if workers > 1 else ''}"].append(seconds)
                startup[workers].append(start)
    base = statistics.median(rows["single-process loop"])
    print(f"{args.files} files x {args.chunks} chunks, median of {args.repeat}")
    print(f"{'run':22} {'seconds':>8} {'files/s':>8} {'chunks/s':>10} {'ratio':>6}")
    for name, times in rows.items():
        t = statistics.median(times)
        print(f"{name:22} {t:8.2f} {args.files / t:8.1f} {total_chunks / t:10.0f} {base / t:6.2f}")
    for workers, times in startup.items():
        print(f"cluster start-up with {workers} worker(s) (not in the times above): {statistics.median(times):.2f} s")


if __name__ == "__main__":
    main()
