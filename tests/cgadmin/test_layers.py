"""The import layers of README's developer section hold: nothing imports upward (the import-linter
contract in pyproject.toml, function-level imports counted), every app module sits in a layer,
and no import circle remains anywhere."""

import re
from pathlib import Path

import grimp
import pytest
from importlinter.api import read_configuration
from importlinter.application.use_cases import lint_imports

PYPROJECT = str(Path(__file__).resolve().parents[2] / "pyproject.toml")


@pytest.fixture(scope="module")
def contract() -> dict:
    (layers,) = [c for c in read_configuration(PYPROJECT)["contracts_options"] if c.get("id") == "layers"]
    return layers


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    roots = read_configuration(PYPROJECT)["session_options"]["root_packages"]
    return grimp.build_graph(*roots, cache_dir=None)


def _app_modules(graph: grimp.ImportGraph) -> set[str]:
    """Every module of the apps but migrations and packages' __init__ (which hold no code here)."""
    return {module for module in graph.modules
            if ".migrations" not in module and "." in module and not graph.find_children(module)}


def test_nothing_imports_upward():
    assert lint_imports(config_filename=PYPROJECT, cache_dir=None, no_logo=True), "lint-imports names the import"


def test_every_module_sits_in_a_layer(contract, graph):
    listed = {name.strip() for layer in contract["layers"] for name in re.split(r"[:|]", layer) if name.strip()}

    def placed(module: str) -> bool:
        parts = module.split(".")
        return any(".".join(parts[:end]) in listed for end in range(1, len(parts) + 1))

    unplaced = sorted(module for module in _app_modules(graph) if not placed(module))
    assert unplaced == [], "add these to a layer of the contract in pyproject.toml (README, Layers)"


def test_no_import_circle(graph):
    modules = _app_modules(graph)
    circles = [sorted(part) for part in _strongly_connected(modules, graph) if len(part) > 1]
    assert circles == []


def _strongly_connected(modules: set[str], graph: grimp.ImportGraph) -> list[set[str]]:
    """Tarjan's strongly connected components, iteratively (a module in a circle is in one of size > 1)."""
    edges = {module: sorted(graph.find_modules_directly_imported_by(module) & modules) for module in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for start in sorted(modules):
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            for offset, target in enumerate(edges[node][position:], position):
                if target not in index:
                    work.append((node, offset + 1))
                    work.append((target, 0))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                if low[node] == index[node]:
                    part = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        part.add(member)
                        if member == node:
                            break
                    found.append(part)
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
    return found
