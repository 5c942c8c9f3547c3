"""The ``region`` member of region references (SPEC 6): encoded from HDF5 selections, read back by the reader."""
from __future__ import annotations

import h5py
import numpy as np
import pytest
from h5py._hl import selections

from lindi.format.regions import encode_region, region_of_space, region_selection

SHAPE = (6, 5)
SELECTIONS = [
    (slice(None),),
    (slice(1, 4), slice(0, 5, 2)),
    (2, slice(1, 3)),
    (slice(0, 6, 3), 4),
    (np.s_[1:5, 1:2]),
]


@pytest.mark.parametrize("sel", SELECTIONS, ids=[str(i) for i in range(len(SELECTIONS))])
def test_selections_round_trip_like_h5py(tmp_path, sel):
    """Encode what h5py makes of a selection, decode it, and get the elements and shape h5py's reference reads."""
    data = np.arange(30).reshape(SHAPE)
    with h5py.File(tmp_path / "r.h5", "w") as f:
        dset = f.create_dataset("d", data=data)
        ref = dset.regionref[sel]
        expected = dset[ref]
        stored = region_of_space(h5py.h5r.get_region(ref, dset.id))
    made = region_of_space(selections.select(SHAPE, sel).id)  # what the reader's dset.regionref[sel] writes
    for region in (stored, made):  # HDF5 may merge the blocks of a stored selection: the same elements either way
        index, shape = region_selection(region, SHAPE)
        got = data[index]
        np.testing.assert_array_equal(got.reshape(shape) if shape is not None else got, expected)


def test_point_selections(tmp_path):
    data = np.arange(30).reshape(SHAPE)
    points = [[0, 1], [5, 4], [3, 3]]
    with h5py.File(tmp_path / "p.h5", "w") as f:
        dset = f.create_dataset("d", data=data)
        space = dset.id.get_space()
        space.select_elements(np.array(points, dtype=np.uint64))
        region = region_of_space(space)
    assert region == {"kind": "points", "points": points}
    index, shape = region_selection(region, SHAPE)
    assert shape == (3,) and data[index].tolist() == [1, 29, 18]


def test_all_and_none(tmp_path):
    with h5py.File(tmp_path / "n.h5", "w") as f:
        space = f.create_dataset("d", data=np.zeros(SHAPE)).id.get_space()
        assert region_of_space(space) == {"kind": "all"}
        space.select_none()
        assert region_of_space(space) == {"kind": "none"}
    assert region_selection({"kind": "all"}, SHAPE) == ((Ellipsis,), SHAPE)
    index, shape = region_selection({"kind": "none"}, SHAPE)
    assert shape == (0, 0) and np.zeros(SHAPE)[index].size == 0


def test_encoding_a_description_and_reading_it_back():
    blocks = [[[0, 0], [1, 1]], [[4, 3], [4, 4]]]
    region = encode_region("hyperslab", np.array(blocks))
    assert region == {"kind": "hyperslab", "blocks": blocks}
    index, shape = region_selection(region, SHAPE)
    marked = np.zeros(SHAPE, dtype=bool)
    marked[index] = True
    assert marked.sum() == 6 and marked[4, 3] and marked[1, 1] and not marked[2, 2]
    assert shape == (6,)  # not a rectangle: h5py's guess_shape gives a flat list


@pytest.mark.parametrize("kind, coordinates", [
    ("points", [1, 2]), ("hyperslab", [[[0], [1], [2]]]), ("hyperslab", [[[3], [1]]]), ("points", [[-1, 0]]),
    ("all", [[0]]), ("circle", None),
])
def test_malformed_descriptions_are_refused(kind, coordinates):
    with pytest.raises(ValueError):
        encode_region(kind, coordinates)


def test_unknown_region_kind_is_refused_when_read():
    with pytest.raises(ValueError, match="unknown region kind"):
        region_selection({"kind": "circle"}, SHAPE)
