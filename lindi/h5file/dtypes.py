"""The reader's dtypes: the descriptor rules of :mod:`lindi.format.descriptors` with h5py's reference classes.

hdmf and user code recognise references by h5py's dtype tags, so the reader's reference dtypes are h5py's own.
"""
from __future__ import annotations

import h5py

from ..format.descriptors import ReferenceDtypes

H5PY_REFERENCES = ReferenceDtypes(h5py.ref_dtype, h5py.regionref_dtype)
