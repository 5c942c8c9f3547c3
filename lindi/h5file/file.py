"""LindiH5pyFile: an h5py.File over a LINDI document, in any of h5py's modes.

It subclasses h5py.File (hdmf/pynwb check ``isinstance(f, h5py.File)``)
without opening an HDF5 id; every h5py member those libraries use is
implemented over the document's zarr store.
"""
from __future__ import annotations

import base64
import os
import warnings
from functools import cached_property
from typing import TYPE_CHECKING, Any

import h5py

from .. import strict_json
from .._atomic import atomic_file, remove_stale_temporaries, resolve_target
from .._locking import DocumentLock
from ..backends.urls import local_path
from ..cache import LocalCache, cached_range_reader
from ..errors import EditError, LostRegionWarning
from ..remote_file import reader_over
from ..security.limits import Limits
from ..security.url_policy import applying
from ..store import LindiReferenceStore, RangeReader, UrlPolicy, default_range_reader, empty_document
from ..store.document import RefDocument, from_dict
from ..store.policy import is_remote
from ..store.ranges import CoalesceOptions
from ..store.writing import write_json, written_dict
from .attributes import LindiH5pyAttributes
from .dataset import LindiH5pyDataset
from .editor_protocol import FileEditor, editor_factory
from .external_files import ExternalFiles
from .group import LindiH5pyGroup
from .links import LinkResolver
from .node import LindiNode
from .opening import MODES, open_document
from .readonly import ReadOnlyError
from .reference import LindiH5pyReference, LindiH5pyRegionReference
from .remote_hdf5 import RemoteHDF5Source, open_remote_file

if TYPE_CHECKING:
    from ..conversion.options import LindiH5ZarrStoreOpts
    from ..staging import StagingArea


class LindiH5pyFile(LindiH5pyGroup, h5py.File):
    """The root group of a LINDI document, usable wherever h5py.File is expected.

    Modes as in h5py: ``r`` reads; ``r+``, ``w``, ``w-``/``x`` and ``a`` also edit, through the editor
    plugged in at :mod:`lindi.h5file.editor_protocol` (``lindi.editing``). A file opened from a local
    path in a writing mode is written back there on ``flush``/``close``.
    """

    def __init__(self, store: LindiReferenceStore, *, mode: str = "r", local_cache: LocalCache | None = None,
                 staging_area: StagingArea | None = None):
        _check_mode(mode)
        self._store = store
        self._mode = mode
        self._local_cache = local_cache
        self._staging_area = staging_area
        self._objects: dict[tuple[str, str], LindiH5pyGroup | LindiH5pyDataset] = {}
        self._resolver = LinkResolver(self)
        self._external_files = ExternalFiles(store)
        self._closed = False
        self._writeback: str | None = None
        self._own_staging = False
        self._lock: DocumentLock | None = None
        self._lost_region_warned = False
        # the one injection point of the editor (lindi.editing plugs it in: see editor_protocol.py)
        self._editor: FileEditor | None = editor_factory()(self) if mode != "r" else None
        self._group_class: type[LindiH5pyGroup] = self._editor.group_class if self._editor else LindiH5pyGroup
        self._dataset_class: type[LindiH5pyDataset] = self._editor.dataset_class if self._editor else LindiH5pyDataset
        self._attrs_class: type[LindiH5pyAttributes] = \
            self._editor.attributes_class if self._editor else LindiH5pyAttributes
        LindiH5pyGroup.__init__(self, self, "", "/")

    def _legacy_region(self, ref: LindiH5pyReference, dataset: str, *,
                       stacklevel: int = 3) -> LindiH5pyRegionReference | None:
        """A plain reference used as a region reference of ``dataset``: in a LINDI 0.4 document it may have
        been one (0.4 wrote region references without their selection), so it selects the whole dataset,
        with a warning once per document; None in other documents, where h5py's rules apply."""
        if not self._store.document.legacy:
            return None
        if not self._lost_region_warned:
            self._lost_region_warned = True
            warnings.warn(LostRegionWarning(
                f"{self._store.document.source or 'this LINDI 0.4 document'}: {dataset} is indexed with a plain "
                f"reference to {ref.path}; LINDI 0.4 wrote region references without their selection, so the "
                "whole dataset is read (said once per document)"), stacklevel=stacklevel)
        return LindiH5pyRegionReference(ref.to_json()["_REFERENCE"])

    # ---- constructors (signatures of the LINDI package) --------------------------------------
    @classmethod
    def from_lindi_file(cls, url_or_path: str | os.PathLike[str], *, mode: str = "r",
                        staging_area: StagingArea | None = None,
                        local_cache: LocalCache | None = None, range_reader: RangeReader | None = None,
                        coalesce: CoalesceOptions | None = None, allow_local_files: bool | None = None,
                        allow_private_hosts: bool | None = None, allow_local: bool | None = None,
                        limits: Limits | None = None, locking: bool | None = None) -> LindiH5pyFile:
        """Open a ``.lindi.json`` document from a path or any URL a backend serves (http(s), s3, gs, DANDI).

        A remote document is fetched whole; its relative refs resolve against its URL, and it may not
        reference local files or private addresses other than its own origin unless ``allow_local``
        (both), ``allow_*`` or ``LINDI_ALLOW_LOCAL=1`` say so. ``limits``: see :class:`lindi.security.Limits`.

        A local document opened in a writing mode is locked against other writers until ``close()``
        (:class:`lindi.errors.DocumentLockedError` for the second one); ``locking=False`` or
        ``LINDI_USE_FILE_LOCKING=FALSE`` turns that off (see :mod:`lindi._locking`).
        """
        _check_mode(mode)
        policy = UrlPolicy.for_document(os.fspath(url_or_path), allow_local=allow_local,
                                        allow_local_files=allow_local_files, allow_private_hosts=allow_private_hosts)
        opened = open_document(os.fspath(url_or_path), mode, policy=policy, limits=limits, locking=locking,
                               staging_area=staging_area)
        try:
            f = cls._open(opened.document, mode=mode, staging_area=opened.staging_area, local_cache=local_cache,
                          range_reader=range_reader, coalesce=coalesce)
        except BaseException:
            opened.release()
            raise
        f._own_staging, f._writeback, f._lock = opened.own_staging, opened.writeback, opened.lock
        return f

    @classmethod
    def from_reference_file_system(cls, rfs: dict[str, Any] | str | os.PathLike[str] | None, *, mode: str = "r",
                                   staging_area: StagingArea | None = None, local_cache: LocalCache | None = None,
                                   range_reader: RangeReader | None = None,
                                   coalesce: CoalesceOptions | None = None,
                                   base: str | None = None, allow_local: bool | None = None,
                                   limits: Limits | None = None) -> LindiH5pyFile:
        """Open a reference file system given as a dict, or a path/URL of one (None: a new empty one).

        ``base`` is where relative ref URLs of a dict resolve (default: none allowed).
        ``range_reader`` fetches ``[url, offset, length]`` refs (default: :func:`lindi.backends.read_ranges`);
        ``coalesce`` sets how near refs are merged into one request; ``local_cache`` keeps fetched refs.
        A remote ``base`` subjects the refs to the URL policy of a remote document (``allow_local``).
        """
        if rfs is None:  # a new, empty document in memory (LINDI 0.4: from_reference_file_system(None, mode="w"))
            _check_mode(mode)
            if mode == "r":
                raise ReadOnlyError("a new document (rfs=None) needs a writing mode such as 'w'")
            rfs = empty_document()
        if not isinstance(rfs, dict):
            return cls.from_lindi_file(rfs, mode=mode, staging_area=staging_area, local_cache=local_cache,
                                       range_reader=range_reader, coalesce=coalesce, allow_local=allow_local,
                                       limits=limits)
        _check_mode(mode)  # fail before any I/O
        doc = from_dict(rfs, base=base)
        doc.policy, doc.limits = UrlPolicy.for_document(base, allow_local=allow_local), limits
        return cls._open(doc, mode=mode, staging_area=staging_area, local_cache=local_cache,
                         range_reader=range_reader, coalesce=coalesce)

    @classmethod
    def from_zarr_store(cls, zarr_store: Any, *, mode: str = "r", local_cache: LocalCache | None = None
                        ) -> LindiH5pyFile:
        """Open a Zarr v2 store (LINDI 0.4): a :class:`lindi.LindiH5ZarrStore` by its document, any other
        mapping of keys to bytes by copying its keys into an in-memory document (chunks inline)."""
        to_rfs = getattr(zarr_store, "to_reference_file_system", None)
        if callable(to_rfs):
            rfs = to_rfs()
        else:
            refs: dict[str, Any] = {}
            for key in zarr_store:
                raw = bytes(zarr_store[key])
                leaf = key.rpartition("/")[2]
                refs[key] = strict_json.loads(raw, source=key) if leaf in (".zgroup", ".zarray", ".zattrs") \
                    else "base64:" + base64.b64encode(raw).decode("ascii")
            rfs = {"version": 1, "refs": refs}
        return cls.from_reference_file_system(rfs, mode=mode, local_cache=local_cache)

    @classmethod
    def from_zarr_group(cls, zarr_group: Any, *, mode: str = "r", local_cache: LocalCache | None = None
                        ) -> LindiH5pyFile:
        """Open the store of a Zarr group (LINDI 0.4)."""
        return cls.from_zarr_store(zarr_group.store, mode=mode, local_cache=local_cache)

    @classmethod
    def from_hdf5_file(cls, url_or_path: str | os.PathLike[str], *, mode: str = "r",
                       local_cache: LocalCache | None = None, zarr_store_opts: LindiH5ZarrStoreOpts | None = None, url: str | None = None,
                       range_reader: RangeReader | None = None,
                       coalesce: CoalesceOptions | None = None, allow_local: bool | None = None) -> LindiH5pyFile:
        """Index a local or remote HDF5 file (converter: lindi.LindiH5ZarrStore) and open the result.

        A remote file is read by h5py through read-ahead blocks over the backends; chunk refs point
        at the remote URL, and refs inside blocks already fetched are served without a new request.
        Its document gets the URL policy of a remote document: its external links may not reach
        local files or private addresses unless ``allow_local`` or ``LINDI_ALLOW_LOCAL=1`` say so.
        """
        from ..conversion.h5_zarr_store import LindiH5ZarrStore
        from ..conversion.options import LindiH5ZarrStoreOpts

        _check_mode(mode)
        if mode != "r":  # LINDI 0.4 and h5py semantics differ here; an HDF5 source is never written
            raise ReadOnlyError(f"an HDF5 file is indexed read-only (mode {mode!r}); open it with mode 'r', "
                                "edit the LINDI document it gives, and write that")
        src = os.fspath(url_or_path)
        opts = zarr_store_opts if zarr_store_opts is not None else LindiH5ZarrStoreOpts()
        reader = range_reader or default_range_reader
        if not is_remote(src):
            with LindiH5ZarrStore.from_file(src, opts=opts, url=url) as zstore:
                doc = zstore.ref_document(base=os.path.dirname(os.path.abspath(local_path(src))))
            return cls._open(doc, mode=mode, local_cache=local_cache, range_reader=reader, coalesce=coalesce)
        block_reader = reader if local_cache is None else cached_range_reader(reader, local_cache)
        policy = UrlPolicy.for_document(src, allow_local=allow_local)
        with applying(policy):
            remote = open_remote_file(src, block_reader)
            with LindiH5ZarrStore(RemoteHDF5Source(remote), opts=opts, url=url or src) as zstore:
                doc = zstore.ref_document(base=src)
        doc.policy = policy
        return cls._open(doc, mode=mode, local_cache=local_cache, range_reader=reader_over(remote, reader),
                         coalesce=coalesce)

    @classmethod
    def _open(cls, doc: RefDocument, *, mode: str, local_cache: LocalCache | None, range_reader: RangeReader | None,
              coalesce: CoalesceOptions | None, staging_area: StagingArea | None = None) -> LindiH5pyFile:
        store = LindiReferenceStore(doc, range_reader=range_reader, coalesce=coalesce, local_cache=local_cache)
        return cls(store, mode=mode, local_cache=local_cache, staging_area=staging_area)

    def to_reference_file_system(self) -> dict[str, Any]:
        """The document as a dict (a deep copy: later edits of either side do not leak)."""
        return self._store.document.to_dict(detached=True)

    def write_lindi_file(self, filename: str | os.PathLike[str], *,
                         generation_metadata: dict[str, Any] | None = None) -> None:
        """Write the document to ``filename``, as the name says: ``.lindi.tar`` or ``.lindi.d`` containers,
        else JSON (``.lindi.json``; any other extension is a ``ValueError``).

        Atomic (see :mod:`lindi._atomic`: mode kept, symlink written through, leftovers of killed writers
        removed) and streamed (no whole-document string). ``generation_metadata`` (LINDI 0.4) is kept in the
        document as ``generationMetadata``.
        """
        name = os.fspath(filename)
        container = name.rstrip("/").endswith((".lindi.tar", ".lindi.d"))
        if not container and not name.endswith(".json"):
            raise ValueError(f"{name}: a LINDI file name ends in .lindi.json, .lindi.tar or .lindi.d")
        target = resolve_target(filename)
        extra = {"generationMetadata": generation_metadata} if generation_metadata is not None else None
        document, link_dir = self._store.document, os.path.dirname(target)
        if container:
            from ..staging import write_container
            write_container(written_dict(document, link_dir=link_dir, extra=extra), target, base=document.base)
            return
        remove_stale_temporaries(link_dir)
        with atomic_file(target, encoding="utf-8") as f:
            write_json(document, f, link_dir=link_dir, extra=extra)

    # ---- h5py.File surface ------------------------------------------------------------------
    @property
    def filename(self) -> str:
        return self._store.document.source or f"<lindi document {id(self._store.document):x}>"

    @property
    def mode(self) -> str:
        """``"r"`` or ``"r+"``, as h5py reports it."""
        return "r" if self._mode == "r" else "r+"

    @property
    def driver(self) -> str:
        return "lindi"

    @property
    def libver(self) -> tuple[str, str]:
        return ("earliest", "latest")

    @property
    def userblock_size(self) -> int:
        return 0

    @property
    def swmr_mode(self) -> bool:
        return False

    def flush(self) -> None:
        """Write the document back to the local path it was opened from (writing modes only).

        A document opened from a URL is never written back: write it with
        :meth:`write_lindi_file` or publish it.
        """
        if self._mode == "r" or self._writeback is None or self._closed:
            return
        from ..staging import write_container
        from ..staging.containers import is_container_name

        if is_container_name(self._writeback):
            write_container(self._store.document.to_dict(), self._writeback, base=self._store.document.base)
        else:
            self.write_lindi_file(self._writeback)

    def close(self) -> None:
        """Flush, then close HDF5 files opened for external links/arrays; the document stays in memory."""
        if self._closed:
            return
        try:
            self.flush()
        finally:
            self._external_files.close()
            self._closed = True
            editor, self._editor = self._editor, None
            if editor is not None:
                editor.close()
            if self._own_staging and self._staging_area is not None:
                self._staging_area.cleanup()
            if self._lock is not None:
                self._lock.release()

    def __enter__(self) -> LindiH5pyFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f'<LINDI file "{self.filename}" (mode {self._mode})>'

    # ---- navigation -------------------------------------------------------------------------
    def _object(self, store_path: str, name: str) -> LindiH5pyGroup | LindiH5pyDataset:
        key = (store_path, name)
        obj = self._objects.get(key)
        if obj is None:
            if store_path == "" and name == "/":
                return self
            kind = self._store.index.kind(store_path)
            if kind == "array":
                obj = self._dataset_class(self, store_path, name)
            elif kind == "group":
                obj = self._group_class(self, store_path, name)
            else:
                raise KeyError(f"Unable to open object (object {name!r} doesn't exist)")
            self._objects[key] = obj
        return obj

    # ---- writes to the root group: the group class of the file's mode does them (refused in mode "r") ------
    @property
    def _root_group(self) -> LindiH5pyGroup:
        """The root as the group class of the file's mode sees it (fresh: nothing cached goes stale)."""
        return self._group_class(self, "", "/")

    def __setitem__(self, name: str, obj: Any) -> None:
        self._root_group[name] = obj

    def __delitem__(self, name: str) -> None:
        del self._root_group[name]

    def create_group(self, name: str, track_order: bool | None = None) -> LindiH5pyGroup:
        return self._root_group.create_group(name, track_order)

    def create_dataset(self, name: str, shape: Any = None, dtype: Any = None, data: Any = None,
                       **kwds: Any) -> LindiH5pyDataset:
        return self._root_group.create_dataset(name, shape=shape, dtype=dtype, data=data, **kwds)

    def copy(self, source: Any, dest: Any, name: Any = None, **kwds: Any) -> None:
        self._root_group.copy(source, dest, name, **kwds)

    def _refresh(self, store_paths: set[str]) -> None:
        """Forget what objects cached about nodes an edit changed, and objects that no longer exist."""
        index = self._store.index
        for key, obj in list(self._objects.items()):
            if index.kind(key[0]) is None:
                del self._objects[key]
            elif key[0] in store_paths:
                _forget_cached(obj)
        if "" in store_paths:
            _forget_cached(self)
        self._resolver.forget(store_paths)

    # ---- references -------------------------------------------------------------------------
    def _dereference(self, ref: h5py.Reference) -> Any:
        if not isinstance(ref, LindiH5pyReference):
            raise TypeError("only references read from this LINDI file can be dereferenced here")
        if ref.path is None:
            raise ValueError("Invalid HDF5 object reference (NULL reference)")
        return self._resolver.open_path(self, ref.path)

    def _reference_to(self, obj: LindiNode) -> LindiH5pyReference:
        object_id = obj.attrs.get("object_id")
        root_id = self.attrs.get("object_id")
        return LindiH5pyReference({"object_id": object_id, "path": obj.name, "source": ".",
                                   "source_object_id": root_id})


def _check_mode(mode: str) -> None:
    """A ``ValueError`` (as h5py raises) for an unknown mode; a writing mode also needs the editor plugged in."""
    if mode not in MODES:
        raise EditError(f"invalid mode {mode!r}: use one of {', '.join(MODES)}")
    if mode != "r":
        editor_factory()


def _forget_cached(obj: LindiNode) -> None:
    """Drop the cached properties of a node object and of its metadata, so the next read sees the edit."""
    for target in (obj, obj._meta):
        for cls in type(target).__mro__:
            for name, value in vars(cls).items():
                if isinstance(value, cached_property):
                    target.__dict__.pop(name, None)
    obj.__dict__.pop("_json_cache", None)
