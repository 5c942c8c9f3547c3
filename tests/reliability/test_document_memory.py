"""Loading a big document: memory within the stated bound, and a LimitExceededError, never a MemoryError,
when it would not fit (issue 18, R4).

The bound (docs/RELIABILITY.md): parsing takes at most :func:`parse_memory_estimate` of the text, about
16 bytes per byte of JSON plus 80 per array and 200 per object; a refs document takes 10-12 times its size.
Before parsing, the estimate is compared with the memory the process can get.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from lindi import LindiH5pyFile
from lindi.errors import LimitExceededError
from lindi.security import Limits
from lindi.security.limits import PARSE_BYTES_AT_MOST_PER_BYTE, check_parse_memory, parse_memory_estimate

from .memory_probe import probe

MiB = 1024**2


def write_refs_document(path: Path, nrefs: int) -> Path:
    """A document with one array of ``nrefs`` chunks, each ``["{{u}}", offset, length]`` (what a converter
    writes for a long chunked dataset), written in pieces so that the writer's memory stays small."""
    with open(path, "w") as f:
        f.write('{"version":1,"lindi_spec":"1.0","templates":{"u":"./data/sub-01_ses-01_ecephys.nwb"},'
                '"refs":{".zgroup":{"zarr_format":2},')
        f.write(json.dumps({"d/.zarray": {"zarr_format": 2, "shape": [nrefs * 1000], "chunks": [1000],
                                          "dtype": "<i4", "compressor": {"id": "zlib", "level": 4},
                                          "filters": None, "fill_value": 0, "order": "C"}})[1:-1])
        offset, step = 1_000_000, 100_000
        for start in range(0, nrefs, step):
            parts = []
            for i in range(start, min(start + step, nrefs)):
                length = 3000 + i % 997
                parts.append(f',"d/{i}":["{{{{u}}}}",{offset},{length}]')
                offset += length
            f.write("".join(parts))
        f.write("}}")
    return path


def _open_and_measure(path: Path) -> dict:
    result = probe({"kind": "open", "path": str(path)}, timeout=1800)
    assert result["outcome"] == "ok", result
    size = path.stat().st_size
    assert result["growth"] <= parse_memory_estimate(path.read_bytes()), result
    print(f"\n{path.name}: {size} bytes, peak growth {result['growth'] / MiB:.0f} MiB "
          f"({result['growth'] / size:.1f}x the document), {result['seconds']:.1f} s "
          f"({result['cpu_seconds']:.1f} s CPU)")
    return result


def test_million_refs_load_within_the_stated_bound(tmp_path):
    path = write_refs_document(tmp_path / "million.lindi.json", 1_000_000)
    result = _open_and_measure(path)
    assert result["growth"] <= 16 * path.stat().st_size


def test_document_that_would_not_fit_is_a_limit_error(tmp_path):
    """Under RLIMIT_AS with room for 4 times the document, not the ~11 it needs: LimitExceededError before
    parsing, naming the option (a MemoryError halfway through before)."""
    path = write_refs_document(tmp_path / "tight.lindi.json", 300_000)
    result = probe({"kind": "open", "path": str(path), "address_space": 4 * path.stat().st_size})
    assert result["outcome"] == "LimitExceededError", result
    assert "needs up to" in result["message"] and "max_parse_memory" in result["message"], result


def test_parse_memory_limit_can_be_set(tmp_path, monkeypatch):
    path = write_refs_document(tmp_path / "small.lindi.json", 1000)
    with pytest.raises(LimitExceededError, match="needs up to .* max_parse_memory=.*LINDI_MAX_PARSE_MEMORY"):
        LindiH5pyFile.from_lindi_file(str(path), limits=Limits(max_parse_memory=100_000))
    monkeypatch.setenv("LINDI_MAX_PARSE_MEMORY", "100000")
    with pytest.raises(LimitExceededError):
        LindiH5pyFile.from_lindi_file(str(path))
    monkeypatch.setenv("LINDI_MAX_PARSE_MEMORY", str(100 * MiB))
    assert LindiH5pyFile.from_lindi_file(str(path))["d"].shape == (1_000_000,)


def test_budget_is_compared_with_the_exact_estimate():
    """The quick estimate (template braces counted as objects) only lets a document through early; one that
    fits the exact estimate passes, one byte less of budget is refused."""
    text = json.dumps({"refs": {f"a/{i}": ["{{u}}", i, 1] for i in range(1000)}}).encode()
    exact = parse_memory_estimate(text)
    assert parse_memory_estimate(text, template_uses=False) > exact
    check_parse_memory(text, limits=Limits(max_parse_memory=exact))
    with pytest.raises(LimitExceededError, match=f"needs up to {exact} bytes"):
        check_parse_memory(text, limits=Limits(max_parse_memory=exact - 1))


@pytest.mark.parametrize("text", [b"{" * 1000, b"[" * 1000, b'"' + b"{" * 998 + b'"', b"[{}]" * 250, b"1" * 1000])
def test_no_count_when_even_the_worst_text_fits(text):
    """A budget of PARSE_BYTES_AT_MOST_PER_BYTE per byte is let through without counting brackets: no text
    of that length has a larger estimate (the all-"{" text reaches it)."""
    bound = PARSE_BYTES_AT_MOST_PER_BYTE * len(text)
    assert parse_memory_estimate(text, template_uses=False) <= bound
    assert (parse_memory_estimate(text, template_uses=False) == bound) == (text == b"{" * 1000)
    check_parse_memory(text, limits=Limits(max_parse_memory=bound))


@pytest.mark.slow
def test_ten_million_refs(tmp_path):
    """The red-team case: 10 million refs (about 370 MB of JSON)."""
    path = write_refs_document(tmp_path / "ten-million.lindi.json", 10_000_000)
    result = _open_and_measure(path)
    assert result["growth"] <= 16 * path.stat().st_size
