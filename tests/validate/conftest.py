import numcodecs.registry
import pytest
from numcodecs.abc import Codec


class RegisteredHereOnly(Codec):
    """A codec registered with numcodecs in this process but absent from the spec's list: validity must not
    change (SPEC 9: invalid/codecs/registered_here_only expects LINDI-E-CODEC-UNKNOWN)."""

    codec_id = "lindi_test_registered_here_only"

    def encode(self, buf):
        return buf

    def decode(self, buf, out=None):
        return buf


@pytest.fixture(autouse=True, scope="session")
def _register_nonstandard_codec():
    numcodecs.registry.register_codec(RegisteredHereOnly)
    yield
    numcodecs.registry.codec_registry.pop(RegisteredHereOnly.codec_id, None)
