"""The README's two commands exist, CI runs the test one, and a newcomer's paths
work end to end from a clean clone with no virtualenv: `bash scripts/demo.sh`
(a shortened demo, served over HTTP, signed into, stopped with SIGTERM), and
`pip install .` followed by `vigie --help` and `vigie serve`."""
import os
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


def newcomer_environment(home):
    """A shell as a newcomer has it: no virtualenv active, no Vigie settings.

    The package cache stays: CI's own install has just filled it, and a
    newcomer's second install would use theirs too.
    """
    venv_bin = str(pathlib.Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("VIGIE_") and k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "/usr/bin:/bin").split(os.pathsep)
                                  if p != venv_bin)
    env.setdefault("PIP_CACHE_DIR", str(pathlib.Path.home() / ".cache" / "pip"))
    env["HOME"] = str(home)
    return env


def clean_clone(tmp_path):
    """A fresh clone of the commit under test: no .venv, no data, nothing built."""
    clone = tmp_path / "vigie"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)],
                   check=True, timeout=120, capture_output=True)
    assert not (clone / ".venv").exists()
    return clone


def sign_in_and_open_the_overview(base, password):
    session = requests.Session()
    form = session.get(base + "/login", timeout=30)
    assert form.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    login = session.post(base + "/login", timeout=30, data={
        "csrf_token": token, "email": "admin@vigie.test", "password": password, "next": "/"})
    assert login.status_code == 200 and login.url == base + "/"
    assert "_dash-config" in login.text  # the Dash app page, not the login form
    layout = session.get(base + "/_dash-layout", timeout=60)
    assert layout.status_code == 200 and "overview" in layout.text.lower()
    assert session.get(base + "/js/vigie.js", timeout=30).status_code == 200


def stop(process, stderr_path):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
        raise
    assert process.returncode == 0, stderr_path.read_text()[-4000:]
    assert "Traceback" not in stderr_path.read_text()


def test_the_run_command_works_from_a_clean_clone(tmp_path):
    """`bash scripts/demo.sh` as the README says, in a fresh clone: it makes its own
    .venv, installs Vigie, loads a shortened demo and serves it; we sign in and
    read the overview over HTTP, then stop it."""
    assert demo_entry_point() == ["demo"]
    clone = clean_clone(tmp_path)
    port = _free_port()
    stderr_path = tmp_path / "stderr.log"
    with open(stderr_path, "w") as stderr:
        process = subprocess.Popen(
            ["bash", *RUN_COMMAND.split()[1:], "--days", "2", "--visitors", "40", "--port", str(port)],
            cwd=clone, env=newcomer_environment(tmp_path), stdout=subprocess.PIPE, stderr=stderr,
            text=True)
    lines = queue.Queue()
    read_lines_into(process.stdout, lines)
    try:
        # Installing into a new virtualenv from the package cache takes a minute or two.
        password, output = wait_for_login(lines, time.monotonic() + 600)
        assert password, f"no login printed; stdout={output[-4000:]!r} stderr={stderr_path.read_text()[-4000:]!r}"
        assert f"http://127.0.0.1:{port}/" in output
        assert (clone / ".venv" / "bin" / "vigie").exists()
        assert (clone / "vigie-data").is_dir()
        base = f"http://127.0.0.1:{port}"
        # The login is announced when the server listens; the worker may still
        # be building the app, so the first request may wait a little.
        assert requests.get(base + "/healthz", timeout=60).json()["status"] == "ok"
        sign_in_and_open_the_overview(base, password)
    finally:
        stop(process, stderr_path)


def test_pip_install_gives_a_working_vigie(tmp_path):
    """The README's "Use it for real": `pip install .` into a new virtualenv (not
    editable, no extras), then `vigie --help` and `vigie serve` answering /healthz."""
    clone = clean_clone(tmp_path)
    env = newcomer_environment(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run(["python3", "-m", "venv", str(venv)], env=env, check=True, timeout=120)
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         str(clone)], env=env, capture_output=True, text=True, timeout=900)
    assert installed.returncode == 0, installed.stderr[-4000:]
    shown = subprocess.run([str(venv / "bin" / "vigie"), "--help"], env=env, capture_output=True,
                           text=True, timeout=120)
    assert shown.returncode == 0 and shown.stdout.startswith("usage: vigie"), shown.stderr
    port = _free_port()
    work = tmp_path / "run"
    work.mkdir()
    stderr_path = tmp_path / "serve.log"
    with open(stderr_path, "w") as stderr:
        process = subprocess.Popen([str(venv / "bin" / "vigie"), "serve", "--port", str(port)],
                                   cwd=work, env=env, stdout=stderr, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        health = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.5)
        assert health is not None, stderr_path.read_text()[-4000:]
        assert health.status_code == 200 and health.json()["status"] == "ok"
    finally:
        stop(process, stderr_path)
