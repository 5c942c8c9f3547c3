"""Registry: deterministic URL -> backend mapping, ties, pins, config, module-level dispatch."""
from __future__ import annotations

import sys
import types

import pytest

import lindi.backends as lb
from lindi.backends import Backend, BackendConfigError, NoBackendError, RangeResponse, Registry, hookimpl
from lindi.backends.config import BackendSettings, load_settings, settings_from_mapping
from lindi.backends.errors import InvalidRequestError
from lindi.backends.presigned import ResolvedUrlCache, signature_expiry
from lindi.backends.retry import RetryPolicy
from lindi.backends.urls import redact_url
from lindi.testing.cloud_servers import s3_client

from .conftest import S3_BUCKET


def make_backend_class(name, prefixes):
    class Fake(Backend):
        capabilities = frozenset({"read"})

        def prefixes(self):
            return prefixes

        def fetch_range(self, url, offset, length):
            return RangeResponse(f"{name}:{url}".encode()[offset:offset + length])

        def size(self, url):
            return len(f"{name}:{url}")

    Fake.name = name
    return Fake


def plugin_with(*classes):
    mod = types.SimpleNamespace()
    mod.lindi_backends = hookimpl(lambda: list(classes))
    return mod


def test_builtins_map_urls():
    reg = Registry(BackendSettings(), entry_points=False)
    cases = {"/tmp/x.h5": "local", "file:///tmp/x": "local", "HTTPS://Example.org/a": "http",
             "s3://b/k": "s3", "gs://b/o": "gcs", "https://api.dandiarchive.org/api/assets/abc/download/": "dandi",
             "https://api.dandiarchive.org/api/info/": "http"}
    assert {u: reg.backend_for(u).name for u in cases} == cases
    with pytest.raises(NoBackendError, match="ftp://x"):
        reg.backend_for("ftp://x/y")


def test_longest_prefix_wins():
    reg = Registry(BackendSettings(), entry_points=False,
                   plugins=[plugin_with(make_backend_class("mirror", ("https://mirror.example.org/data/",)))])
    assert reg.backend_for("https://mirror.example.org/data/f").name == "mirror"
    assert reg.backend_for("https://mirror.example.org/other").name == "http"


def test_tie_is_a_load_error_unless_pinned():
    plugin = plugin_with(make_backend_class("a", ("x://",)), make_backend_class("b", ("x://",)))
    with pytest.raises(BackendConfigError, match="claim the URL prefix 'x://'"):
        Registry(BackendSettings(), entry_points=False, plugins=[plugin])
    reg = Registry(BackendSettings(pins={"x://": "b"}), entry_points=False, plugins=[plugin])
    assert reg.backend_for("x://1").name == "b"


def test_duplicate_name_and_bad_class():
    with pytest.raises(BackendConfigError, match="two backends are named 'http'"):
        Registry(BackendSettings(), entry_points=False, plugins=[plugin_with(make_backend_class("http", ("y://",)))])
    with pytest.raises(BackendConfigError, match="not a Backend subclass"):
        Registry(BackendSettings(), entry_points=False, plugins=[plugin_with(dict)])


def test_a_misspelled_hook_is_a_load_error_naming_the_plugin():
    misspelled = types.SimpleNamespace(__name__="typo_plugin")
    misspelled.lindi_backend = hookimpl(lambda: [make_backend_class("typo", ("typo://",))])  # not lindi_backends
    with pytest.raises(BackendConfigError, match="lindi_backend"):
        Registry(BackendSettings(), entry_points=False, plugins=[misspelled])


def test_a_backend_declaring_write_must_implement_it():
    cls = make_backend_class("claims_write", ("cw://",))
    cls.capabilities = frozenset({"read", "write"})
    with pytest.raises(BackendConfigError, match="claims_write.*put_blob"):
        Registry(BackendSettings(), entry_points=False, plugins=[plugin_with(cls)])


def test_pin_overrides_declared_prefix_and_unknown_pin_fails():
    reg = Registry(BackendSettings(), entry_points=False,
                   plugins=[plugin_with(make_backend_class("mirror", ("mirror://",)))])
    reg.pin("https://data.example.org/", "mirror")
    assert reg.backend_for("https://data.example.org/x").name == "mirror"
    assert reg.read_ranges([("https://data.example.org/x", 0, 6)]) == [b"mirror"]
    with pytest.raises(BackendConfigError, match="no backend named 'nope'"):
        reg.pin("z://", "nope")


def test_config_file(tmp_path, monkeypatch, s3_endpoint):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'''
[backends.pins]
"https://files.example.org/" = "local"
[backends.retry]
max_attempts = 2
[backends.options.s3]
endpoint_url = "{s3_endpoint}"
''')
    monkeypatch.setenv("LINDI_CONFIG", str(cfg))
    settings = load_settings()
    assert settings.source == str(cfg)
    reg = Registry(entry_points=False)
    assert reg.backend("s3").retry.max_attempts == 2
    assert reg.backend_for("https://files.example.org/a").name == "local"
    s3_client(s3_endpoint).put_object(Bucket=S3_BUCKET, Key="cfg/obj", Body=b"configured")
    assert reg.read_ranges([(f"s3://{S3_BUCKET}/cfg/obj", 0, 10)]) == [b"configured"]


def test_bad_config_names_the_file(tmp_path, monkeypatch):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[backends\n")
    monkeypatch.setenv("LINDI_CONFIG", str(cfg))
    with pytest.raises(BackendConfigError, match="bad.toml"):
        load_settings()
    monkeypatch.setenv("LINDI_CONFIG", str(tmp_path / "absent.toml"))
    with pytest.raises(BackendConfigError, match="not found"):
        load_settings()
    with pytest.raises(BackendConfigError, match="unknown key"):
        settings_from_mapping({"pinz": {}})
    with pytest.raises(BackendConfigError, match="unknown retry option"):
        RetryPolicy.from_options({"attempts": 3})


def test_module_level_read_ranges_mixes_backends(tmp_path, range_server, s3_endpoint):
    local = tmp_path / "f.bin"
    local.write_bytes(b"local-bytes")
    http_url = range_server.put("mix.bin", b"http-bytes")
    s3_client(s3_endpoint).put_object(Bucket=S3_BUCKET, Key="mix/obj", Body=b"s3-bytes")
    old = lb.set_registry(None)
    try:
        lb.configure({"s3": {"endpoint_url": s3_endpoint}})
        reqs = [(http_url, 0, 4), (str(local), 6, 5), (f"s3://{S3_BUCKET}/mix/obj", 3, 5), (local.as_uri(), 0, 5)]
        assert lb.read_ranges(reqs) == [b"http", b"bytes", b"bytes", b"local"]
        import asyncio
        assert asyncio.run(lb.aread_ranges(reqs[:2])) == [b"http", b"bytes"]
        with pytest.raises(InvalidRequestError, match="request #1"):
            lb.read_ranges([(http_url, 0, 1), (http_url, 0, -1)])
    finally:
        lb.set_registry(old)


def test_presigned_expiry_and_single_flight():
    url = "https://s3/x?X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-Signature=abc"
    assert signature_expiry(url) == 1704067200 + 3600
    assert signature_expiry("https://plain/x") is None
    now = [1704067200.0]
    calls = []
    cache = ResolvedUrlCache(lambda u: calls.append(u) or url, clock=lambda: now[0], max_margin=3600)
    assert cache.get("a") == url and cache.get("a") == url and len(calls) == 1
    now[0] += 3600 * 0.79
    cache.get("a")
    assert len(calls) == 1
    now[0] += 3600 * 0.02  # past 80 % of the lifetime: refreshed
    cache.get("a")
    assert len(calls) == 2
    cache.invalidate("a", "some-other-url")
    cache.get("a")
    assert len(calls) == 2
    cache.invalidate("a", url)
    cache.get("a")
    assert len(calls) == 3


def test_redaction():
    red = redact_url("https://user:pw@h/p?X-Amz-Signature=s&X-Amz-Credential=c&X-Amz-Date=d&keep=1")
    assert red == "https://h/p?X-Amz-Date=d&keep=1"


def test_lazy_cloud_imports():
    import subprocess
    code = ("import lindi, lindi.backends, sys; lindi.backends.Registry(entry_points=False);"
            "print('boto3' in sys.modules, 'google.cloud.storage' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_cli_table_lists_builtins():
    import subprocess
    out = subprocess.run([sys.executable, "-m", "lindi.cli.main", "backends"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["NAME", "SOURCE", "CAPABILITIES", "PREFIXES"]
    assert {ln.split()[0] for ln in lines[1:]} >= {"local", "http", "s3", "gcs", "dandi"}


def test_cli_reports_config_error(tmp_path):
    import os
    import subprocess
    cfg = tmp_path / "c.toml"
    cfg.write_text('[backends.pins]\n"x://" = "missing"\n')
    out = subprocess.run([sys.executable, "-m", "lindi.cli.main", "backends"], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "LINDI_CONFIG": str(cfg)})
    assert out.returncode == 2 and "no backend named 'missing'" in out.stderr
