"""The package's layers: every import points down, and no modules import each other in a circle.

The layers, lowest first, are the subpackages of `corrig` (docs/architecture.md draws them):
model → inference → objectives → analysis → scenarios → faces.  A module may import its own layer
and the layers below it.  Imports are read with `ast` from the source (module-level and inside
functions alike; those under `if TYPE_CHECKING:` never run and are left out).  The only upward
imports allowed are the late-bound entry points listed in `LATE_BOUND`: `World.P`, `World.E` and
friends call the inference layer at call time, so that the friendly API lives on the world without
the model layer importing the engine when it loads.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parent.parent / "corrig"
LAYERS = ("model", "inference", "objectives", "analysis", "scenarios", "faces")
LATE_BOUND = {
    ("corrig.model.world", "corrig.inference.engine"),
    ("corrig.model.world", "corrig.inference.counterfactual"),
    ("corrig.model.world", "corrig.inference.interop"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """The line numbers inside `if TYPE_CHECKING:` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(path: Path, modules: set[str]) -> list[tuple[str, bool]]:
    """(imported corrig module, imported at module level) for each import in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    skip = _type_checking_lines(tree)
    top = {id(n) for n in tree.body}
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for target in targets:
            if target in modules and target.startswith("corrig."):
                found.append((target, id(node) in top))
    return found


def _graph() -> tuple[nx.DiGraph, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in files.items():
        for target, top_level in _imports(path, modules):
            if target != name and not target.startswith(name + "."):
                graph.add_edge(name, target, top_level=top_level)
    return graph, modules


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 2 and parts[1] in LAYERS else None


def test_every_module_is_in_a_layer():
    # Only the package's face (`corrig/__init__.py`, `__main__.py`, `errors.py`) lives outside the layers.
    _, modules = _graph()
    loose = sorted(m for m in modules if _layer(m) is None and m not in {"corrig", "corrig.__main__", "corrig.errors"}
                   and m.split(".")[-1] not in LAYERS)
    assert loose == []


def test_imports_point_down():
    graph, _ = _graph()
    upward = []
    for source, target, data in graph.edges(data=True):
        low, high = _layer(source), _layer(target)
        if low is None or high is None or high <= low:
            continue
        if (source, target) in LATE_BOUND and not data["top_level"]:
            continue
        upward.append(f"{source} -> {target}")
    assert upward == []


def test_late_bound_imports_are_inside_functions_and_still_needed():
    # Each allowed upward import is made at call time, and the list names no import that is gone.
    graph, _ = _graph()
    for source, target in LATE_BOUND:
        assert graph.has_edge(source, target), f"{source} no longer imports {target}: drop it from LATE_BOUND"
        assert not graph.edges[source, target]["top_level"]


def test_no_import_cycles():
    graph, _ = _graph()
    graph.remove_edges_from(LATE_BOUND)
    # A package's __init__ re-exports its modules; an edge into a package is an edge into its face.
    cycles = [c for c in nx.simple_cycles(graph) if len(c) > 1]
    assert cycles == []


def test_the_checker_sees_an_upward_import(tmp_path):
    # The walk finds an import placed inside a function, which is how the old circles were hidden.
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from corrig.faces.cli import main\n    return main\n")
    assert _imports(source, {"corrig.faces.cli"}) == [("corrig.faces.cli", False)]
