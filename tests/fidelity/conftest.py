"""Session-scoped fixture files: each HDF5/NWB feature file is built once per test session."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from .h5_features import FEATURES
from .nwb_features import NWB_FEATURES
from .routes import Converted, convert


def _builder(tmp_path_factory: pytest.TempPathFactory, builders: dict, kind: str, suffix: str
             ) -> Callable[[str], Path]:
    """``get(name)`` -> path of the file ``builders[name]`` writes, built once per session."""
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            path = tmp_path_factory.mktemp(f"{kind}_{name}") / f"{name}{suffix}"
            builders[name](path)
            built[name] = path
        return built[name]

    return get


@pytest.fixture(scope="session")
def h5_feature_file(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``h5_feature_file(name)`` -> path of the HDF5 file of that feature (built on first use)."""
    return _builder(tmp_path_factory, FEATURES, "h5", ".h5")


@pytest.fixture(scope="session")
def nwb_feature_file(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``nwb_feature_file(name)`` -> path of the NWB file of that feature (built on first use)."""
    return _builder(tmp_path_factory, NWB_FEATURES, "nwb", ".nwb")


@pytest.fixture(scope="session")
def converted(tmp_path_factory: pytest.TempPathFactory, h5_feature_file, nwb_feature_file) -> Callable[[str], Converted]:
    """``converted("h5:<feature>")`` or ``converted("nwb:<feature>")`` -> the conversion, done once per session."""
    done: dict[str, Converted] = {}

    def get(key: str) -> Converted:
        if key not in done:
            kind, name = key.split(":", 1)
            source = h5_feature_file(name) if kind == "h5" else nwb_feature_file(name)
            done[key] = convert(source, tmp_path_factory.mktemp(f"lindi_{kind}_{name}"))
        return done[key]

    return get
