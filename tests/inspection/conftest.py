"""Fixtures: feature files converted once per session, an isolated environment, and a CLI runner."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fidelity.conftest import converted, h5_feature_file, nwb_feature_file  # noqa: F401  (session fixtures)

from lindi import strict_json
from lindi.cli.main import cli
from lindi.testing.cloud_servers import isolated_cloud_environment


@pytest.fixture(scope="session", autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No user config and a private chunk cache: only the local servers are reachable."""
    cache = str(tmp_path_factory.mktemp("cache"))
    with isolated_cloud_environment(str(tmp_path_factory.mktemp("xdg")), {"LINDI_CACHE_DIR": cache}):
        yield


@pytest.fixture
def run() -> Callable[..., Result]:
    """``run("ls", doc, ...)`` -> click Result of the ``lindi`` command (stderr separate)."""
    def invoke(*args: Any, columns: int = 200) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": str(columns)},
                                  catch_exceptions=False)
    return invoke


def json_lines(output: str) -> list[dict[str, Any]]:
    return [strict_json.loads(line) for line in output.splitlines() if line.strip()]


def write_doc(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(strict_json.dumps(doc), encoding="utf-8")
    return path
