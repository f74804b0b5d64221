"""Where each `vigie` package lives in the repository, read from pyproject.toml.

The folders stay at the top of the repository while installing as
vigie.collector, vigie.analytics, ... ([tool.setuptools.package-dir]); the
install and import-direction tests walk the source through this mapping.
"""
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def package_folders():
    """{package name: its folder}, e.g. {"vigie.analytics": ROOT / "analytics"}."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        mapping = tomllib.load(f)["tool"]["setuptools"]["package-dir"]
    return {name: ROOT / folder for name, folder in mapping.items()}


def _module_name(package, folder, path):
    parts = path.relative_to(folder).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((package, *parts))


def source_modules():
    """[(module name, path)] of every Python module shipped, sorted by name."""
    modules = []
    for package, folder in package_folders().items():
        for path in folder.rglob("*.py"):
            if "__pycache__" not in path.parts:
                modules.append((_module_name(package, folder, path), path))
    return sorted(modules)


def data_files():
    """Relative paths (as installed under vigie/) of every non-Python file shipped."""
    files = set()
    for package, folder in package_folders().items():
        prefix = Path(*package.split("."))
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts:
                files.add((prefix / path.relative_to(folder)).as_posix())
    return files
