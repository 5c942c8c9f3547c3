"""Scale-out conversion and validation of many files on Dask (``lindi convert/validate --many``).

``convert_many(manifest_or_glob, out_dir)`` converts each input on a Dask worker,
writes it atomically, validates it and returns one :class:`ResultRecord` per
input (ok, failed with the reason, or skipped because it is up to date);
``validate_many`` does the same for documents. Dask is the optional extra
``lindi[dask]``. Names are imported on first use, so that the ``lindi``
commands that only offer ``--many`` stay quick to start.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_getattr

_LAZY = {
    "BatchResult": "lindi.batch.many",
    "ClusterOptions": "lindi.batch.many",
    "convert_many": "lindi.batch.many",
    "validate_many": "lindi.batch.many",
    "BatchUsageError": "lindi.batch.errors",
    "SchedulerError": "lindi.batch.errors",
    "expand_inputs": "lindi.batch.inputs",
    "plan_outputs": "lindi.batch.inputs",
    "ResultRecord": "lindi.batch.records",
    "load_records": "lindi.batch.records",
}

__all__ = sorted(_LAZY)

if TYPE_CHECKING:  # pragma: no cover
    # ``import X as X``: explicit re-exports for type checkers; at run time __getattr__ imports lazily
    from .errors import (
        BatchUsageError as BatchUsageError,
        SchedulerError as SchedulerError,
    )
    from .inputs import (
        expand_inputs as expand_inputs,
        plan_outputs as plan_outputs,
    )
    from .many import (
        BatchResult as BatchResult,
        ClusterOptions as ClusterOptions,
        convert_many as convert_many,
        validate_many as validate_many,
    )
    from .records import (
        ResultRecord as ResultRecord,
        load_records as load_records,
    )


__getattr__ = lazy_getattr(globals(), _LAZY)
