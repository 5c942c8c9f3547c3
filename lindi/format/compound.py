"""The legacy ``_COMPOUND_DTYPE`` list of a compound array (SPEC section 3.8).

1.x writers keep it for LINDI 0.4 readers; it is the only type information of compound arrays in legacy
documents, so the reader turns it back into a dtype.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DocumentError
from .descriptors import ReferenceDtypes, h5py_tag, string_dtype, typestr_dtype

#: The field type of an object reference in ``_COMPOUND_DTYPE``.
REFERENCE_FIELD = "<REFERENCE>"


def compound_dtype_annotation(dt: np.dtype) -> list[list[str]]:
    """The ``_COMPOUND_DTYPE`` list of a compound dtype: ``[name, numpy type string]`` per field."""
    out = []
    for name in dt.names or ():
        field_dt = dt[name]
        out.append([name, REFERENCE_FIELD if h5py_tag(field_dt, "ref") is not None else str(field_dt)])
    return out


def legacy_compound_dtype(spec: Any, references: ReferenceDtypes, *, where: str = "") -> np.dtype:
    """The dtype of a ``_COMPOUND_DTYPE`` list ``[[name, typestr], ...]``; ``object`` is a vlen UTF-8 string."""
    try:
        return np.dtype([(str(name), references.object if t == REFERENCE_FIELD
                          else string_dtype("utf-8", None) if t in ("|O", "object") else typestr_dtype(t, where=where))
                         for name, t in spec])
    except (TypeError, ValueError) as exc:
        raise DocumentError(f"invalid _COMPOUND_DTYPE {spec!r}: {exc}", pointer=where) from None
