"""Read every array of a LINDI document with fsspec's ReferenceFileSystem + zarr 2 + numcodecs, as JSON.

Run by a Python that has zarr 2 (its own virtualenv; this package is not imported)::

    python zarr2_read.py DOCUMENT      -> {"/path": {"shape": [...], "value": nested lists} or {"error": ...}}

A LINDI 0.4 ``_SCALAR`` array is given back as its single element. Bytes are decoded as UTF-8.
"""
import json
import math
import sys

import fsspec
import numpy as np
import zarr


def _norm(x):
    if isinstance(x, np.ndarray):
        return [_norm(v) for v in x] if x.ndim else _norm(x[()])
    if isinstance(x, (bytes, np.bytes_)):
        return bytes(x).decode("utf-8", "replace")
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer, int)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return str(x) if math.isnan(x) or math.isinf(x) else x
    if isinstance(x, str):
        return x
    return {"unknown": type(x).__name__}


def main():
    with open(sys.argv[1]) as fh:
        rfs = json.load(fh)
    mapper = fsspec.filesystem("reference", fo=rfs).get_mapper("")
    out = {}
    for key in rfs["refs"]:
        if key != ".zarray" and not key.endswith("/.zarray"):
            continue
        name = key[:-len("/.zarray")] if key.endswith("/.zarray") else ""
        try:
            obj = zarr.open_array(mapper, path=name, mode="r")
            value = obj[...]
            if obj.attrs.get("_SCALAR") is True:
                value = value.reshape(())
            out["/" + name] = {"shape": list(value.shape), "value": _norm(value)}
        except Exception as exc:  # zarr/numcodecs raise many types: record it against the array
            out["/" + name] = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
