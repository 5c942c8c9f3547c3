"""Reserved names of a document: the annotations (SPEC section 2.5) and the metadata keys (section 2.2).

Two sets, because two questions are asked:

* :data:`ANNOTATIONS`, the ``.zattrs`` members the spec reserves (section 2.5). They are not user attributes:
  readers hide them and the validator does not check them as attributes. ``_REFERENCE`` is not among them: it
  is the key of a reference *value* (section 6), and a ``.zattrs`` member named ``_REFERENCE`` is an ordinary
  attribute of a 1.x document.
* :data:`RESERVED_ATTRIBUTE_NAMES`, the names a writer refuses for a new user attribute: the annotations plus
  ``_REFERENCE``, because LINDI 0.4's reader hides all five, so an attribute of that name would vanish there.
"""
from __future__ import annotations

SCALAR = "_SCALAR"
"""Marks a shape-``[1]`` array that stands for an HDF5 scalar dataset (section 3.3)."""
COMPOUND_DTYPE = "_COMPOUND_DTYPE"
"""The ``[name, type]`` list of a compound array, for LINDI 0.4 readers (section 3.8)."""
EXTERNAL_ARRAY_LINK = "_EXTERNAL_ARRAY_LINK"
"""An array whose data stays in an HDF5 dataset (section 3.9)."""
SOFT_LINK = "_SOFT_LINK"
"""A placeholder group standing for an HDF5 soft link (section 5)."""
REFERENCE = "_REFERENCE"
"""The key of an object or region reference value (section 6)."""

ANNOTATIONS: frozenset[str] = frozenset({SCALAR, COMPOUND_DTYPE, EXTERNAL_ARRAY_LINK, SOFT_LINK})
RESERVED_ATTRIBUTE_NAMES: frozenset[str] = ANNOTATIONS | {REFERENCE}

ZGROUP, ZARRAY, ZATTRS, LINDI = ".zgroup", ".zarray", ".zattrs", ".lindi"
"""The four metadata key names of a node (section 2.2)."""
METADATA_KEYS: tuple[str, ...] = (ZGROUP, ZARRAY, ZATTRS, LINDI)
