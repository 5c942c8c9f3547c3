"""``lindi publish SRC DEST``: upload a document's staged and local chunks, then the document.

Exit status: 0 published, 2 usage error or the publish failed (the journal
beside SRC lets a rerun resume without uploading anything twice).
"""
from __future__ import annotations

import json

import click


@click.command("publish")
@click.argument("source")
@click.argument("destination")
@click.option("--no-progress", is_flag=True, help="Do not show the progress bar.")
@click.option("--journal", default=None, help="Journal file (default: beside SOURCE).")
@click.option("--workers", type=click.IntRange(min=1), default=4, show_default=True,
              help="Blobs uploaded in parallel.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def publish_command(source: str, destination: str, no_progress: bool, journal: str | None, workers: int,
                    as_json: bool) -> None:
    """Publish SOURCE (.lindi.json, .lindi.d or .lindi.tar) to DESTINATION.

    DESTINATION is a local directory, s3://bucket/prefix/, gs://bucket/prefix/,
    a document URL ending in .json, or dandi://<instance>/<dandiset>/<path.nwb.lindi.json>.
    """
    from lindi.errors import LindiError
    from lindi.staging import publish

    try:
        result = publish(source, destination, progress=not no_progress, journal=journal, workers=workers)
    except LindiError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    if as_json:
        click.echo(json.dumps({"url": result.url, "blobs": result.blobs, "uploaded": result.uploaded,
                               "resumed": result.resumed, "bytes_uploaded": result.bytes_uploaded}))
    else:
        click.echo(f"published {result.url} ({result.blobs} blobs: {result.uploaded} sent, {result.resumed} "
                   f"resumed; {result.bytes_uploaded} bytes)")
