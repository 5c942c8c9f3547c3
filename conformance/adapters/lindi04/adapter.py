"""LINDI 0.4.6 behind the conformance CLI contract (a second, independent implementation for the suite).

Run it with the Python of a virtualenv that has lindi==0.4.6 (see setup.sh), in isolated mode (-I) so the
repository's own `lindi` package is not imported instead. The canonical dump and the op-list replay are
loaded from this repository by file path: they need only h5py and numpy, which 0.4.6 brings.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_DIR = os.path.join(HERE, "..", "..", "..", "lindi")


def _load(relative_path: str):
    """The module at ``lindi/<relative_path>`` of this repository, loaded by path (not as ``lindi.*``)."""
    name = os.path.splitext(os.path.basename(relative_path))[0]
    spec = importlib.util.spec_from_file_location(f"_conformance_{name}", os.path.join(PACKAGE_DIR, relative_path))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def capabilities() -> dict:
    import lindi  # noqa: F401
    from importlib.metadata import version

    # Honest claims: 0.4.6 has no validator and predates spec 1.0 (no .lindi keys: enums, attribute
    # types, hard/external links, null dataspaces are unknown to it); it reads LINDI 0.4 documents
    # over local paths and HTTP, and it can write new files.
    return {"implementation": {"name": "lindi-0.4", "version": version("lindi"), "language": "python"},
            "suite": "1.0", "commands": ["dump", "write", "serve"],
            "features": ["legacy", "http", "spec-1.0", "numeric", "bool_complex", "strings", "compound", "vlen",
                         "scalars", "references", "layouts", "filters", "hierarchy"]}


def dump(path_or_url: str) -> str:
    import lindi

    f = lindi.LindiH5pyFile.from_lindi_file(path_or_url)
    try:
        return _load("canonical_dump.py").dump_text(f)
    finally:
        f.close()


def write(ops_path: str, out_path: str) -> dict:
    import lindi

    with open(ops_path, encoding="utf-8") as fh:
        ops = json.load(fh)
    f = lindi.LindiH5pyFile.from_lindi_file(out_path, mode="w")
    try:
        _load("conformance/ops.py").replay(ops, f)
    finally:
        f.close()  # 0.4.6 writes the document on close
    return {"written": out_path}


COMMANDS = {"capabilities": (capabilities, 0), "dump": (dump, 1), "write": (write, 2)}


def answer(args: list) -> tuple:
    if not args or args[0] not in COMMANDS or len(args) != COMMANDS[args[0]][1] + 1:
        return 2, json.dumps({"error": f"unsupported request {args}"}) + "\n"
    try:
        result = COMMANDS[args[0]][0](*args[1:])
    except Exception as exc:  # 0.4.6 raises plain Exceptions on input it cannot read
        return 1, json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n"
    return 0, result if isinstance(result, str) else json.dumps(result) + "\n"


def main() -> int:
    if sys.argv[1:] == ["serve"]:
        for line in sys.stdin:
            code, text = answer(json.loads(line)["args"])
            sys.stdout.write(json.dumps({"exit": code, "stdout": text}) + "\n")
            sys.stdout.flush()
        return 0
    code, text = answer(sys.argv[1:])
    sys.stdout.write(text)
    return code


if __name__ == "__main__":
    sys.exit(main())
