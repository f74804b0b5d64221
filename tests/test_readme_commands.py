"""The README's two commands exist, CI runs the test one, and the run command's
product path works end to end: a shortened demo in a temporary directory,
served over HTTP, logged into, and stopped with SIGTERM."""
import pathlib
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import requests

ROOT = pathlib.Path(__file__).resolve().parent.parent
RUN_COMMAND = "bash scripts/demo.sh"
TEST_COMMAND = "bash scripts/test.sh"


def readme_commands():
    """The README's one-line shell code blocks, in order."""
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [block.strip() for block in blocks if "\n" not in block.strip()]


def test_readme_has_both_commands_and_ci_runs_the_test_one():
    assert readme_commands()[:2] == [RUN_COMMAND, TEST_COMMAND]
    ci_lines = [l.strip() for l in (ROOT / ".ci" / "run").read_text().splitlines()
                if l.strip() and not l.strip().startswith("#")]
    assert ci_lines[-1] == TEST_COMMAND


def demo_entry_point():
    """The vigie arguments the run script ends in, before the user's own."""
    last = (ROOT / RUN_COMMAND.split()[-1]).read_text().strip().splitlines()[-1]
    match = re.fullmatch(r'exec \.venv/bin/vigie (.+) "\$@"', last)
    assert match, f"scripts/demo.sh should end by running vigie, not {last!r}"
    return match.group(1).split()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_lines_into(stream, lines):
    """Collect a child's output lines on a thread, so waiting for one can time out."""
    thread = threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True)
    thread.start()
    return thread


def wait_for_login(lines, deadline):
    """(password, everything printed so far) once the demo prints its login line."""
    output = ""
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        output += line
        match = re.search(r"log in as admin@vigie\.test with password (\S+)", line)
        if match:
            return match.group(1), output
    return None, output


def test_shortened_demo_serves_the_dashboard(tmp_path):
    assert demo_entry_point() == ["demo"]
    port = _free_port()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    stderr_path = tmp_path / "stderr.log"
    # The same entry point the README's script ends in (`vigie demo`), smaller.
    with open(stderr_path, "w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "vigie", *demo_entry_point(),
             "--days", "2", "--visitors", "40", "--port", str(port)],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True)
    lines = queue.Queue()
    read_lines_into(process.stdout, lines)
    try:
        password, output = wait_for_login(lines, time.monotonic() + 120)
        assert password, f"no login printed; stdout={output!r} stderr={stderr_path.read_text()!r}"
        assert f"http://127.0.0.1:{port}/" in output
        assert (tmp_path / "vigie-data").is_dir()

        base = f"http://127.0.0.1:{port}"
        # The login is announced when the server listens; the worker may still
        # be building the app, so the first request may wait a little.
        assert requests.get(base + "/healthz", timeout=30).json()["status"] == "ok"
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
            process.wait(timeout=10)
            raise
    assert process.returncode == 0, stderr_path.read_text()
    assert "Traceback" not in stderr_path.read_text()
