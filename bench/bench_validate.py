"""Benchmark: validating a document with 1,000,000 chunk refs vs. json.loads of the same text.

Target (issue #3): validate(path) takes at most 4x the time of json.loads(text).
Each measurement runs in a fresh subprocess so its peak RSS is its own.

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
        t0 = time.perf_counter()
        json.loads(text)
        elapsed = time.perf_counter() - t0
    else:
        import lindi.validation

        if mode == "checks":  # the checks alone, on an already parsed document
            with open(path, "rb") as f:
                target = json.loads(f.read())
        else:
            target = path
        t0 = time.perf_counter()
        report = lindi.validation.validate(target)
        elapsed = time.perf_counter() - t0
        assert report.valid, report.errors[:5]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "peak_mb": peak_mb}))


def _run(mode: str, path: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, path], check=True, capture_output=True, text=True)
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
        runs = {m: [_run(m, path) for _ in range(args.repeat)] for m in ("json", "validate", "checks")}
    t_json = statistics.median(r["seconds"] for r in runs["json"])
    t_val = statistics.median(r["seconds"] for r in runs["validate"])
    print(f"document: {args.chunks} chunk refs, {size_mb:.1f} MB")
    print(f"json.loads(text):      {t_json:.3f} s (median of {args.repeat}), "
          f"peak RSS {max(r['peak_mb'] for r in runs['json']):.0f} MB")
    print(f"lindi.validate(path):  {t_val:.3f} s (median of {args.repeat}), "
          f"peak RSS {max(r['peak_mb'] for r in runs['validate']):.0f} MB (includes reading and parsing)")
    t_checks = statistics.median(r["seconds"] for r in runs["checks"])
    print(f"lindi.validate(parsed): {t_checks:.3f} s (median of {args.repeat}): the checks alone")
    print(f"ratio validate/json.loads: {t_val / t_json:.2f} (target <= 4)")


if __name__ == "__main__":
    main()
