"""``lindi cache info|clear``: inspect or empty the local chunk cache."""
from __future__ import annotations

import json
import warnings
from typing import NoReturn

import click

from ..cache import LocalCache
from ..errors import CacheError


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
    try:
        info = _open(cache_dir).info()
    except CacheError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(info.model_dump()))
    else:
        click.echo(f"path:      {info.path}\nentries:   {info.entries}\nbytes:     {info.bytes}\n"
                   f"max bytes: {info.max_bytes}")


@cache_command.command("clear")
@_dir_option
def clear_command(cache_dir: str | None) -> None:
    """Delete every cached chunk (a damaged cache database is deleted and created anew)."""
    cache = _open(cache_dir)
    damaged = cache.problem
    try:
        before = cache.info() if damaged is None else None
        cache.clear()
    except CacheError as exc:
        _fail(exc)
    if before is None:
        click.echo(f"repaired the cache at {cache.cache_dir} (it could not be used: {damaged})")
    else:
        click.echo(f"removed {before.entries} entries ({before.bytes} bytes) from {before.path}")


def _open(cache_dir: str | None) -> LocalCache:
    """The cache, without the warning the library gives: these commands report problems themselves."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return LocalCache(cache_dir)


def _fail(exc: CacheError) -> NoReturn:
    click.echo(f"lindi cache: error: {exc}", err=True)
    raise SystemExit(2)
