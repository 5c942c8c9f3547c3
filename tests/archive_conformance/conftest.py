"""The DANDI double, moto and dandi-cli for the archive-conformance tests (127.0.0.1 only).

dandi-cli is pointed at the double by URL, its supported way for an unlisted
instance (``-i <url>`` / ``DANDI_INSTANCE``; it then reads ``/api/info/``).
Its version check, cache and pagination fallback are turned off, and every
socket connection outside loopback fails the test.
"""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest

from lindi.testing.cloud_servers import isolated_cloud_environment, moto_s3_server
from lindi.testing.dandi_double import DandiApiDouble

OWNER = "owner-token"
STRANGER = "stranger-token"
DANDISET = "000001"
FAST_RETRY = {"base_delay": 0.005, "max_delay": 0.05, "max_attempts": 4, "max_total_seconds": 5}
DANDI_CLI_ENV = {"DANDI_NO_ET": "1", "DANDI_CACHE": "ignore", "DANDI_PAGINATION_DISABLE_FALLBACK": "1"}


@pytest.fixture(scope="session", autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    home = tmp_path_factory.mktemp("xdg")
    private = {"XDG_STATE_HOME": str(home / "state"), "XDG_CACHE_HOME": str(home / "cache")}  # dandi-cli's logs
    with isolated_cloud_environment(str(home), {**DANDI_CLI_ENV, **private}):
        yield


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to a non-loopback address raises: dandi-cli must not reach the network."""
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = str(address[0])  # type: ignore[index]
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                raise OSError(f"test tried to reach {host}: only 127.0.0.1 is allowed")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture(scope="session")
def s3_endpoint(_isolated_environment: None) -> Iterator[str]:
    with moto_s3_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def dandi_double(s3_endpoint: str) -> Iterator[DandiApiDouble]:
    with DandiApiDouble(s3_endpoint, bucket="dandi-conformance", ttl=3600) as double:
        double.add_dandiset(DANDISET, owners=(OWNER,))
        double.add_user(STRANGER)
        yield double


@pytest.fixture
def cli_env(dandi_double: DandiApiDouble, monkeypatch: pytest.MonkeyPatch) -> str:
    """The API-key variable dandi-cli reads for the double (named after its host:port), set to the owner's."""
    from dandi.utils import get_instance

    var = f"{get_instance(dandi_double.api_url).name.upper().replace('-', '_')}_API_KEY"
    monkeypatch.setenv(var, OWNER)
    return var
