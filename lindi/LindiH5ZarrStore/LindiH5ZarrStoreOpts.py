"""Re-export of the conversion options under their LINDI 0.4 module name."""
from __future__ import annotations

from ..conversion.options import LindiH5ZarrStoreOpts

__all__ = ["LindiH5ZarrStoreOpts"]
