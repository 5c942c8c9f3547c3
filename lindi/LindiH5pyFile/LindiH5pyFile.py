"""LINDI 0.4's import path ``lindi.LindiH5pyFile.LindiH5pyFile`` (a re-export of :mod:`.file`)."""
from .file import LindiH5pyFile

__all__ = ["LindiH5pyFile"]
