"""Fuzz families for editing local documents, shared by tests and scripts/fuzz.py (issue 18 D1-D4, L6).

* container edit sequences: random add / delete / rewrite / attribute edits of a ``.lindi.json``,
  ``.lindi.tar`` or ``.lindi.d`` in mode ``r+``, some of them in a child process killed with SIGKILL at a
  random moment; after every step the document must hold exactly the old or the new content, and no
  temporary of a dead writer may be left once the next write is done;
* concurrent editors: several processes adding attributes to one document at once, retrying while it is
  locked; every edit must be there at the end.

A finding is any difference from the model (something lost or half-written) or an exception that is not a
LindiError.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

SUFFIXES = (".lindi.json", ".lindi.tar", ".lindi.d")

#: an editor that retries while another process holds the document: argv = path, name, number of edits
RETRYING_EDITOR = r"""
import sys, time
import lindi
from lindi.errors import DocumentLockedError
path, who, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(count):
    for attempt in range(6000):
        try:
            with lindi.LindiH5pyFile.from_lindi_file(path, mode="r+") as f:
                f.attrs[f"{who}-{i}"] = i
            break
        except DocumentLockedError:
            time.sleep(0.005)
    else:
        sys.exit("never got the lock")
"""

#: one edit in a child process (argv = path, attribute name, dataset seed); the parent kills it at random
KILLED_EDITOR = r"""
import sys
import numpy as np
import lindi
path, name, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
with lindi.LindiH5pyFile.from_lindi_file(path, mode="r+") as f:
    f.attrs[name] = seed
    f.create_dataset(name, data=np.random.default_rng(seed).integers(0, 2**40, 4000), chunks=(1000,))
"""


def values(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2**40, size=n, dtype=np.int64)


@dataclass
class Model:
    """What the document must hold: dataset values and attributes."""

    datasets: dict[str, np.ndarray] = field(default_factory=dict)
    attrs: dict[str, int] = field(default_factory=dict)


@dataclass
class EditingStats:
    edits: int = 0
    kills: int = 0
    concurrent_edits: int = 0
    lost: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)


def read_state(path: str) -> Model:
    import lindi

    with lindi.LindiH5pyFile.from_lindi_file(path) as f:
        return Model({k: f[k][()] for k in f}, {k: int(v) for k, v in f.attrs.items()})


def same(state: Model, model: Model) -> bool:
    return (state.attrs == model.attrs and sorted(state.datasets) == sorted(model.datasets)
            and all(np.array_equal(state.datasets[k], v) for k, v in model.datasets.items()))


def leftovers(folder: Path) -> list[str]:
    """Temporaries and set-aside folders of writers (a killed writer's unlocked lock file is harmless)."""
    return sorted(n for n in os.listdir(folder) if n.startswith(".tmp-") or ".old-" in n)


class EditingFuzzer:
    """Runs rounds of both families in ``folder``; figures and findings accumulate in ``stats``."""

    def __init__(self, folder: Path, rng: random.Random):
        self.folder, self.rng, self.stats = folder, rng, EditingStats()
        self._rounds = 0

    def _fresh(self, suffix: str) -> tuple[str, Model]:
        import lindi

        self._rounds += 1
        path = str(self.folder / f"doc{self._rounds}{suffix}")
        model = Model()
        with lindi.LindiH5pyFile.from_lindi_file(path, mode="w") as f:
            for i in range(self.rng.randint(1, 4)):
                model.datasets[f"d{i}"] = values(self.rng.getrandbits(32), self.rng.choice([1000, 3000, 9000]))
                f.create_dataset(f"d{i}", data=model.datasets[f"d{i}"], chunks=(self.rng.choice([250, 1000]),))
        return path, model

    def _finding(self, family: str, message: str, **extra: Any) -> None:
        self.stats.lost += 1
        self.stats.findings.append({"family": family, "message": message, **extra})

    def edit_sequence(self, steps: int = 5, suffix: str | None = None) -> None:
        """One container, ``steps`` random edits (some killed), checked against the model after each."""
        import lindi
        from lindi.errors import LindiError

        suffix = suffix or self.rng.choice(SUFFIXES)
        path, model = self._fresh(suffix)
        for step in range(steps):
            op = self.rng.choice(["add", "delete", "rewrite", "attr", "killed"])
            seed = self.rng.getrandbits(32)
            name = f"s{step}"
            self.stats.edits += 1
            try:
                if op == "killed":
                    self._killed_edit(path, name, seed, model)
                else:
                    with lindi.LindiH5pyFile.from_lindi_file(path, mode="r+") as f:
                        _apply(f, op, name, seed, model, self.rng)
                state = read_state(path)
            except LindiError as exc:
                self._finding("container edit sequences", f"{op} on {suffix}: {exc}", path=path)
                return
            except Exception as exc:  # noqa: BLE001 - any other exception type is a finding
                self._finding("container edit sequences", f"{op} on {suffix}: {exc!r}", path=path)
                return
            if not same(state, model):
                self._finding("container edit sequences", f"{op} on {suffix}: content differs from the model",
                              path=path)
                return
        if leftovers(self.folder):
            self._finding("container edit sequences", f"left behind: {leftovers(self.folder)}")

    def _killed_edit(self, path: str, name: str, seed: int, model: Model) -> None:
        """Start one edit in a child and SIGKILL it after a random delay; adopt the new content if it got in."""
        proc = subprocess.Popen([sys.executable, "-c", KILLED_EDITOR, path, name, str(seed)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(self.rng.uniform(0.0, 2.5))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            self.stats.kills += 1
        proc.wait(timeout=60)
        state = read_state(path)
        if name in state.attrs:  # the edit was written before the kill: the new version, whole
            model.attrs[name] = seed
            model.datasets[name] = np.random.default_rng(seed).integers(0, 2**40, 4000)

    def concurrent_editors(self, editors: int = 3, edits_each: int = 3, suffix: str | None = None) -> None:
        """``editors`` processes each add ``edits_each`` attributes to one document at once, retrying while locked."""
        suffix = suffix or self.rng.choice(SUFFIXES)
        path, model = self._fresh(suffix)
        procs = [subprocess.Popen([sys.executable, "-c", RETRYING_EDITOR, path, f"p{i}", str(edits_each)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for i in range(editors)]
        for p in procs:
            _, err = p.communicate(timeout=600)
            if p.returncode != 0:
                self._finding("concurrent editors", f"an editor failed on {suffix}: {err[-500:]}", path=path)
        self.stats.concurrent_edits += editors * edits_each
        model.attrs.update({f"p{i}-{j}": j for i in range(editors) for j in range(edits_each)})
        if not same(read_state(path), model):
            self._finding("concurrent editors", f"an edit was lost on {suffix}", path=path)


def _apply(f: Any, op: str, name: str, seed: int, model: Model, rng: random.Random) -> None:
    if op == "add" or not model.datasets:
        model.datasets[name] = values(seed, rng.choice([1000, 2500, 7000]))
        f.create_dataset(name, data=model.datasets[name], chunks=(rng.choice([250, 1000]),))
    elif op == "delete":
        victim = rng.choice(sorted(model.datasets))
        del f[victim]
        del model.datasets[victim]
    elif op == "rewrite":
        victim = rng.choice(sorted(model.datasets))
        n = min(300, len(model.datasets[victim]))
        model.datasets[victim][:n] = values(seed, n)
        f[victim][:n] = model.datasets[victim][:n]
    else:
        model.attrs[name] = seed
        f.attrs[name] = seed
