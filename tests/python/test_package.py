"""The package's structure: every module imports on its own in a fresh interpreter, and the
graph of imports between its modules (including those inside functions) has no cycle."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

import gatesim

PACKAGE = Path(gatesim.__file__).resolve().parent
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def imported_modules(path: Path) -> set[str]:
    """Sibling modules a module imports anywhere in its body: `from . import x`, `from .x import
    y`, `import gatesim.x`, `from gatesim import x`, `from gatesim.x import y`."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            relative = node.level == 1
            absolute = node.level == 0 and node.module is not None and node.module.split(".")[0] == "gatesim"
            if not (relative or absolute):
                continue
            inner = (node.module or "") if relative else node.module.partition(".")[2]
            if inner:
                found.add(inner.split(".")[0])
            else:
                found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "gatesim" and len(parts) > 1:
                    found.add(parts[1])
    return {m for m in found if m in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_import_graph_is_acyclic():
    graph = {m: imported_modules(PACKAGE / f"{m}.py") for m in MODULES}
    assert graph["results"] and graph["studies"], "the parser sees the package's imports"
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_alone(module):
    result = subprocess.run([sys.executable, "-c", f"import gatesim.{module}"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
