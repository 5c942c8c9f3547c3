"""Benchmark: validating a document with 1,000,000 chunk refs vs. json.loads of the same text.

Target (issue 14): validate(path), which reads, parses strictly and checks everything, takes at most the
time of the standard library's json.loads(text) of the same text (issue 3 asked for 4x).
Each measurement runs in a fresh subprocess so its peak RSS is its own; the modes take turns (json, validate,
checks, json, ...) so that a load from other jobs falls on all of them alike, and each reports its CPU time
next to the wall time (on a shared machine the CPU ratio is the steadier one). The children import lindi
from bytecode compiled by a warm-up run, as an installed package does.

    python bench/bench_validate.py [--chunks 1000000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

MODES = ("json", "validate", "checks")
ARRAYS = ("acquisition/ElectricalSeries/data", "processing/ecephys/LFP/ElectricalSeries/data",
          "acquisition/TwoPhotonSeries/data", "processing/ophys/Fluorescence/RoiResponseSeries/data")


def make_document(n_chunks: int) -> dict:
    """A realistic NWB-like document: a few groups, four big chunked arrays, templated URLs."""
    refs: dict = {".zgroup": {"zarr_format": 2}, ".zattrs": {"nwb_version": "2.7.0", "namespace": "core"}}
    per_array = n_chunks // len(ARRAYS)
    for a, path in enumerate(ARRAYS):
        parts = path.split("/")
        for i in range(1, len(parts)):
            refs.setdefault("/".join(parts[:i]) + "/.zgroup", {"zarr_format": 2})
        refs[f"{path}/.zarray"] = {"zarr_format": 2, "shape": [per_array * 1000, 64], "chunks": [1000, 64],
                                   "dtype": "<i2", "compressor": {"id": "zlib", "level": 4}, "filters": None,
                                   "fill_value": 0, "order": "C"}
        refs[f"{path}/.zattrs"] = {"conversion": 1.0, "offset": 0.0, "unit": "volts"}
        offset = 4096
        for i in range(per_array):
            length = 60000 + (i * 7919) % 5000
            refs[f"{path}/{i}.0"] = [f"{{{{u{a % 2}}}}}", offset, length]
            offset += length
    return {"version": 1, "lindi_spec": "1.0", "generator": {"name": "lindi-bench", "version": "0"},
            "templates": {"u0": "https://dandiarchive.s3.amazonaws.com/blobs/abc/def/abcdef",
                          "u1": "https://dandiarchive.s3.amazonaws.com/blobs/123/456/123456"},
            "refs": refs}


def _child(mode: str, path: str) -> None:
    if mode == "json":
        with open(path, "rb") as f:
            text = f.read()
        t0, c0 = time.perf_counter(), time.process_time()
        json.loads(text)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    else:
        import lindi.validation

        if mode == "checks":  # the checks alone, on an already parsed document
            with open(path, "rb") as f:
                target = json.loads(f.read())
        else:
            target = path
        t0, c0 = time.perf_counter(), time.process_time()
        report = lindi.validation.validate(target)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert report.valid, report.errors[:5]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak_mb": peak_mb}))


def _run(mode: str, path: str, pycache: str) -> dict:
    """One measurement in a fresh process that, like an installed package, imports lindi from bytecode
    (compiled once into ``pycache``) even where PYTHONDONTWRITEBYTECODE is set."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = pycache
    out = subprocess.run([sys.executable, __file__, "--child", mode, path], check=True, capture_output=True,
                         text=True, env=env)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.lindi.json")
        with open(path, "w") as f:
            json.dump(make_document(args.chunks), f, separators=(",", ":"))
        size_mb = os.path.getsize(path) / 1e6
        warm_up = os.path.join(tmp, "warm-up.lindi.json")
        with open(warm_up, "w") as f:
            json.dump(make_document(1000), f, separators=(",", ":"))
        pycache = os.path.join(tmp, "pycache")
        _run("validate", warm_up, pycache)  # compiles the imported modules' bytecode, not timed
        runs: dict[str, list[dict]] = {m: [] for m in MODES}
        for _ in range(args.repeat):
            for mode in MODES:
                runs[mode].append(_run(mode, path, pycache))
    wall = {m: statistics.median(r["seconds"] for r in runs[m]) for m in MODES}
    cpu = {m: statistics.median(r["cpu"] for r in runs[m]) for m in MODES}
    peak = {m: max(r["peak_mb"] for r in runs[m]) for m in MODES}
    print(f"document: {args.chunks} chunk refs, {size_mb:.1f} MB (median of {args.repeat}, modes taking turns)")
    print(f"json.loads(text):       {wall['json']:.3f} s wall, {cpu['json']:.3f} s CPU, peak RSS {peak['json']:.0f} MB")
    print(f"lindi.validate(path):   {wall['validate']:.3f} s wall, {cpu['validate']:.3f} s CPU, "
          f"peak RSS {peak['validate']:.0f} MB (includes reading and parsing)")
    print(f"lindi.validate(parsed): {wall['checks']:.3f} s wall, {cpu['checks']:.3f} s CPU: the checks alone")
    print(f"ratio validate/json.loads: {wall['validate'] / wall['json']:.2f} wall, "
          f"{cpu['validate'] / cpu['json']:.2f} CPU (target <= 1.0)")


if __name__ == "__main__":
    main()
