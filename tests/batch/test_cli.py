"""``lindi convert --many`` / ``lindi validate --many``: exit status, summary, JSON lines, usage errors."""
from __future__ import annotations

import json

import dask
import pytest
from click.testing import CliRunner
from distributed import LocalCluster  # imported before any dask.config.set: it registers its defaults

from lindi.batch.many import DEFAULT_RESULTS_NAME
from lindi.cli.main import cli

from .conftest import write_plain


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_convert_many_on_real_worker_processes(tmp_path):
    for i in range(10):
        write_plain(tmp_path / f"f{i}.h5", i)
    (tmp_path / "broken.h5").write_bytes(b"\x89HDF\r\n\x1a\n truncated")
    manifest = tmp_path / "list.txt"
    manifest.write_text("\n".join([*(f"f{i}.h5" for i in range(10)), "broken.h5", "missing.h5"]))
    out = tmp_path / "out"

    first = run("convert", "--many", manifest, "--out-dir", out, "--workers", 2)  # default: LocalCluster processes
    assert first.exit_code == 1, first.output
    assert "12 inputs" in first.output and "10 ok, 0 skipped (up to date), 2 failed" in first.output
    assert f"FAILED {tmp_path / 'missing.h5'}: input missing" in first.output
    assert len((out / DEFAULT_RESULTS_NAME).read_text().splitlines()) == 12

    again = run("convert", "--many", str(tmp_path / "f*.h5"), "--out-dir", out, "--workers", 1, "--json")
    assert again.exit_code == 0, again.output
    records = [json.loads(line) for line in again.stdout.splitlines()]
    assert [r["status"] for r in records] == ["skipped"] * 10


@pytest.fixture(scope="module")
def scheduler_address():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


def test_validate_many_through_a_scheduler_address(tmp_path, scheduler_address):
    write_plain(tmp_path / "a.h5", 1)
    run("convert", tmp_path / "a.h5")
    (tmp_path / "b.lindi.json").write_text('{"version": 1, "refs": {}, "x": Infinity}')
    results = tmp_path / "v.jsonl"
    result = run("validate", "--many", str(tmp_path / "*.lindi.json"), "--scheduler", scheduler_address,
                 "--jsonl", results, "--max-errors", 5)
    assert result.exit_code == 1, result.output
    assert "1 ok, 0 skipped (up to date), 1 failed" in result.output and "LINDI-E-JSON" in result.output
    (tmp_path / "b.lindi.json").unlink()
    rerun = run("validate", "--many", str(tmp_path / "*.lindi.json"), "--scheduler", scheduler_address,
                "--jsonl", results)
    assert rerun.exit_code == 0 and "0 ok, 1 skipped" in rerun.output


def test_convert_many_passes_converter_options(tmp_path, scheduler_address):
    write_plain(tmp_path / "a.h5", 1)
    result = run("convert", "--many", str(tmp_path / "*.h5"), "--out-dir", tmp_path / "out",
                 "--scheduler", scheduler_address, "--inline-threshold", 10**9)
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "out" / "a.h5.lindi.json").read_text())
    assert not any(isinstance(v, list) for v in doc["refs"].values())  # everything inlined


@pytest.mark.parametrize("args, message", [
    (["convert", "a.h5", "--many", "*.h5", "--out-dir", "o"], "either SRC or --many"),
    (["convert", "--many", "*.h5"], "--many needs --out-dir"),
    (["convert", "a.h5", "--out-dir", "o"], "--out-dir only apply together with --many"),
    (["convert", "--many", "*.h5", "--out-dir", "o", "-o", "x.json"], "--output cannot be used with --many"),
    (["convert"], "missing argument SRC"),
    (["validate", "--many", "*.json", "--out-dir", "o"], "No such option"),
    (["validate", "--many", "{tmp}/none*.json"], "no file matches"),
    (["validate", "--many", "{tmp}/absent.txt"], "neither an existing manifest"),
    (["convert", "--many", "{tmp}/*.h5", "--out-dir", "o", "--retries", "-1"], "--retries"),
    (["validate", "--many", "x", "--scheduler", "tcp://h:1", "--workers", "3"], "with --scheduler"),
])
def test_usage_errors_exit_2(tmp_path, args, message):
    result = run(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 2 and message in result.output, result.output


def test_unreachable_scheduler_exits_2(tmp_path):
    write_plain(tmp_path / "a.h5", 1)
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = run("convert", "--many", str(tmp_path / "*.h5"), "--out-dir", tmp_path,
                     "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 2 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
