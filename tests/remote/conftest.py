"""Servers, a backends registry pointing at them, and one sample NWB file published to each backend."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backends.conftest import (  # noqa: F401  (shared session servers; _isolated_environment is autouse)
    FAST_RETRY, GCS_BUCKET, S3_BUCKET, _isolated_environment, dandi_double, gcs_host, s3_endpoint)
from lindi.backends import Registry, set_registry
from lindi.backends.config import load_settings
from lindi.backends.registry import settings_with
from lindi.LindiH5ZarrStore import LindiH5ZarrStore
from lindi.testing.cloud_servers import s3_client
from lindi.testing.dandi_double import DandiApiDouble
from lindi.testing.range_server import RangeServer

N_SAMPLES, N_CHANNELS, CHUNK_ROWS = 50_000, 16, 5_000  # 10 gzip chunks of 5000 x 16 int16
NWB_NAME = "sample.nwb"
DOC_NAME = "sample.nwb.lindi.json"


@dataclass
class Published:
    """Where one backend serves the sample: the .nwb and a .lindi.json whose chunk refs point at it."""

    name: str
    nwb_url: str
    doc_url: str


@pytest.fixture(scope="session")
def sample_nwb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lindi import demo

    path = tmp_path_factory.mktemp("remote-sample") / NWB_NAME
    nwbfile = demo.new_nwbfile("remote-sample")
    demo.add_ecephys(nwbfile, n_samples=N_SAMPLES, n_channels=N_CHANNELS)
    demo.add_units(nwbfile)
    demo.add_behavior(nwbfile)
    demo.add_trials(nwbfile)
    demo.write_nwbfile(nwbfile, path)
    return path


def lindi_document(nwb_path: Path, url: str) -> bytes:
    """The LINDI document of ``nwb_path`` with chunk refs pointing at ``url``."""
    with LindiH5ZarrStore.from_file(nwb_path, url=url) as store:
        return json.dumps(store.to_reference_file_system()).encode()


@pytest.fixture(scope="session")
def registry(s3_endpoint: str, gcs_host: str, dandi_double: DandiApiDouble) -> Iterator[Registry]:
    """The process-wide backends registry, configured for the local servers (restored afterwards)."""
    options = {"s3": {"endpoint_url": s3_endpoint, "retry": FAST_RETRY},
               "gcs": {"emulator_host": gcs_host, "retry": FAST_RETRY},
               "http": {"retry": FAST_RETRY},
               "dandi": {"instances": {"local-double": dandi_double.api_url}, "retry": FAST_RETRY}}
    reg = Registry(settings_with(load_settings(), options), entry_points=False)
    old = set_registry(reg)
    yield reg
    set_registry(old)
    reg.close()


@pytest.fixture
def http_server(sample_nwb: Path, registry: Registry) -> Iterator[RangeServer]:
    """A private range server (request counts and faults are per test) serving the sample."""
    with RangeServer() as server:
        server.put(NWB_NAME, sample_nwb.read_bytes())
        server.put(DOC_NAME, lindi_document(sample_nwb, "./" + NWB_NAME))  # relative refs
        server.reset_stats()
        yield server


@pytest.fixture(scope="session")
def published(sample_nwb: Path, registry: Registry, s3_endpoint: str, dandi_double: DandiApiDouble
              ) -> dict[str, Published]:
    """The sample on S3 (relative refs), GCS (absolute refs) and DANDI (document and nwb are assets)."""
    data = sample_nwb.read_bytes()
    out = {}
    s3 = s3_client(s3_endpoint)
    s3.put_object(Bucket=S3_BUCKET, Key=f"remote/{NWB_NAME}", Body=data)
    s3.put_object(Bucket=S3_BUCKET, Key=f"remote/{DOC_NAME}", Body=lindi_document(sample_nwb, NWB_NAME))
    out["s3"] = Published("s3", f"s3://{S3_BUCKET}/remote/{NWB_NAME}", f"s3://{S3_BUCKET}/remote/{DOC_NAME}")
    bucket = registry.backend("gcs").client.bucket(GCS_BUCKET)
    nwb_url = f"gs://{GCS_BUCKET}/remote/{NWB_NAME}"
    bucket.blob(f"remote/{NWB_NAME}").upload_from_string(data)
    bucket.blob(f"remote/{DOC_NAME}").upload_from_string(lindi_document(sample_nwb, nwb_url))
    out["gcs"] = Published("gcs", nwb_url, f"gs://{GCS_BUCKET}/remote/{DOC_NAME}")
    nwb_asset = dandi_double.add_asset("000001", f"sub-remote/{NWB_NAME}", data)
    nwb_url = dandi_double.download_url(nwb_asset)
    doc_asset = dandi_double.add_asset("000001", f"sub-remote/{DOC_NAME}", lindi_document(sample_nwb, nwb_url))
    out["dandi"] = Published("dandi", nwb_url, dandi_double.download_url(doc_asset))
    return out
