"""The library's layering, read from the source with ``ast`` (nothing is imported, so no torch):
data/ never imports metrics/, no two parts of lightning_modules/ import each other even through
a third, and the library never imports experiments/ or analysis/. A part is a subpackage
(``data``) or a top-level module (``text``); imports inside functions count as much as those at
the top of a module."""

import ast
import sys
from collections import defaultdict
from pathlib import Path

import lightning_modules

ROOT = Path(lightning_modules.__file__).parent
PARTS = ("data", "metrics", "models", "world", "decoding", "callbacks", "text", "selection")


def module_name(path: Path) -> str:
    """Dotted name of a source file of the library (``lightning_modules.data.qa_data``)."""
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, int]]:
    """``(absolute dotted name, line)`` of everything the library file ``path`` imports."""
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    return imported_names(path.read_text(encoding="utf-8"), package)


def imported_names(source: str, package: str) -> list[tuple[str, int]]:
    """``(absolute dotted name, line)`` of every import in ``source``, at any depth, relative
    ones resolved against ``package``.

    ``from package import name`` gives ``package.name`` as well as ``package``, so that
    ``from lightning_modules import text`` counts as an import of ``text``.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.append((base, node.lineno))
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return found


def part(name: str) -> str | None:
    """The subpackage or top-level module of the library that ``name`` lies in, else None."""
    pieces = name.split(".")
    return pieces[1] if pieces[0] == "lightning_modules" and len(pieces) > 1 else None


def sources() -> list[Path]:
    """Every Python file of the library."""
    return sorted(ROOT.rglob("*.py"))


def graph() -> dict[str, dict[str, set[str]]]:
    """``graph[a][b]``: the ``file:line`` places where part ``a`` imports part ``b``."""
    edges = defaultdict(lambda: defaultdict(set))
    for path in sources():
        source = part(module_name(path))
        for name, line in imports(path):
            target = part(name)
            if source and target and target != source:
                edges[source][target].add(f"{path.relative_to(ROOT.parent)}:{line}")
    return edges


def reachable(edges, start: str) -> set[str]:
    """The parts that ``start`` imports directly or through other parts."""
    seen, todo = set(), [start]
    while todo:
        for nxt in edges.get(todo.pop(), {}):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def places(edges, a: str, b: str) -> str:
    """Where ``a`` imports ``b`` directly, or "other parts" where it does only through them."""
    return ", ".join(sorted(edges.get(a, {}).get(b, []))) or "other parts"


def test_every_named_part_exists():
    found = {part(module_name(path)) for path in sources()}
    assert set(PARTS) <= found, f"missing: {set(PARTS) - found}"


def test_data_does_not_import_metrics():
    bad = {f"{path.relative_to(ROOT.parent)}:{line}"
           for path in sorted((ROOT / "data").rglob("*.py"))
           for name, line in imports(path) if part(name) == "metrics"}
    assert not bad, "data/ imports metrics/ at " + ", ".join(sorted(bad))


def test_no_import_cycle_between_parts():
    edges = graph()
    names = sorted(set(PARTS) | set(edges))
    reach = {name: reachable(edges, name) for name in names}
    cycles = [f"{a} <-> {b}: {a} -> {b} at {places(edges, a, b)}; "
              f"{b} -> {a} at {places(edges, b, a)}"
              for i, a in enumerate(names) for b in names[i + 1:]
              if b in reach[a] and a in reach[b]]
    assert not cycles, "\n".join(cycles)


def test_library_does_not_import_experiments_or_analysis():
    bad = {f"{path.relative_to(ROOT.parent)}:{line} imports {name.split('.')[0]}"
           for path in sources() for name, line in imports(path)
           if name.split(".")[0] in ("experiments", "analysis")}
    assert not bad, "\n".join(sorted(bad))


def test_text_imports_only_the_standard_library():
    names = {name.split(".")[0] for name, _ in imports(ROOT / "text.py")}
    assert names <= set(sys.stdlib_module_names), names


def test_imports_inside_functions_relative_and_from_the_package_count():
    source = ("from lightning_modules import text\n"
              "def f():\n    from ..metrics import answers\n    from . import qa_data\n")
    found = imported_names(source, "lightning_modules.data")
    assert ("lightning_modules.text", 1) in found
    assert ("lightning_modules.metrics.answers", 3) in found
    assert ("lightning_modules.data.qa_data", 4) in found
    assert {part(name) for name, _ in found} == {None, "text", "metrics", "data"}


def project_modules() -> dict[str, Path]:
    """Every module of the three packages (library, experiments, analysis) by dotted name."""
    root = ROOT.parent
    return {".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): p
            for package in ("lightning_modules", "experiments", "analysis")
            for p in sorted((root / package).rglob("*.py"))}


def module_edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    """``edges[a]``: the project modules that module ``a`` imports, at any depth."""
    edges = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = {n for n, _ in imported_names(path.read_text(encoding="utf-8"), package)}
        edges[name] = {n for n in found if n in modules and n != name}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(10000)
    for node in edges:
        if node not in index:
            visit(node)
    return groups


def test_cycles_finds_a_circle_and_nothing_else():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_two_modules_import_each_other_even_through_others():
    assert cycles(module_edges(project_modules())) == []
