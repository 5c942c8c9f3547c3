"""A generated archive (good HDF5 and NWB files plus broken ones) and a quick in-process Dask cluster."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import hdf5plugin
import numpy as np
import pytest

from lindi.batch.cluster import dask_client

N_PLAIN = 48
N_NWB = 4


@dataclass
class Archive:
    """Where the generated inputs are and which ones must fail (name -> text the reason contains)."""

    root: Path
    good: list[Path] = field(default_factory=list)
    broken: dict[Path, str] = field(default_factory=dict)
    unsupported: Path | None = None

    def manifest(self, path: Path, extra: list[str] = ()) -> Path:
        lines = ["# generated archive", *(str(p.relative_to(self.root)) for p in self.good),
                 "", *(str(p) for p in self.broken), *extra]
        path.write_text("\n".join(lines) + "\n")
        return path


def write_plain(path: Path, seed: int) -> None:
    """A small HDF5 file; its chunk count depends on ``seed`` so that records differ."""
    rng = np.random.default_rng(seed)
    with h5py.File(path, "w") as f:
        f.create_dataset("data", data=rng.random(1000 + 100 * (seed % 7)), chunks=(100,),
                         compression="gzip")
        g = f.create_group("meta")
        g.attrs["seed"] = seed
        g["label"] = f"file {seed}"


def make_archive(root: Path) -> Archive:
    from lindi.demo import add_trials, new_nwbfile, write_nwbfile

    archive = Archive(root)
    (root / "sub").mkdir(parents=True)
    for i in range(N_PLAIN):
        path = root / ("sub" if i % 5 == 0 else "") / f"plain{i:02d}.h5"
        write_plain(path, i)
        archive.good.append(path)
    for i in range(N_NWB):
        nwbfile = new_nwbfile(f"batch-{i}")
        add_trials(nwbfile, n_trials=3 + i)
        path = root / f"session{i}.nwb"
        write_nwbfile(nwbfile, path)
        archive.good.append(path)
    archive.unsupported = root / "bitshuffle.h5"
    with h5py.File(archive.unsupported, "w") as f:
        f.create_dataset("bs", data=np.arange(1000, dtype="<f4"), chunks=(100,), **hdf5plugin.Bitshuffle(cname="lz4"))
        f["ok"] = np.arange(5)
    archive.good.append(archive.unsupported)

    whole = archive.good[0].read_bytes()
    (root / "truncated.h5").write_bytes(whole[: len(whole) // 2])
    (root / "not_hdf5.h5").write_text("this is a text file, not HDF5\n")
    (root / "empty.h5").write_bytes(b"")
    archive.broken = {root / "truncated.h5": "truncated", root / "not_hdf5.h5": "not a readable HDF5 file",
                      root / "empty.h5": "not a readable HDF5 file", root / "missing.h5": "input missing"}
    return archive


@pytest.fixture(scope="session")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return make_archive(tmp_path_factory.mktemp("archive"))


@pytest.fixture(scope="session")
def client() -> Iterator[object]:
    """Two single-threaded workers inside this process (starts in a fraction of a second)."""
    with dask_client(workers=2, processes=False) as c:
        yield c
