"""``lindi backends``: which storage backends are registered, from where, and what they can do."""
from __future__ import annotations

import click

from .. import strict_json
from ..errors import LindiError


@click.command("backends")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def backends(as_json: bool) -> None:
    """List storage backends (built-in and from 'lindi' entry-point plugins)."""
    from ..backends import Registry

    try:
        infos = Registry().infos()
    except LindiError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    if as_json:
        click.echo(strict_json.dumps([i.as_dict() for i in infos], indent=2))
        return
    rows = [("NAME", "SOURCE", "CAPABILITIES", "PREFIXES")]
    rows += [(i.name, i.source, ",".join(i.capabilities), " ".join(i.prefixes)) for i in infos]
    widths = [max(len(r[c]) for r in rows) for c in range(3)]
    for r in rows:
        click.echo("  ".join(r[c].ljust(widths[c]) for c in range(3)) + "  " + r[3])
