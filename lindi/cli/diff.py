"""``lindi diff A B [--json]``: what changed between two documents, from the documents alone.

Exit status: 0 equal, 1 different, 2 usage error or a document could not be opened.
"""
from __future__ import annotations

import click


@click.command("diff")
@click.argument("a")
@click.argument("b")
@click.option("--json", "as_json", is_flag=True, help="Print the differences as one JSON object.")
def diff_command(a: str, b: str, as_json: bool) -> None:
    """Compare documents A and B (.lindi.json paths or URLs, .lindi.tar, .lindi.d).

    Lists objects added (+), removed (-) and changed (~): kind, link target, dtype, shape, layout,
    chunk shape, codecs, every attribute, and the chunk refs. A changed chunk ref is a data change
    even when the bytes it points at are the same. Run it before `lindi publish` to check an edit.
    Only the documents are read.

    \b
    Examples:
      lindi diff original.nwb.lindi.json edited.nwb.lindi.json
      lindi diff https://example.org/x.nwb.lindi.json local-copy.lindi.tar --json
    """
    from lindi import strict_json
    from lindi.inspection import open_document
    from lindi.inspection.diff import diff_documents
    from lindi.inspection.render import diff_lines
    from lindi.inspection.values import terminal_width

    from .document_errors import exit_2_on_error

    with exit_2_on_error("diff"), open_document(a) as file_a, open_document(b) as file_b:
        result = diff_documents(file_a, file_b, name_a=a, name_b=b)
    if as_json:
        click.echo(strict_json.dumps(result.to_json(), indent=1))
    else:
        for line in diff_lines(result, terminal_width()):
            click.echo(line)
    raise SystemExit(0 if result.equal else 1)
