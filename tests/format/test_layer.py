"""The format layer is the bottom: it imports numpy and lindi.errors only, and the reader does not need the converter."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import lindi

PACKAGE = Path(lindi.__file__).parent


def _imports(path: Path) -> set[str]:
    """Absolute names of the modules a file imports (relative imports resolved against its package)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            names.add(f"{base}.{node.module}" if node.level and node.module else base if node.level else node.module or "")
    return names


def test_format_imports_only_numpy_and_errors():
    allowed = {"numpy", "lindi.errors", "__future__", "typing"}
    for path in sorted((PACKAGE / "format").glob("*.py")):
        for name in _imports(path):
            inside = name.startswith("lindi.format")
            assert inside or name in allowed, f"{path.name} imports {name}"


def test_importing_format_loads_no_h5py_or_zarr():
    modules = ", ".join(f"lindi.format.{p.stem}" for p in sorted((PACKAGE / "format").glob("*.py")))
    code = f"import sys, {modules}; print(sorted(m for m in ('h5py', 'zarr', 'numcodecs') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_reader_does_not_import_the_converter():
    """Reading (regions, dtypes, attributes) needs no converter; only ``from_hdf5_file`` loads it, when called."""
    modules = ", ".join(f"lindi.h5file.{p.stem}" for p in sorted((PACKAGE / "h5file").glob("*.py")) if p.stem != "__init__")
    code = f"import sys, {modules}; print(sorted(m for m in sys.modules if m.startswith('lindi.conversion')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"
