"""Copying LINDI objects into a real h5py file (``lindi_group.copy(obj, h5py_group)``).

The objects are re-created through h5py with their data, dtype, shape, layout properties and attributes;
references cannot point across files, so an object holding any is refused by name.
"""
from __future__ import annotations

from typing import Any

import h5py

from ..errors import LindiError


def copy_into_h5py(source: Any, dest: h5py.Group, name: str) -> None:
    """Write ``source`` (a LINDI group or dataset) as ``dest[name]``."""
    if name in dest:
        raise ValueError(f"cannot copy {source.name} to {dest.name}/{name}: name already exists")
    if isinstance(source, h5py.Dataset):
        _refuse_references(source.dtype, source.name)
        kwds: dict[str, Any] = {"chunks": source.chunks, "maxshape": source.maxshape if source.chunks else None,
                                "compression": source.compression, "compression_opts": source.compression_opts,
                                "shuffle": source.shuffle, "fletcher32": source.fletcher32}
        if source.compression not in ("gzip", "lzf", "szip"):
            kwds.update(compression=None, compression_opts=None)
        if source.shape is None:
            new = dest.create_dataset(name, data=h5py.Empty(source.dtype))
        else:
            new = dest.create_dataset(name, data=source[()], dtype=source.dtype,
                                      **{k: v for k, v in kwds.items() if v not in (None, False)})
    else:
        new = dest.create_group(name)
        for member in source:
            link = source.get(member, getlink=True)
            if isinstance(link, h5py.SoftLink):
                new[member] = h5py.SoftLink(link.path)
            elif isinstance(link, h5py.ExternalLink):
                new[member] = h5py.ExternalLink(link.filename, link.path)
            else:
                copy_into_h5py(source[member], new, member)
    for key in source.attrs:
        value = source.attrs[key]
        _refuse_references(getattr(value, "dtype", None), f"{source.name} (attribute {key!r})")
        new.attrs[key] = value


def _refuse_references(dt: Any, where: str) -> None:
    if dt is not None and (h5py.check_ref_dtype(dt) is not None or (dt.names and any(
            h5py.check_ref_dtype(dt.fields[n][0]) is not None for n in dt.names))):
        raise LindiError(f"cannot copy {where} into another file: it holds HDF5 references")
