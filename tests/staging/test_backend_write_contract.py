"""Every writing built-in backend passes the BackendWriteTests contract against a real local server."""
from __future__ import annotations

import uuid

import pytest

from lindi.backends.dandi import DandiBackend
from lindi.backends.gcs import GcsBackend
from lindi.backends.local import LocalBackend
from lindi.backends.s3 import S3Backend
from lindi.testing import BackendWriteTests

from .conftest import DANDI_INSTANCE, FAST_RETRY, GCS_BUCKET, OWNER_KEY, S3_BUCKET


class TestLocalWrite(BackendWriteTests):
    @pytest.fixture
    def backend(self):
        return LocalBackend()

    @pytest.fixture
    def destination(self, tmp_path):
        return str(tmp_path / "dest") + "/"

    @pytest.fixture
    def document_url(self, tmp_path):
        return (tmp_path / "dest" / "doc.lindi.json").as_uri()


class TestS3Write(BackendWriteTests):
    @pytest.fixture
    def backend(self, s3_endpoint):
        b = S3Backend({"endpoint_url": s3_endpoint, "retry": FAST_RETRY})
        yield b
        b.close()

    @pytest.fixture
    def destination(self):
        return f"s3://{S3_BUCKET}/contract-{uuid.uuid4().hex[:8]}/"

    @pytest.fixture
    def document_url(self, destination):
        return destination + "doc.lindi.json"


class TestGcsWrite(BackendWriteTests):
    @pytest.fixture
    def backend(self, gcs_host):
        b = GcsBackend({"emulator_host": gcs_host, "retry": FAST_RETRY})
        yield b
        b.close()

    @pytest.fixture
    def destination(self):
        return f"gs://{GCS_BUCKET}/contract-{uuid.uuid4().hex[:8]}/"

    @pytest.fixture
    def document_url(self, destination):
        return destination + "doc.lindi.json"


class TestDandiWrite(BackendWriteTests):
    @pytest.fixture
    def backend(self, dandi_double):
        b = DandiBackend({"instances": {DANDI_INSTANCE: dandi_double.api_url}, "retry": FAST_RETRY},
                         credentials=lambda target: OWNER_KEY if target == DANDI_INSTANCE else None)
        yield b
        b.close()

    @pytest.fixture
    def destination(self):
        return f"dandi://{DANDI_INSTANCE}/000001/"

    @pytest.fixture
    def document_url(self):
        return f"dandi://{DANDI_INSTANCE}/000001/contract/{uuid.uuid4().hex[:8]}.nwb.lindi.json"
