"""Fuzzing the URL policy: redirect chains and parser differentials never reach the private stand-in (issue 18)."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import raw_array_document
from .fuzz_targets import Worker
from .fuzz_urls import HostileOrigin

pytestmark = pytest.mark.network

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    w = Worker()
    yield w
    w.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileOrigin]:
    with HostileOrigin(tmp_path_factory.mktemp("hostile")) as h:
        yield h


def _check(worker: Worker, hostile: HostileOrigin, case: tuple[dict, str]) -> None:
    task, expect = case
    finding = hostile.judge(task, expect, worker.run(task))
    assert finding is None, json.dumps(finding, indent=1)[:3000]


@FUZZ
@given(st.data())
def test_redirect_chains(worker, hostile, data):
    _check(worker, hostile, hostile.redirect_case(data))


@FUZZ
@given(st.data())
def test_parser_differentials(worker, hostile, data):
    _check(worker, hostile, hostile.differential_case(data))


def test_worker_cannot_leave_loopback(worker):
    """The harness itself: a name is not looked up and a non-loopback address not reached (a local document)."""
    for url in ("http://example.com/x", "http://10.0.0.1:9/x"):
        result = worker.run({"target": "document", "doc": raw_array_document(url, 4), "base": None})
        assert result["outcome"] == "lindi_error" and "not a loopback address" in result["message"], result
