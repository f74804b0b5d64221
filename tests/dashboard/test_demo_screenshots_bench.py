"""bench/demo_screenshots.py runs standalone: --help works and bad flags are refused."""
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "demo_screenshots.py"


def _run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=120)


def test_help_runs_standalone():
    result = _run("--help")
    assert result.returncode == 0 and "--out" in result.stdout and "--runs" in result.stdout


def test_bad_flags_are_refused():
    result = _run("--runs", "0")
    assert result.returncode == 2 and "must be at least 1, not 0" in result.stderr
