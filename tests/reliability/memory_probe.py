"""Peak memory of one hostile read, measured in a fresh process.

``python -m tests.reliability.memory_probe '[TASK, ...]'`` runs the tasks one
after the other and prints one JSON line for each: the outcome (``"ok"`` or the exception's class name), its
message, and ``growth``: how far the process's peak resident set (``VmHWM``,
reset through ``/proc/self/clear_refs`` just before the step) rose above its
resident set at the start of the step, so C allocations in codecs count too,
which tracemalloc would miss. With ``address_space`` the
step runs under ``RLIMIT_AS`` = the current virtual size + that many bytes, so
running out of memory shows as a ``MemoryError`` instead of swapping.

Tasks: ``{"kind": "read", "path": doc, "dataset": name, "limits": {...}}``
(open with ``from_lindi_file``, read the dataset whole),
``{"kind": "open", "path": doc, "limits": {...}}`` (open the document, list the root) and
``{"kind": "validate", "path": doc}`` (``lindi.validate``; limits from the environment).
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def _virtual_size() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()


def _status(field: str) -> int:
    """A ``kB`` figure of /proc/self/status, in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def _reset_peak() -> int:
    """Reset the peak resident set to the current one (Linux >= 4.0); the current resident set."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return _status("VmRSS")


def _main(task: dict[str, Any]) -> dict[str, Any]:
    from lindi import LindiH5pyFile
    from lindi.security import Limits

    limits = Limits.from_env(**task.get("limits", {}))
    f = None
    if task["kind"] == "read":
        f = LindiH5pyFile.from_lindi_file(task["path"], limits=limits)
    before = _reset_peak()
    if task.get("address_space"):
        cap = _virtual_size() + int(task["address_space"])
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    start, cpu = time.perf_counter(), time.process_time()
    try:
        if task["kind"] == "validate":
            from lindi.validation import validate

            validate(task["path"])
        elif f is None:
            f = LindiH5pyFile.from_lindi_file(task["path"], limits=limits)
            list(f.keys())  # the node index is built too
        else:
            f[task["dataset"]][()]
        outcome, message = "ok", ""
    except BaseException as exc:  # noqa: BLE001 - the outcome is what is measured
        outcome, message = type(exc).__name__, str(exc)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _status("VmHWM")
    return {"outcome": outcome, "message": message[:2000], "growth": max(peak - before, 0), "peak": peak,
            "seconds": seconds, "cpu_seconds": cpu}


def probe(task: dict[str, Any], *, timeout: float = 300, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``task`` in a fresh interpreter with this tree first on the path (and ``env`` added); its JSON result."""
    return probe_many([task], timeout=timeout, env=env)[0]


def probe_many(tasks: list[dict[str, Any]], *, timeout: float = 300,
               env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Run ``tasks`` one after the other in one fresh interpreter (the peak is reset before each step)."""
    import os

    env = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
    proc = subprocess.run([sys.executable, "-m", "tests.reliability.memory_probe", json.dumps(tasks)], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=timeout, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or len(lines) != len(tasks):
        raise AssertionError(f"probe failed (exit {proc.returncode}): {proc.stderr[-3000:]}")
    return [json.loads(line) for line in lines]


if __name__ == "__main__":
    for one in json.loads(sys.argv[1]):
        print(json.dumps(_main(one)), flush=True)
