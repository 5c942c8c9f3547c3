#!/usr/bin/env python
"""Long fuzz run: mutated documents, HDF5 files with flipped bytes, hostile URLs and generated documents,
for ``--minutes``.

Each batch also runs the editing families of tests/reliability/fuzz_editing.py:
a container edit sequence (some edits SIGKILLed) and a round of concurrent
editors; anything lost or half-written is a finding.

Feeds the validator, the reader and the converter through the harness of
tests/reliability/fuzz_targets.py (a memory-limited, loopback-only worker process,
a timeout per input) and prints the figures and every distinct finding (an
exception that is not a LindiError, a crash or a hang). The URL families of
tests/reliability/fuzz_urls.py (redirect chains, parser differentials) also count
a request to the private stand-in server, or a redirect to it that is not refused,
as a finding. The generated families of tests/reliability/fuzz_families.py: codec
chains with bombs in ``compressor`` and ``filters`` (``codecs``), over-long refs
and high-rank arrays (``overlong-refs``). Exit status 1 when there are findings.

    python scripts/fuzz.py --minutes 10 [--seed 1] [--json report.json] [--families codecs,overlong-refs]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.reliability.conftest import convert, write_sample  # noqa: E402
from tests.reliability.fuzz_editing import EditingFuzzer  # noqa: E402
from tests.reliability.fuzz_families import FAMILIES  # noqa: E402
from tests.reliability.fuzz_targets import Worker, valid_documents  # noqa: E402
from tests.reliability.fuzz_urls import HostileOrigin  # noqa: E402
from tests.reliability.test_fuzz import mutate  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="how long to run (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="write the figures and findings to this file")
    parser.add_argument("--families", default=",".join(FAMILIES),
                        help=f"generated families to run, comma-separated (default all: {', '.join(FAMILIES)})")
    args = parser.parse_args()
    families = [name for name in args.families.split(",") if name]
    unknown = set(families) - set(FAMILIES)
    if unknown:
        parser.error(f"unknown families {sorted(unknown)}; known: {sorted(FAMILIES)}")
    per_family: dict[str, dict[str, int]] = {name: {} for name in families}
    deadline = time.monotonic() + args.minutes * 60
    tmp = Path(tempfile.mkdtemp(prefix="lindi-fuzz-"))
    h5 = write_sample(tmp / "sample.h5")
    seeds = valid_documents() + [convert(h5, url="./sample.h5")]
    raw = h5.read_bytes()
    rng = random.Random(args.seed)
    worker = Worker()
    editing = EditingFuzzer(tmp, rng)
    distinct: dict[str, dict] = {}

    @settings(max_examples=50, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def documents(data: st.DataObject) -> None:
        result = worker.run({"target": "document", "doc": mutate(data.draw(st.sampled_from(seeds)), data, 4),
                             "base": str(tmp)})
        _note(result, distinct)

    def one_hdf5() -> None:
        buf = bytearray(raw)
        region = rng.choice([2048, len(buf)])
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(min(region, len(buf)))] ^= rng.randint(1, 255)
        path = tmp / "flipped.h5"
        path.write_bytes(bytes(buf))
        _note(worker.run({"target": "hdf5", "path": str(path)}), distinct)

    hostile = HostileOrigin(tmp)

    @settings(max_examples=20, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def hostile_urls(data: st.DataObject) -> None:
        family = data.draw(st.sampled_from([hostile.redirect_case, hostile.differential_case]))
        task, expect = family(data)
        finding = hostile.judge(task, expect, worker.run(task))
        if finding is not None:
            distinct.setdefault(f"url: {finding['problem']} {finding.get('type')}", finding)

    def one_generated(name: str) -> None:
        result = worker.run(FAMILIES[name](rng, tmp))
        counts = per_family[name]
        counts[result["outcome"]] = counts.get(result["outcome"], 0) + 1
        _note(result, distinct)

    try:
        with hostile:
            while time.monotonic() < deadline:
                for _ in range(20):
                    one_hdf5()
                for name in families:
                    for _ in range(10):
                        one_generated(name)
                seed(rng.getrandbits(64))(documents)()  # 50 mutated documents per batch
                seed(rng.getrandbits(64))(hostile_urls)()  # 20 hostile URL cases per batch
                editing.edit_sequence()
                editing.concurrent_editors()
    finally:
        worker.close()
    stats, urls, edits = worker.stats, hostile.tally, editing.stats
    for finding in edits.findings:
        distinct.setdefault(f"{finding['family']} {finding['message']}", {"type": finding["family"], **finding})
    report = {"inputs": stats.inputs, "ok": stats.ok, "lindi_errors": stats.lindi_errors,
              "findings": len(stats.findings) + len(urls.findings) + len(edits.findings),
              "url_cases": urls.tried, "url_benign": urls.benign, "url_refused": urls.refused,
              "url_other_errors": urls.other_errors, "url_read": urls.read, "url_findings": len(urls.findings),
              "families": per_family,
              "edits": edits.edits, "kills": edits.kills, "concurrent_edits": edits.concurrent_edits,
              "lost": edits.lost,
              "distinct_findings": list(distinct.values())}
    print(json.dumps({k: v for k, v in report.items() if k != "distinct_findings"}))
    for finding in distinct.values():
        print(f"\n== {finding.get('problem', '')} {finding.get('type')}: {finding.get('message')}\n"
              f"{finding.get('traceback', finding.get('document', ''))}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    return 1 if report["findings"] else 0


def _note(result: dict, distinct: dict[str, dict]) -> None:
    if result["outcome"] == "escape":
        tb = result.get("traceback", "").strip().splitlines()
        where = next((line.strip() for line in reversed(tb) if line.strip().startswith("File ")), "")
        distinct.setdefault(f"{result['type']} {where}", result)


if __name__ == "__main__":
    sys.exit(main())
