"""Fuzz harness shared by test_fuzz.py and scripts/fuzz.py.

Inputs (mutated documents, HDF5 files with flipped bytes) run in a separate worker
process with a memory limit and a per-input timeout, because a corrupted HDF5 file
can make the HDF5 library crash or hang: a crash or a hang is a finding, like any
exception that is not a :class:`lindi.errors.LindiError`.

Worker protocol: one JSON task per stdin line, one JSON result per stdout line:
``{"target": "document", "doc": {...}, "base": dir, "limits": {...}?}`` (validator + reader: open,
walk, read every dataset; ``limits`` overrides :class:`lindi.security.Limits`), ``{"target": "hdf5", "path": file}`` (converter, then
the reader on its output) or ``{"target": "remote", "url": url}`` (the reader on a
document served over HTTP, for the URL families of :mod:`tests.reliability.fuzz_urls`).
The worker can reach loopback addresses only: names other than ``localhost`` are
not looked up and other addresses are not connected to. Result: ``{"outcome": "ok" | "lindi_error" | "escape",
"type": ..., "message": ...}``.
"""
from __future__ import annotations

import ipaddress
import json
import os
import resource
import select
import socket
import subprocess
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
VALID_CASES = REPO / "tests" / "validate" / "cases" / "valid"
MEMORY_LIMIT = 1536 * 1024**2
TIMEOUT = 30.0


def valid_documents() -> list[dict[str, Any]]:
    """Seed documents: the validator's valid cases (every feature of the spec)."""
    docs = []
    for path in sorted(VALID_CASES.rglob("*.json")):
        if not path.name.endswith(".expect.json"):
            docs.append(json.loads(path.read_text()))
    return docs


# ---- worker side -------------------------------------------------------------------------------

def _walk_and_read(f: Any) -> int:
    """Open every object reachable from the root, read its attributes and every dataset whole."""
    import h5py

    count = 0
    stack = [f]
    seen = set()
    while stack:
        group = stack.pop()
        dict(group.attrs.items())
        for name in list(group.keys()):
            obj = group.get(name)
            if obj is None or id(obj) in seen:
                continue
            seen.add(id(obj))
            if isinstance(obj, h5py.Dataset):
                dict(obj.attrs.items())
                obj[()] if obj.shape is not None else obj[...]
                count += 1
            elif isinstance(obj, h5py.Group) and obj.file is f:
                stack.append(obj)
    return count


def run_document(doc: Any, base: str | None, limits: dict[str, int] | None = None) -> None:
    from lindi import LindiH5pyFile
    from lindi import validate
    from lindi.security import Limits

    validate(doc)
    f = LindiH5pyFile.from_reference_file_system(doc, base=base, limits=Limits.from_env(**(limits or {})))
    _walk_and_read(f)


def run_hdf5(path: str) -> None:
    from lindi import LindiH5pyFile
    from lindi.LindiH5ZarrStore import LindiH5ZarrStore

    with LindiH5ZarrStore.from_file(path) as store:
        doc = store.to_reference_file_system()
    _walk_and_read(LindiH5pyFile.from_reference_file_system(doc, base=os.path.dirname(path)))


def run_remote(url: str) -> None:
    from lindi import LindiH5pyFile

    _walk_and_read(LindiH5pyFile.from_lindi_file(url))


def _run_task(task: dict[str, Any]) -> dict[str, Any]:
    from lindi.errors import LindiError

    try:
        if task["target"] == "document":
            run_document(task["doc"], task.get("base"), task.get("limits"))
        elif task["target"] == "remote":
            run_remote(task["url"])
        else:
            run_hdf5(task["path"])
    except LindiError as exc:
        return {"outcome": "lindi_error", "type": type(exc).__name__, "message": str(exc)[:1000]}
    except Exception as exc:  # the finding: a foreign exception type escaped
        return {"outcome": "escape", "type": f"{type(exc).__module__}.{type(exc).__name__}",
                "message": str(exc)[:300], "traceback": traceback.format_exc()[-3000:]}
    return {"outcome": "ok"}


def _loopback_only() -> None:
    """Keep the worker's traffic on loopback: fuzzed URLs name any host, and none may be asked or reached.

    Numeric hosts (every spelling getaddrinfo accepts) and ``localhost`` resolve
    as usual, other names fail without a DNS query, and addresses outside
    127.0.0.0/8 and ::1 are dropped from every answer.
    """
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        if name.lower().rstrip(".") != "localhost":
            flags |= socket.AI_NUMERICHOST
        try:
            answers = [a for a in real(host, port, family, type, proto, flags) if _is_loopback(a[4][0])]
        except socket.gaierror:
            answers = []
        if not answers:
            raise socket.gaierror(socket.EAI_NONAME, f"{name}: not a loopback address (fuzz worker)")
        return answers

    socket.getaddrinfo = getaddrinfo


def _is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


def worker_main() -> None:
    """Serve tasks from stdin until EOF (memory-limited, loopback only)."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    _loopback_only()
    import warnings

    warnings.simplefilter("ignore")
    from lindi.backends import configure

    # mutated URLs point anywhere: fail fast instead of waiting for the network
    configure({"http": {"connect_timeout": 2, "read_timeout": 5}},
              retry={"max_attempts": 2, "base_delay": 0.01, "max_delay": 0.05, "max_total_seconds": 3})
    out = sys.stdout
    sys.stdout = sys.stderr  # stray prints from libraries must not corrupt the protocol
    for line in sys.stdin:
        out.write(json.dumps(_run_task(json.loads(line))) + "\n")
        out.flush()


# ---- controller side ---------------------------------------------------------------------------

@dataclass
class Stats:
    """What a fuzz run tried and found."""

    inputs: int = 0
    ok: int = 0
    lindi_errors: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)


class Worker:
    """A worker subprocess; restarted after a crash or a timeout (both recorded as findings)."""

    def __init__(self, timeout: float = TIMEOUT):
        self.timeout = timeout
        self.proc: subprocess.Popen[str] | None = None
        self.stats = Stats()

    def _start(self) -> subprocess.Popen[str]:
        if self.proc is None or self.proc.poll() is not None:
            env = dict(os.environ, PYTHONPATH=str(REPO))
            env.pop("LINDI_ALLOW_LOCAL", None)
            self.proc = subprocess.Popen([sys.executable, "-m", "tests.reliability.fuzz_targets"], cwd=REPO,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         text=True, env=env)
        return self.proc

    def run(self, task: dict[str, Any]) -> dict[str, Any]:
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        self.stats.inputs += 1
        try:
            proc.stdin.write(json.dumps(task) + "\n")
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], self.timeout)
            line = proc.stdout.readline() if ready else ""
        except BrokenPipeError:
            line = ""
        if not line:
            outcome = "timeout" if proc.poll() is None else f"crash (exit {proc.poll()})"
            self.close()
            result = {"outcome": "escape", "type": outcome, "message": ""}
        else:
            result = json.loads(line)
        if result["outcome"] == "ok":
            self.stats.ok += 1
        elif result["outcome"] == "lindi_error":
            self.stats.lindi_errors += 1
        else:
            result = {**result, "task": task}
            self.stats.findings.append(result)
        return result

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


if __name__ == "__main__":
    worker_main()
