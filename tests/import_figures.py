"""The figures of the import layers (README, "Developing: layers"): imports between the app modules,
how many sit inside functions, the modules caught in import circles, and the imports that go up a
layer of the contract in pyproject.toml: `.venv/bin/python tests/import_figures.py [root]` (no
database; `root` another checkout to compare). tests/cgadmin/test_layers.py fails on the last two."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
PACKAGES = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
APPS = PACKAGES["root_packages"]


def app_modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path.name.count(".") > 1:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = app_modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _targets(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parts = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*parts, *([node.module] if node.module else [])])
    return [f"{base}.{alias.name}" for alias in node.names]


def _visit(node: ast.AST, importer: str, package: str, in_function: bool, found: list[tuple[str, str, bool]]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            for target in _targets(child, package):
                imported = _resolve(target)
                if imported and imported != importer:
                    found.append((importer, imported, in_function))
        else:
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            _visit(child, importer, package, inside, found)


def imports() -> list[tuple[str, str, bool]]:
    """(importer, imported, inside a function) for every import between app modules, TYPE_CHECKING aside."""
    found: list[tuple[str, str, bool]] = []
    for importer, path in MODULES.items():
        package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
        _visit(ast.parse(path.read_text()), importer, package, False, found)
    return found


def circles(edges: list[tuple[str, str, bool]]) -> list[list[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for importer, imported, _ in edges:
        graph[importer].add(imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []
    sys.setrecursionlimit(10_000)

    def strong(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                strong(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            part = []
            while True:
                member = stack.pop()
                part.append(member)
                if member == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for node in sorted(MODULES):
        if node not in index:
            strong(node)
    return found


def layer_of() -> dict[str, int]:
    """Each listed module's place in the contract: 0 the top layer."""
    (contract,) = [c for c in PACKAGES["contracts"] if c.get("id") == "layers"]
    return {name.strip(): position for position, layer in enumerate(contract["layers"])
            for name in re.split(r"[:|]", layer) if name.strip()}


def _layer(module: str, places: dict[str, int]) -> int | None:
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in places:
            return places[".".join(parts[:end])]
    return None


if __name__ == "__main__":
    edges = imports()
    in_functions = sum(1 for *_, inside in edges if inside)
    places = layer_of()
    upward = sorted({(a, b, inside) for a, b, inside in edges
                     if _layer(a, places) is not None and _layer(b, places) is not None
                     and _layer(b, places) < _layer(a, places)})  # type: ignore[operator]
    found = circles(edges)
    print(f"imports between app modules: {len(edges)}, inside functions: {in_functions} "
          f"({100 * in_functions / max(len(edges), 1):.0f}%)")
    print(f"modules in import circles: {sum(map(len, found))} in {len(found)} circle(s)")
    for part in found:
        print(f"  circle of {len(part)}: {' '.join(part)}")
    print(f"imports that go up a layer of the contract: {len(upward)}")
    for importer, imported, inside in upward:
        print(f"  {importer} -> {imported}{' (inside a function)' if inside else ''}")
