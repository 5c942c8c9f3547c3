"""The zarr-facing tests again, on Python 3.12 with the newest zarr 3.x (DESIGN section 4).

CI's own virtualenv runs Python 3.11, where pip resolves zarr 3.1; newer zarr
releases need Python 3.12. This test makes a 3.12 virtualenv under
``.work/venv-py312`` (reused afterwards), installs the package with its test
extra and the newest zarr there, and runs the tests that exercise zarr in it.
"""
from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from packaging.version import Version

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".work" / "venv-py312"
THIS = Path(__file__).relative_to(REPO).as_posix()
#: Tests that go through zarr: the store, reads of every dtype/layout/codec, editing, remote reads, chunk limits;
#: and the type gate, whose zarr and numpy stubs change with the release.
SUBSET = ["tests/reading", "tests/fidelity", "tests/editing", "tests/remote", "tests/codecs", "tests/conversion",
          "tests/staging", "tests/compat", "tests/reliability/test_limits.py", "tests/test_lint.py"]
RUN_TIMEOUT = 420


def _python312() -> str:
    """A working Python 3.12: ``python3.12`` on PATH, else a pyenv install (pyenv's shim may not resolve)."""
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = [shutil.which("python3.12"), *sorted(glob.glob(f"{pyenv_root}/versions/3.12*/bin/python3.12")),
                  *sorted(glob.glob("/root/.pyenv/versions/3.12*/bin/python3.12"))]
    for candidate in filter(None, candidates):
        try:
            probe = subprocess.run([candidate, "-c", "import sys; assert sys.version_info[:2] == (3, 12)"],
                                   capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return candidate
    pytest.fail(f"no Python 3.12 interpreter found (tried {[c for c in candidates if c]}); the newest zarr needs "
                "it: install one (e.g. `pyenv install 3.12`) or put python3.12 on PATH")


def _run(cmd: list[str], timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` in its own process group, killed whole (pytest-xdist workers too) at the timeout."""
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"{' '.join(cmd)} did not finish in {timeout} s; its output ends:\n{out[-4000:]}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, None)


def _venv_python() -> str:
    python = VENV / "bin" / "python"
    if not python.exists():
        made = _run([_python312(), "-m", "venv", str(VENV)], timeout=300)
        assert made.returncode == 0, made.stdout[-4000:]
    # -U zarr: a reused venv follows new zarr releases too; the rest only moves when pyproject.toml asks.
    # test-core: the suite's tools without dandi-cli, which pins an older zarr
    installed = _run([str(python), "-m", "pip", "install", "-q", "-U", "-e", f"{REPO}[test-core]", "zarr"],
                     timeout=1200)
    assert installed.returncode == 0, f"pip install in {VENV} failed:\n{installed.stdout[-4000:]}"
    return str(python)


@pytest.mark.timeout(2000)
def test_zarr_facing_suite_passes_with_the_newest_zarr_on_python312():
    python = _venv_python()
    version = _run([python, "-c", "import zarr; print(zarr.__version__)"], timeout=120)
    assert version.returncode == 0, version.stdout[-4000:]
    zarr_version = Version(version.stdout.strip().splitlines()[-1])
    assert zarr_version.release[:2] > (3, 1), f"{VENV} has zarr {zarr_version}, not a release newer than 3.1"

    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTEST_ADDOPTS", "VIRTUAL_ENV"}
           and not k.startswith("PYTEST_XDIST") and k != "PYTEST_CURRENT_TEST"}
    env["PATH"] = f"{VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    result = _run([python, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider", f"--ignore={THIS}", *SUBSET],
                  timeout=RUN_TIMEOUT, env=env)
    tail = result.stdout[-6000:]
    assert result.returncode == 0, f"zarr {zarr_version} on Python 3.12: the subset failed; output ends:\n{tail}"
    assert " passed" in tail and "skipped" not in tail, tail
