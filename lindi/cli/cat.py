"""``lindi cat DOC PATH[SLICE] [--format text|json|npy] [-o FILE]``: print or dump a dataset or a slice.

Exit status: 0 printed, 2 usage error (bad slice, not a dataset) or the document/data could not be read.
"""
from __future__ import annotations

import click


@click.command("cat")
@click.argument("document")
@click.argument("target", metavar="PATH[SLICE]")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "npy"]), default="text", show_default=True,
              help="text: numpy's printing; json: strict JSON with shape and dtype; npy: .npy bytes.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (atomically) instead of stdout.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Local chunk cache (default: $LINDI_CACHE_DIR or ~/.cache/lindi).")
@click.option("--no-cache", is_flag=True, help="Do not use the local chunk cache.")
def cat_command(document: str, target: str, fmt: str, output: str | None, cache_dir: str | None,
                no_cache: bool) -> None:
    """Print the dataset at PATH of DOCUMENT, or a numpy-style slice of it.

    Reads through the normal reader (the same backends, URL policy and local cache as
    `LindiH5pyFile.from_lindi_file`). SLICE is parsed as text, never evaluated: integers,
    start:stop:step and ... separated by commas. JSON writes special floats and 64-bit
    integers as strings (exact in every JSON reader), references as {"ref": path}.

    \b
    Examples:
      lindi cat sub-01.nwb.lindi.json /session_description
      lindi cat sub-01.nwb.lindi.json '/acquisition/ElectricalSeries/data[0:10, ::4]'
      lindi cat https://example.org/x.nwb.lindi.json '/units/spike_times[:100]' --format json
      lindi cat x.lindi.tar /data --format npy -o data.npy
    """
    from lindi import strict_json
    from lindi.backends.local import atomic_write_file
    from lindi.cache import LocalCache
    from lindi.inspection import open_document
    from lindi.inspection.reading import as_json, as_npy, as_text, read_selection
    from lindi.inspection.slicing import split_target
    from lindi.inspection.values import terminal_width

    from .document_errors import exit_2_on_error

    with exit_2_on_error("cat"):
        path, selection = split_target(target)
        cache = None if no_cache else LocalCache(cache_dir)
        with open_document(document, read_chunks=True, local_cache=cache) as f:
            data, dt = read_selection(f, path, selection)
            if fmt == "npy":
                payload = as_npy(data, dt)
            elif fmt == "json":
                payload = (strict_json.dumps(as_json(f, path, data, dt)) + "\n").encode("utf-8")
            else:
                payload = (as_text(f, data, dt, terminal_width()) + "\n").encode("utf-8")
        if output is not None:
            atomic_write_file(output, payload)
        else:
            click.echo(payload, nl=False)
