"""`vigie serve` under gunicorn: refusals that protect logins and the embedded
store, and no accepted event lost when the server is stopped with SIGTERM."""
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
import requests

from tests.cli.inprocess import run_vigie_here
from tests.clickhouse_server import free_port
from vigie.server import worker_count
from vigie.settings import SettingsError, load_settings
from vigie.warehouse import open_store

SITE = "shop.example.com"


def vigie_env(store_url, **settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    env["VIGIE_STORE_URL"] = store_url
    env.update({f"VIGIE_{name.upper()}": str(value) for name, value in settings.items()})
    return env


def test_worker_count_follows_the_store():
    embedded = load_settings(environ={}, overrides={"store_url": "chdb:///tmp/x"})
    assert worker_count(embedded, cpu_count=8) == 1
    server = load_settings(environ={}, overrides={
        "store_url": "clickhouse://default@127.0.0.1:9000/vigie", "secret_key": "k" * 32})
    assert worker_count(server, cpu_count=4) == 9
    assert worker_count(server.replace(workers=3), cpu_count=4) == 3
    with pytest.raises(SettingsError, match="one process"):
        worker_count(embedded.replace(workers=2))
    without_key = load_settings(environ={}, overrides={
        "store_url": "clickhouse://default@127.0.0.1:9000/vigie", "workers": 2})
    with pytest.raises(SettingsError, match="secret_key"):
        worker_count(without_key)


def test_a_worker_keeps_its_startup_objects_out_of_garbage_collection():
    import gc

    from vigie.server import VigieServer
    settings = load_settings(environ={}, overrides={"store_url": "chdb:///tmp/never-opened"})
    built = object()
    gc.unfreeze()
    try:
        app = VigieServer(settings, app_factory=lambda s: built).load()
        assert app is built
        assert gc.get_freeze_count() > 0  # a full collection no longer scans them
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("store, workers, message", [
    ("chdb", "2", "the embedded store (chdb) is owned by one process"),
    ("clickhouse", "3", "several workers need a shared secret_key"),
])
def test_serve_refuses_unsafe_worker_counts(tmp_path, store, workers, message):
    url = (f"chdb://{tmp_path}/data" if store == "chdb"
           else f"clickhouse://default@127.0.0.1:{free_port()}/never_opened")
    result = subprocess.run(
        [sys.executable, "-m", "vigie", "serve", "--workers", workers, "--port", str(free_port())],
        env=vigie_env(url), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def wait_until_healthy(process, base, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"vigie serve exited early: {process.stderr.read()}")
        try:
            # The listening socket exists before the worker has built the app:
            # early requests may wait, hence the timeout and the retry.
            answer = requests.get(base + "/healthz", timeout=5)
            if answer.status_code == 200:
                return answer.json()
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    raise AssertionError("vigie serve did not answer /healthz in time")


def stop(process, timeout=40):
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
        raise


@pytest.fixture(params=["chdb", "clickhouse"])
def serving_store(request, tmp_path):
    """(store URL, extra settings) with the demo site registered through the CLI."""
    if request.param == "chdb":
        url, extra = f"chdb://{tmp_path}/data", {}
    else:
        server = request.getfixturevalue("clickhouse_server")
        url = f"clickhouse://default@127.0.0.1:{server.tcp_port}/serve_{uuid.uuid4().hex[:10]}"
        extra = {"workers": 2, "secret_key": "a-shared-secret-for-two-workers"}
    added = register_site(url)
    assert added.returncode == 0, added.stderr
    return url, extra


def register_site(url):
    """`vigie sites add SITE`: in this process on a ClickHouse server; in a subprocess on chdb,
    whose directory this process must not open (chdb binds one per process, and the
    server under test will own it)."""
    if url.startswith("clickhouse://"):
        return run_vigie_here(url, "sites", "add", SITE)
    return subprocess.run([sys.executable, "-m", "vigie", "sites", "add", SITE],
                          env=vigie_env(url), capture_output=True, text=True, timeout=60)


def test_sigterm_flushes_every_accepted_event(serving_store):
    url, extra = serving_store
    port = free_port()
    # Buffers that would hold events for an hour: only the shutdown flush can write them.
    env = vigie_env(url, port=port, buffer_max_seconds=3600, buffer_max_rows=100000, **extra)
    process = subprocess.Popen([sys.executable, "-m", "vigie", "serve"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, base)
        sent = 30
        for n in range(sent):
            answer = requests.post(base + "/api/event", timeout=10, headers={
                "Content-Type": "text/plain", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) "
                                                            "Gecko/20100101 Firefox/125.0"},
                data=f'{{"name": "pageview", "domain": "{SITE}", "url": "https://{SITE}/p/{n}"}}')
            assert answer.status_code == 202, answer.text
        if not extra:  # one worker: its buffer is what /healthz reports
            assert requests.get(base + "/healthz", timeout=5).json()["buffered_events"] == sent
    finally:
        code = stop(process)
    assert code == 0, process.stderr.read()

    store = open_store(url)
    try:
        assert store.query_value("SELECT count() FROM events WHERE site = %(s)s", {"s": SITE}) == sent
    finally:
        store.close()
