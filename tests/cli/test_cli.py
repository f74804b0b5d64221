"""The vigie command line on real stores: as a real subprocess, and through main()."""
import os
import subprocess
import sys
import time

import pytest

from tests.cli.inprocess import run_vigie_here


def run_vigie(store_url, *args, stdin=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    env["VIGIE_STORE_URL"] = store_url
    return subprocess.run([sys.executable, "-m", "vigie", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def chdb_url(tmp_path):
    return f"chdb://{tmp_path}/data"


@pytest.mark.parametrize("args, message", [
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["serve", "--port", "eighty"], "'eighty' is not a port number"),
    (["serve", "--port", "99999"], "not between 0 and 65535"),
    (["sites", "add", "shop.example.com", "--timezone", "Mars/Olympus"], "not an IANA time zone"),
    (["sites", "add", "not a domain"], "not a domain name"),
    (["demo", "--days", "0", "--no-serve"], "'0' must be positive"),
])
def test_bad_arguments_get_a_clear_message_and_no_traceback(chdb_url, args, message):
    result = run_vigie(chdb_url, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_short_password_is_refused(chdb_url):
    result = run_vigie(chdb_url, "users", "add", "a@b.test", "--password-stdin", stdin="short\n")
    assert result.returncode == 2 and "at least 8 characters" in result.stderr


def test_bad_store_url_is_named(chdb_url):
    result = run_vigie("postgres://x/y", "db", "migrate")
    assert result.returncode == 2 and "VIGIE_STORE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_server_is_a_store_error(chdb_url):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run_vigie(f"clickhouse://default@127.0.0.1:{port}/x", "db", "migrate")
    assert result.returncode == 1 and "unreachable" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("url_fixture", ["cli_store_url", "server_url"])
def test_migrate_sites_and_users(request, url_fixture):
    # Through main() in this process: the commands, not the interpreter start, are under test
    # here (the tests around this one run `python -m vigie` for real).
    run_vigie = run_vigie_here
    url = request.getfixturevalue(url_fixture)
    first = run_vigie(url, "db", "migrate")
    assert first.returncode == 0, first.stderr
    assert "applied migration 001 events" in first.stdout
    again = run_vigie(url, "db", "migrate")
    assert again.returncode == 0 and "schema is up to date" in again.stdout

    added = run_vigie(url, "sites", "add", "www.Shop.Example.com", "--timezone", "Europe/Paris")
    assert added.returncode == 0, added.stderr
    assert "site shop.example.com registered" in added.stdout
    assert 'data-domain="shop.example.com"' in added.stdout
    listed = run_vigie(url, "sites", "list")
    assert listed.stdout.split("\t")[:2] == ["shop.example.com", "Europe/Paris"]

    user = run_vigie(url, "users", "add", "Ana@Shop.example.com", "--admin", "--password-stdin",
                     stdin="correct horse battery\n")
    assert user.returncode == 0, user.stderr
    assert "user ana@shop.example.com saved (admin, every site)" in user.stdout

    marketer = run_vigie(url, "users", "add", "mia@shop.example.com", "--role", "marketer",
                         "--site", "shop.example.com", "--password-stdin", stdin="mia's long password\n")
    assert marketer.returncode == 0, marketer.stderr
    assert "(marketer, sites: shop.example.com)" in marketer.stdout
    unknown = run_vigie(url, "users", "access", "mia@shop.example.com", "--site", "elsewhere.example")
    assert unknown.returncode == 2 and "no site 'elsewhere.example' is registered" in unknown.stderr
    moved = run_vigie(url, "users", "access", "mia@shop.example.com", "--role", "retention")
    assert moved.returncode == 0, moved.stderr
    assert "now retention, sites: shop.example.com" in moved.stdout
    listed = run_vigie(url, "users", "list")
    assert listed.stdout.splitlines() == ["ana@shop.example.com  admin, every site",
                                          "mia@shop.example.com  retention, sites: shop.example.com"]
    removed = run_vigie(url, "users", "remove", "rex@shop.example.com")
    assert removed.returncode == 2 and "no account 'rex@shop.example.com'" in removed.stderr

    from vigie.warehouse import open_store
    from vigie.warehouse.users import authenticate
    store = open_store(url)
    try:
        assert authenticate(store, "ana@shop.example.com", "correct horse battery").is_admin
        assert authenticate(store, "ana@shop.example.com", "wrong password") is None
        assert authenticate(store, "mia@shop.example.com", "mia's long password").role == "retention"
        stored = store.query_value("SELECT password_hash FROM users")
        assert "correct horse" not in stored
    finally:
        store.close()
    removed = run_vigie(url, "users", "remove", "Mia@shop.example.com")
    assert removed.returncode == 0, removed.stderr
    assert "user mia@shop.example.com removed; their open sessions have ended" in removed.stdout
    assert run_vigie(url, "users", "list").stdout.splitlines() == [
        "ana@shop.example.com  admin, every site"]


def test_settings_command_masks_the_secret(chdb_url):
    env_result = subprocess.run(
        [sys.executable, "-m", "vigie", "settings"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")},
             "VIGIE_STORE_URL": chdb_url, "VIGIE_SECRET_KEY": "do-not-print-me"},
        capture_output=True, text=True, timeout=60)
    assert env_result.returncode == 0
    assert "do-not-print-me" not in env_result.stdout
    assert f"store_url = '{chdb_url}'" in env_result.stdout


@pytest.mark.parametrize("command", [
    [], ["serve"], ["demo"], ["db"], ["db", "migrate"], ["sites"], ["sites", "add"],
    ["sites", "list"], ["users"], ["users", "add"], ["users", "access"], ["users", "list"],
    ["users", "remove"],
    ["settings"],
])
def test_every_command_has_help(command, capsys):
    from vigie.cli import main
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: vigie {' '.join(command)}".rstrip())


def test_settings_command_names_where_each_value_comes_from(tmp_path, chdb_url):
    config = tmp_path / "vigie.toml"
    config.write_text('threads = 3\nport = 9001\n')
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")},
           "VIGIE_STORE_URL": "clickhouse://vigie:hunter22@127.0.0.1:9000/vigie", "VIGIE_PORT": "9002"}
    result = subprocess.run([sys.executable, "-m", "vigie", "--config", str(config), "settings"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"threads = 3  (config file {config})" in lines
    assert "port = 9002  (environment VIGIE_PORT)" in lines  # the environment beats the file
    assert "log_level = 'INFO'  (default)" in lines
    assert "hunter22" not in result.stdout
    assert "store_url = 'clickhouse://vigie:***@127.0.0.1:9000/vigie'  (environment VIGIE_STORE_URL)" in lines


def test_bad_config_file_is_named(tmp_path, chdb_url):
    config = tmp_path / "vigie.toml"
    config.write_text('colour = "blue"\n')
    result = run_vigie(chdb_url, "--config", str(config), "settings")
    assert result.returncode == 2 and "unknown setting(s) colour" in result.stderr
    missing = run_vigie(chdb_url, "--config", str(tmp_path / "nope.toml"), "settings")
    assert missing.returncode == 2 and "nope.toml does not exist" in missing.stderr


def run_on_terminal(store_url, args, answers, timeout=60):
    """Run vigie with a pseudo-terminal as stdin, typing each answer after its prompt.

    getpass discards what was typed before it asks, so each answer waits for
    its prompt (on stderr: the child has no controlling terminal).
    """
    import pty
    import selectors
    controller, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    env["VIGIE_STORE_URL"] = store_url
    deadline = time.monotonic() + timeout
    try:
        process = subprocess.Popen([sys.executable, "-m", "vigie", *args], stdin=terminal,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=env, start_new_session=True)
        err = b""
        # selectors rather than select.select: the suite's process may hold
        # descriptors numbered above FD_SETSIZE (1024) by the time this runs.
        waiting = selectors.DefaultSelector()
        waiting.register(process.stderr, selectors.EVENT_READ)
        for prompt, answer in answers:
            while prompt.encode() not in err:
                assert time.monotonic() < deadline, f"no prompt {prompt!r}; stderr so far {err!r}"
                if waiting.select(timeout=0.5):
                    chunk = os.read(process.stderr.fileno(), 4096)
                    assert chunk, f"vigie exited before asking {prompt!r}: {err!r}"
                    err += chunk
            err = err.replace(prompt.encode(), b"", 1)
            os.write(controller, (answer + "\n").encode())
        waiting.close()
        out, rest = process.communicate(timeout=max(deadline - time.monotonic(), 1))
    finally:
        os.close(controller)
        os.close(terminal)
    return process.returncode, out.decode(), (err + rest).decode()


def test_users_add_asks_for_the_password_twice_on_a_terminal(chdb_url):
    code, out, err = run_on_terminal(chdb_url, ["users", "add", "eve@example.com"],
                                     [("Password: ", "long enough pw"),
                                      ("Repeat password: ", "long enough pw")])
    assert code == 0, err
    assert "user eve@example.com saved" in out
    code, out, err = run_on_terminal(chdb_url, ["users", "add", "eve@example.com"],
                                     [("Password: ", "long enough pw"),
                                      ("Repeat password: ", "another thing")])
    assert code == 2 and "the two passwords differ" in err


def test_users_add_without_a_terminal_asks_for_password_stdin(chdb_url):
    result = run_vigie(chdb_url, "users", "add", "eve@example.com", stdin="")
    assert result.returncode == 2 and "use --password-stdin" in result.stderr
