"""The dandi-etag and the archive's part layout, against the vectors of DANDI_API.md section 6."""
from __future__ import annotations

import pytest

from lindi.backends.dandi_etag import PartLayout, dandi_etag

MiB = 1024 * 1024


@pytest.mark.parametrize("data, expected", [
    (b"a", "b6ff9a06b7e20bcb2858c5b8ff744aea-1"),
    (bytes(i % 256 for i in range(1000)), "6ace433800eb9e567bb42f172288e270-1"),
    (bytes(64 * MiB), "a78211a9709e5a28de9e2fd6eda275f2-1"),
    (bytes(64 * MiB + 1), "d4b4f6056a5f5a23cda477d1895a2bbd-2"),
])
def test_etag_vectors(data, expected):
    assert dandi_etag(data) == expected


@pytest.mark.parametrize("size, count, initial, final", [
    (1, 1, 1, 1),
    (1000, 1, 1000, 1000),
    (67108864, 1, 67108864, 67108864),
    (67108865, 2, 67108864, 1),
    (671088640000, 10000, 67108864, 67108864),
    (671088640001, 10000, 67108865, 67098866),
    (687194767360, 10000, 68719477, 68716837),
    (5497558138880, 10000, 549755814, 549754694),
])
def test_part_layout_vectors(size, count, initial, final):
    layout = PartLayout.for_size(size)
    assert (layout.count, layout.initial_size, layout.final_size) == (count, initial, final)
    parts = list(layout.parts())
    assert len(parts) == count and parts[-1][2] == final
    assert sum(p[2] for p in parts) == size


def test_too_large_is_refused():
    with pytest.raises(ValueError, match="5 TiB"):
        PartLayout.for_size(5 * 1024**4 + 1)


def test_double_uses_the_shared_module():
    from lindi.testing import dandi_double
    assert dandi_double.dandi_etag is dandi_etag
