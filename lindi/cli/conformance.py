"""``lindi conformance capabilities|validate|dump|write``: this package behind the conformance CLI contract.

Each subcommand prints one JSON document on stdout. Exit status: 0 done; 1 the input was bad or could not be
read (stdout then holds ``{"error": message}``); 2 usage errors. See conformance/README.md.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from ..errors import LindiError


def _emit(produce: Callable[[], Any]) -> None:
    try:
        result = produce()
    except (LindiError, OSError, KeyError, ValueError) as exc:
        click.echo(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
        sys.exit(1)
    if isinstance(result, str):  # a canonical dump: already one line ending in a newline
        click.echo(result, nl=False)
    else:
        click.echo(json.dumps(result, sort_keys=True))


@click.group("conformance")
def conformance_command() -> None:
    """Answer the conformance suite's CLI contract (run it with conformance/run.py -- lindi conformance)."""


@conformance_command.command("capabilities")
def capabilities_command() -> None:
    """Print the commands and features this implementation claims."""
    from ..conformance.contract import capabilities
    _emit(capabilities)


@conformance_command.command("validate")
@click.argument("path_or_url")
def validate_command(path_or_url: str) -> None:
    """Validate a document; print valid flag, errors and warnings with their codes."""
    from ..conformance import contract
    _emit(lambda: contract.validate(path_or_url))


@conformance_command.command("dump")
@click.argument("path_or_url")
def dump_command(path_or_url: str) -> None:
    """Print the canonical dump of a document as read by LindiH5pyFile."""
    from ..conformance import contract
    _emit(lambda: contract.dump(path_or_url))


@conformance_command.command("write")
@click.argument("ops", type=click.Path(dir_okay=False))
@click.argument("out", type=click.Path(dir_okay=False))
def write_command(ops: str, out: str) -> None:
    """Replay an op list and write the result as a LINDI document at OUT."""
    from ..conformance import contract
    _emit(lambda: contract.write(ops, out))
