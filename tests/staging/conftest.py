"""Local servers and a configured backend registry for the staging and publish tests (127.0.0.1 only)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

import lindi.backends
from lindi.testing.cloud_servers import gcs_emulator, isolated_cloud_environment, moto_s3_server, s3_client
from lindi.testing.dandi_double import DandiApiDouble
from lindi.testing.range_server import RangeServer

FAST_RETRY = {"base_delay": 0.005, "max_delay": 0.05, "max_attempts": 4, "max_total_seconds": 5}
S3_BUCKET = "lindi-publish-tests"
GCS_BUCKET = "lindi-publish-tests"
DANDI_INSTANCE = "local-double"
OWNER_KEY = "owner-key"
STRANGER_KEY = "stranger-key"


@pytest.fixture(scope="package", autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No user config, no real cloud credentials: only the local servers are reachable.

    Package scope: the owner's API key must not leak into later test packages, whose
    DANDI doubles answer an unknown token with 401 as the archive does.
    """
    with isolated_cloud_environment(str(tmp_path_factory.mktemp("xdg")), {"LOCAL_DOUBLE_API_KEY": OWNER_KEY}):
        yield


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with moto_s3_server() as endpoint:
        s3_client(endpoint).create_bucket(Bucket=S3_BUCKET)
        yield endpoint


@pytest.fixture(scope="session")
def gcs_host() -> Iterator[str]:
    with gcs_emulator(default_bucket=GCS_BUCKET) as host:
        yield host


@pytest.fixture(scope="session")
def dandi_double(s3_endpoint: str) -> Iterator[DandiApiDouble]:
    with DandiApiDouble(s3_endpoint, bucket="dandi-publish", ttl=3600) as double:
        double.add_dandiset("000001", owners=(OWNER_KEY,))
        double.add_user(STRANGER_KEY)
        yield double


@pytest.fixture(scope="session")
def backend_options(s3_endpoint: str, gcs_host: str, dandi_double: DandiApiDouble) -> dict:
    return {
        "s3": {"endpoint_url": s3_endpoint, "retry": FAST_RETRY, "multipart_threshold": 5 * 1024 * 1024,
               "multipart_chunksize": 5 * 1024 * 1024},
        "gcs": {"emulator_host": gcs_host, "retry": FAST_RETRY, "resumable_threshold": 512 * 1024,
                "chunk_size": 256 * 1024},
        "dandi": {"instances": {DANDI_INSTANCE: dandi_double.api_url}, "retry": FAST_RETRY},
        "http": {"retry": FAST_RETRY},
    }


@pytest.fixture
def registry(backend_options: dict) -> Iterator[lindi.backends.Registry]:
    """The process-wide registry pointed at the local servers (what publish and read_ranges use)."""
    reg = lindi.backends.configure(backend_options)
    yield reg
    lindi.backends.set_registry(None)
    reg.close()


@pytest.fixture(scope="session")
def range_server() -> Iterator[RangeServer]:
    with RangeServer() as server:
        yield server
