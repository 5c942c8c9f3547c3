"""Plain-text lines of ``ls`` records, cut to the terminal width."""
from __future__ import annotations

import os

from .diff import Change, DocumentDiff
from .summary import Summary
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
        target = f"{record.link_file}:{record.target}" if record.link_file is not None else record.target
        parts = [f"{record.kind} -> {target}"]
    else:
        parts = ["dataset", shape_text(record.shape), record.dtype or "?"]
        if record.external_array is not None:
            parts.append(f"external array {record.external_array['url']}:{record.external_array['name']}")
        else:
            if record.chunk_shape is not None and record.layout in ("chunked", None):
                parts.append("chunks " + shape_text(record.chunk_shape))
            elif record.layout:
                parts.append(record.layout)
            if record.codecs:
                parts.append("+".join(record.codecs))
        if record.chunks_referenced:
            where = ", ".join(_below_cwd(label) + (f" ({n})" if len(record.places) > 1 else "")
                              for label, n in record.places.items())
            parts.append(f"{record.chunks_referenced} refs {human_bytes(record.referenced_bytes)} @ {where}")
        if record.chunks_inline:
            parts.append(f"inline {human_bytes(record.inline_bytes)}")
        if not record.chunks_referenced and not record.chunks_inline and record.external_array is None:
            parts.append("no data written")
    if record.error:
        parts.append(f"ERROR: {record.error}")
    return "  ".join(parts)


def _below_cwd(text: str) -> str:
    """``text`` with the current directory dropped from the paths in it (text output only; JSON keeps them)."""
    return text.replace(os.getcwd().rstrip(os.sep) + os.sep, "")


def ls_lines(records: list[ObjectRecord], width: int) -> list[str]:
    """One line per record (paths aligned), attribute lines below when present; each cut to ``width``."""
    column = min(max((len(r.path) for r in records), default=0), width // 2)
    lines = []
    for record in records:
        lines.append(cut(f"{record.path.ljust(column)}  {record_summary(record)}", width))
        for name, attr in (record.attrs or {}).items():
            lines.append(cut(f"    @{name} = {json_text(attr['value'])}  ({attr['dtype']})", width))
    return lines


def info_lines(summary: Summary, width: int) -> list[str]:
    """The ``info`` report as text, each line cut to ``width``."""
    lines = [f"document:   {summary.location}",
             f"spec:       {summary.spec_version or '-'} (profile {summary.profile})",
             "objects:    " + ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in summary.objects.items()),
             f"keys:       {summary.keys} ({human_bytes(summary.metadata_bytes)} of metadata)",
             (f"data:       {summary.chunk_refs} chunk refs, {human_bytes(summary.referenced_bytes)} referenced; "
              f"{summary.inline_chunks} inline chunks, {human_bytes(summary.inline_bytes)} inline")]
    if summary.nwb is not None:
        lines.append("nwb:        " + ", ".join(f"{k} {v!r}" for k, v in summary.nwb.items()))
    if summary.sources:
        lines.append("referenced bytes by source:")
        for s in summary.sources:
            via = f" (template {{{{{'}}, {{'.join(s['templates'])}}}}})" if s["templates"] else ""
            lines.append(f"  {human_bytes(s['bytes']):>10}  {s['refs']:>7} refs  {_below_cwd(s['source'])}{via}")
    if summary.largest:
        lines.append("largest datasets:")
        for d in summary.largest:
            lines.append(f"  {human_bytes(d['stored_bytes']):>10}  {d['path']}  {shape_text(d['shape'])} {d['dtype']}")
    lines.append("a reader will contact:" if summary.hosts else "a reader will contact: nothing outside the document")
    for h in summary.hosts:
        what = f"{h.refs} refs, {human_bytes(h.bytes)}" + (f", {h.links} links" if h.links else "")
        lines.append(f"  {_below_cwd(h.host)}  [{what}]  {h.verdict}")
    for e in summary.errors:
        lines.append(f"ERROR at {e['path']}: {e['error']}")
    return [cut(line, width) for line in lines]


def _change_text(change: Change) -> str:
    if change.what == "data":
        parts = [f"{v['count']} chunk refs {status} (e.g. {', '.join(v['first'])})"
                 for status, v in (change.detail or {}).items()]
        return "data: " + "; ".join(parts)
    if change.what.startswith("attribute "):
        def show(attr: dict | None) -> str:
            return "(none)" if attr is None else f"{json_text(attr['value'])} ({attr['dtype']})"
        return f"{change.what}: {show(change.a)} -> {show(change.b)}"
    return f"{change.what}: {json_text(change.a)} -> {json_text(change.b)}"


def diff_lines(diff: DocumentDiff, width: int) -> list[str]:
    """``+`` added, ``-`` removed, ``~`` changed (one line per change), then a count line; cut to ``width``."""
    lines = [f"--- {diff.a}", f"+++ {diff.b}"]
    lines += [f"! {_change_text(c)}" for c in diff.document]
    for obj in diff.objects:
        if obj.status == "changed":
            lines += [f"~ {obj.path}  {_change_text(c)}" for c in obj.changes]
        else:
            lines.append(f"{'+' if obj.status == 'added' else '-'} {obj.path}  {obj.kind}")
    counts = diff.counts()
    lines.append("no differences" if diff.equal else
                 f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed")
    return [cut(line, width) for line in lines]
