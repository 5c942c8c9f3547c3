"""Helpers: convert a real h5py-made file and look inside the resulting document."""
from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from lindi.LindiH5ZarrStore import LindiH5ZarrStore, LindiH5ZarrStoreOpts
from lindi.validation import validate


class Converted:
    """A converted document plus accessors that resolve refs against the source file."""

    def __init__(self, doc: dict[str, Any], report: Any):
        self.doc = doc
        self.refs: dict[str, Any] = doc["refs"]
        self.report = report

    def raw(self, key: str) -> bytes:
        """The bytes a ref stands for (inline text, base64, or a byte range of the file)."""
        value = self.refs[key]
        if isinstance(value, list):
            url, offset, length = value
            for name, prefix in self.doc.get("templates", {}).items():
                url = url.replace("{{" + name + "}}", prefix)
            with open(url, "rb") as fp:
                fp.seek(offset)
                return fp.read(length)
        if isinstance(value, str):
            return base64.b64decode(value[7:]) if value.startswith("base64:") else value.encode()
        return json.dumps(value).encode()

    def json_chunk(self, key: str) -> list:
        """Elements of a JSON-codec chunk (the trailing dtype and shape checked and dropped)."""
        items = json.loads(self.raw(key))
        assert items[-2] == "|O"
        return items[:-2]

    def meta(self, node: str, name: str) -> dict[str, Any]:
        return self.refs.get(f"{node}/{name}" if node else name, {})

    def array_keys(self, node: str) -> list[str]:
        return sorted(k for k in self.refs if k.startswith(node + "/") and "/" not in k[len(node) + 1:]
                      and not k.split("/")[-1].startswith("."))


@pytest.fixture
def convert() -> Callable[..., Converted]:
    def run(path: Any, **opts: Any) -> Converted:
        with LindiH5ZarrStore.from_file(path, opts=LindiH5ZarrStoreOpts(**opts)) as store:
            doc = store.to_reference_file_system()
            report = store.report
        text = json.dumps(doc, allow_nan=False)  # strict JSON: raises on NaN/Infinity floats
        result = validate(json.loads(text))
        assert result.valid, result.errors
        return Converted(doc, report)
    return run


def decoded_chunk(raw: bytes, zarray: dict[str, Any]) -> np.ndarray:
    """Decode a referenced chunk with the document's own codecs."""
    from lindi.codecs import get_codec

    data: Any = raw
    if zarray["compressor"]:
        data = get_codec(zarray["compressor"]).decode(data)
    for config in reversed(zarray["filters"] or []):
        data = get_codec(config).decode(data)
    return np.frombuffer(bytes(data), dtype=zarray["dtype"]).reshape(zarray["chunks"])
