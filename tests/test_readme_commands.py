"""The README's two commands exist, CI runs the test one, and the run command's
product path works end to end: a shortened demo in a temporary directory,
served over HTTP, logged into, and stopped with SIGTERM."""
import pathlib
import re
import signal
import socket
import subprocess
import sys
import time

import requests

ROOT = pathlib.Path(__file__).resolve().parent.parent
RUN_COMMAND = "bash scripts/demo.sh"
TEST_COMMAND = "bash scripts/test.sh"


def test_readme_has_both_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert f"\n{RUN_COMMAND}\n" in readme and f"\n{TEST_COMMAND}\n" in readme
    ci_lines = [l.strip() for l in (ROOT / ".ci" / "run").read_text().splitlines()
                if l.strip() and not l.strip().startswith("#")]
    assert ci_lines[-1] == TEST_COMMAND


def test_the_run_script_ends_in_vigie_demo():
    script = (ROOT / "scripts" / "demo.sh").read_text()
    assert 'exec .venv/bin/vigie demo "$@"' in script


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_shortened_demo_serves_the_dashboard(tmp_path):
    port = _free_port()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    # The same entry point the README's script ends in (`vigie demo`), smaller.
    process = subprocess.Popen(
        [sys.executable, "-m", "vigie", "demo", "--days", "2", "--visitors", "40", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        password, output = None, ""
        deadline = time.monotonic() + 120
        while password is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                if process.poll() is not None:
                    break
                continue
            output += line
            match = re.search(r"log in as admin@vigie\.test with password (\S+)", line)
            if match:
                password = match.group(1)
        assert password, f"no login printed; stdout={output!r} stderr={process.stderr.read() if process.poll() is not None else ''}"
        assert f"http://127.0.0.1:{port}/" in output
        assert (tmp_path / "vigie-data").is_dir()

        base = f"http://127.0.0.1:{port}"
        assert requests.get(base + "/healthz", timeout=10).json()["status"] == "ok"
        session = requests.Session()
        form = session.get(base + "/login", timeout=10)
        assert form.status_code == 200
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        login = session.post(base + "/login", timeout=10, data={
            "csrf_token": token, "email": "admin@vigie.test", "password": password, "next": "/"})
        assert login.status_code == 200 and login.url == base + "/"
        assert "_dash-config" in login.text  # the Dash app page, not the login form
        assert session.get(base + "/js/vigie.js", timeout=10).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0
