"""``lindi info DOC [--json]``: what a document holds and where it points, from the document alone.

Exit status: 0 shown, 1 shown but the URL policy refuses a place the document points at or an
object could not be described, 2 usage error or the document could not be opened.
"""
from __future__ import annotations

import click


@click.command("info")
@click.argument("document")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def info_command(document: str, as_json: bool) -> None:
    """Summarize DOCUMENT (a .lindi.json path or URL, a .lindi.tar or a .lindi.d).

    Shows the spec version and profile (1.x or legacy), object counts, referenced bytes by
    source (each URL, template or local file; a staging area or the container as a whole)
    against inline bytes, the largest datasets, every host a reader will contact with the URL
    policy's verdict on it (see it before you open a document from elsewhere), and the NWB
    identity (nwb_version, identifier, session_description). Only the document is read.

    \b
    Examples:
      lindi info sub-01.nwb.lindi.json
      lindi info https://example.org/x.nwb.lindi.json --json
      lindi info edited.lindi.d
    """
    from lindi import strict_json
    from lindi.inspection import open_document
    from lindi.inspection.render import info_lines
    from lindi.inspection.summary import summarize
    from lindi.inspection.values import terminal_width

    from .document_errors import exit_2_on_error

    with exit_2_on_error("info"), open_document(document) as f:
        summary = summarize(f, document)
    if as_json:
        click.echo(strict_json.dumps(summary.to_json(), indent=1))
    else:
        for line in info_lines(summary, terminal_width()):
            click.echo(line)
    raise SystemExit(1 if summary.refused or summary.errors else 0)
