"""How the document-inspecting commands (ls, info, diff, cat) report a failure: one line, exit 2."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from ..errors import LindiError


@contextmanager
def exit_2_on_error(command: str) -> Iterator[None]:
    """Turn a document that cannot be opened or read (or a bad path/slice) into ``error: ...`` and exit 2."""
    try:
        yield
    except (LindiError, OSError, KeyError, ValueError) as exc:
        message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        click.echo(f"lindi {command}: error: {message}", err=True)
        raise SystemExit(2) from None
