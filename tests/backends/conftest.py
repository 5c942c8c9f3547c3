"""Session-wide local servers for the backend tests (all on 127.0.0.1, bounded start-up)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from lindi.testing.cloud_servers import gcs_emulator, isolated_cloud_environment, moto_s3_server, s3_client
from lindi.testing.dandi_double import DandiApiDouble
from lindi.testing.range_server import RangeServer

FAST_RETRY = {"base_delay": 0.005, "max_delay": 0.05, "max_attempts": 4, "max_total_seconds": 5}
S3_BUCKET = "lindi-backend-tests"
GCS_BUCKET = "lindi-backend-tests"


@pytest.fixture(scope="session", autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No user config, no real cloud credentials: only the local servers are reachable."""
    with isolated_cloud_environment(str(tmp_path_factory.mktemp("xdg"))):
        yield


@pytest.fixture(scope="session")
def s3_endpoint(_isolated_environment: None) -> Iterator[str]:
    with moto_s3_server() as endpoint:
        s3_client(endpoint).create_bucket(Bucket=S3_BUCKET)
        yield endpoint


@pytest.fixture(scope="session")
def gcs_host(_isolated_environment: None) -> Iterator[str]:
    with gcs_emulator(default_bucket=GCS_BUCKET) as host:
        yield host


@pytest.fixture(scope="session")
def range_server() -> Iterator[RangeServer]:
    with RangeServer() as server:
        yield server


@pytest.fixture
def fresh_range_server() -> Iterator[RangeServer]:
    """A private server for tests that inject faults or count requests."""
    with RangeServer() as server:
        yield server


@pytest.fixture(scope="session")
def dandi_double(s3_endpoint: str) -> Iterator[DandiApiDouble]:
    with DandiApiDouble(s3_endpoint, ttl=3600) as double:
        double.add_dandiset("000001")
        yield double
