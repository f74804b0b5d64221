"""The wheel installs under the `vigie` name only and works beside other packages.

A fresh virtualenv gets a locally built package owning a top-level `analytics`
(as Segment's analytics-python does), then Vigie's wheel. Vigie must not touch
that package, `vigie --help` must work, and every module must import from the
installed copy, never from this source tree.

To keep this cheap, the wheel is installed without its dependencies; the new
virtualenv sees this test environment's installed packages through a folder
of links (a .pth names it), minus the editable install of Vigie itself.
"""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

from tests.package_layout import ROOT, data_files, package_folders, source_modules

OTHER_ANALYTICS = "other-analytics"


def _run(args, cwd, env=None):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _pip(*args, cwd, python=None):
    """This environment's pip, acting on `python`'s environment when given."""
    target = ["--python", str(python)] if python else []
    return _run([sys.executable, "-m", "pip", *target, "--disable-pip-version-check", *args], cwd)


def _build_vigie_wheel(tmp_path):
    """Build from a copy: setuptools' build/ folder would otherwise carry stale modules."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in package_folders().values():
        shutil.copytree(folder, source / folder.name, ignore=shutil.ignore_patterns("__pycache__"))
    _pip("wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", str(tmp_path / "dist"),
         str(source), cwd=tmp_path)
    (wheel,) = (tmp_path / "dist").glob("vigie-*.whl")
    return wheel


def _other_analytics_package(tmp_path):
    project = tmp_path / OTHER_ANALYTICS
    (project / "analytics").mkdir(parents=True)
    (project / "analytics" / "__init__.py").write_text('OWNER = "other-analytics"\n')
    (project / "pyproject.toml").write_text(textwrap.dedent(f"""\
        [build-system]
        requires = ["setuptools>=77"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "{OTHER_ANALYTICS}"
        version = "1.0"

        [tool.setuptools]
        packages = ["analytics"]
        """))
    return project


def _dependency_links(tmp_path):
    """A folder linking every package installed here, except Vigie's editable install."""
    links = tmp_path / "dependencies"
    links.mkdir()
    site_packages = Path(sysconfig.get_paths()["purelib"])
    for entry in site_packages.iterdir():
        name = entry.name
        if (name.startswith(("__editable__", "vigie-", "vigie.", "__pycache__"))
                or name.endswith(".pth")):
            continue
        (links / name).symlink_to(entry)
    return links


def _fresh_venv(tmp_path, dependencies):
    target = tmp_path / "venv"
    venv.create(target, with_pip=False)
    python = target / "bin" / "python"
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                   tmp_path).stdout.strip()
    Path(purelib, "test-dependencies.pth").write_text(f"{dependencies}\n")
    return target, python, Path(purelib)


IMPORT_EVERYTHING = textwrap.dedent("""\
    import importlib, json, sys
    import flask
    import vigie.dashboard
    # Dash loads the page modules itself, and only once an app exists.
    vigie.dashboard.init_dashboard(flask.Flask("install-check"), None, None)
    files = {}
    for name in json.loads(sys.argv[1]):
        files[name] = importlib.import_module(name).__file__
    import analytics
    stray = sorted(m for m in sys.modules
                   if m.split(".")[0] in ("collector", "alerts", "dashboard", "warehouse"))
    print(json.dumps({"files": files, "analytics_owner": analytics.OWNER, "stray": stray}))
    """)

WALK_INSTALLED = textwrap.dedent("""\
    import json, pkgutil, vigie
    print(json.dumps(sorted(m.name for m in pkgutil.walk_packages(vigie.__path__, "vigie."))))
    """)


def test_the_wheel_installs_under_vigie_beside_a_package_owning_analytics(tmp_path):
    wheel = _build_vigie_wheel(tmp_path)
    target, python, purelib = _fresh_venv(tmp_path, _dependency_links(tmp_path))
    _pip("install", "--quiet", "--no-deps", "--no-build-isolation",
         str(_other_analytics_package(tmp_path)), cwd=tmp_path, python=python)
    _pip("install", "--quiet", "--no-deps", str(wheel), cwd=tmp_path, python=python)

    installed_tops = {p.name for p in purelib.iterdir()} - {"__pycache__", "test-dependencies.pth"}
    assert installed_tops == {"analytics", "vigie", "vigie-0.1.0.dist-info",
                              f"{OTHER_ANALYTICS.replace('-', '_')}-1.0.dist-info"}

    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    help_text = _run([str(target / "bin" / "vigie"), "--help"], tmp_path, env).stdout
    assert "usage: vigie" in help_text

    modules = [name for name, _ in source_modules() if not name.endswith("__main__")]
    report = json.loads(_run([str(python), "-c", IMPORT_EVERYTHING, json.dumps(modules)],
                             tmp_path, env).stdout)
    outside = {name: path for name, path in report["files"].items()
               if not Path(path).is_relative_to(purelib / "vigie")}
    assert outside == {}
    assert report["analytics_owner"] == "other-analytics"
    assert report["stray"] == []

    # Every package and data file of the source tree made it into the wheel.
    walked = json.loads(_run([str(python), "-c", WALK_INSTALLED], tmp_path, env).stdout)
    assert set(walked) == {name for name, _ in source_modules()} - {"vigie"}
    shipped = {p.relative_to(purelib).as_posix() for p in (purelib / "vigie").rglob("*")
               if p.is_file() and p.suffix not in (".py", ".pyc")}
    assert shipped == data_files()

    # Removing Vigie leaves the other package whole.
    _pip("uninstall", "--quiet", "--yes", "vigie", cwd=tmp_path, python=python)
    left = _run([str(python), "-c", "import analytics; print(analytics.OWNER)"], tmp_path, env)
    assert left.stdout.strip() == "other-analytics"
    assert not (purelib / "vigie").exists()
