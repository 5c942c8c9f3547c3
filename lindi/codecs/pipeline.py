"""HDF5 filter pipeline -> Zarr v2 ``filters``/``compressor``, so HDF5 chunks are read in place.

HDF5 applies a dataset's filters in pipeline order when writing a chunk; Zarr v2
applies ``filters`` in order and then ``compressor`` on encode, and the reverse on
decode. Each HDF5 filter becomes exactly one numcodecs codec (or a no-op), so the
per-chunk HDF5 ``filter_mask`` (bit i = filter i was skipped) maps onto the codecs.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import h5py
import numpy as np
from numcodecs.abc import Codec

from ..errors import ChunkCodecError, LindiError, UnsupportedObjectError
from ..strict_json import encode_float
from .registry import get_codec
from .scaleoffset import SCALE_FLOAT_DSCALE, SCALE_INTEGER

FILTER_DEFLATE = 1
FILTER_SHUFFLE = 2
FILTER_FLETCHER32 = 3
FILTER_SZIP = 4
FILTER_NBIT = 5
FILTER_SCALEOFFSET = 6
FILTER_LZF = 32000
FILTER_BLOSC = 32001
FILTER_LZ4 = 32004
FILTER_BITSHUFFLE = 32008
FILTER_ZSTD = 32015

#: Filters that compress, so that one of them last in the pipeline becomes the Zarr compressor.
#: Deflate is not among them: LINDI 0.4, the documents it wrote and the readers built for them (Neurosift's
#: knows ``zlib`` only as a filter) keep it last in ``filters`` with ``compressor: null`` (spec 1.1).
_COMPRESSORS = frozenset({FILTER_SZIP, FILTER_LZF, FILTER_BLOSC, FILTER_LZ4, FILTER_ZSTD})
_BLOSC_CNAMES = ("blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd")




class _Unsupported(Exception):
    """Internal: the filter cannot be expressed; the message is the reason."""


@dataclass(frozen=True)
class Stage:
    """One HDF5 filter of the pipeline and the codec config that undoes it (``None``: no-op)."""

    filter_id: int
    name: str
    config: dict[str, Any] | None


@dataclass(frozen=True)
class CodecPipeline:
    """The Zarr v2 codecs of one HDF5 dataset.

    ``filters``/``compressor`` go into ``.zarray`` as they are; ``stages`` keeps the
    HDF5 pipeline order (one entry per HDF5 filter) for honouring ``filter_mask``;
    ``dtype`` is the chunk's element type (encoders such as blosc use its size).
    """

    filters: list[dict[str, Any]] | None
    compressor: dict[str, Any] | None
    stages: tuple[Stage, ...] = ()
    dtype: str = "|u1"

    @cached_property
    def _codecs(self) -> tuple[Codec | None, ...]:
        return tuple(None if s.config is None else get_codec(s.config) for s in self.stages)

    def zarray_fields(self) -> dict[str, Any]:
        """The ``filters`` and ``compressor`` members of a ``.zarray``."""
        return {"filters": self.filters, "compressor": self.compressor}


def decode_chunk(raw: bytes | memoryview | np.ndarray, pipeline: CodecPipeline, filter_mask: int = 0) -> bytes:
    """Undo the HDF5 filters of a stored chunk -> the chunk's C-order bytes.

    Filter ``i`` is skipped when bit ``i`` of ``filter_mask`` is set (HDF5 skipped it when
    writing, e.g. lzf on incompressible data), which plain Zarr decoding cannot do.
    """
    data: Any = raw
    for index in reversed(range(len(pipeline.stages))):
        codec = pipeline._codecs[index]
        if codec is None or filter_mask & (1 << index):
            continue
        data = _run(codec.decode, data, pipeline.stages[index], "decode")
    return bytes(np.ascontiguousarray(data).view(np.uint8).reshape(-1)) if not isinstance(data, bytes) else data


def encode_chunk(array_bytes: bytes | memoryview | np.ndarray, pipeline: CodecPipeline) -> bytes:
    """Apply every codec of ``pipeline`` in Zarr order -> bytes that ``.zarray`` decodes."""
    data: Any = np.frombuffer(bytes(array_bytes) if not isinstance(array_bytes, np.ndarray)
                              else np.ascontiguousarray(array_bytes).tobytes(), dtype=np.dtype(pipeline.dtype))
    for index, stage in enumerate(pipeline.stages):
        codec = pipeline._codecs[index]
        if codec is not None:
            data = _run(codec.encode, data, stage, "encode")
    return data if isinstance(data, bytes) else bytes(np.ascontiguousarray(data).view(np.uint8).reshape(-1))


def _run(step: Callable[[Any], Any], data: Any, stage: Stage, action: str) -> Any:
    try:
        return step(data)
    except LindiError:
        raise
    except Exception as exc:  # codecs raise anything from zlib.error to RuntimeError
        raise ChunkCodecError(f"cannot {action} chunk with HDF5 filter {stage.filter_id} ({stage.name}): "
                              f"{type(exc).__name__}: {exc}") from exc


def hdf5_pipeline(dset: h5py.Dataset) -> CodecPipeline:
    """The Zarr v2 filters/compressor that decode the raw HDF5 chunks of ``dset``.

    Raises :class:`~lindi.errors.UnsupportedObjectError` naming the dataset, the filter
    and the reason when a filter has no exact codec.
    """
    plist = dset.id.get_create_plist()
    dtype = dset.dtype
    stages = []
    for index in range(plist.get_nfilters()):
        code, _flags, cd_values, raw_name = plist.get_filter(index)
        name = _filter_name(code, raw_name)
        try:
            config = _stage_config(code, tuple(int(v) for v in cd_values), dset, dtype)
        except _Unsupported as exc:
            raise UnsupportedObjectError(f"HDF5 filter {code} ({name}) cannot be expressed as a Zarr codec: {exc}",
                                         h5_path=dset.name, file=dset.file.filename) from None
        stages.append(Stage(code, name, config))
    active = [s for s in stages if s.config is not None]
    compressor = None
    if active and active[-1].filter_id in _COMPRESSORS:
        compressor = active.pop().config
    return CodecPipeline(filters=[s.config for s in active if s.config is not None] or None, compressor=compressor,
                         stages=tuple(stages), dtype=dtype.str)


_NAMES = {FILTER_DEFLATE: "deflate", FILTER_SHUFFLE: "shuffle", FILTER_FLETCHER32: "fletcher32",
          FILTER_SZIP: "szip", FILTER_NBIT: "nbit", FILTER_SCALEOFFSET: "scaleoffset", FILTER_LZF: "lzf",
          FILTER_BLOSC: "blosc", FILTER_LZ4: "lz4", FILTER_BITSHUFFLE: "bitshuffle", FILTER_ZSTD: "zstd"}


def _filter_name(code: int, raw_name: bytes | str) -> str:
    if code in _NAMES:
        return _NAMES[code]
    text = raw_name.decode("utf-8", "replace") if isinstance(raw_name, bytes) else str(raw_name)
    return text.split(";")[0].strip() or "unnamed filter"


def _stage_config(code: int, cd: Sequence[int], dset: h5py.Dataset, dtype: np.dtype) -> dict[str, Any] | None:
    chunk_nbytes = math.prod(dset.chunks or dset.shape or (1,)) * dtype.itemsize
    if code == FILTER_DEFLATE:
        return {"id": "zlib", "level": cd[0] if cd else 6}
    if code == FILTER_SHUFFLE:
        return {"id": "shuffle", "elementsize": cd[0] if cd else dtype.itemsize}
    if code == FILTER_FLETCHER32:
        return {"id": "fletcher32"}
    if code == FILTER_LZF:
        return {"id": "lindi_hdf5_lzf", "nbytes": cd[2] if len(cd) > 2 and cd[2] else chunk_nbytes}
    if code == FILTER_SZIP:
        if len(cd) < 4:
            raise _Unsupported(f"expected 4 szip parameters, found {len(cd)}")
        return {"id": "imagecodecs_szip", "options_mask": cd[0], "pixels_per_block": cd[1],
                "bits_per_pixel": cd[2], "pixels_per_scanline": cd[3], "header": True}
    if code == FILTER_SCALEOFFSET:
        return _scaleoffset_config(cd, dtype)
    if code == FILTER_NBIT:
        return _nbit_config(cd, dset, dtype)
    if code == FILTER_BLOSC:
        return _blosc_config(cd)
    if code == FILTER_ZSTD:
        return {"id": "zstd", "level": _signed(cd[0]) if cd else 0, "checksum": False}
    if code == FILTER_LZ4:
        return {"id": "imagecodecs_lz4h5", "level": None, "blocksize": (cd[0] or None) if cd else None}
    if code == FILTER_BITSHUFFLE:
        return _bitshuffle_config(cd, dtype)
    raise _Unsupported("no codec implements this filter")


def _signed(value: int) -> int:
    """cd_values are C unsigned ints; some filters store signed numbers in them."""
    return value - 2**32 if value >= 2**31 else value


def _scaleoffset_config(cd: Sequence[int], dtype: np.dtype) -> dict[str, Any]:
    if len(cd) != 20:
        raise _Unsupported(f"expected 20 scaleoffset parameters, found {len(cd)}")
    scale_type, factor, nelements, klass, size, sign, order, filavail = cd[:8]
    if dtype.kind not in "iuf" or dtype.itemsize != size:
        raise _Unsupported(f"dataset dtype {dtype.str} does not match the filter's {size}-byte type")
    if klass == 0 and (dtype.kind == "f" or (dtype.kind == "i") != (sign == 1)):
        raise _Unsupported(f"dataset dtype {dtype.str} does not match the filter's integer type")
    if klass == 1 and dtype.kind != "f":
        raise _Unsupported(f"dataset dtype {dtype.str} does not match the filter's float type")
    if size > 1 and (order == 1) != (dtype.byteorder == ">" or (dtype.byteorder == "=" and np.little_endian is False)):
        raise _Unsupported("dataset byte order does not match the filter's")
    if klass == 1:
        if scale_type == 1:
            raise _Unsupported("the E-scale method is not implemented by HDF5 itself")
        if scale_type != 0:
            raise _Unsupported(f"unknown scale type {scale_type} for a float dataset")
        mode, factor = SCALE_FLOAT_DSCALE, _signed(factor)
    elif klass == 0:
        mode, factor = SCALE_INTEGER, max(0, _signed(factor))
        if factor > size * 8:
            raise _Unsupported(f"minimum bits {factor} exceed the {size * 8}-bit type")
    else:
        raise _Unsupported(f"unknown datatype class {klass}")
    fill: int | float | str | None = None
    if filavail == 1:
        # The fill value's bytes, least significant first, four per cd_value from index 8.
        raw = b"".join(v.to_bytes(4, "little") for v in cd[8:])[:size]
        value = np.frombuffer(raw, dtype=dtype.newbyteorder("<"))[0]
        fill = int(value) if dtype.kind in "iu" else encode_float(float(value))
    return {"id": "lindi_hdf5_scaleoffset", "dtype": dtype.str, "nelements": nelements,
            "scale_type": mode, "scale_factor": factor, "fill_value": fill}


def _nbit_config(cd: Sequence[int], dset: h5py.Dataset, dtype: np.dtype) -> dict[str, Any] | None:
    if len(cd) < 3:
        raise _Unsupported(f"expected at least 3 nbit parameters, found {len(cd)}")
    if cd[1]:
        return None  # HDF5 marked the type as needing no packing: the filter is a no-op
    if len(cd) < 8 or cd[3] != 1:
        raise _Unsupported("N-bit packing of compound or array types is not supported")
    nelements, _klass, size, order, precision, offset = cd[2:8]
    if dtype.kind not in "iuf" or dtype.itemsize != size:
        raise _Unsupported(f"dataset dtype {dtype.str} does not match the filter's {size}-byte atomic type")
    if size > 1 and (order == 1) != (dtype.byteorder == ">"):
        raise _Unsupported("dataset byte order does not match the filter's")
    if dtype.kind == "f":
        _check_nbit_float(dset.id.get_type(), dtype, precision, offset)
    return {"id": "lindi_hdf5_nbit", "dtype": dtype.str, "nelements": nelements,
            "precision": precision, "offset": offset}


_IEEE_FIELDS = {4: (31, 23, 8, 0, 23, 127), 8: (63, 52, 11, 0, 52, 1023), 2: (15, 10, 5, 0, 10, 15)}


def _check_nbit_float(tid: Any, dtype: np.dtype, precision: int, offset: int) -> None:
    """Only IEEE layouts whose mantissa lost low bits decode to h5py's values by zero padding."""
    spos, epos, esize, mpos, msize = tid.get_fields()  # absolute bit positions
    std = _IEEE_FIELDS.get(dtype.itemsize)
    if std is None or (spos, epos, esize) != std[:3] or tid.get_ebias() != std[5] \
            or mpos + msize != std[1] or mpos < offset or precision + offset != dtype.itemsize * 8 \
            or tuple(tid.get_pad()) != (h5py.h5t.PAD_ZERO, h5py.h5t.PAD_ZERO):
        raise _Unsupported("the float type is not an IEEE layout with a shortened mantissa and zero padding")


def _blosc_config(cd: Sequence[int]) -> dict[str, Any]:
    clevel = cd[4] if len(cd) > 4 else 5
    shuffle = cd[5] if len(cd) > 5 else 1
    compcode = cd[6] if len(cd) > 6 else 0
    if compcode >= len(_BLOSC_CNAMES):
        raise _Unsupported(f"unknown blosc compressor code {compcode}")
    return {"id": "blosc", "cname": _BLOSC_CNAMES[compcode], "clevel": clevel, "shuffle": shuffle, "blocksize": 0}


def _bitshuffle_config(cd: Sequence[int], dtype: np.dtype) -> dict[str, Any]:
    compression = cd[4] if len(cd) > 4 else 0
    if compression != 0:
        raise _Unsupported("bitshuffle with built-in lz4/zstd compression has no exact codec "
                           f"(compression code {compression})")
    elemsize = cd[2] if len(cd) > 2 else dtype.itemsize
    blocksize = cd[3] if len(cd) > 3 else 0
    return {"id": "lindi_hdf5_bitshuffle", "itemsize": elemsize, "blocksize": blocksize}
