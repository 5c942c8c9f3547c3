"""Whether an input needs work: its fingerprint and the two "already done" rules.

An input is done when a results record of an earlier run has the same
fingerprint (size and mtime; size for a URL, whose backends report no mtime)
and its output is still there with the recorded size, or, for a local input,
when the output is newer than the input and validates.
"""
from __future__ import annotations

import os

from ..backends.urls import is_local, local_path
from .records import ResultRecord


def input_fingerprint(location: str) -> dict[str, int]:
    """Size and modification time of a local file, size of a remote object (raises OSError/LindiError)."""
    if is_local(location):
        st = os.stat(local_path(location))
        return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
    from ..backends import get_registry

    return {"size": get_registry().size(location)}


def done_by_record(previous: ResultRecord | None, fingerprint: dict[str, int], output: str | None) -> bool:
    """An earlier run succeeded on this very input version and its output is untouched."""
    if previous is None or previous.status == "failed" or previous.fingerprint != fingerprint:
        return False
    if output is None:
        return True
    try:
        return previous.output == output and os.path.getsize(output) == previous.output_bytes
    except OSError:
        return False


def done_by_output(location: str, output: str) -> bool:
    """The output of a local input is newer than the input and valid."""
    if not is_local(location) or not os.path.isfile(output):
        return False
    try:
        if os.stat(output).st_mtime_ns < os.stat(local_path(location)).st_mtime_ns:
            return False
    except OSError:
        return False
    from ..validation import validate

    return validate(output, max_errors=1).valid
