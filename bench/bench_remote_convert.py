"""Remote conversion over HTTP Range with injected latency: this package against LINDI 0.4.6 and kerchunk.

    python bench/bench_remote_convert.py [--latency 0.03] [--repeat 1] [--files big,tiny,million]
                                         [--peer-timeout 300]

Files (built once into bench/.work/, default library bounds, so a version-1 B-tree index):
  big      350 MB, 20,000 chunks of 128 x 64 int16 (16 KB each, uncompressed)
  tiny     26 MB, 200,000 chunks of 128 B (64 int16)
  million  1,000,000 chunks of 16 B (8 int16); peers are skipped here unless --peers-on-million

Each file is served by the project's range server (lindi/testing/range_server.py) with ``--latency``
seconds added to every request. Every measurement is a fresh subprocess that imports and sets up, says
READY, then (after the server's counters are reset) converts the URL to a JSON file; it reports wall time,
and the server reports requests and body bytes. This package: ``LindiH5ZarrStore.from_file(url)
.write_reference_file_system(out)``; LINDI 0.4.6: the same API with ``num_dataset_chunks_threshold=None``
(every chunk referenced); kerchunk: ``SingleHdf5ToZarr(url, inline_threshold=0).translate()`` + ``json.dump``.
Peers run in bench/.peers/venv (bench/setup_peers.sh). Targets: big file 4x faster than the faster peer and
at most 10 MB read; tiny chunks 4x faster than the faster peer; a million chunks in under 15 s.
"""
from __future__ import annotations

import argparse
import os
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEER_PYTHON = HERE / ".peers" / "venv" / "bin" / "python"
FILES = {  # name -> (rows, columns, chunk rows, description)
    "big": (20_000 * 128, 64, 128, "350 MB, 20,000 chunks of 128x64 int16"),
    "tiny": (200_000 * 64, 1, 64, "26 MB, 200,000 chunks of 128 B"),
    "million": (1_000_000 * 8, 1, 8, "1,000,000 chunks of 16 B"),
}
IMPLEMENTATIONS = [("lindi", "self"), ("lindi-0.4.6", "peer"), ("kerchunk", "peer")]


def worker(impl: str, url: str, out: str) -> None:
    if impl == "lindi":
        from lindi.LindiH5ZarrStore import LindiH5ZarrStore
    elif impl == "lindi-0.4.6":
        import lindi
    else:
        import fsspec  # noqa: F401
        from kerchunk.hdf import SingleHdf5ToZarr
    print("READY", flush=True)
    sys.stdin.readline()
    t0 = time.perf_counter()
    if impl == "lindi":
        with LindiH5ZarrStore.from_file(url) as store:
            store.write_reference_file_system(out)
    elif impl == "lindi-0.4.6":
        opts = lindi.LindiH5ZarrStoreOpts(num_dataset_chunks_threshold=None)
        with lindi.LindiH5ZarrStore.from_file(url, opts=opts, url=url) as store:
            store.write_reference_file_system(out)
    else:
        refs = SingleHdf5ToZarr(url, inline_threshold=0).translate()
        with open(out, "w") as fp:
            json.dump(refs, fp)
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds}), flush=True)


def build(path: Path, rows: int, columns: int, chunk_rows: int) -> None:
    import h5py
    import numpy as np

    shape = (rows, columns) if columns > 1 else (rows,)
    chunks = (chunk_rows, columns) if columns > 1 else (chunk_rows,)
    step = max(chunk_rows, (8 << 20) // (2 * columns) // chunk_rows * chunk_rows)
    with h5py.File(path, "w") as f:
        d = f.create_dataset("data", shape=shape, dtype="<i2", chunks=chunks)
        for start in range(0, rows, step):
            stop = min(rows, start + step)
            block = (np.arange(start * columns, stop * columns, dtype=np.int64) % 30011).astype("<i2")
            d[start:stop] = block.reshape((stop - start, columns) if columns > 1 else (stop - start,))


def run_case(server, impl: str, where: str, url: str, out: Path, timeout: float) -> dict:
    python = sys.executable if where == "self" else str(PEER_PYTHON)
    # ours runs this checkout; a peer must not see it on PYTHONPATH (LINDI 0.4.6 has the same import name)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if where == "self":
        env["PYTHONPATH"] = str(HERE.parent)
    # cwd outside the repository so the peer venv imports LINDI 0.4.6, not this checkout
    proc = subprocess.Popen([python, str(Path(__file__).resolve()), "--worker", impl, url, str(out)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            cwd=tempfile.gettempdir(), env=env)  # stderr: the peers' progress bars
    assert proc.stdin is not None and proc.stdout is not None
    if proc.stdout.readline().strip() != "READY":
        proc.kill()
        raise RuntimeError(f"{impl} failed during setup")
    server.reset_stats()
    proc.stdin.write("GO\n")
    proc.stdin.flush()
    try:
        line, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"seconds": None, "requests": server.requests, "bytes": server.bytes_sent}
    if proc.returncode != 0 or not line.strip():
        raise RuntimeError(f"{impl} failed")
    return {"seconds": json.loads(line.strip().splitlines()[-1])["seconds"], "requests": server.requests,
            "bytes": server.bytes_sent}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.03)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--files", default="big,tiny,million")
    parser.add_argument("--peer-timeout", type=float, default=300.0)
    parser.add_argument("--peers-on-million", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent))  # this checkout's range server, whatever lindi is installed
    from lindi.testing.range_server import RangeServer

    work = HERE / ".work" / "remote_convert"
    work.mkdir(parents=True, exist_ok=True)
    names = [n for n in args.files.split(",") if n]
    for name in names:
        path = work / f"{name}.h5"
        if not path.exists():
            started = time.perf_counter()
            build(path, *FILES[name][:3])
            print(f"built {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
    have_peers = PEER_PYTHON.exists()
    if not have_peers:
        print("peers skipped: run bench/setup_peers.sh")
    rows = []
    ok = True
    with RangeServer(work, latency=args.latency) as server, tempfile.TemporaryDirectory() as tmp:
        for name in names:
            url = server.url_for(f"{name}.h5")
            results = {}
            for impl, where in IMPLEMENTATIONS:
                if where == "peer" and (not have_peers or (name == "million" and not args.peers_on_million)):
                    continue
                runs = [run_case(server, impl, where, url, Path(tmp) / "out.lindi.json",
                                 args.peer_timeout if where == "peer" else 600) for _ in range(args.repeat)]
                times = [r["seconds"] for r in runs if r["seconds"] is not None]
                results[impl] = {"seconds": statistics.median(times) if times else None,
                                 "requests": max(r["requests"] for r in runs), "bytes": max(r["bytes"] for r in runs)}
                rows.append((name, impl, results[impl]))
            ours = results["lindi"]["seconds"]
            peers = [r["seconds"] for impl, r in results.items() if impl != "lindi" and r["seconds"] is not None]
            if name == "big":
                ok &= results["lindi"]["bytes"] <= 10e6
            if name in ("big", "tiny") and peers:
                ok &= ours * 4 <= min(peers)
            if name == "million":
                ok &= ours < 15
    print(f"\nlatency {args.latency * 1000:.0f} ms per request, median of {args.repeat}\n")
    print(f"{'file':<44} {'implementation':<13} {'time s':>8} {'requests':>9} {'MB read':>8} {'vs this':>8}")
    for name, impl, r in rows:
        ours = next(x for n, i, x in rows if n == name and i == "lindi")["seconds"]
        seconds = "timeout" if r["seconds"] is None else f"{r['seconds']:.2f}"
        ratio = "" if impl == "lindi" or r["seconds"] is None else f"{r['seconds'] / ours:.1f}x"
        print(f"{FILES[name][3]:<44} {impl:<13} {seconds:>8} {r['requests']:>9} {r['bytes'] / 1e6:>8.1f} {ratio:>8}")
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(main())
