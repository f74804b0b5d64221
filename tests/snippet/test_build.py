"""The tracker build: terser from the lock file, the size budget, and the
committed collector/static/vigie.js being exactly what the source builds to."""
import gzip
import json
import os
import re
import shutil
import subprocess

import pytest

from tests.snippet.conftest import REPO, TRACKER, VITALS

SNIPPET = os.path.join(REPO, "js-snippet")
BUDGET = 1536


def run(args, timeout):
    return subprocess.run(args, cwd=SNIPPET, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def node():
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("node and npm are needed to build the tracker (apt-get install nodejs npm)")
    if not os.path.isdir(os.path.join(SNIPPET, "node_modules", "terser")):
        done = run([npm, "ci", "--no-audit", "--no-fund"], timeout=300)
        assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"
    return node


def build(node, out, *extra):
    return run([node, "build.mjs", "--out", str(out), *extra], timeout=120)


def test_build_is_within_budget_and_matches_the_committed_file(node, tmp_path):
    out = tmp_path / "vigie.js"
    done = build(node, out)
    assert done.returncode == 0, done.stdout + done.stderr
    built = out.read_bytes()
    # The build reports both sizes (gzip level 9 with node's zlib) ...
    reported = re.search(r"(\d+) bytes raw, (\d+) bytes gzipped", done.stdout)
    assert reported, done.stdout
    assert int(reported.group(1)) == len(built)
    assert int(reported.group(2)) <= BUDGET
    # ... and another deflate implementation agrees it is within budget.
    assert len(gzip.compress(built, compresslevel=9)) <= BUDGET
    with open(TRACKER, "rb") as f:
        committed = f.read()
    assert committed == built, (
        "collector/static/vigie.js is stale: run `npm run build` in js-snippet/ and commit it")


def test_terser_is_pinned_and_locked():
    with open(os.path.join(SNIPPET, "package.json"), encoding="utf-8") as f:
        package = json.load(f)
    with open(os.path.join(SNIPPET, "package-lock.json"), encoding="utf-8") as f:
        lock = json.load(f)
    assert package["scripts"]["build"] == "node build.mjs"
    pinned = package["devDependencies"]["terser"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), f"terser must be an exact version, not {pinned!r}"
    assert lock["packages"]["node_modules/terser"]["version"] == pinned
    assert lock["packages"][""]["devDependencies"]["terser"] == pinned


def test_build_fails_over_budget(node, tmp_path):
    done = build(node, tmp_path / "vigie.js", "--budget", "500")
    assert done.returncode == 1
    assert "over budget" in done.stderr


def test_minified_file_has_no_source_comments_or_storage_writes():
    with open(TRACKER, encoding="utf-8") as f:
        code = f.read()
    assert "/*" not in code and "\n" not in code.rstrip("\n")
    for forbidden in ("document.cookie", "setItem", "sessionStorage", "indexedDB"):
        assert forbidden not in code


VITALS_BUDGET = 1280


def test_vitals_script_is_within_its_own_budget_and_matches_the_committed_file(node, tmp_path):
    out = tmp_path / "vitals.js"
    done = build(node, out, "--entry", "vitals")
    assert done.returncode == 0, done.stdout + done.stderr
    built = out.read_bytes()
    assert len(gzip.compress(built, compresslevel=9)) <= VITALS_BUDGET
    with open(VITALS, "rb") as f:
        assert f.read() == built, (
            "collector/static/vitals.js is stale: run `npm run build` in js-snippet/ and commit it")
    code = built.decode()
    for forbidden in ("document.cookie", "setItem", "sessionStorage", "indexedDB"):
        assert forbidden not in code
