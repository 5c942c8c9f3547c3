"""Remote reading through a local range server with injected latency: LINDI against its peers, one run.

    python bench/bench_remote.py [--latency 0.03] [--repeat 3] [--seconds 12]

Measures, as the median of ``--repeat`` runs, wall time and request count (from
the server's counters) of
  (a) open a remote .nwb.lindi.json and read all NWB metadata with pynwb: LINDI vs LINDI 0.4.6;
  (b) read a 10 s x 64 channel slab of a chunked gzip ElectricalSeries (30 kHz, chunks of 1 s x 64):
      LINDI vs LINDI 0.4.6, kerchunk, remfile+h5py, fsspec+h5py;
  (c) open the remote .nwb itself and read all metadata with pynwb: LINDI from_hdf5_file vs
      remfile+h5py and fsspec+h5py.
Peers run in the virtualenv made by bench/setup_peers.sh (plus pynwb, installed on first use). Every
measurement is a fresh subprocess: it imports and sets up, says READY, the server counters are reset,
and only then the timed part runs. This file is also that worker (``--worker``), so its top level
imports nothing beyond the standard library.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEER_PYTHON = HERE / ".peers" / "venv" / "bin" / "python"
DATA_PATH = "acquisition/ElectricalSeries/data"
RATE, CHANNELS = 30_000, 64
SLAB_SECONDS = 10

# (task, implementation) -> which python runs it: "self" (this project) or "peer"
CASES = [
    ("a", "lindi", "self"), ("a", "lindi-0.4.6", "peer"),
    ("b", "lindi", "self"), ("b", "lindi-0.4.6", "peer"), ("b", "kerchunk", "peer"),
    ("b", "remfile+h5py", "peer"), ("b", "fsspec+h5py", "peer"),
    ("c", "lindi", "self"), ("c", "remfile+h5py", "peer"), ("c", "fsspec+h5py", "peer"),
]
TASKS = {"a": "open .lindi.json + pynwb metadata", "b": f"{SLAB_SECONDS} s x {CHANNELS} ch slab",
         "c": "open remote .nwb + pynwb metadata"}


# ---------------------------------------------------------------------------------------------------
# worker side (runs in either virtualenv)

def read_metadata(io) -> int:
    """What "all metadata" means here, identical for every implementation."""
    nwb = io.read()
    n = len(nwb.electrodes.to_dataframe()) + len(nwb.trials.to_dataframe()) + len(nwb.units.to_dataframe())
    for module in nwb.processing.values():
        n += len(module.data_interfaces)
    return n + len(nwb.acquisition["ElectricalSeries"].data.shape)


def worker(task: str, impl: str, urls: dict[str, str]) -> None:
    import pynwb  # noqa: F401  (import cost outside the timed part)

    if impl == "lindi" or impl == "lindi-0.4.6":
        import lindi
        import zarr  # noqa: F401  (this project imports its reader lazily; 0.4.6 at ``import lindi``)
        lindi.LindiH5pyFile  # noqa: B018
    if impl in ("remfile+h5py", "fsspec+h5py") or task == "b":
        import h5py
    setup = None
    if task == "b":
        if impl in ("lindi", "lindi-0.4.6"):
            setup = lindi.LindiH5pyFile.from_lindi_file(urls["lindi" if impl == "lindi" else "lindi046"])[DATA_PATH]
        elif impl == "kerchunk":
            import fsspec
            import zarr
            fs = fsspec.filesystem("reference", fo=urls["kerchunk"], remote_protocol="http")
            setup = zarr.open(fs.get_mapper(""), mode="r")[DATA_PATH]
        elif impl == "remfile+h5py":
            import remfile
            setup = h5py.File(remfile.File(urls["nwb"]), "r")[DATA_PATH]
        else:
            import fsspec
            setup = h5py.File(fsspec.open(urls["nwb"], "rb").open(), "r")[DATA_PATH]
    print("READY", flush=True)
    sys.stdin.readline()
    t0 = time.perf_counter()
    if task == "a":
        f = lindi.LindiH5pyFile.from_lindi_file(urls["lindi" if impl == "lindi" else "lindi046"])
        result = read_metadata(pynwb.NWBHDF5IO(file=f, mode="r"))
    elif task == "b":
        result = int(setup[0:SLAB_SECONDS * RATE, :].sum(dtype="int64"))
    elif impl == "lindi":
        f = lindi.LindiH5pyFile.from_hdf5_file(urls["nwb"])
        result = read_metadata(pynwb.NWBHDF5IO(file=f, mode="r"))
    elif impl == "remfile+h5py":
        import remfile
        result = read_metadata(pynwb.NWBHDF5IO(file=h5py.File(remfile.File(urls["nwb"]), "r"), mode="r"))
    else:
        import fsspec
        fh = fsspec.open(urls["nwb"], "rb").open()
        result = read_metadata(pynwb.NWBHDF5IO(file=h5py.File(fh, "r"), mode="r"))
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "result": result}), flush=True)


# ---------------------------------------------------------------------------------------------------
# driver side (this project's virtualenv)

def build_nwb(path: Path, seconds: int) -> None:
    """NWB file: a 30 kHz x 64 ch int16 gzip ElectricalSeries in 1 s chunks, plus units, behavior, trials."""
    import numpy as np
    from hdmf.backends.hdf5 import H5DataIO
    from pynwb.ecephys import ElectricalSeries

    from lindi import demo

    nwbfile = demo.new_nwbfile("bench-remote")
    device = nwbfile.create_device(name="probe", description="64-site probe")
    group = nwbfile.create_electrode_group(name="shank0", description="shank", location="CA1", device=device)
    for ch in range(CHANNELS):
        nwbfile.add_electrode(group=group, location="CA1", x=0.0, y=float(ch), z=0.0, imp=1e6, filtering="none")
    region = nwbfile.create_electrode_table_region(region=list(range(CHANNELS)), description="all")
    rng = np.random.default_rng(0)
    n = seconds * RATE
    t = np.arange(n) / RATE
    data = (200 * np.sin(2 * np.pi * 7 * t)[:, None] + rng.normal(0, 30, (n, CHANNELS))).astype("int16")
    nwbfile.add_acquisition(ElectricalSeries(
        name="ElectricalSeries", description="raw", electrodes=region, rate=float(RATE), starting_time=0.0,
        data=H5DataIO(data, chunks=(RATE, CHANNELS), compression="gzip", compression_opts=4)))
    demo.add_units(nwbfile)
    demo.add_behavior(nwbfile)
    demo.add_trials(nwbfile)
    demo.write_nwbfile(nwbfile, path)


PEER_PREPARE = """
import json, sys
import lindi, kerchunk.hdf
nwb, url, out046, outk = sys.argv[1:5]
store = lindi.LindiH5ZarrStore.from_file(nwb, url=url)
store.write_reference_file_system(out046)
refs = kerchunk.hdf.SingleHdf5ToZarr(open(nwb, "rb"), url=url).translate()
open(outk, "w").write(json.dumps(refs))
"""


def ensure_peers() -> None:
    if not PEER_PYTHON.exists():
        sys.exit(f"peer virtualenv missing: run bench/setup_peers.sh first ({PEER_PYTHON})")
    check = subprocess.run([str(PEER_PYTHON), "-c", "import pynwb"], capture_output=True, cwd=tempfile.gettempdir())
    if check.returncode != 0:
        subprocess.run([str(PEER_PYTHON), "-m", "pip", "install", "--quiet", "pynwb"], check=True)


def run_case(server, task: str, impl: str, where: str, urls: dict[str, str]) -> tuple[float, int]:
    python = sys.executable if where == "self" else str(PEER_PYTHON)
    # cwd outside the repository so the peer venv imports LINDI 0.4.6, not this checkout
    proc = subprocess.Popen([python, str(Path(__file__).resolve()), "--worker", task, impl, json.dumps(urls)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=tempfile.gettempdir())
    assert proc.stdin is not None and proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "READY":
        proc.kill()
        raise RuntimeError(f"{impl} ({task}) failed during setup")
    server.reset_stats()
    proc.stdin.write("GO\n")
    proc.stdin.flush()
    out = proc.stdout.readline()
    requests = server.requests
    proc.wait(timeout=600)
    if proc.returncode != 0 or not out:
        raise RuntimeError(f"{impl} ({task}) failed")
    return json.loads(out)["seconds"], requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.03)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=12, help="duration of the ElectricalSeries")
    args = parser.parse_args()
    ensure_peers()

    from lindi.LindiH5ZarrStore import LindiH5ZarrStore
    from lindi.testing.range_server import RangeServer

    work = Path(tempfile.mkdtemp(prefix="lindi-bench-remote-"))
    nwb = work / "bench.nwb"
    build_nwb(nwb, args.seconds)
    with RangeServer(work, latency=args.latency) as server:
        nwb_url = server.url_for("bench.nwb")
        with LindiH5ZarrStore.from_file(nwb, url=nwb_url) as store:
            store.write_reference_file_system(work / "bench.nwb.lindi.json")
        subprocess.run([str(PEER_PYTHON), "-c", PEER_PREPARE, str(nwb), nwb_url,
                        str(work / "bench.046.lindi.json"), str(work / "bench.kerchunk.json")],
                       check=True, cwd=tempfile.gettempdir())
        urls = {"nwb": nwb_url, "lindi": server.url_for("bench.nwb.lindi.json"),
                "lindi046": server.url_for("bench.046.lindi.json"), "kerchunk": server.url_for("bench.kerchunk.json")}
        print(f"file {nwb.stat().st_size / 1e6:.1f} MB, latency {args.latency * 1000:.0f} ms, "
              f"median of {args.repeat}\n")
        results: dict[tuple[str, str], tuple[float, int]] = {}
        for task, impl, where in CASES:
            runs = [run_case(server, task, impl, where, urls) for _ in range(args.repeat)]
            results[(task, impl)] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs))
    print(f"{'task':<40} {'implementation':<15} {'time':>8} {'requests':>9} {'LINDI speed-up':>15}")
    for task, impl, _ in CASES:
        seconds, requests = results[(task, impl)]
        ours = results[(task, "lindi")][0]
        ratio = "" if impl == "lindi" else f"{seconds / ours:.2f}x"
        print(f"({task}) {TASKS[task]:<36} {impl:<15} {seconds:>7.3f}s {requests:>9} {ratio:>15}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]))
    else:
        main()
