"""Plain-text lines of ``ls`` records, cut to the terminal width."""
from __future__ import annotations

from .tree import DATASET, GROUP, ObjectRecord
from .values import cut, json_text


def human_bytes(n: int) -> str:
    """``n`` bytes as ``512 B``, ``1.5 KiB``, ``3.2 MiB`` ..."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def shape_text(shape: list[int] | None) -> str:
    if shape is None:
        return "null dataspace"
    return "scalar" if shape == [] else str(tuple(shape))


def record_summary(record: ObjectRecord) -> str:
    """What ``ls`` prints after the path: kind, then type, storage and chunks for a dataset."""
    if record.kind == GROUP:
        parts = ["group"]
    elif record.kind != DATASET:
        parts = [f"{record.kind} -> {record.target}"]
    else:
        parts = ["dataset", shape_text(record.shape), record.dtype or "?"]
        if record.external_array is not None:
            parts.append(f"external array {record.external_array['url']}:{record.external_array['name']}")
        else:
            if record.chunk_shape is not None and record.layout == "chunked":
                parts.append("chunks " + shape_text(record.chunk_shape))
            elif record.layout:
                parts.append(record.layout)
            if record.codecs:
                parts.append("+".join(record.codecs))
        if record.chunks_referenced:
            where = ", ".join(f"{label}" + (f" ({n})" if len(record.places) > 1 else "")
                              for label, n in record.places.items())
            parts.append(f"{record.chunks_referenced} chunk refs {human_bytes(record.referenced_bytes)} @ {where}")
        if record.chunks_inline:
            parts.append(f"inline {human_bytes(record.inline_bytes)}")
        if not record.chunks_referenced and not record.chunks_inline and record.external_array is None:
            parts.append("no data written")
    if record.error:
        parts.append(f"ERROR: {record.error}")
    return "  ".join(parts)


def ls_lines(records: list[ObjectRecord], width: int) -> list[str]:
    """One line per record (paths aligned), attribute lines below when present; each cut to ``width``."""
    column = min(max((len(r.path) for r in records), default=0), width // 2)
    lines = []
    for record in records:
        lines.append(cut(f"{record.path.ljust(column)}  {record_summary(record)}", width))
        for name, attr in (record.attrs or {}).items():
            lines.append(cut(f"    @{name} = {json_text(attr['value'])}  ({attr['dtype']})", width))
    return lines
