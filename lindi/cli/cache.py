"""``lindi cache info|clear``: inspect or empty the local chunk cache."""
from __future__ import annotations

import json

import click

from ..cache import LocalCache


@click.group("cache")
def cache_command() -> None:
    """Inspect or clear the local cache of remote chunks."""


_dir_option = click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
                           help="Cache directory (default: $LINDI_CACHE_DIR or ~/.cache/lindi).")


@cache_command.command("info")
@_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def info_command(cache_dir: str | None, as_json: bool) -> None:
    """Show where the cache is, how many entries and bytes it holds, and its limit."""
    info = LocalCache(cache_dir).info()
    if as_json:
        click.echo(json.dumps(info.model_dump()))
    else:
        click.echo(f"path:      {info.path}\nentries:   {info.entries}\nbytes:     {info.bytes}\n"
                   f"max bytes: {info.max_bytes}")


@cache_command.command("clear")
@_dir_option
def clear_command(cache_dir: str | None) -> None:
    """Delete every cached chunk."""
    cache = LocalCache(cache_dir)
    before = cache.info()
    cache.clear()
    click.echo(f"removed {before.entries} entries ({before.bytes} bytes) from {before.path}")
