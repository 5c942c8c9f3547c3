"""The example third-party plugin, pip-installed, is discovered through its entry point and passes the contract."""
from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lindi.backends import Registry
from lindi.testing import BackendTests

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lindi-example-backend"


@pytest.fixture(scope="module")
def installed_example(tmp_path_factory):
    """pip-install the example into a private target dir and put it on sys.path (bounded time)."""
    target = tmp_path_factory.mktemp("example-plugin")
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
                           "--no-index", "--quiet", "--target", str(target), str(EXAMPLE)],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    try:
        yield target
    finally:
        sys.path.remove(str(target))
        for name in [m for m in sys.modules if m.startswith("lindi_example_backend")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def registry(installed_example):
    reg = Registry()
    yield reg
    reg.close()


def test_entry_point_discovered(registry):
    info = {i.name: i for i in registry.infos()}["memory"]
    assert info.source == "lindi-example-backend 0.1.0"
    assert info.prefixes == ("memory://",)
    assert {i.name: i.source for i in registry.infos()}["s3"] == "builtin"


def test_registry_routes_memory_urls(registry):
    from lindi_example_backend import put
    put("memory://ex/a", b"hello world")
    assert registry.backend_for("memory://ex/a").name == "memory"
    assert registry.read_ranges([("memory://ex/a", 6, 5)]) == [b"world"]


def test_cli_lists_plugin(installed_example):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed_example), *sys.path])}
    proc = subprocess.run([sys.executable, "-m", "lindi.cli.main", "backends", "--json"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    assert rows["memory"]["source"].startswith("lindi-example-backend")
    assert rows["dandi"]["capabilities"] == ["read", "sizes", "resolve", "write"]


def test_example_own_tests_pass(installed_example):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed_example), *sys.path])}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir",
                           str(EXAMPLE), str(EXAMPLE / "tests")], capture_output=True, text=True, env=env,
                          timeout=120, cwd=EXAMPLE)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout


class TestExamplePluginContract(BackendTests):
    @pytest.fixture
    def backend(self, registry):
        return registry.backend("memory")

    @pytest.fixture
    def make_object(self, installed_example):
        from lindi_example_backend import put
        return lambda name, data: put(f"memory://contract/{name}", data)
