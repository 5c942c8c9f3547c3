"""The import graph of ``lindi/`` follows the layers of ``docs/ARCHITECTURE.md``.

Every ``import`` and ``from ... import`` in every module is read from its syntax tree: at module level,
inside functions and under ``TYPE_CHECKING`` alike (a lazy import is still a dependency). Each module
belongs to a unit (a top-level package or module, see :data:`UNITS`) and each unit to a layer. An import
may go down to a lower layer, or across to a unit of the same layer that the table lists for it
(:data:`ACROSS`); anything else is a violation, and so is any cycle between units. :data:`KNOWN_EXCEPTIONS`
is where an arrow against the table would have to be named with its reason; it is empty.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import lindi

PACKAGE = Path(lindi.__file__).resolve().parent

#: Unit -> layer, as in the table of docs/ARCHITECTURE.md (0 at the bottom).
LAYER_OF_UNIT = {
    "vocabulary": 0, "format": 0,
    "codecs": 1, "security": 1, "canonical_dump": 1, "container_layout": 1,
    "backends": 2,
    "cache": 3, "store": 3, "validation": 3, "remote_file": 3,
    "conversion": 4, "staging": 4,
    "reader": 5,
    "editing": 6,
    "cli": 7, "inspection": 7, "batch": 7, "conformance": 7, "demo": 7, "testing": 7,
    "compat": 8,
}

#: Top-level name under ``lindi/`` -> unit. LINDI 0.4's ``LindiH5pyFile``, ``LindiH5ZarrStore``, ``LocalCache``,
#: ``LindiRemfile`` and ``tar`` are compatibility shims of ``h5file``, ``conversion``, ``cache`` and ``store``.
UNITS = {
    "errors": "vocabulary", "strict_json": "vocabulary", "_version": "vocabulary", "_atomic": "vocabulary",
    "_locking": "vocabulary", "_urls": "vocabulary", "_compat": "vocabulary", "_lazy": "vocabulary",
    "format": "format",
    "codecs": "codecs", "security": "security", "canonical_dump": "canonical_dump",
    "container_layout": "container_layout", "backends": "backends",
    "cache": "cache", "store": "store", "validation": "validation", "remote_file": "remote_file",
    "conversion": "conversion", "h5file": "reader",
    "editing": "editing", "staging": "staging",
    "cli": "cli", "inspection": "inspection", "batch": "batch", "conformance": "conformance", "demo": "demo",
    "testing": "testing",
    "LindiH5pyFile": "compat", "LindiH5ZarrStore": "compat", "LocalCache": "compat", "LindiRemfile": "compat",
    "tar": "compat",
}

#: Imports across one layer that the table allows (importer unit -> imported units). Layer 0 modules may
#: import ``lindi.errors`` and nothing else of lindi (see :func:`_allowed`; ``format`` also its own modules).
ACROSS = {
    "security": {"codecs"},  # limits.vet_zarray checks codec ids against the registry and sizes chunks
    "store": {"cache"},
    "cli": {"inspection", "batch", "conformance", "demo"},
    "compat": {"compat"},
}

#: Arrows allowed against the table, each ``(importer unit, imported unit)`` with the reason. Empty: keep it so.
#: An entry whose arrow no longer exists fails the test, so a removed arrow cannot come back unnoticed.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file()


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The ``lindi`` modules an import statement loads (``from lindi import X``: the module X names)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[:len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    out = []
    for alias in node.names:
        if _is_module(f"{source}.{alias.name}"):
            out.append(f"{source}.{alias.name}")
        elif source == "lindi":
            out.append(_root_name(alias.name))
        else:
            out.append(source)
    return list(dict.fromkeys(out))


def _root_name(name: str) -> str:
    """The module behind ``lindi.<name>``: the lazy public names, the exceptions and the version."""
    if name in lindi._LAZY:
        return lindi._LAZY[name]
    if name in lindi._ERRORS:
        return "lindi.errors"
    if name == "__version__":
        return "lindi._version"
    raise AssertionError(f"lindi.{name} is neither a submodule nor a public name")


def _unit(module: str) -> str | None:
    """The unit of a ``lindi`` module (None for the root package, whose import loads only layer 0)."""
    parts = module.split(".")
    if parts[0] != "lindi":
        raise ValueError(module)
    if len(parts) == 1:
        return None
    unit = UNITS.get(parts[1])
    assert unit is not None, (f"lindi.{parts[1]} is in no layer: add it to the table in docs/ARCHITECTURE.md "
                              "and to UNITS in tests/test_layers.py")
    return unit


def import_edges() -> list[tuple[str, str, str, int]]:
    """``(importer module, imported module, file, line)`` for every import of a ``lindi`` module."""
    edges = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _targets(node, module, path.name == "__init__.py"):
                    if target == "lindi" or target.startswith("lindi."):
                        edges.append((module, target, str(path.relative_to(PACKAGE.parent)), node.lineno))
    return edges


def _allowed(importer: str, imported: str, importer_module: str, imported_module: str) -> bool:
    if importer == imported and importer != "vocabulary":
        return True
    if LAYER_OF_UNIT[importer] == 0:  # vocabulary and format
        return imported_module == "lindi.errors"
    lower = LAYER_OF_UNIT[imported] < LAYER_OF_UNIT[importer]
    return lower or imported in ACROSS.get(importer, set()) or (importer, imported) in KNOWN_EXCEPTIONS


def test_every_unit_has_a_layer():
    assert set(UNITS.values()) == set(LAYER_OF_UNIT)
    names = {p.stem if p.suffix == ".py" else p.name for p in PACKAGE.iterdir()
             if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()}
    missing = sorted(names - set(UNITS))
    assert not missing, f"modules in no layer (add them to docs/ARCHITECTURE.md and UNITS): {missing}"


def test_imports_go_down_the_layers():
    bad = []
    for module, target, path, line in import_edges():
        importer, imported = _unit(module), _unit(target)
        if importer is None or imported is None:
            continue
        if not _allowed(importer, imported, module, target):
            bad.append(f"{path}:{line}: {module} -> {target} ({importer}, layer {LAYER_OF_UNIT[importer]} -> "
                       f"{imported}, layer {LAYER_OF_UNIT[imported]})")
    assert not bad, "imports against the layers of docs/ARCHITECTURE.md:\n" + "\n".join(bad)


def test_known_exceptions_still_exist():
    """An allow-listed arrow that is gone must leave the list, so that it cannot come back unnoticed."""
    present = {(_unit(m), _unit(t)) for m, t, _, _ in import_edges()}
    stale = sorted(KNOWN_EXCEPTIONS - present)
    assert not stale, f"these arrows are gone; delete them from KNOWN_EXCEPTIONS: {stale}"


def test_no_cycle_between_units():
    graph: dict[str, set[str]] = defaultdict(set)
    where: dict[tuple[str, str], str] = {}
    for module, target, path, line in import_edges():
        importer, imported = _unit(module), _unit(target)
        if importer is None or imported is None or importer == imported:
            continue
        if (importer, imported) in KNOWN_EXCEPTIONS:
            continue
        graph[importer].add(imported)
        where.setdefault((importer, imported), f"{path}:{line}: {module} -> {target}")
    cycles = _cycles(graph)
    assert not cycles, "import cycles between units:\n" + "\n".join(
        " -> ".join(cycle) + "\n  " + "\n  ".join(where[(a, b)] for a, b in zip(cycle, cycle[1:]))
        for cycle in cycles)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (``[a, b, ..., a]``) through each unit that lies on a cycle, found by depth-first search."""
    found: list[list[str]] = []
    on_cycle: set[str] = set()
    for start in sorted(graph):
        if start in on_cycle:
            continue
        stack = [(start, [start])]
        seen = set()
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    found.append(path + [start])
                    on_cycle.update(path)
                    stack.clear()
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))
    return found


def test_the_checker_sees_what_it_must(tmp_path):
    """The edge reader understands relative, absolute, lazy and ``from lindi import name`` imports."""
    source = ("from .. import strict_json\nfrom ..errors import LindiError\nimport lindi.backends.urls\n"
              "def f():\n    from lindi import validate\n    from ..staging import containers\n")
    tree = ast.parse(source)
    targets = [t for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
               for t in _targets(node, "lindi.store.document", False)]
    assert sorted(targets) == sorted(["lindi.strict_json", "lindi.errors", "lindi.backends.urls",
                                      "lindi.validation", "lindi.staging.containers"])
    assert not _allowed("store", "staging", "lindi.store.document", "lindi.staging.containers")
    assert not _allowed("vocabulary", "vocabulary", "lindi._atomic", "lindi.strict_json")
    assert _allowed("vocabulary", "vocabulary", "lindi.strict_json", "lindi.errors")
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
