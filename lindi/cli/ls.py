"""``lindi ls DOC [PATH] [-r] [-a] [--json]``: the objects of a document, one line each, from the document alone.

Exit status: 0 listed, 1 listed but some object could not be described (its line says why),
2 usage error or the document could not be opened.
"""
from __future__ import annotations

import click


@click.command("ls")
@click.argument("document")
@click.argument("path", default="/")
@click.option("-r", "--recursive", is_flag=True, help="List the members of groups below PATH too.")
@click.option("-a", "--attrs", "with_attrs", is_flag=True, help="Show attributes (values cut to the terminal width).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON record per object (JSON lines).")
def ls_command(document: str, path: str, recursive: bool, with_attrs: bool, as_json: bool) -> None:
    """List the objects of DOCUMENT (a .lindi.json path or URL, a .lindi.tar or a .lindi.d) under PATH.

    Each line shows the kind (group, dataset, soft/hard/external link and its target); for a dataset its
    shape, dtype (as h5py reports it), layout or chunk shape, codecs, the chunk refs with their bytes and
    where they live (a host, a local file, a staging area, the container), and inline bytes. Only the
    document is read: no chunk is requested.

    \b
    Examples:
      lindi ls sub-01.nwb.lindi.json
      lindi ls sub-01.nwb.lindi.json /acquisition -r -a
      lindi ls https://example.org/x.nwb.lindi.json -r --json
      lindi ls edited.lindi.tar /processing
    """
    from lindi import strict_json
    from lindi.inspection import open_document, take_census, walk
    from lindi.inspection.render import ls_lines
    from lindi.inspection.values import terminal_width

    from .document_errors import exit_2_on_error

    with exit_2_on_error("ls"), open_document(document) as f:
        records = list(walk(f, take_census(f._store.document), path, recursive=recursive, with_attrs=with_attrs))
    if as_json:
        for record in records:
            click.echo(strict_json.dumps(record.to_json()))
    else:
        for line in ls_lines(records, terminal_width()):
            click.echo(line)
    raise SystemExit(1 if any(r.error for r in records) else 0)
