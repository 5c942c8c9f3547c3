"""``lindi demo``: the main job end to end on a built-in example, offline.

Builds a sample NWB file with pynwb, converts it to ``.lindi.json``, validates the
document, opens it with pynwb through ``LindiH5pyFile`` and prints what it read
next to the sizes. Every step is also a check against the original file read with
pynwb: exit 0 when all pass, 1 when one fails (the failed checks are listed).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import click
import numpy as np

from ..backends.local import describe_os_error
from ..errors import LindiError


class _Checks:
    """Collects the outcome of each check so the demo reports all of them, then exits 0 or 1."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def expect(self, ok: bool, what: str) -> None:
        if not ok:
            self.failed.append(what)
            click.echo(f"  CHECK FAILED: {what}")


def _same(a: Any, b: Any) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))


def _show_nwb(nwbfile: Any, original: Any, checks: _Checks) -> None:
    """Print what pynwb read from the .lindi.json and compare it with the read of the .nwb."""
    click.echo(f"  session_description: {nwbfile.session_description}")
    checks.expect(nwbfile.session_description == original.session_description, "session_description")
    checks.expect(nwbfile.identifier == original.identifier, "identifier")
    checks.expect(sorted(nwbfile.acquisition) == sorted(original.acquisition), "acquisition names")
    for name in sorted(nwbfile.acquisition):
        series = nwbfile.acquisition[name]
        click.echo(f"  acquisition/{name}: {type(series).__name__} shape {series.data.shape} "
                   f"dtype {series.data.dtype}, rate {series.rate} Hz, first samples of channel 0: "
                   f"{series.data[:5, 0].tolist()}")
        checks.expect(_same(series.data[:], original.acquisition[name].data[:]), f"acquisition/{name} data")
    units, original_units = nwbfile.units, original.units
    counts = [len(units.get_unit_spike_times(i)) for i in range(len(units))]
    click.echo(f"  units: {len(units)} (spikes per unit {counts}), unit 0 first spike times "
               f"{np.round(units.get_unit_spike_times(0)[:3], 4).tolist()}")
    checks.expect(len(units) == len(original_units), "units count")
    checks.expect(all(_same(units.get_unit_spike_times(i), original_units.get_unit_spike_times(i))
                      for i in range(min(len(units), len(original_units)))), "units spike_times (ragged)")
    trials = nwbfile.trials
    click.echo(f"  trials: {len(trials)} with columns {list(trials.colnames)}, "
               f"stimulus of trial 0: {trials['stimulus'][0]!r}")
    checks.expect(_same(trials["start_time"][:], original.trials["start_time"][:]), "trials start_time")
    checks.expect(list(trials["stimulus"][:]) == list(original.trials["stimulus"][:]), "trials stimulus")
    for module_name, module in sorted(nwbfile.processing.items()):
        click.echo(f"  processing/{module_name}: {sorted(module.data_interfaces)}")
    position = nwbfile.processing["behavior"]["Position"]["SpatialSeries"]
    checks.expect(_same(position.data[:], original.processing["behavior"]["Position"]["SpatialSeries"].data[:]),
                  "behavior SpatialSeries data")
    device = nwbfile.acquisition["ElectricalSeries"].electrodes.table["group"][0].device
    checks.expect(device.name == "probe", "link from the electrodes to the device")


def run_demo(workdir: Path) -> int:
    """Run every step in ``workdir``; return the exit status (0 all checks passed, 1 otherwise)."""
    import pynwb

    from .. import validate
    from ..conversion.h5_zarr_store import LindiH5ZarrStore
    from ..demo import build_sample_nwb
    from ..h5file import LindiH5pyFile

    checks = _Checks()
    nwb_path = workdir / "sample.nwb"
    lindi_path = workdir / "sample.nwb.lindi.json"

    click.echo(f"1. building a sample NWB file with pynwb {pynwb.__version__}: {nwb_path}")
    build_sample_nwb(nwb_path)

    click.echo(f"2. converting it: {lindi_path}")
    with LindiH5ZarrStore.from_file(nwb_path) as store:
        store.write_reference_file_system(lindi_path)
        report = store.report
    click.echo(f"  objects {report.objects} (groups {report.groups}, datasets {report.datasets}, "
               f"links {report.links}), unsupported {len(report.unsupported)}")
    for item in report.unsupported:
        click.echo(f"    {item.path}: {item.reason}")
    checks.expect(not report.unsupported, "every object converted")

    click.echo("3. validating the document")
    result = validate(lindi_path)
    click.echo(f"  valid: {result.valid} (profile {result.profile}, {len(result.warnings)} warning(s))")
    for issue in result.errors[:10]:
        click.echo(f"    {issue.code} {issue.pointer}: {issue.message}")
    checks.expect(result.valid, "the document validates")

    click.echo("4. opening the .lindi.json with pynwb")
    client = LindiH5pyFile.from_lindi_file(str(lindi_path))
    try:
        with pynwb.NWBHDF5IO(file=client, mode="r") as io, pynwb.NWBHDF5IO(str(nwb_path), mode="r") as io_orig:
            _show_nwb(io.read(), io_orig.read(), checks)
    finally:
        client.close()

    nwb_size, lindi_size = nwb_path.stat().st_size, lindi_path.stat().st_size
    click.echo("5. sizes")
    click.echo(f"  .nwb {nwb_size:,} bytes, .lindi.json {lindi_size:,} bytes "
               f"({100 * lindi_size / nwb_size:.1f}% of the .nwb)")
    click.echo(f"  chunks referenced {report.chunks_referenced:,}, bytes inlined {report.bytes_inlined:,}")
    if checks.failed:
        click.echo(f"demo FAILED: {len(checks.failed)} check(s): {', '.join(checks.failed)}")
        return 1
    click.echo("demo OK: pynwb read the .lindi.json and got the same objects as from the .nwb")
    return 0


@click.command("demo")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep the files here (created if missing) instead of a temporary directory.")
def demo_command(workdir: Path | None) -> None:
    """Build a sample NWB file, convert, validate and read it back with pynwb (offline)."""
    try:
        if workdir is not None:
            os.makedirs(workdir, exist_ok=True)
            status = run_demo(workdir)
        else:
            with tempfile.TemporaryDirectory(prefix="lindi-demo-") as tmp:
                status = run_demo(Path(tmp))
    except LindiError as exc:
        click.echo(f"lindi demo: failed: {exc}", err=True)
        status = 1
    except OSError as exc:  # the work folder cannot be created or written
        click.echo(f"lindi demo: error: cannot write in {exc.filename or workdir}: {describe_os_error(exc)}",
                   err=True)
        status = 2
    raise SystemExit(status)
