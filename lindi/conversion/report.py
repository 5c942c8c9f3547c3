"""What a conversion did, and which objects it could not convert (and why)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class UnsupportedObject:
    """An HDF5 object left out (or kept only as an external array link), with the reason."""

    path: str
    reason: str


@dataclass
class ConversionReport:
    """Counts of one conversion; ``unsupported`` lists every object not fully converted."""

    objects: int = 0
    groups: int = 0
    datasets: int = 0
    links: int = 0
    chunks_referenced: int = 0
    bytes_inlined: int = 0
    unsupported: list[UnsupportedObject] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
