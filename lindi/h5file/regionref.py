"""``dset.regionref[sel]``: region references made with h5py's own selection rules.

h5py turns the selection into an HDF5 dataspace selection; the same code
path is used here on a dataspace of the dataset's shape, and the result is
written as the spec's ``region`` member (section 6), exactly what converting
an h5py region reference gives.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import h5py
from h5py._hl import selections

from ..errors import LindiError
from ..format.names import REFERENCE
from ..format.regions import region_of_space, region_selection
from .reference import LindiH5pyReference, LindiH5pyRegionReference

if TYPE_CHECKING:
    from .dataset import LindiH5pyDataset


class LindiRegionProxy:
    """What ``dset.regionref`` returns: index it to get a :class:`LindiH5pyRegionReference`."""

    def __init__(self, dataset: LindiH5pyDataset):
        self._dataset = dataset

    def __getitem__(self, args: Any) -> LindiH5pyRegionReference:
        dset = self._dataset
        if dset.shape is None:
            raise LindiError(f"cannot make a region reference to {dset.name}: it has a null dataspace")
        if isinstance(args, LindiH5pyRegionReference):  # h5py accepts a region reference of this dataset
            region = self._own(args)
        else:
            try:
                region = region_of_space(selections.select(dset.shape, args).id)
            except (ValueError, TypeError, IndexError) as exc:
                raise type(exc)(f"invalid region selection {args!r} of {dset.name}: {exc}") from None
        body = dset.ref.to_json()[REFERENCE]
        return LindiH5pyRegionReference({**body, "region": region})

    def shape(self, ref: h5py.RegionReference) -> tuple[int, ...]:
        """Shape of the dataset the reference points to."""
        return self._target(self._region(ref)).shape

    def selection(self, ref: h5py.RegionReference) -> tuple[int, ...] | None:
        """Shape of the referenced selection, as h5py's ``guess_shape`` gives it."""
        ref = self._region(ref)
        target = self._target(ref)
        if target.shape == ():
            return ()
        return region_selection(ref.region, target.shape)[1]

    def _own(self, ref: LindiH5pyRegionReference) -> dict[str, Any]:
        if self._target(ref).id != self._dataset.id:
            raise ValueError("Reference shape does not match dataset shape")
        return dict(ref.region)

    def _region(self, ref: Any) -> Any:
        """A plain reference of a LINDI 0.4 document stands for a region reference that lost its selection."""
        if isinstance(ref, LindiH5pyReference) and not isinstance(ref, LindiH5pyRegionReference):
            return self._dataset.file._legacy_region(ref, self._dataset.name, stacklevel=4) or ref
        return ref

    def _target(self, ref: Any) -> Any:
        if not isinstance(ref, LindiH5pyRegionReference):
            raise TypeError("only region references of a LINDI file can be inspected here")
        return self._dataset.file[ref]
