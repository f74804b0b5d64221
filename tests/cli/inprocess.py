"""Run `vigie ARGS...` inside the test process, through vigie.cli.main.

A subprocess costs an interpreter start, every import of the CLI and, on the
embedded store, a chdb start: seconds per call on a loaded machine, for
nothing a command test checks. Tests about what only a separate process shows
(signals, a terminal, the exit of the interpreter itself) keep run_vigie in
tests/cli/test_cli.py.

chdb binds one embedded server per process to the first directory it opens,
so in-process calls on the embedded store use the test session's chdb
directory with a database of their own (the `cli_store_url` fixture in
tests/cli/conftest.py).
"""
import contextlib
import io
import os
import subprocess
import sys



def run_vigie_here(store_url, *args, stdin=None):
    """Like run_vigie: a CompletedProcess with returncode, stdout and stderr (text)."""
    from vigie.cli import main
    saved = {name: value for name, value in os.environ.items() if name.startswith("VIGIE_")}
    for name in saved:
        del os.environ[name]
    os.environ["VIGIE_STORE_URL"] = store_url
    out, err = io.StringIO(), io.StringIO()
    real_stdin, code = sys.stdin, 0
    sys.stdin = io.StringIO(stdin or "")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as exit_info:
                code = exit_info.code if isinstance(exit_info.code, int) else 1
    finally:
        sys.stdin = real_stdin
        del os.environ["VIGIE_STORE_URL"]
        os.environ.update(saved)
    return subprocess.CompletedProcess(["vigie", *args], code, out.getvalue(), err.getvalue())
