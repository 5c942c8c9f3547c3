"""``lindi validate PATH|URL``: check a document against the LINDI spec.

Exit status: 0 valid (warnings allowed), 1 invalid (including text that is not
JSON: LINDI-E-JSON), 2 usage error or the document could not be read.
"""
from __future__ import annotations

import click

from lindi.batch.cli import with_many


@with_many("validate")
@click.command("validate")
@click.argument("location")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--max-errors", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Stop after this many errors.")
def validate_command(location: str, as_json: bool, max_errors: int) -> None:
    """Validate the LINDI document at LOCATION (a file path or an http(s) URL)."""
    from lindi.validation import ValidationSourceError, validate
    from lindi.validation.report import shorten

    try:
        report = validate(location, max_errors=max_errors)
    except ValidationSourceError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    else:
        for kind, issues in (("error", report.errors), ("warning", report.warnings)):
            for issue in issues:
                click.echo(f"{issue.code} {kind} at {shorten(issue.pointer or '/')}: {issue.message}")
        verdict = "valid" if report.valid else "INVALID"
        profile = f"profile {report.profile}" if report.profile else "profile unknown"
        click.echo(f"{location}: {verdict} ({profile}, {len(report.errors)} errors, {len(report.warnings)} warnings"
                   f"{', truncated' if report.truncated else ''})")
    raise SystemExit(0 if report.valid else 1)
