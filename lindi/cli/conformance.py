"""``lindi conformance capabilities|validate|dump|write|serve``: this package behind the conformance contract.

Each subcommand prints one JSON document on stdout. Exit status: 0 done; 1 the input was bad or could not be
read (stdout then holds ``{"error": message}``); 2 usage errors. ``serve`` answers the same requests as JSON
lines on stdin/stdout, so the runner pays Python's start-up once. See conformance/README.md.
"""
from __future__ import annotations

import json
import sys

import click


def _run(args: list[str]) -> None:
    from ..conformance.contract import answer

    code, text = answer(args)
    click.echo(text, nl=False)
    sys.exit(code)


@click.group("conformance")
def conformance_command() -> None:
    """Answer the conformance suite's CLI contract (run it with conformance/run.py -- lindi conformance)."""


@conformance_command.command("capabilities")
def capabilities_command() -> None:
    """Print the commands and features this implementation claims."""
    _run(["capabilities"])


@conformance_command.command("validate")
@click.argument("path_or_url")
def validate_command(path_or_url: str) -> None:
    """Validate a document; print valid flag, errors and warnings with their codes."""
    _run(["validate", path_or_url])


@conformance_command.command("dump")
@click.argument("path_or_url")
def dump_command(path_or_url: str) -> None:
    """Print the canonical dump of a document as read by LindiH5pyFile."""
    _run(["dump", path_or_url])


@conformance_command.command("write")
@click.argument("ops", type=click.Path(dir_okay=False))
@click.argument("out", type=click.Path(dir_okay=False))
def write_command(ops: str, out: str) -> None:
    """Replay an op list and write the result as a LINDI document at OUT."""
    _run(["write", ops, out])


@conformance_command.command("serve")
def serve_command() -> None:
    """Answer {"args": [...]} request lines on stdin with {"exit": n, "stdout": "..."} lines until EOF."""
    from ..conformance.contract import answer

    for line in sys.stdin:
        try:
            args = json.loads(line)["args"]
            if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
                raise TypeError("args must be a list of strings")
        except (ValueError, KeyError, TypeError) as exc:
            code, text = 2, json.dumps({"error": f"bad request line: {exc}"}) + "\n"
        else:
            code, text = answer(args)
        sys.stdout.write(json.dumps({"exit": code, "stdout": text}) + "\n")
        sys.stdout.flush()
