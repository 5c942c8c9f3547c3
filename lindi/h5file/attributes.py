"""The ``.attrs`` of a group or dataset, typed like h5py's AttributeManager."""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import h5py
import numpy as np

from ..errors import DocumentError
from ..format.descriptors import descriptor_to_dtype
from ..format.names import ANNOTATIONS
from .dtypes import H5PY_REFERENCES
from .readonly import refuse_write
from .values import infer_attribute, typed_attribute

if TYPE_CHECKING:
    from .node import NodeMeta

class LindiH5pyAttributes(h5py.AttributeManager):
    """Attribute mapping with h5py's value types, dtypes and order.

    This class reads and refuses writes (mode ``r``); files open for writing hand out
    :class:`lindi.editing.objects.EditableAttributes` instead.
    """

    def __init__(self, meta: NodeMeta):  # no h5py id: do not call the base initialiser
        self._meta = meta

    def _names(self) -> list[str]:
        names = [k for k in self._meta.zattrs if k not in ANNOTATIONS]
        order = self._meta.lindi.get("attr_order")
        if order is not None and not (isinstance(order, list) and all(isinstance(n, str) for n in order)):
            raise DocumentError("`attr_order` must be a list of attribute names",
                                pointer=self._meta.pointer(".lindi") + "/attr_order", source=self._meta.source)
        if order:
            present = set(names)
            return [n for n in order if n in present] + sorted(present.difference(order))
        return sorted(names)

    def _type_info(self, name: str) -> dict[str, Any] | None:
        return (self._meta.lindi.get("attrs") or {}).get(name)

    def __getitem__(self, name: str) -> Any:
        if name in ANNOTATIONS or name not in self._meta.zattrs:
            raise KeyError(f"Can't open attribute (attribute {name!r} not found on {self._meta.name})")
        value = self._meta.zattrs[name]
        info = self._type_info(name)
        try:
            if info is None:
                result = infer_attribute(value, legacy=self._meta.file._store.document.legacy)
            else:
                result = typed_attribute(value, info, descriptor_to_dtype(info.get("dtype"), H5PY_REFERENCES, where=self._meta.pointer(".lindi")))
        except (TypeError, ValueError, KeyError) as exc:
            raise DocumentError(f"attribute {name!r} of {self._meta.name} does not match its type: {exc}",
                                pointer=self._meta.pointer(".zattrs"), source=self._meta.source) from None
        return _as_h5py(result)

    def get_id(self, name: str) -> LindiAttrId:
        """Like h5py's ``attrs.get_id``: the stored dtype and shape, which the value alone does not tell
        (ascii or utf-8, a fixed string's length, an enum scalar, a null dataspace)."""
        value = self[name]
        info = self._type_info(name)
        shape: tuple[int, ...] | None  # None: a null dataspace
        if info is None:
            typed = _value_type(value)
            if typed is None:
                raise DocumentError(f"attribute {name!r} of {self._meta.name} has no type: value {value!r}",
                                    pointer=self._meta.pointer(".zattrs"), source=self._meta.source)
            dt, shape = typed
        else:
            dt = descriptor_to_dtype(info.get("dtype"), H5PY_REFERENCES, where=self._meta.pointer(".lindi"))
            shape = None if info.get("null_dataspace") else tuple(int(n) for n in info.get("shape") or ())
        return LindiAttrId(name.encode("utf-8"), dt, shape)

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name not in ANNOTATIONS and name in self._meta.zattrs

    def __repr__(self) -> str:
        return f"<Attributes of LINDI object {self._meta.name!r}>"

    def __setitem__(self, name: str, value: Any) -> None:
        refuse_write(f"set attribute {name!r} of {self._meta.name}")

    def __delitem__(self, name: str) -> None:
        refuse_write(f"delete attribute {name!r} of {self._meta.name}")

    def create(self, name: str, data: Any, shape: Any = None, dtype: Any = None) -> None:
        refuse_write(f"create attribute {name!r} of {self._meta.name}")

    def modify(self, name: str, value: Any) -> None:
        refuse_write(f"modify attribute {name!r} of {self._meta.name}")


class LindiAttrId:
    """Stands in for h5py's ``h5a.AttrID``: ``name`` (bytes), ``dtype`` and ``shape`` (None: null dataspace)."""

    __slots__ = ("name", "dtype", "shape")

    def __init__(self, name: bytes, dtype: np.dtype, shape: tuple[int, ...] | None):
        self.name, self.dtype, self.shape = name, dtype, shape

    def __repr__(self) -> str:
        return f"<LindiAttrId {self.name!r}: {self.dtype}, shape {self.shape}>"


def _value_type(value: Any) -> tuple[np.dtype, tuple[int, ...]] | None:
    """Dtype and shape of an attribute read by the default inference (spec 5.1)."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.dtype, value.shape
    if isinstance(value, str):
        return h5py.string_dtype(), ()
    if isinstance(value, h5py.Reference):
        return h5py.ref_dtype, ()
    return None


def _as_h5py(value: Any) -> Any:
    """h5py's final touches: top-level vlen strings as str, 0-d arrays as scalars."""
    if not isinstance(value, np.ndarray):
        return value
    info = h5py.check_string_dtype(value.dtype)
    if info is not None and info.length is None:
        value = np.array([b.decode("utf-8", "surrogateescape") if isinstance(b, bytes) else b for b in value.flat],
                         dtype=value.dtype).reshape(value.shape)
    return value[()] if value.ndim == 0 else value
