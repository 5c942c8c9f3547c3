"""Scale-out conversion and validation of many files on Dask (``lindi convert/validate --many``).

``convert_many(manifest_or_glob, out_dir)`` converts each input on a Dask worker,
writes it atomically, validates it and returns one :class:`ResultRecord` per
input (ok, failed with the reason, or skipped because it is up to date);
``validate_many`` does the same for documents. Dask is the optional extra
``lindi[dask]``; it is imported only when a run starts.
"""
from __future__ import annotations

from .errors import BatchUsageError, SchedulerError
from .inputs import expand_inputs, plan_outputs
from .many import BatchResult, ClusterOptions, convert_many, validate_many
from .records import ResultRecord, load_records

__all__ = ["BatchResult", "BatchUsageError", "ClusterOptions", "ResultRecord", "SchedulerError", "convert_many",
           "expand_inputs", "load_records", "plan_outputs", "validate_many"]
