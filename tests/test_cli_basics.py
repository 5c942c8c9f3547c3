import subprocess
import sys

import lindi


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "lindi.cli.main", *args], capture_output=True, text=True)


def test_version():
    r = run_cli("--version")
    assert r.returncode == 0
    assert lindi.__version__ in r.stdout


def test_help_lists_commands():
    r = run_cli("--help")
    assert r.returncode == 0
    assert "Usage: lindi" in r.stdout


def test_unknown_command_is_usage_error():
    r = run_cli("no-such-command")
    assert r.returncode == 2
