"""Compare what the LINDI reader returns with what h5py returns (the oracle)."""
from __future__ import annotations

from typing import Any

import h5py
import numpy as np


def assert_same(ours: Any, theirs: Any, where: str = "") -> None:
    """Same Python type, dtype (incl. h5py metadata), shape and values."""
    if isinstance(theirs, h5py.Reference):
        assert isinstance(ours, h5py.Reference), where
        assert isinstance(ours, h5py.RegionReference) == isinstance(theirs, h5py.RegionReference), where
        assert bool(ours) == bool(theirs), where
        return
    if isinstance(theirs, h5py.Empty):
        assert isinstance(ours, h5py.Empty) and ours.dtype == theirs.dtype, where
        return
    assert type(ours) is type(theirs), f"{where}: {type(ours)} != {type(theirs)}"
    if isinstance(theirs, (np.ndarray, np.generic)):
        assert ours.dtype == theirs.dtype, f"{where}: {ours.dtype} != {theirs.dtype}"
        assert ours.dtype.metadata == theirs.dtype.metadata, f"{where}: {ours.dtype.metadata} != {theirs.dtype.metadata}"
        assert np.shape(ours) == np.shape(theirs), where
        if theirs.dtype.names:
            for n in theirs.dtype.names:
                assert_same(np.asarray(ours)[n], np.asarray(theirs)[n], f"{where}.{n}")
        elif theirs.dtype.kind == "O":
            for i, (a, b) in enumerate(zip(np.asarray(ours).flat, np.asarray(theirs).flat)):
                assert_same(a, b, f"{where}[{i}]")
        else:
            np.testing.assert_array_equal(ours, theirs, err_msg=where)
    else:
        assert ours == theirs, f"{where}: {ours!r} != {theirs!r}"
