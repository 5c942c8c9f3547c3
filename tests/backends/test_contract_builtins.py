"""Every built-in backend passes the BackendTests contract against a real local server."""
from __future__ import annotations

import uuid

import pytest

from lindi.backends.dandi import DandiBackend
from lindi.backends.gcs import GcsBackend
from lindi.backends.http import HttpBackend
from lindi.backends.local import LocalBackend
from lindi.backends.s3 import S3Backend
from lindi.testing import BackendTests
from lindi.testing.cloud_servers import s3_client

from .conftest import FAST_RETRY, GCS_BUCKET, S3_BUCKET


class TestLocalBackend(BackendTests):
    @pytest.fixture
    def backend(self):
        return LocalBackend()

    @pytest.fixture
    def make_object(self, tmp_path):
        def make(name: str, data: bytes) -> str:
            path = tmp_path / name
            path.write_bytes(data)
            return str(path) if len(name) % 2 else path.as_uri()  # plain paths and file:// URLs
        return make


class TestHttpBackend(BackendTests):
    @pytest.fixture
    def backend(self):
        b = HttpBackend({"retry": FAST_RETRY})
        yield b
        b.close()

    @pytest.fixture
    def make_object(self, range_server):
        return range_server.put


class TestS3Backend(BackendTests):
    @pytest.fixture
    def backend(self, s3_endpoint):
        b = S3Backend({"endpoint_url": s3_endpoint, "retry": FAST_RETRY})
        yield b
        b.close()

    @pytest.fixture
    def make_object(self, s3_endpoint):
        client = s3_client(s3_endpoint)

        def make(name: str, data: bytes) -> str:
            client.put_object(Bucket=S3_BUCKET, Key=f"contract/{name}", Body=data)
            return f"s3://{S3_BUCKET}/contract/{name}"
        return make


class TestGcsBackend(BackendTests):
    @pytest.fixture
    def backend(self, gcs_host):
        b = GcsBackend({"emulator_host": gcs_host, "retry": FAST_RETRY})
        yield b
        b.close()

    @pytest.fixture
    def make_object(self, backend):
        bucket = backend.client.bucket(GCS_BUCKET)

        def make(name: str, data: bytes) -> str:
            bucket.blob(f"contract/{name}").upload_from_string(data)
            return f"gs://{GCS_BUCKET}/contract/{name}"
        return make


class TestDandiBackend(BackendTests):
    @pytest.fixture
    def backend(self, dandi_double):
        b = DandiBackend({"instances": {"local-double": dandi_double.api_url}, "retry": FAST_RETRY})
        yield b
        b.close()

    @pytest.fixture
    def make_object(self, dandi_double):
        def make(name: str, data: bytes) -> str:
            asset = dandi_double.add_asset("000001", f"contract/{name}", data)
            return dandi_double.download_url(asset, nested=len(name) % 2 == 0)
        return make

    @pytest.fixture
    def missing_url(self, dandi_double):
        return f"{dandi_double.api_url}/assets/{uuid.uuid4()}/download/"


def test_payload_fixture_is_not_trivial():
    """Guard: the contract's data must differ between offsets, or order bugs would pass."""
    from lindi.testing.backend_tests import _payload
    data = _payload(1000)
    assert len(set(data[i:i + 4] for i in range(0, 1000, 4))) > 200
