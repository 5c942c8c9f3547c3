"""Fixtures of the editing tests: an NWB file written by plain pynwb, and moto S3 on 127.0.0.1."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pynwb
import pytest

import lindi.backends
from lindi.testing.cloud_servers import s3_client
from tests.staging.conftest import _isolated_environment, s3_endpoint  # noqa: F401 (fixtures)

from .nwb_build import build_nwb

S3_BUCKET = "lindi-editing-tests"


@pytest.fixture(scope="session")
def plain_nwb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The oracle: the test NWB file written by pynwb through h5py."""
    path = tmp_path_factory.mktemp("plain") / "plain.nwb"
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(build_nwb())
    return path


@pytest.fixture
def s3_registry(s3_endpoint: str) -> Iterator[str]:  # noqa: F811
    """The process-wide backend registry pointed at moto; yields the test bucket."""
    client = s3_client(s3_endpoint)
    if S3_BUCKET not in [b["Name"] for b in client.list_buckets().get("Buckets", [])]:
        client.create_bucket(Bucket=S3_BUCKET)
    retry = {"base_delay": 0.005, "max_delay": 0.05, "max_attempts": 4, "max_total_seconds": 5}
    reg = lindi.backends.configure({"s3": {"endpoint_url": s3_endpoint, "retry": retry}})
    yield S3_BUCKET
    lindi.backends.set_registry(None)
    reg.close()
