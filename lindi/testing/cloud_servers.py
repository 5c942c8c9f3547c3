"""Local stand-ins for cloud storage on 127.0.0.1: moto's S3 server and gcp-storage-emulator.

Both run in-process in background threads; start-up waits for the port with
a bounded poll. Needs the ``test`` extra (``moto[server]``, ``gcp-storage-emulator``).
"""
from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from ._server import free_port, wait_for_port

#: Dummy credentials moto accepts (it does not check signatures).
MOTO_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@contextmanager
def isolated_cloud_environment(config_home: str, extra: Mapping[str, str] | None = None) -> Iterator[None]:
    """No user config and no real cloud credentials while inside: only local servers are reachable.

    Clears the cloud and DANDI variables, sets moto's dummy credentials, points the
    user config at ``config_home``, applies ``extra``; restores the environment on exit.
    """
    saved = dict(os.environ)
    for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "STORAGE_EMULATOR_HOST", "DANDI_API_KEY",
                "DANDI_SANDBOX_API_KEY"):
        os.environ.pop(var, None)
    os.environ["AWS_ACCESS_KEY_ID"] = MOTO_CREDENTIALS["aws_access_key_id"]
    os.environ["AWS_SECRET_ACCESS_KEY"] = MOTO_CREDENTIALS["aws_secret_access_key"]
    os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    os.environ["XDG_CONFIG_HOME"] = config_home
    os.environ.update(extra or {})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def moto_s3_server(timeout: float = 15.0) -> Iterator[str]:
    """Run moto's S3 server; yields its endpoint URL (``http://127.0.0.1:<port>``)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        wait_for_port("127.0.0.1", port, timeout)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@contextmanager
def gcs_emulator(default_bucket: str = "lindi-test", timeout: float = 15.0) -> Iterator[str]:
    """Run gcp-storage-emulator in memory; yields its base URL (for ``STORAGE_EMULATOR_HOST``)."""
    from gcp_storage_emulator.server import create_server

    logging.getLogger("gcp_storage_emulator").setLevel(logging.ERROR)
    port = free_port()
    server = create_server("127.0.0.1", port, in_memory=True, default_bucket=default_bucket)
    server.start()
    try:
        wait_for_port("127.0.0.1", port, timeout)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def s3_client(endpoint_url: str):  # -> botocore client; boto3 is optional so no annotation import
    """A boto3 S3 client for the moto server (SigV4, path-style)."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=endpoint_url, region_name="us-east-1",
                        config=Config(signature_version="s3v4"), **MOTO_CREDENTIALS)
