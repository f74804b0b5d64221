"""Dependencies point one way (docs/architecture.md), read from the source with ast.

Every import counts, including those inside functions: a lazy import is still
a dependency.
"""
import ast

import pytest

from tests.package_layout import package_folders, source_modules

# Which packages each package may import, besides itself. `vigie` (settings,
# CLI, wiring) may import everything and nothing may import it, so it is not
# a target anywhere here.
ALLOWED = {
    "vigie": {"collector", "analytics", "alerts", "dashboard", "warehouse", "purchase_models"},
    "dashboard": {"analytics", "alerts", "warehouse"},
    "collector": {"warehouse"},
    "analytics": {"warehouse", "purchase_models"},
    "alerts": {"warehouse", "purchase_models"},
    "warehouse": set(),
    "purchase_models": set(),
}


def _area(module):
    """The package a vigie module belongs to: 'vigie', 'analytics', ..."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else "vigie"


def _allowed(module, target):
    return _area(module) == _area(target) or _area(target) in ALLOWED[_area(module)]


def _imports(path, modules):
    """(line, imported module) for each import in a file; `from pkg import mod` names mod."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import"
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                yield node.lineno, submodule if submodule in modules else node.module


def _vigie_imports():
    modules = dict(source_modules())
    return [(module, path, line, target)
            for module, path in modules.items()
            for line, target in _imports(path, modules)
            if target.split(".")[0] == "vigie"], modules


def test_the_area_table_covers_every_package():
    assert {_area(name) for name in package_folders()} == set(ALLOWED)


def test_imports_point_the_allowed_way():
    imports, _ = _vigie_imports()
    wrong = [f"{path}:{line}: {module} imports {target}"
             for module, path, line, target in imports
             if not _allowed(module, target)]
    assert wrong == []


def test_no_module_imports_a_folder_by_its_repository_name():
    """Installed, the folders are vigie.analytics, ...: the bare names belong to other packages."""
    bare = {folder.name for name, folder in package_folders().items() if name != "vigie"}
    found = [f"{path}:{line}: {target}"
             for module, path in source_modules()
             for line, target in _imports(path, {})
             if target.split(".")[0] in bare]
    assert found == []


def test_no_modules_import_each_other_in_a_circle():
    imports, modules = _vigie_imports()
    graph = {module: set() for module in modules}
    for module, _, _, target in imports:
        if target in graph and target != module:
            graph[module].add(target)
    assert _cycles(graph) == []


def _cycles(graph):
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            step = next(successors, None)
            if step is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif step not in index:
                index[step] = low[step] = len(index)
                stack.append(step)
                on_stack.add(step)
                work.append((step, iter(sorted(graph[step]))))
            elif step in on_stack:
                low[node] = min(low[node], index[step])
    return found


@pytest.mark.parametrize("source, allowed", [
    ("from vigie.alerts.churn_baselines import fit\n", False),
    ("def f():\n    from vigie.dashboard import app\n", False),
    ("import vigie.cli\n", False),
    ("from vigie.warehouse import open_store\n", True),
])
def test_a_wrong_way_import_is_caught(tmp_path, source, allowed):
    """The checker itself: a module of analytics importing these."""
    path = tmp_path / "probe.py"
    path.write_text(source)
    targets = [target for _, target in _imports(path, {})]
    verdicts = {_allowed("vigie.analytics.probe", target) for target in targets}
    assert verdicts == {allowed}


def test_a_circle_is_caught():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _defined_names(path):
    """Names a module binds at its top level: definitions, assignments and imports."""
    names = set()
    for node in ast.parse(path.read_text(), str(path)).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _unresolved(path, modules):
    """`from vigie.x import name` lines whose module or name the source tree does not have."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("vigie"):
            if node.module not in modules:
                yield node.lineno, node.module
                continue
            defined = _defined_names(modules[node.module])
            for alias in node.names:
                if f"{node.module}.{alias.name}" not in modules and alias.name not in defined:
                    yield node.lineno, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("vigie") and alias.name not in modules:
                    yield node.lineno, alias.name


def test_every_vigie_import_names_something_that_exists():
    """Product code, tests, benchmarks and scripts: a rename leaves no import behind."""
    modules = dict(source_modules())
    root = package_folders()["vigie"].parent
    files = [path for _, path in source_modules()] + [
        path for folder in ("tests", "bench", "scripts") for path in (root / folder).rglob("*.py")
        if "__pycache__" not in path.parts]
    missing = [f"{path}:{line}: {name}" for path in files for line, name in _unresolved(path, modules)]
    assert missing == []


def test_an_import_of_a_renamed_module_is_caught(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from vigie.collector import enrich\nfrom vigie.alerts.claims import claim\n"
                     "from vigie.warehouse import open_store, no_such_name\nimport vigie.gone\n")
    assert [name for _, name in _unresolved(probe, dict(source_modules()))] == [
        "vigie.collector.enrich", "vigie.alerts.claims", "vigie.warehouse.no_such_name", "vigie.gone"]
