"""``lindi convert``: HDF5/NWB file -> ``.lindi.json`` (chunks referenced, not copied).

Exit status: 0 converted (unsupported objects are listed), 1 conversion failed or
``--strict`` met an unsupported object, 2 usage or I/O error (missing file, not HDF5,
unwritable output, an output that is the input or an existing file that is not a LINDI
document without ``--force``). The output's suffix picks the format: ``.lindi.tar`` and
``.lindi.d`` take copies of the chunks, anything else is a ``.lindi.json`` referencing
them. The output is written atomically: never a partial file.
"""
from __future__ import annotations

import dataclasses
import os
from typing import NoReturn

import click
from tqdm import tqdm

from ..batch.cli import with_many
from ..conversion import ConversionReport, LindiH5ZarrStoreOpts, SourceOpenError
from ..errors import LindiError
from ..strict_json import dumps


def _summary(output: str, report: ConversionReport) -> str:
    lines = [f"wrote {output}",
             f"  objects {report.objects} (groups {report.groups}, datasets {report.datasets}, links {report.links})",
             f"  chunks referenced {report.chunks_referenced}, bytes inlined {report.bytes_inlined}",
             f"  unsupported objects {len(report.unsupported)}"]
    lines += [f"    {u.path}: {u.reason}" for u in report.unsupported]
    return "\n".join(lines)


@with_many("convert")
@click.command("convert")
@click.argument("src")
@click.option("-o", "--output", help="Output path (default: SRC.lindi.json next to SRC).")
@click.option("--inline-threshold", type=click.IntRange(min=0), default=None,
              help="Inline arrays stored in fewer bytes than this (default 4096).")
@click.option("--strict", is_flag=True, help="Fail (exit 1) at the first object that cannot be converted.")
@click.option("--json", "as_json", is_flag=True, help="Print the conversion report as JSON on stdout.")
@click.option("--force", is_flag=True, help="Replace an existing OUTPUT even if it is not a LINDI document.")
def convert_command(src: str, output: str | None, inline_threshold: int | None, strict: bool,
                    as_json: bool, force: bool) -> None:
    """Convert the HDF5 file SRC to a LINDI document (.lindi.json, .lindi.tar or .lindi.d by OUTPUT's suffix)."""
    from ..conversion.h5_zarr_store import LindiH5ZarrStore
    from ..staging import StagingError, write_container
    from ..staging.containers import is_container_name

    opts = LindiH5ZarrStoreOpts(strict=strict)
    if inline_threshold is not None:
        opts = dataclasses.replace(opts, inline_threshold=inline_threshold)
    output = output or src + ".lindi.json"
    _check_output(src, output, force)
    try:
        with tqdm(unit=" chunks", desc="indexing", delay=1.0, disable=as_json, leave=False) as bar, \
                LindiH5ZarrStore.from_file(src, opts=opts, progress=bar.update,
                                           read_progress=_read_counter(bar) if "://" in src else None) as store:
            if is_container_name(output):
                write_container(store.to_reference_file_system(), output,
                                base=os.path.dirname(os.path.abspath(src)))
            else:
                store.write_reference_file_system(output)
            report = store.report
    except SourceOpenError as exc:
        _fail(str(exc), 2)
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}", 2)
    except StagingError as exc:
        _fail(str(exc), 2)
    except LindiError as exc:
        _fail(f"conversion failed: {exc}", 1)
    if as_json:
        click.echo(dumps({"output": output, "report": report.to_dict()}))
    else:
        click.echo(_summary(output, report))


def _check_output(src: str, output: str, force: bool) -> None:
    """Refuse to write over the input (whatever ``--force`` says) or over a file that is not a LINDI document."""
    from ..staging.containers import is_lindi_document

    if not os.path.lexists(output):
        return
    same = os.path.realpath(src) == os.path.realpath(output)
    try:
        same = same or os.path.samefile(src, output)
    except OSError:
        pass
    if same:
        _fail(f"the output {output} is the input file; choose another output", 2)
    if not force and not is_lindi_document(output):
        _fail(f"{output} exists and is not a LINDI document; pass --force to replace it", 2)


def _read_counter(bar: tqdm):
    """``read_progress`` for a remote source: index requests and bytes shown next to the chunk count."""
    totals = [0, 0]

    def update(requests: int, nbytes: int) -> None:
        totals[0] += requests
        totals[1] += nbytes
        bar.set_postfix_str(f"index reads {totals[0]}, {totals[1] / 1e6:.1f} MB", refresh=True)

    return update


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"lindi convert: error: {message}", err=True)
    raise SystemExit(code)
