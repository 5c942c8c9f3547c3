"""Entry point of the ``lindi`` command.

Subcommands live in their own modules and are imported only when invoked, so
``lindi --help`` and ``lindi --version`` stay fast. Exit codes that scripts can
rely on: 0 success, 1 the command ran and found a problem (e.g. invalid
document), 2 usage or I/O error.
"""
from __future__ import annotations

import importlib

import click

from .._version import __version__

# name -> "module:attribute" of a click command
COMMANDS: dict[str, str] = {
    "backends": "lindi.cli.backends:backends",
    "cache": "lindi.cli.cache:cache_command",
    "cat": "lindi.cli.cat:cat_command",
    "conformance": "lindi.cli.conformance:conformance_command",
    "convert": "lindi.cli.convert:convert_command",
    "demo": "lindi.cli.demo:demo_command",
    "diff": "lindi.cli.diff:diff_command",
    "info": "lindi.cli.info:info_command",
    "ls": "lindi.cli.ls:ls_command",
    "publish": "lindi.cli.publish:publish_command",
    "validate": "lindi.cli.validate:validate_command",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported when first used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lindi")
def cli() -> None:
    """LINDI: HDF5/NWB files as Zarr written down as JSON (.lindi.json)."""


def main() -> None:
    cli(prog_name="lindi")


if __name__ == "__main__":  # pragma: no cover
    main()
