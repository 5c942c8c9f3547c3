"""The spec's vocabulary, defined once (``spec/SPEC.md``): the bottom layer every other package builds on.

It holds what a LINDI document *means*, not how it is read or written: datatype descriptors and their numpy
dtypes (:mod:`.descriptors`), the Zarr dtype that stores each descriptor (:mod:`.zarr_dtypes`), the object
codecs of JSON-codec arrays (:mod:`.object_codecs`), the legacy ``_COMPOUND_DTYPE`` list (:mod:`.compound`),
the reserved names (:mod:`.names`), the ``_REFERENCE`` object (:mod:`.references`) and the ``region`` member
of region references (:mod:`.regions`). The reader, the converter, the editor and the validator import it; it
imports numpy and :mod:`lindi.errors` only (no h5py, no zarr), so each rule has one home every layer can reach.
"""
