"""The ``--many`` form of ``lindi convert`` and ``lindi validate``.

:func:`with_many` adds the batch options to an existing single-file command
and routes the call to :mod:`lindi.batch` when ``--many`` is given, so the
single-file commands stay untouched. Exit status: 0 every input ok or
skipped, 1 some input failed, 2 usage error (bad manifest, no matching
input, unreachable scheduler).
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal

import click

Kind = Literal["convert", "validate"]

# Options of the single-file commands that mean something in a batch; any other one set is a usage error.
_PASSED_ON = {"convert": {"strict", "inline_threshold"}, "validate": {"max_errors"}}
_JSON_FLAG = "as_json"


def _batch_options(kind: Kind) -> list[click.Option]:
    options = [
        click.Option(["--many"], metavar="MANIFEST|GLOB",
                     help="Process many inputs on Dask: a manifest (one path or URL per line) or a glob."),
        click.Option(["--scheduler"], metavar="ADDRESS",
                     help="Dask scheduler address (default: a local cluster)."),
        click.Option(["--workers"], type=click.IntRange(min=1), default=2, show_default=True,
                     help="Worker processes of the local cluster."),
        click.Option(["--memory-limit"], default="auto", show_default=True,
                     help="Memory limit per local worker (e.g. 4GiB; auto = machine memory / workers)."),
        click.Option(["--retries"], type=click.IntRange(min=0), default=2, show_default=True,
                     help="Extra attempts for an input that failed for a reason a retry may fix."),
        click.Option(["--jsonl"], type=click.Path(dir_okay=False),
                     help="Results file, one JSON record per input; a rerun skips inputs it shows done"
                          + (" (default: OUT_DIR/lindi-convert-results.jsonl)." if kind == "convert" else ".")),
    ]
    if kind == "convert":
        options.insert(1, click.Option(["--out-dir"], type=click.Path(file_okay=False),
                                       help="Folder of the outputs of --many (required with --many)."))
    return options


def with_many(kind: Kind) -> Callable[[click.Command], click.Command]:
    """Decorator for the click command of ``lindi <kind>`` that adds ``--many`` and its options."""

    def decorate(command: click.Command) -> click.Command:
        argument = next(p for p in command.params if isinstance(p, click.Argument))
        argument.required = False
        options = _batch_options(kind)
        command.params.extend(options)
        names = [o.name for o in options]
        single = command.callback
        assert single is not None

        @functools.wraps(single)
        def callback(**kwargs: Any) -> Any:
            batch = {name: kwargs.pop(name) for name in names}
            if batch["many"] is None:
                given = [_flag(n) for n in names if _given(n)]
                if given:
                    raise click.UsageError(f"{', '.join(given)} only apply together with --many")
                if kwargs[argument.name] is None:
                    raise click.UsageError(f"missing argument {argument.human_readable_name} (or use --many)")
                return single(**kwargs)
            if kwargs.pop(argument.name) is not None:
                raise click.UsageError(f"give either {argument.human_readable_name} or --many, not both")
            _run_many(kind, batch, kwargs)

        command.callback = callback
        return command

    return decorate


def _given(name: str) -> bool:
    """The parameter was set on the command line or by the environment (not left at its default)."""
    source = click.get_current_context().get_parameter_source(name)
    return source not in (None, click.core.ParameterSource.DEFAULT, click.core.ParameterSource.DEFAULT_MAP)


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _run_many(kind: Kind, batch: dict[str, Any], single: dict[str, Any]) -> None:
    from ..conversion import LindiH5ZarrStoreOpts
    from ..errors import LindiError
    from . import ClusterOptions, convert_many, validate_many

    as_json = bool(single.pop(_JSON_FLAG, False))
    passed = {k: single.pop(k) for k in _PASSED_ON[kind] if k in single}
    stray = [_flag(k) for k in single if _given(k)]
    if stray:
        raise click.UsageError(f"{', '.join(stray)} cannot be used with --many")
    if batch["scheduler"] and (_given("workers") or _given("memory_limit")):
        raise click.UsageError("--workers and --memory-limit set up the local cluster; with --scheduler, "
                               "size the workers where they are started")
    cluster = ClusterOptions(scheduler=batch["scheduler"], workers=batch["workers"],
                             memory_limit=batch["memory_limit"])
    try:
        if kind == "convert":
            if not batch["out_dir"]:
                raise click.UsageError("--many needs --out-dir")
            opts = LindiH5ZarrStoreOpts(**{k: v for k, v in passed.items() if v is not None})
            result = convert_many(batch["many"], batch["out_dir"], opts=opts, jsonl=batch["jsonl"],
                                  retries=batch["retries"], cluster=cluster, progress=True)
        else:
            result = validate_many(batch["many"], jsonl=batch["jsonl"], retries=batch["retries"], cluster=cluster,
                                   progress=True, **passed)
    except LindiError as exc:
        click.echo(f"lindi {kind}: error: {exc}", err=True)
        raise SystemExit(2) from None
    if as_json:
        from ..strict_json import dumps

        for record in result.records:
            click.echo(dumps(record.to_dict()))
    else:
        click.echo(result.summary())
    raise SystemExit(result.exit_code)
