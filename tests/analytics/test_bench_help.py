"""bench/analytics.py runs standalone: --help works and bad flags are refused."""
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "analytics.py"


def test_help_runs_standalone():
    result = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--events" in result.stdout and "--backend" in result.stdout


def test_too_few_events_is_refused():
    result = subprocess.run([sys.executable, str(SCRIPT), "--events", "10"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and "--events must be at least 1000" in result.stderr
