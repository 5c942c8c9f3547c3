"""``lindi.LindiH5pyFile`` / ``lindi.LindiH5ZarrStore`` are the classes whatever was imported first (LINDI 0.4 API)."""
from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = """
import inspect, sys, lindi
assert inspect.isclass(lindi.LindiH5pyFile), lindi.LindiH5pyFile
assert inspect.isclass(lindi.LindiH5ZarrStore), lindi.LindiH5ZarrStore
assert callable(lindi.LindiH5pyFile.from_hdf5_file)
import lindi.validation
assert lindi.validate is lindi.validation.validate, lindi.validate
print("ok")
"""

FIRST_IMPORTS = [
    "import lindi",
    "import lindi.LindiH5pyFile",
    "import lindi.LindiH5ZarrStore",
    "from lindi.LindiH5pyFile import LindiH5pyDataset",
    "import lindi.LindiH5pyFile.LindiH5pyDataset",
    "from lindi.LindiH5pyFile.LindiH5pyFile import LindiH5pyFile as C; import lindi; assert C is lindi.LindiH5pyFile",
    "import lindi.h5file.dataset as m",
    "import lindi.LocalCache.LocalCache",
    "import lindi.LindiH5ZarrStore.LindiH5ZarrStore",
    "import lindi.validation; import lindi.LindiH5pyFile",
    "from lindi.validation import validate",
    "import lindi; lindi.LindiH5pyFile; import lindi.h5file.file",
    "import lindi.LindiH5ZarrStore.LindiH5ZarrStoreOpts; import lindi.LindiH5pyFile.LindiH5pyLink",
]


@pytest.mark.parametrize("first", FIRST_IMPORTS)
def test_class_names_survive_any_import_order(first):
    proc = subprocess.run([sys.executable, "-c", first + "\n" + CHECK], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


def test_import_lindi_stays_light():
    """The lazy loader keeps h5py and zarr out of ``import lindi`` (the CLI starts fast)."""
    code = "import sys, lindi; print(sorted(m for m in ('h5py', 'zarr', 'numpy') if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


#: Exceptions that only carry a signal inside one layer and never reach a caller (retry, validator bookkeeping,
#: the chunk-index reader asking for the chunk_iter fallback).
INTERNAL_SIGNALS = {"Transient", "TooManyErrors", "ChunkProblem", "UnsupportedIndex", "IndexCorrupt"}


def test_every_public_exception_lives_in_lindi_errors_and_is_exported():
    """Each exception class a LINDI module defines publicly is lindi.errors' own, a LindiError, and lindi.<Name>."""
    import importlib
    import pkgutil

    import lindi
    import lindi.errors

    defined_elsewhere = []
    for info in pkgutil.walk_packages(lindi.__path__, "lindi."):
        if info.name == "lindi.errors" or info.name.startswith(
                ("lindi.testing", "lindi.conformance", "lindi.canonical_dump")):  # loadable by path: no lindi.errors
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (isinstance(value, type) and issubclass(value, Exception) and value.__module__ == info.name
                    and not name.startswith("_") and name not in INTERNAL_SIGNALS):
                defined_elsewhere.append(f"{info.name}.{name}")
    assert not defined_elsewhere, f"public exceptions outside lindi.errors: {defined_elsewhere}"
    exported = {n for n, v in vars(lindi.errors).items() if isinstance(v, type) and issubclass(v, Exception)}
    assert {"ReadOnlyError", "EditError", "ContainerError", "PublishError", "MissingDependencyError",
            "ChunkCodecError", "StagingError"} <= exported
    for name in exported:
        assert getattr(lindi, name) is getattr(lindi.errors, name), name
        if not issubclass(getattr(lindi.errors, name), Warning):  # warnings keep their own category
            assert issubclass(getattr(lindi.errors, name), lindi.errors.LindiError), name
    assert issubclass(lindi.errors.ReadOnlyError, ValueError)  # what h5py raises for a write in mode "r"


LINDI04_NAMES = ["LindiH5ZarrStore", "LindiH5ZarrStoreOpts", "LindiH5pyFile", "LindiH5pyGroup", "LindiH5pyDataset",
                 "LindiH5pyHardLink", "LindiH5pySoftLink", "LindiH5pyReference", "LocalCache", "ChunkTooLargeError",
                 "add_additional_url_resolver"]


def test_every_top_level_name_of_lindi04_exists():
    import h5py

    import lindi

    missing = [n for n in LINDI04_NAMES if not hasattr(lindi, n)]
    assert missing == []
    assert issubclass(lindi.LindiH5pySoftLink, h5py.SoftLink) and issubclass(lindi.LindiH5pyHardLink, h5py.HardLink)
    assert issubclass(lindi.ChunkTooLargeError, Exception)


#: LINDI 0.4's public module paths and the public names each defined (``lindi/**/*.py`` of the 0.4 release).
LINDI04_MODULES = {
    "lindi.LindiH5pyFile": ["LindiH5pyFile", "LindiH5pyDataset", "LindiH5pyGroup", "LindiH5pySoftLink",
                            "LindiH5pyHardLink", "LindiH5pyReference"],
    "lindi.LindiH5pyFile.LindiH5pyFile": ["LindiH5pyFile"],
    "lindi.LindiH5pyFile.LindiH5pyAttributes": ["LindiH5pyAttributes"],
    "lindi.LindiH5pyFile.LindiH5pyDataset": ["LindiH5pyDataset"],
    "lindi.LindiH5pyFile.LindiH5pyGroup": ["LindiH5pyGroup"],
    "lindi.LindiH5pyFile.LindiH5pyLink": ["LindiH5pyHardLink", "LindiH5pySoftLink"],
    "lindi.LindiH5pyFile.LindiH5pyReference": ["LindiH5pyReference"],
    "lindi.LindiH5ZarrStore": ["LindiH5ZarrStore", "LindiH5ZarrStoreOpts"],
    "lindi.LindiH5ZarrStore.LindiH5ZarrStore": ["LindiH5ZarrStore"],
    "lindi.LindiH5ZarrStore.LindiH5ZarrStoreOpts": ["LindiH5ZarrStoreOpts"],
    "lindi.LocalCache.LocalCache": ["LocalCache", "ChunkTooLargeError"],
    "lindi.LindiRemfile.additional_url_resolvers": ["add_additional_url_resolver"],
    "lindi.conversion.attr_conversion": ["h5_to_zarr_attr"],
    "lindi.tar.lindi_tar": ["LindiTarFile"],
}


@pytest.mark.parametrize("module_name", sorted(LINDI04_MODULES))
def test_lindi04_module_paths_import_with_their_names(module_name):
    """Each path imports in a fresh interpreter and serves the same objects as ``lindi.<Name>`` / the new home."""
    names = LINDI04_MODULES[module_name]
    code = (f"import importlib, inspect, lindi; m = importlib.import_module({module_name!r})\n"
            f"for n in {names!r}:\n"
            "    v = getattr(m, n); assert callable(v), (n, v)\n"
            "    assert getattr(lindi, n, v) is v, n\n"
            "print('ok')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
