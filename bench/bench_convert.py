"""Benchmark: index an HDF5 file with 200,000 chunks (DESIGN.md section 8).

Times, in one run, raw ``chunk_iter`` enumeration, this package's conversion (the streaming store path
and the seed API ``from_hdf5_file(path).write_lindi_file(out)``),
kerchunk's SingleHdf5ToZarr and LINDI 0.4.6 (from bench/.peers/venv, made by
bench/setup_peers.sh). Each measurement is a fresh subprocess (median of 3);
time is measured inside it from opening the file to the written JSON (imports
excluded), peak memory is the process's peak RSS (VmHWM). Targets, for both of our paths: <= 1.5x raw
chunk_iter time with a no-op callback, <= half of LINDI 0.4.6's peak memory, JSON no larger than LINDI 0.4.6's.
The peers run without PYTHONPATH, so a PYTHONPATH that points at this tree cannot shadow their ``lindi``.

    python bench/bench_convert.py [--chunks 200000] [--repeat 3]
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

_PRELUDE = """
import json, os, sys, time
src, out = sys.argv[1], sys.argv[2]
"""
_EPILOGUE = """
elapsed = time.perf_counter() - t0
size = os.path.getsize(out) if os.path.exists(out) else 0
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the (large) parent process
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"seconds": elapsed, "peak_mb": peak_kb / 1024, "json_bytes": size}))
"""
TASKS = {
    "raw chunk_iter (collect)": ("self", """
import h5py
t0 = time.perf_counter()
with h5py.File(src, "r") as f:
    infos = []
    f["x"].id.chunk_iter(infos.append)
"""),
    "raw chunk_iter (collect, gc off)": ("self", """
import gc, h5py
t0 = time.perf_counter()
gc.disable()
with h5py.File(src, "r") as f:
    infos = []
    f["x"].id.chunk_iter(infos.append)
"""),
    "raw chunk_iter (no-op)": ("self", """
import h5py
t0 = time.perf_counter()
with h5py.File(src, "r") as f:
    f["x"].id.chunk_iter(lambda info: None)
"""),
    "lindi store path": ("self", """
from lindi.LindiH5ZarrStore import LindiH5ZarrStore, LindiH5ZarrStoreOpts
t0 = time.perf_counter()
with LindiH5ZarrStore.from_file(src) as store:
    store.write_reference_file_system(out)
"""),
    "lindi seed API": ("self", """
from lindi.LindiH5pyFile import LindiH5pyFile
t0 = time.perf_counter()
LindiH5pyFile.from_hdf5_file(src).write_lindi_file(out)
"""),
    "kerchunk": ("peer", """
from kerchunk.hdf import SingleHdf5ToZarr
t0 = time.perf_counter()
refs = SingleHdf5ToZarr(src, inline_threshold=0).translate()
with open(out, "w") as fp:
    json.dump(refs, fp)
"""),
    "LINDI 0.4.6": ("peer", """
from lindi import LindiH5ZarrStore, LindiH5ZarrStoreOpts
t0 = time.perf_counter()
opts = LindiH5ZarrStoreOpts(num_dataset_chunks_threshold=None)
with LindiH5ZarrStore.from_file(src, opts=opts, url=src) as store:
    store.write_reference_file_system(out)
"""),
}


def build_file(path: Path, n_chunks: int) -> None:
    """A 2-D int16 gzip dataset with ``n_chunks`` chunks of 10x10 (every chunk written)."""
    import h5py
    import numpy as np

    cols = 10_000
    rows = max(10, n_chunks * 100 // cols)
    with h5py.File(path, "w") as f:
        d = f.create_dataset("x", shape=(rows, cols), dtype="<i2", chunks=(10, 10), compression="gzip",
                             compression_opts=1)
        for start in range(0, rows, 100):
            block = np.arange(start * cols, min(start + 100, rows) * cols) % 1000
            d[start:start + 100] = block.astype("<i2").reshape(-1, cols)


def measure(python: str, code: str, src: Path, workdir: Path, *, peer: bool) -> dict:
    out = workdir / "out.lindi.json"
    if out.exists():
        out.unlink()
    env = {k: v for k, v in os.environ.items() if not (peer and k == "PYTHONPATH")}
    proc = subprocess.run([python, "-c", _PRELUDE + code + _EPILOGUE, str(src), str(out)], env=env,
                          capture_output=True, text=True, timeout=600, cwd=workdir)  # cwd: keep ./lindi off sys.path
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    workdir = HERE / ".work"
    workdir.mkdir(exist_ok=True)
    src = workdir / f"chunks{args.chunks}.h5"
    if not src.exists():
        started = time.perf_counter()
        build_file(src, args.chunks)
        print(f"built {src} in {time.perf_counter() - started:.1f} s")
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        for name, (where, code) in TASKS.items():
            python = sys.executable if where == "self" else str(PEER_PYTHON)
            if where == "peer" and not PEER_PYTHON.exists():
                print(f"{name}: skipped (run bench/setup_peers.sh)")
                continue
            try:
                runs = [measure(python, code, src, Path(tmp), peer=where == "peer") for _ in range(args.repeat)]
            except RuntimeError as exc:
                print(f"{name}: failed: {exc}")
                continue
            results[name] = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    print(f"\n{'task':34} {'time s':>8} {'peak MB':>8} {'JSON MB':>8}")
    for name, r in results.items():
        print(f"{name:34} {r['seconds']:8.3f} {r['peak_mb']:8.1f} {r['json_bytes'] / 1e6:8.2f}")
    paths = [name for name in ("lindi store path", "lindi seed API") if name in results]
    floor = results.get("raw chunk_iter (no-op)")
    if len(paths) < 2 or floor is None:
        return 1
    ok = True
    for name in paths:
        ours = results[name]
        for base in ("raw chunk_iter (collect)", "raw chunk_iter (collect, gc off)", "raw chunk_iter (no-op)"):
            if base in results:
                print(f"{name} time / {base}: {ours['seconds'] / results[base]['seconds']:.2f}x (target <= 1.5x)")
        ok &= ours["seconds"] <= 1.5 * floor["seconds"]
        for peer in ("kerchunk", "LINDI 0.4.6"):
            if peer in results:
                p = results[peer]
                print(f"{name} vs {peer}: time {ours['seconds'] / p['seconds']:.2f}x, peak memory "
                      f"{ours['peak_mb'] / p['peak_mb']:.2f}x (target <= 0.5x vs LINDI 0.4.6), "
                      f"JSON {ours['json_bytes'] / p['json_bytes']:.2f}x")
        if "LINDI 0.4.6" in results:
            peer = results["LINDI 0.4.6"]
            ok &= ours["peak_mb"] <= peer["peak_mb"] / 2 and ours["json_bytes"] <= peer["json_bytes"]
        else:
            print("LINDI 0.4.6 did not run: the memory and JSON targets are unchecked")
            ok = False
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
