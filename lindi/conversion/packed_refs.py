"""The refs of a converted file as a reader sees them, served from the converter's compact chunk tables.

Opening a converted HDF5 file used to render every chunk ref as a Python list in a dict, then wrap it.
:class:`ConvertedRefs` answers a chunk key instead by computing the chunk's position in its array's
grid and finding it among the table's rows (:class:`RowFinder`): nothing per chunk is made up front,
and a document that was not edited is written straight from the tables, the same bytes as
``LindiH5ZarrStore.write_reference_file_system``. The first edit turns the refs into a plain dict.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import IO, Any

import numpy as np

from ..store.document import PackedRefs
from ..store.hardlink_copies import collapse_hard_link_copies, inside_copy, marked_copies
from .chunks import ChunkTable
from .document import ConvertedDocument, table_refs


class RowFinder:
    """The row of a chunk key in one :class:`ChunkTable`, found from the chunk's grid position.

    Built on the first lookup: the rows' row-major positions in the grid they span (one int64 each,
    sorted; none at all when the table is the whole grid in order, the common case of a fully written
    dataset), then a lookup is a parse and a binary search.
    """

    def __init__(self, table: ChunkTable):
        self.table = table
        self._grid: tuple[int, ...] | None = None
        self._positions: np.ndarray | None = None  # sorted positions; None: row == position
        self._order: np.ndarray | None = None  # row of each sorted position; None: the rows are sorted

    def _prepare(self) -> tuple[int, ...]:
        ndim = len(self.table.chunks)
        index = np.frombuffer(self.table.origins, np.int64).reshape(-1, ndim) // np.array(self.table.chunks,
                                                                                         np.int64)
        grid = tuple(int(n) + 1 for n in index.max(axis=0))
        positions = np.ravel_multi_index(tuple(index.T), grid)
        if len(positions) > 1 and not bool(np.all(positions[1:] > positions[:-1])):
            self._order = np.argsort(positions, kind="stable")
            positions = positions[self._order]
        if self._order is not None or len(positions) != math.prod(grid):
            self._positions = positions
        self._grid = grid
        return grid

    def row(self, leaf: str) -> int | None:
        """The row of the chunk key ``leaf`` (``"3.0"``), None when the table has no such chunk."""
        parts = leaf.split(".")
        if len(parts) != len(self.table.chunks) or not all(_is_index(p) for p in parts):
            return None
        grid = self._grid or self._prepare()
        index = tuple(map(int, parts))
        if any(i >= n for i, n in zip(index, grid)):
            return None
        position = 0
        for i, n in zip(index, grid):
            position = position * n + i
        if self._positions is None:
            return position
        at = int(np.searchsorted(self._positions, position))
        if at == len(self._positions) or int(self._positions[at]) != position:
            return None
        return at if self._order is None else int(self._order[at])

    def __getstate__(self) -> dict[str, Any]:
        return {"table": self.table, "_grid": None, "_positions": None, "_order": None}  # rebuilt on demand


def _is_index(text: str) -> bool:
    """A chunk index as Zarr writes it: ASCII digits, no leading zero."""
    return text.isascii() and text.isdigit() and (text == "0" or text[0] != "0")


class ConvertedRefs(PackedRefs):
    """The refs of a :class:`ConvertedDocument` (chunk refs with ``token`` as their URL), read in place.

    Marked hard-link copies are collapsed to placeholders as :func:`lindi.store.document.from_dict`
    does for a loaded document; written, they are copies again (the converter's own segments).
    """

    def __init__(self, document: ConvertedDocument, token: str):
        self._document = document
        self._token = token
        self._written = document.metadata()
        copies = marked_copies(self._written)
        self._structure = collapse_hard_link_copies(self._written) if copies else self._written
        self._tables = {table.prefix: RowFinder(table) for table in document.tables()
                        if not inside_copy(table.prefix + "0", copies)}
        self._edited: dict[str, Any] | None = None

    # ---- PackedRefs ---------------------------------------------------------------------------
    @property
    def pristine(self) -> bool:
        return self._edited is None

    def structure(self) -> Mapping[str, Any]:
        return self._structure if self._edited is None else self._edited

    def written_metadata(self) -> Mapping[str, Any]:
        return self._written

    def written_refs(self, *, detached: bool) -> dict[str, Any]:
        return self._document.refs_dict(self._token, detached=detached)

    def write_json(self, fp: IO[str], head: Mapping[str, Any], overrides: Mapping[str, Any]) -> None:
        self._document.write(fp, head=head, overrides=overrides)

    # ---- Mapping ------------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        if self._edited is not None:
            return self._edited[key]
        value = self._structure.get(key)
        if value is not None:
            return value
        node, _, leaf = key.rpartition("/")
        finder = self._tables.get(node + "/")
        row = finder.row(leaf) if finder is not None else None
        if row is None:
            raise KeyError(key)
        assert finder is not None
        return [self._token, finder.table.offsets[row], finder.table.sizes[row]]

    def __iter__(self) -> Iterator[str]:
        if self._edited is not None:
            yield from self._edited
            return
        yield from self._structure
        for finder in self._tables.values():
            yield from (key for key, _ in table_refs(finder.table, self._token))

    def __len__(self) -> int:
        if self._edited is not None:
            return len(self._edited)
        return len(self._structure) + sum(len(finder.table) for finder in self._tables.values())

    # ---- the first edit makes a plain dict ----------------------------------------------------
    def _dict(self) -> dict[str, Any]:
        if self._edited is None:
            edited = dict(self._structure)
            for finder in self._tables.values():
                edited.update(table_refs(finder.table, self._token))
            self._edited = edited
        return self._edited

    def __setitem__(self, key: str, value: Any) -> None:
        self._dict()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._dict()[key]
