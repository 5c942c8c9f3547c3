"""Hand-built LINDI documents for reader tests: chunk bytes go to a real blob file."""
from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np

JSON2 = {"id": "json2", "allow_nan": True, "check_circular": True, "encoding": "utf-8", "ensure_ascii": True,
         "indent": None, "separators": [",", ":"], "skipkeys": False, "sort_keys": True, "strict": True}


class DocBuilder:
    """Builds ``{"version":1,"lindi_spec":"1.0","refs":...}`` with chunks in ``blob``."""

    def __init__(self, tmp: Path, *, legacy: bool = False, blob_name: str = "blob.bin"):
        self.blob = tmp / blob_name
        self.blob.write_bytes(b"")
        self.refs: dict[str, Any] = {".zgroup": {"zarr_format": 2}}
        self.legacy = legacy

    def _append(self, data: bytes) -> list[Any]:
        with open(self.blob, "ab") as f:
            offset = f.tell()
            f.write(data)
        return [str(self.blob), offset, len(data)]

    def _meta(self, path: str, attrs: dict | None, lindi: dict | None) -> None:
        if attrs:
            self.refs[f"{path}/.zattrs"] = attrs
        if lindi:
            self.refs[f"{path}/.lindi"] = lindi

    def group(self, path: str, attrs: dict | None = None, lindi: dict | None = None) -> None:
        if path:
            self.refs[f"{path}/.zgroup"] = {"zarr_format": 2}
            self._meta(path, attrs, lindi)
        else:
            if attrs:
                self.refs[".zattrs"] = attrs
            if lindi:
                self.refs[".lindi"] = lindi

    def array(self, path: str, data: np.ndarray, *, chunks: tuple[int, ...] | None = None, gzip: bool = True,
              shuffle: bool = False, fill_value: Any = 0, attrs: dict | None = None, lindi: dict | None = None,
              inline: bool = False, skip_chunks: tuple = (), scalar: bool = False) -> None:
        data = np.asarray(data)
        if scalar:
            data = data.reshape(1)
            attrs = {**(attrs or {}), "_SCALAR": True}
        chunks = chunks or data.shape
        filters = [{"id": "shuffle", "elementsize": data.dtype.itemsize}] if shuffle else None
        self.refs[f"{path}/.zarray"] = {
            "zarr_format": 2, "shape": list(data.shape), "chunks": list(chunks), "dtype": data.dtype.str,
            "compressor": {"id": "zlib", "level": 4} if gzip else None, "filters": filters,
            "fill_value": fill_value, "order": "C"}
        self._meta(path, attrs, lindi)
        grid = [range(-(-n // c)) for n, c in zip(data.shape, chunks)]
        for idx in np.ndindex(*[len(g) for g in grid]):
            if idx in skip_chunks:
                continue
            block = np.zeros(chunks, dtype=data.dtype)
            sl = tuple(slice(i * c, min((i + 1) * c, n)) for i, c, n in zip(idx, chunks, data.shape))
            part = data[sl]
            block[tuple(slice(0, s) for s in part.shape)] = part
            raw = block.tobytes()
            if shuffle:
                raw = numcodecs.Shuffle(data.dtype.itemsize).encode(raw).tobytes()
            if gzip:
                raw = zlib.compress(raw)
            key = f"{path}/" + ".".join(map(str, idx))
            self.refs[key] = ("base64:" + base64.b64encode(raw).decode()) if inline else self._append(raw)

    def json_array(self, path: str, items: list, shape: tuple[int, ...], *, attrs: dict | None = None,
                   lindi: dict | None = None, scalar: bool = False) -> None:
        if scalar:
            shape = (1,)
            attrs = {**(attrs or {}), "_SCALAR": True}
        self.refs[f"{path}/.zarray"] = {
            "zarr_format": 2, "shape": list(shape), "chunks": [max(1, n) for n in shape], "dtype": "|O",
            "compressor": None, "filters": [JSON2], "fill_value": None, "order": "C"}
        self._meta(path, attrs, lindi)
        if 0 not in shape:
            key = f"{path}/" + ".".join("0" * len(shape))
            self.refs[key] = json.dumps(list(items) + ["|O", list(shape)], separators=(",", ":"))

    def soft_link(self, path: str, target: str) -> None:
        self.group(path, attrs={"_SOFT_LINK": {"path": target}})

    def link(self, path: str, link: dict) -> None:
        self.group(path, lindi={"link": link})

    def build(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"version": 1, "refs": self.refs}
        if not self.legacy:
            doc["lindi_spec"] = "1.0"
        return doc
