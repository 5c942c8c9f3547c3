"""Two functions of the libhdf5 that h5py already loaded: the metadata checksum and the B-tree 'K'.

HDF5 protects its newer index structures (fixed/extensible arrays, version-2
B-trees) with a Jenkins lookup3 checksum; verifying it with HDF5's own
``H5_checksum_metadata`` costs microseconds per block, so a corrupt block is
caught exactly where HDF5 would catch it. ``H5Pget_istore_k`` gives the
version-1 B-tree node size, which h5py does not expose. When the library
cannot be found both are ``None`` and the callers fall back to ``chunk_iter``.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable

import h5py
from h5py._objects import phil  # h5py's lock around every libhdf5 call: HDF5 is not thread-safe


class _Token(ctypes.Structure):
    _fields_ = [("data", ctypes.c_uint8 * 16)]


class _ObjectInfo(ctypes.Structure):  # H5O_info2_t
    _fields_ = [("fileno", ctypes.c_ulong), ("token", _Token), ("type", ctypes.c_int), ("rc", ctypes.c_uint),
                ("atime", ctypes.c_int64), ("mtime", ctypes.c_int64), ("ctime", ctypes.c_int64),
                ("btime", ctypes.c_int64), ("num_attrs", ctypes.c_uint64)]


_INFO_BASIC = 0x0001


@functools.cache
def _library() -> ctypes.CDLL | None:
    paths = []
    try:
        with open("/proc/self/maps") as maps:
            paths = [line.split()[-1] for line in maps if "libhdf5" in line and "libhdf5_hl" not in line]
    except OSError:
        pass
    fallback = ctypes.util.find_library("hdf5") if not paths else None  # runs subprocesses: last resort
    for path in list(dict.fromkeys(paths)) or ([fallback] if fallback else []):
        try:
            lib = ctypes.CDLL(path)
            lib.H5_checksum_metadata.restype = ctypes.c_uint32
            lib.H5_checksum_metadata.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint32]
            lib.H5Pget_istore_k.restype = ctypes.c_int
            lib.H5Pget_istore_k.argtypes = [ctypes.c_int64, ctypes.POINTER(ctypes.c_uint)]
            lib.H5Oget_info3.restype = ctypes.c_int
            lib.H5Oget_info3.argtypes = [ctypes.c_int64, ctypes.POINTER(_ObjectInfo), ctypes.c_uint]
            lib.H5VLnative_token_to_addr.restype = ctypes.c_int
            lib.H5VLnative_token_to_addr.argtypes = [ctypes.c_int64, _Token, ctypes.POINTER(ctypes.c_uint64)]
            return lib
        except (OSError, AttributeError):
            continue
    return None


def checksum_function() -> Callable[[bytes], int] | None:
    """HDF5's metadata checksum (lookup3, initial value 0), or None when libhdf5 is not reachable."""
    lib = _library()
    if lib is None:
        return None
    fn = lib.H5_checksum_metadata
    return lambda data: fn(data, len(data), 0)


def istore_k(file_id: h5py.h5f.FileID) -> int | None:
    """Half the maximum number of children of a chunk-index v1 B-tree node, or None if unknown."""
    lib = _library()
    if lib is None:
        return None
    plist = file_id.get_create_plist()
    k = ctypes.c_uint(0)
    with phil:
        status = lib.H5Pget_istore_k(plist.id, ctypes.byref(k))
    if status < 0 or k.value == 0:
        return None
    return int(k.value)


def object_address_and_refcount(object_id: h5py.h5o.ObjectID) -> tuple[int, int]:
    """(header address, hard-link count) of an open object.

    ``h5py.h5o.get_info`` asks HDF5 for every field, including the size of a
    dataset's chunk index, which walks the whole index (serially, over HTTP);
    only the basic fields are asked for here.
    """
    lib = _library()
    if lib is None:
        info = h5py.h5o.get_info(object_id)
        return info.addr, info.rc
    out = _ObjectInfo()
    address = ctypes.c_uint64(0)
    with phil:  # another thread's h5py call must not run inside these (a crash, not an error, otherwise)
        failed = lib.H5Oget_info3(object_id.id, ctypes.byref(out), _INFO_BASIC) < 0 or \
            lib.H5VLnative_token_to_addr(object_id.id, out.token, ctypes.byref(address)) < 0
    if failed:
        info = h5py.h5o.get_info(object_id)
        return info.addr, info.rc
    return int(address.value), int(out.rc)
