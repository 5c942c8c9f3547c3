"""Conformance support: the canonical dump and this package's side of the conformance CLI contract.

The language-neutral suite itself (vectors, runner, README) lives in the repository's ``conformance/``.
"""
from ..canonical_dump import canonical_text, dump, dump_text

__all__ = ["canonical_text", "dump", "dump_text"]
