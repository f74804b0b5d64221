"""bench/report_pages.py runs standalone: --help works and bad flags are refused."""
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "report_pages.py"


def _run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=120)


def test_help_runs_standalone():
    result = _run("--help")
    assert result.returncode == 0 and "--events" in result.stdout and "--repeat" in result.stdout


def test_bad_flags_are_refused():
    result = _run("--events", "10")
    assert result.returncode == 2 and "--events must be at least 1000" in result.stderr
    result = _run("--repeat", "0")
    assert result.returncode == 2 and "--repeat must be at least 1" in result.stderr


def test_unknown_sets_are_refused():
    result = _run("--sets", "journeys,paths")
    assert result.returncode == 2 and "--sets: unknown paths" in result.stderr
