"""Bounded retries with exponential backoff and full jitter.

Remote reads fail transiently (429, 5xx, connection resets, timeouts); a
backend marks such a failure by raising :class:`Transient`, and
:meth:`RetryPolicy.run` retries it within a bounded count and total time.
Anything else propagates at once.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from ..errors import RemoteError
from .errors import BackendConfigError

T = TypeVar("T")

#: HTTP statuses worth retrying (the set dandi-cli uses, plus 408 Request Timeout).
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class Transient(Exception):
    """A failure worth retrying; becomes a :class:`RemoteError` when the budget is spent."""

    def __init__(self, message: str, *, url: str | None = None, ref: str | None = None):
        super().__init__(message)
        self.message = message
        self.url = url
        self.ref = ref


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a transient failure."""

    max_attempts: int = 6
    base_delay: float = 0.1
    max_delay: float = 4.0
    max_total_seconds: float = 60.0

    @classmethod
    def from_options(cls, options: Mapping[str, Any] | None) -> RetryPolicy:
        """Build from a config table such as ``[backends.retry]``; unknown keys are an error."""
        if not options:
            return cls()
        known = {f.name: f.type for f in fields(cls)}
        unknown = set(options) - set(known)
        if unknown:
            raise BackendConfigError(f"unknown retry option(s) {sorted(unknown)}; known: {sorted(known)}")
        try:
            values: dict[str, Any] = {k: (int(v) if k == "max_attempts" else float(v)) for k, v in options.items()}
        except (TypeError, ValueError) as exc:
            raise BackendConfigError(f"bad retry option value: {exc}") from None
        if values.get("max_attempts", 1) < 1 or any(v < 0 for v in values.values()):
            raise BackendConfigError("retry options must be non-negative and max_attempts >= 1")
        return cls(**values)

    def delay(self, attempt: int) -> float:
        """Full-jitter backoff before retry number ``attempt`` (1-based)."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))

    def run(self, fn: Callable[[], T]) -> T:
        """Call ``fn`` until it returns, raises a non-transient error, or the budget is spent."""
        start = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                return fn()
            except Transient as exc:
                pause = self.delay(attempt)
                spent = time.monotonic() - start
                if attempt >= self.max_attempts or spent + pause > self.max_total_seconds:
                    raise RemoteError(f"{exc.message}; gave up after {attempt} attempt(s) in {spent:.1f} s",
                                      url=exc.url, ref=exc.ref) from None
                time.sleep(pause)
