"""SQL lives in the query modules of the package owning the tables (docs/architecture.md).

warehouse holds the SQL of Vigie's own tables, analytics and alerts their
own; the collector, the dashboard and `vigie` (settings, CLI, wiring) call
those functions and hold no SQL.
"""
import ast
import re

from tests.package_layout import package_folders, source_modules

# The packages without SQL; `vigie` means its own modules, not those installed beneath it.
WITHOUT_SQL = ("vigie", "vigie.collector", "vigie.dashboard", "vigie.purchase_models")
_SQL = re.compile(r"^\s*(SELECT|INSERT|ALTER|CREATE|DROP|OPTIMIZE|TRUNCATE|RENAME)\s|\sFROM\s+\w+\s+WHERE\s")
_QUERY_CALLS = {"query", "query_value", "query_frame", "execute"}


def _package_of(module):
    """The package in pyproject's package-dir a module belongs to (the longest that fits)."""
    return max((name for name in package_folders() if module == name or module.startswith(name + ".")),
               key=len)


def _sql_in(path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL.search(node.value):
            yield node.lineno, node.value.strip()[:60]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in _QUERY_CALLS and isinstance(node.func.value, ast.Name)
              and "store" in node.func.value.id):
            yield node.lineno, f"{node.func.value.id}.{node.func.attr}(...)"


def test_collector_dashboard_and_vigie_hold_no_sql():
    found = [f"{path}:{line}: {text}" for module, path in source_modules() if _package_of(module) in WITHOUT_SQL
             for line, text in _sql_in(path)]
    assert found == []


def test_the_check_sees_sql(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('def f(store):\n    store.query_value("SELECT count() FROM events WHERE site = 1")\n'
                     '    other_store.execute(build())\n    "pick a site FROM list WHERE you like"\n')
    assert sorted(line for line, _ in _sql_in(probe)) == [2, 2, 3, 4]
