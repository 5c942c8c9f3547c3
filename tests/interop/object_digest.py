"""Per-object digests of an HDF5-like file, printed as JSON, for counting wrong objects between readers.

Run by this package's Python and by LINDI 0.4.6's virtualenv alike, so it imports only h5py and numpy
(and the ``lindi`` the running Python has)::

    python object_digest.py H5FILE [DOCUMENT]                  digests of H5FILE's objects, read from
                                                                DOCUMENT (a .lindi.json) or H5FILE itself
    python object_digest.py --convert-with-lindi H5FILE OUT    convert with the running Python's lindi
    python object_digest.py --lindi04-round H5FILE OURDOC WORK  (LINDI 0.4.6 only) what it cannot convert,
                                                                its reading of its own conversion of the
                                                                rest, and its reading of OURDOC

The object paths come from the HDF5 file (every name; a group is not entered twice along one path, so
cycles end). Each path's digest is its link kind, attributes and, for datasets, shape and values (all
names of a hard link hold the same object, so each is compared in full); an object the reader cannot
read gets ``{"error": ...}`` instead, so one bad object never hides the others.
"""
import base64
import hashlib
import json
import math
import sys

import h5py
import numpy as np

MAX_LISTED = 64


def _norm(x, f):
    """A JSON-ready, reader-neutral form of one value (dtype details beyond kind and size left out)."""
    if isinstance(x, (h5py.Reference, h5py.RegionReference)) or "Reference" in type(x).__name__ or (
            isinstance(x, dict) and "_REFERENCE" in x):  # LINDI 0.4 hands 0-d references out as their JSON
        try:
            return {"ref": f[x].name}
        except Exception:  # a NULL reference: every reader refuses to dereference it
            return {"ref": None}
    if isinstance(x, h5py.Empty):
        return {"empty": True}
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "biuf" and x.dtype.names is None and x.size > MAX_LISTED:
            le = np.ascontiguousarray(x.astype(x.dtype.newbyteorder("<")))
            return {"shape": list(x.shape), "sha256": hashlib.sha256(le.tobytes()).hexdigest()}
        return [_norm(v, f) for v in x] if x.ndim else _norm(x[()], f)
    if isinstance(x, np.void) and x.dtype.names is not None:
        return [_norm(x[n], f) for n in x.dtype.names]
    if isinstance(x, (list, tuple)):
        return [_norm(v, f) for v in x]
    if isinstance(x, (bytes, np.bytes_, np.void)):
        raw = bytes(x)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(raw).decode()}
    if isinstance(x, (np.datetime64, np.timedelta64)):  # before integers: timedelta64 is one
        return str(x)
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return str(x) if math.isnan(x) or math.isinf(x) else x
    if isinstance(x, (complex, np.complexfloating)):
        return [_norm(x.real, f), _norm(x.imag, f)]
    if isinstance(x, str):
        return x
    return {"unknown": type(x).__name__}


def _kind(dt):
    dt = np.dtype(dt)
    return dt.str if dt.kind in "biufc" and dt.names is None else dt.kind


def _attrs(obj, f):
    return {name: _norm(obj.attrs[name], f) for name in sorted(obj.attrs.keys())}


def object_paths(h5):
    """Every path of the HDF5 file, with its link kind ('group', 'dataset', 'soft', 'external')."""
    out = {"/": "group"}

    def walk(group, path, above):
        for name in sorted(group.keys(), key=lambda n: n.encode("utf-8")):
            child = f"{path.rstrip('/')}/{name}"
            link = group.get(name, getlink=True)
            if isinstance(link, h5py.SoftLink):
                out[child] = "soft"
                continue
            if isinstance(link, h5py.ExternalLink):
                out[child] = "external"
                continue
            obj = group[name]
            if isinstance(obj, h5py.Group):
                addr = h5py.h5o.get_info(obj.id).addr
                out[child] = "group"
                if addr not in above:
                    walk(obj, child, above | {addr})
            else:
                out[child] = "dataset"

    walk(h5, "/", frozenset({h5py.h5o.get_info(h5.id).addr}))
    return out


def _read(dset):
    """The whole dataset; compounds field by field (LINDI 0.4 reads a compound dataset only that way)."""
    if dset.dtype.names is None or dset.shape == ():
        return dset[()] if dset.shape == () else dset[:]
    fields = [np.asarray(dset[name]) for name in dset.dtype.names]
    return [list(row) for row in zip(*fields)]


def digest_one(f, path, kind):
    parent, _, leaf = path.rpartition("/")
    group = f[parent or "/"]
    if kind == "soft":
        return {"soft": group.get(leaf, getlink=True).path}
    if kind == "external":
        return {"external": group.get(leaf, getlink=True).path}
    obj = f[path]
    out = {"attrs": _attrs(obj, f)}
    if kind == "group":
        out["members"] = sorted(obj.keys())
    else:
        out["shape"] = None if obj.shape is None else list(obj.shape)
        out["dtype"] = _kind(obj.dtype)
        # LINDI 0.4 refuses [()] on compound datasets; [:] reads the same for every reader
        out["value"] = None if obj.shape is None else _norm(_read(obj), f)
    return out


def digests(f, paths):
    out = {}
    for path, kind in paths.items():
        try:
            out[path] = json.loads(json.dumps(digest_one(f, path, kind)))
        except Exception as exc:  # every reader raises its own types: record it against the object
            out[path] = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    return out


def _lindi04_failures(path):
    """``{path or path@attribute: reason}`` of what LINDI 0.4's converter refuses, object by object."""
    import zarr
    from lindi.conversion.attr_conversion import h5_to_zarr_attr

    import lindi

    failures = {}
    with h5py.File(path, "r") as h5:
        paths = object_paths(h5)
        for p, kind in paths.items():
            if kind in ("soft", "external"):
                continue
            obj = h5[p]
            for name in obj.attrs.keys():
                try:
                    value = h5_to_zarr_attr(obj.attrs[name], label=name, h5f=h5)
                    if value is not None:
                        zarr.group(store=zarr.MemoryStore()).attrs[name] = value
                except Exception as exc:  # 0.4 raises plain Exceptions
                    failures[f"{p}@{name}"] = f"{type(exc).__name__}: {str(exc)[:160]}"
    with lindi.LindiH5ZarrStore.from_file(path, url=path) as store:
        for p, kind in paths.items():
            if kind != "dataset":
                continue
            key = p.strip("/")
            try:
                store[key + "/.zarray"]
                store[key + "/.zattrs"]
            except Exception as exc:
                if not any(f.startswith(p + "@") for f in failures):
                    failures[p] = f"{type(exc).__name__}: {str(exc)[:160]}"
    return failures


def _converts(path):
    import lindi

    try:
        with lindi.LindiH5ZarrStore.from_file(path, url=path) as store:
            store.to_reference_file_system()
        return True
    except Exception:
        return False


def _culprit(path, work):
    """The first object (deepest first) without which LINDI 0.4's whole-file conversion succeeds."""
    import os
    import shutil

    with h5py.File(path, "r") as h5:
        paths = object_paths(h5)
        for p, kind in paths.items():  # LINDI 0.4 has no external links
            if kind == "external":
                return p
        candidates = [p for p in paths if p != "/"]
    trial = os.path.join(work, "trial.h5")
    for p in sorted(candidates, key=lambda c: (-c.count("/"), c)):
        shutil.copy(path, trial)
        with h5py.File(trial, "r+") as h5:
            parent, _, leaf = p.rpartition("/")
            if parent and parent not in h5:
                continue
            del h5[parent or "/"][leaf]
        if _converts(trial):
            return p
    return None


def lindi04_round(path, our_doc, work):
    """Run in LINDI 0.4.6's venv: drop what it cannot convert, convert the rest, read both documents."""
    import os
    import shutil

    import lindi

    failures = _lindi04_failures(path)
    reduced = os.path.join(work, "reduced.h5")
    shutil.copy(path, reduced)
    with h5py.File(reduced, "r+") as h5:
        for item in sorted(failures, key=len, reverse=True):
            p, _, attr = item.partition("@")
            if p not in h5:
                continue
            if attr:
                if attr in h5[p].attrs:
                    del h5[p].attrs[attr]
            else:
                del h5[p]
    doc04 = os.path.join(work, "by-lindi04.lindi.json")
    while True:  # what fails only when the whole file is converted (e.g. external links): drop it too
        try:
            with lindi.LindiH5ZarrStore.from_file(reduced, url=reduced) as store:
                rfs = store.to_reference_file_system()
            break
        except Exception as exc:
            culprit = _culprit(reduced, work)
            if culprit is None:
                raise
            failures[culprit] = f"{type(exc).__name__}: {str(exc)[:160]}"
            with h5py.File(reduced, "r+") as h5:
                parent, _, leaf = culprit.rpartition("/")
                del h5[parent or "/"][leaf]
    with open(doc04, "w") as fh:
        json.dump(rfs, fh)
    with h5py.File(reduced, "r") as h5:
        reduced_paths = object_paths(h5)
    with h5py.File(path, "r") as h5:
        paths = object_paths(h5)
    return {"dropped": failures, "reduced": reduced, "doc04": doc04,
            "self": digests(lindi.LindiH5pyFile.from_lindi_file(doc04), reduced_paths),
            "ours": digests(lindi.LindiH5pyFile.from_lindi_file(our_doc), paths)}


def main():
    import lindi

    if sys.argv[1] == "--lindi04-round":
        print(json.dumps(lindi04_round(*sys.argv[2:5]), sort_keys=True))
        return

    if sys.argv[1] == "--convert-with-lindi":
        with lindi.LindiH5ZarrStore.from_file(sys.argv[2], url=sys.argv[2]) as store:
            rfs = store.to_reference_file_system()
        with open(sys.argv[3], "w") as fh:
            json.dump(rfs, fh)
        return
    with h5py.File(sys.argv[1], "r") as h5:
        paths = object_paths(h5)
    doc = sys.argv[2] if len(sys.argv) > 2 else None
    f = lindi.LindiH5pyFile.from_lindi_file(doc) if doc else h5py.File(sys.argv[1], "r")
    print(json.dumps(digests(f, paths), sort_keys=True))


if __name__ == "__main__":
    main()
