"""LindiH5pyDataset: an h5py.Dataset over a LINDI array node.

Numeric/fixed-size arrays decode through zarr-python 3 (after one batched,
coalesced fetch of the chunks a selection touches); JSON-codec arrays
(strings, references, compounds, ragged) decode here; _EXTERNAL_ARRAY_LINK
datasets read from the HDF5 file with h5py.
"""
from __future__ import annotations

import json
import posixpath
import threading
import warnings
from functools import cached_property
from typing import TYPE_CHECKING, Any

import h5py
import numpy as np

from .. import strict_json
from ..errors import DocumentError, LindiError
from ..format.compound import legacy_compound_dtype
from ..format.descriptors import descriptor_to_dtype, typestr_dtype
from ..format.names import COMPOUND_DTYPE, EXTERNAL_ARRAY_LINK, REFERENCE, SCALAR
from ..format.object_codecs import is_json_codec_array
from ..format.regions import region_selection
from ..format.zarr_dtypes import OBJECT_DTYPE
from ..store.bounded_codecs import decode_chunk_within_limits
from .dtypes import H5PY_REFERENCES
from .node import LindiDatasetId, LindiNode, NodeMeta
from .readonly import refuse_write
from .reference import LindiH5pyReference, LindiH5pyRegionReference
from .regionref import LindiRegionProxy
from .selection import chunk_keys, normalize, result_shape, take
from .storage import FilterProperties, filter_properties, storage_chunks, storage_maxshape
from .values import array_from_json, json_chunk_elements

if TYPE_CHECKING:
    from .file import LindiH5pyFile

class LindiH5pyDataset(LindiNode, h5py.Dataset):
    """h5py Dataset over the array stored at ``store_path``, reached as ``name``.

    This class reads and refuses writes (mode ``r``); files open for writing hand out
    :class:`lindi.editing.objects.EditableDataset` instead.
    """

    def __init__(self, file: LindiH5pyFile, store_path: str, name: str):  # no h5py id: no base initialiser
        self._file = file
        self._meta = NodeMeta(file, store_path, name)
        self._lock = threading.Lock()

    _dxpl = None  # h5py's read_direct (reached through hdmf's StrDataset) hands it to id.read

    @property
    def id(self) -> LindiDatasetId:
        return LindiDatasetId(self)

    @property
    def ref(self) -> LindiH5pyReference:
        return self._file._reference_to(self)

    @property
    def regionref(self) -> LindiRegionProxy:
        """``dset.regionref[sel]`` makes a region reference to a selection of this dataset."""
        return LindiRegionProxy(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LindiH5pyDataset) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f'<LINDI dataset "{self.name}": shape {self.shape}, type "{self.dtype.str}">'

    # ---- shape and type ---------------------------------------------------------------------
    @cached_property
    def _zarray(self) -> dict[str, Any]:
        z = self._meta.zarray
        if not isinstance(z.get("shape"), list) or not isinstance(z.get("dtype"), str):
            raise DocumentError(f"array {self.name} has no valid shape/dtype", pointer=self._meta.pointer(".zarray"),
                                source=self._meta.source)
        return z

    @property
    def _is_scalar(self) -> bool:
        return bool(self._meta.zattrs.get(SCALAR))

    @property
    def _is_empty(self) -> bool:  # H5S_NULL
        return bool(self._meta.lindi.get("null_dataspace"))

    @property
    def _is_json(self) -> bool:
        return is_json_codec_array(self._zarray)

    @property
    def shape(self) -> tuple[int, ...] | None:
        if self._is_empty:
            return None
        if self._is_scalar:
            return ()
        return tuple(int(n) for n in self._zarray["shape"])

    @property
    def ndim(self) -> int:
        return len(self.shape or ())

    @property
    def size(self) -> int | None:
        shape = self.shape
        return None if shape is None else int(np.prod(shape, dtype=np.int64))

    @property
    def nbytes(self) -> int:
        return (self.size or 0) * self.dtype.itemsize

    @cached_property
    def dtype(self) -> np.dtype:
        where = self._meta.pointer(".lindi")
        desc = self._meta.lindi.get("dtype")
        if desc is not None:
            return descriptor_to_dtype(desc, H5PY_REFERENCES, where=where)
        compound = self._meta.zattrs.get(COMPOUND_DTYPE)
        if compound is not None:
            return self._legacy_string_fields(legacy_compound_dtype(compound, H5PY_REFERENCES, where=self._meta.pointer(".zattrs")))
        if self._zarray["dtype"] == OBJECT_DTYPE:
            return self._object_dtype_from_data()
        if self._legacy_unicode:
            return h5py.string_dtype()
        return typestr_dtype(self._zarray["dtype"], where=self._meta.pointer(".zarray"))

    @property
    def _legacy_unicode(self) -> bool:
        """LINDI 0.4 stored scalar vlen strings as numpy ``<U`` arrays (HDF5 has no such type)."""
        return self._file._store.document.legacy and np.dtype(self._zarray["dtype"]).kind == "U"

    def _legacy_string_fields(self, dt: np.dtype) -> np.dtype:
        """LINDI 0.4 marked vlen string members of compounds ``<REFERENCE>`` too: its data tells them apart."""
        refs = [i for i, name in enumerate(dt.names or ()) if h5py.check_ref_dtype(dt[name]) is not None]
        if not refs or not self._is_json or self._external_link is not None:
            return dt
        rows = [row for row in self._json_items()[0] if isinstance(row, list)]
        strings = {i for i in refs if rows and all(isinstance(row[i], str) for row in rows)}
        if not strings:
            return dt
        return np.dtype([(name, h5py.string_dtype() if i in strings else dt[name])
                         for i, name in enumerate(dt.names or ())])

    def _object_dtype_from_data(self) -> np.dtype:
        """`|O` without a descriptor is a utf-8 vlen string or an object reference (told by the data)."""
        if self._external_link is None:
            for v in self._json_items()[0]:
                if isinstance(v, dict) and REFERENCE in v:
                    return H5PY_REFERENCES.region if "region" in v[REFERENCE] else H5PY_REFERENCES.object
        return h5py.string_dtype()

    @property
    def _storage(self) -> dict[str, Any] | None:
        """The ``.lindi`` ``storage`` member (None in documents that predate it: legacy behaviour)."""
        return self._meta.lindi.get("storage")

    @property
    def chunks(self) -> tuple[int, ...] | None:
        if self._storage is not None:
            return storage_chunks(self._storage, self._zarray)
        if self._external_link is not None:
            return self._file._external_files.dataset(self._external_link, self.name, self._meta.store_path).chunks
        if self._is_scalar or self._is_empty:
            return None
        return tuple(int(c) for c in self._zarray["chunks"])

    @property
    def maxshape(self) -> tuple[int | None, ...] | None:
        return storage_maxshape(self._storage or {}, self.shape)

    @property
    def _filters(self) -> dict[str, Any]:
        """h5py's own ``{filter name: options}`` form: h5py.Dataset properties evaluated on wrappers that
        reach this dataset through ``__getattr__`` (hdmf's StrDataset) read it."""
        props = self._filter_properties
        out: dict[str, Any] = {}
        if props.shuffle:
            out["shuffle"] = (self.dtype.itemsize,)
        if props.compression in ("gzip", "lzf", "szip"):
            out[props.compression] = props.compression_opts
        if props.fletcher32:
            out["fletcher32"] = ()
        if props.scaleoffset is not None:
            out["scaleoffset"] = (None, props.scaleoffset)
        return out

    @cached_property
    def _filter_properties(self) -> FilterProperties:
        if self._external_link is not None:
            return FilterProperties.of_h5py(self._file._external_files.dataset(self._external_link, self.name,
                                                                         self._meta.store_path))
        return filter_properties(self._zarray)

    @property
    def compression(self) -> str | None:
        return self._filter_properties.compression

    @property
    def compression_opts(self) -> Any:
        return self._filter_properties.compression_opts

    @property
    def shuffle(self) -> bool:
        return self._filter_properties.shuffle

    @property
    def fletcher32(self) -> bool:
        return self._filter_properties.fletcher32

    @property
    def scaleoffset(self) -> int | None:
        return self._filter_properties.scaleoffset

    @property
    def external(self) -> Any:
        return None

    @property
    def is_virtual(self) -> bool:
        return False

    @property
    def is_scale(self) -> bool:
        cls = self.attrs.get("CLASS")
        return cls in (b"DIMENSION_SCALE", "DIMENSION_SCALE")

    @property
    def fillvalue(self) -> Any:
        dt = self.dtype
        json_fill = (self._storage or {}).get("fill_value")
        if json_fill is not None:  # a JSON-codec array's fill value, encoded like one of its elements
            try:
                return array_from_json([json_fill], (1,), dt, flat=True)[0]
            except (TypeError, ValueError, KeyError) as exc:
                raise DocumentError(f"storage fill_value of {self.name} does not match dtype {dt}: {exc}",
                                    pointer=self._meta.pointer(".lindi"), source=self._meta.source) from None
        fv = self._zarray.get("fill_value")
        if dt.kind == "O" or fv is None:
            return np.zeros((), dtype=dt)[()] if dt.kind != "O" else None
        if self._zarray["dtype"][1:2] in ("S", "V"):  # base64 raw bytes, also of NUMPY-tagged opaque datetimes
            import base64
            return np.frombuffer(base64.b64decode(fv), dtype=dt)[0]
        if dt.kind == "c":
            return dt.type(complex(strict_json.decode_float(fv[0]), strict_json.decode_float(fv[1])))
        if dt.kind == "f":
            return dt.type(strict_json.decode_float(fv))
        return np.array(fv).astype(dt)[()]

    # ---- reading ----------------------------------------------------------------------------
    @cached_property
    def _external_link(self) -> dict[str, Any] | None:
        return self._meta.zattrs.get(EXTERNAL_ARRAY_LINK)

    @cached_property
    def _zarr_array(self) -> Any:
        from ..store.bounded_codecs import open_array
        from .codecs import ensure_codecs
        ensure_codecs()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return open_array(self._file._store, self._meta.store_path)
        except Exception as exc:  # zarr raises many types for bad metadata / unknown codecs
            raise DocumentError(f"cannot open array {self.name} with zarr: {exc}",
                                pointer=self._meta.pointer(".zarray"), source=self._meta.source) from None

    def _json_items(self) -> tuple[list[Any], list[int]]:
        """Elements (flat, C order) and shape of the single JSON-codec chunk."""
        with self._lock:
            cached = self.__dict__.get("_json_cache")
            if cached is not None:
                return cached
            shape = [int(n) for n in self._zarray["shape"]]
            if 0 in shape:
                result: tuple[list[Any], list[int]] = ([], shape)
            else:
                sep = self._zarray.get("dimension_separator") or "."
                key = posixpath.join(self._meta.store_path, sep.join("0" * len(shape))) if self._meta.store_path \
                    else sep.join("0" * len(shape))
                raw = self._file._store.get_bytes(key)
                if raw is None:
                    result = ([None] * int(np.prod(shape)), shape)
                else:
                    comp = self._zarray.get("compressor")
                    if comp:  # legacy: JSON chunk also compressed; bounded, vetted decode
                        raw = decode_chunk_within_limits(self._zarray, raw, array=self._meta.store_path, source=self._meta.source,
                                           limits=self._file._store.document.limits, compressor_only=True)
                    source = f"{self._meta.source or 'document'} chunk {key}"
                    items = json.loads(raw) if self._file._store.document.legacy else strict_json.loads(raw, source=source)
                    if not isinstance(items, list) or len(items) < 2:
                        raise DocumentError(f"JSON-codec chunk of {self.name} is not a json2 array",
                                            pointer="/refs/" + key.replace("/", "~1"), source=self._meta.source)
                    try:
                        elements = json_chunk_elements(items[:-2], shape,
                                                       flat=self._file._store.document.flat_json_chunks)
                    except ValueError as exc:
                        raise DocumentError(f"JSON-codec chunk of {self.name}: {exc}", pointer="/refs/" +
                                            key.replace("/", "~1"), source=self._meta.source) from None
                    result = (elements, shape)
            self.__dict__["_json_cache"] = result
            return result

    @cached_property
    def _json_array(self) -> np.ndarray:
        items, shape = self._json_items()
        try:
            return array_from_json(items, tuple(shape), self.dtype, flat=True)
        except (TypeError, ValueError, KeyError) as exc:
            raise DocumentError(f"JSON-codec data of {self.name} does not match dtype {self.dtype}: {exc}",
                                pointer=self._meta.pointer(".zarray"), source=self._meta.source) from None

    @cached_property
    def _raw_chunk_bytes(self) -> int | None:
        """Bytes of a whole chunk stored without codecs (a shorter one, the tail of a split contiguous
        dataset, is padded to it); None when codecs decide the size."""
        z = self._zarray
        if z.get("filters") or z.get("compressor"):
            return None
        return int(np.prod(z["chunks"], dtype=np.int64)) * np.dtype(z["dtype"]).itemsize

    def _read_items(self, items: list[Any]) -> np.ndarray:
        """Orthogonal selection in zarr coordinates."""
        dt = self.dtype
        if 0 in result_shape(items):
            return np.zeros(result_shape(items), dtype=dt)
        if self._is_json:
            return take(self._json_array, items)
        store = self._file._store
        keys = chunk_keys(self._meta.store_path, items, self._zarray["chunks"],
                          self._zarray.get("dimension_separator") or ".")
        with store.prefetched(keys, pad_to=self._raw_chunk_bytes):
            out = self._zarr_array.oindex[tuple(items)]
        out = np.asarray(out)
        if out.dtype.kind == "U":  # LINDI 0.4's scalar strings: h5py gives vlen strings as bytes
            return np.array([s.encode("utf-8") for s in out.reshape(-1)], dtype=dt).reshape(out.shape)
        if out.dtype.metadata != dt.metadata or out.dtype != dt:
            out = out.view(dt) if out.dtype.itemsize == dt.itemsize else out.astype(dt)
        return out

    def _read(self, args: tuple[Any, ...]) -> Any:
        if self._external_link is not None:
            target = self._file._external_files.dataset(self._external_link, self.name, self._meta.store_path)
            try:
                return target[args]
            except OSError as exc:  # e.g. the HDF5 filter plugin is not installed here
                raise LindiError(f"cannot read {self.name} from the HDF5 dataset {self._external_link.get('name')} "
                                 f"at {self._external_link.get('url')}: {exc}") from None
        if self._is_scalar:
            if args not in ((), (Ellipsis,)):
                raise ValueError("Illegal slicing argument for scalar dataspace")
            value = self._read_items([slice(0, 1, 1)]).reshape(())
            return value[()] if args == () else value
        shape = self.shape
        assert shape is not None
        if len(args) == 1 and isinstance(args[0], np.ndarray) and args[0].dtype == bool and args[0].ndim > 1:
            mask = args[0]
            if mask.shape != shape:
                raise TypeError(f"boolean mask of shape {mask.shape} does not match dataset shape {shape}")
            return self._read((Ellipsis,))[mask] if mask.any() else np.zeros((0,), dtype=self.dtype)
        out = self._read_items(normalize(args, shape))
        return out[()] if out.ndim == 0 else out

    def __getitem__(self, args: Any, new_dtype: Any = None) -> Any:
        args = args if isinstance(args, tuple) else (args,)
        if any(a is None for a in args):
            raise TypeError("Indexing with None (or np.newaxis) is not supported")
        if len(args) == 1 and isinstance(args[0], LindiH5pyReference):
            region = args[0] if isinstance(args[0], LindiH5pyRegionReference) else \
                self._file._legacy_region(args[0], self.name)
            if region is not None:
                return _convert(self._read_region(region), new_dtype)
        if self._is_empty:
            if args == () or (len(args) == 1 and args[0] is Ellipsis):
                return h5py.Empty(self.dtype if new_dtype is None else np.dtype(new_dtype))
            raise ValueError("Empty datasets cannot be sliced")
        names = tuple(x for x in args if isinstance(x, str))
        if names:
            rest = tuple(x for x in args if not isinstance(x, str))
            return self.fields(names[0] if len(names) == 1 else list(names), _prior_dtype=new_dtype)[rest]
        return _convert(self._read(args), new_dtype)

    def _read_region(self, ref: LindiH5pyRegionReference) -> Any:
        if ref.path is None or self._file[ref.path].id != self.id:
            raise ValueError("Region reference must point to this dataset")
        shape = self.shape
        if shape is None:
            return h5py.Empty(self.dtype)
        if shape == ():
            return self[...] if ref.region.get("kind", "all") == "all" else h5py.Empty(self.dtype)
        sel, out_shape = region_selection(ref.region, shape)
        data = self._read((Ellipsis,))
        picked = data if sel[0] is Ellipsis else data[sel]
        return np.asarray(picked).reshape(out_shape)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = np.asarray(self[()]) if self.shape != () else np.asarray(self[...])
        return arr if dtype is None else arr.astype(dtype)

    def read_direct(self, dest: np.ndarray, source_sel: Any = None, dest_sel: Any = None) -> None:
        data = self[source_sel if source_sel is not None else ()]
        dest[dest_sel if dest_sel is not None else ...] = data

    # ---- writes: refused here (mode "r"); lindi.editing's EditableDataset does them -----------------
    def __setitem__(self, args: Any, val: Any) -> None:
        refuse_write(f"write to dataset {self.name}")

    def resize(self, size: Any, axis: Any = None) -> None:
        refuse_write(f"resize dataset {self.name}")

    def write_direct(self, source: Any, source_sel: Any = None, dest_sel: Any = None) -> None:
        refuse_write(f"write to dataset {self.name}")


def _convert(data: Any, new_dtype: Any) -> Any:
    """Apply an ``astype``/``fields`` read dtype to data read in the stored dtype."""
    if new_dtype is None:
        return data
    new_dtype = np.dtype(new_dtype)
    arr = np.asarray(data)
    if new_dtype.names is not None and arr.dtype.names is not None:
        out = np.empty(arr.shape, dtype=new_dtype)
        for n in new_dtype.names:
            out[n] = arr[n]
    else:
        out = arr.astype(new_dtype)
    return out[()] if out.ndim == 0 and not isinstance(data, np.ndarray) else out
