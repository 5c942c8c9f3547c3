"""Session-wide local servers for the backend tests (all on 127.0.0.1, bounded start-up)."""
from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from lindi.testing.cloud_servers import MOTO_CREDENTIALS, gcs_emulator, moto_s3_server, s3_client
from lindi.testing.dandi_double import DandiApiDouble
from lindi.testing.range_server import RangeServer

FAST_RETRY = {"base_delay": 0.005, "max_delay": 0.05, "max_attempts": 4, "max_total_seconds": 5}
S3_BUCKET = "lindi-backend-tests"
GCS_BUCKET = "lindi-backend-tests"


@pytest.fixture(scope="session", autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No user config, no real cloud credentials: only the local servers are reachable."""
    saved = dict(os.environ)
    for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "STORAGE_EMULATOR_HOST", "DANDI_API_KEY",
                "DANDI_SANDBOX_API_KEY"):
        os.environ.pop(var, None)
    os.environ["AWS_ACCESS_KEY_ID"] = MOTO_CREDENTIALS["aws_access_key_id"]
    os.environ["AWS_SECRET_ACCESS_KEY"] = MOTO_CREDENTIALS["aws_secret_access_key"]
    os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("xdg"))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


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
