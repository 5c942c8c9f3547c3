"""Corpus files built once per session."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.fidelity.h5_features import FEATURES

from .corpus import LIBVERS, build_filter_mask, build_index_types


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every fidelity feature file, plus the index-type and filter-mask files under both library bounds."""
    root = tmp_path_factory.mktemp("chunk_index_corpus")
    paths = []
    for name, build in FEATURES.items():
        path = root / f"feature_{name}.h5"
        build(path)
        paths.append(path)
    for libver in LIBVERS:
        for build in (build_index_types, build_filter_mask):
            path = root / f"{build.__name__}_{libver}.h5"
            build(path, libver)
            paths.append(path)
    return paths
