"""`vigie serve` against a ClickHouse server that goes away, and a collector killed
with SIGKILL: every event answered 202 ends up stored, exactly once."""
import os
import signal
import subprocess
import sys
import time
import uuid

import requests

from tests.cli.test_serve import SITE, register_site, stop, vigie_env, wait_until_healthy
from tests.clickhouse_server import ClickHouseServer, free_port
from vigie.warehouse import open_store

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"


def send(base, n):
    answer = requests.post(base + "/api/event", timeout=10, headers={
        "Content-Type": "text/plain", "User-Agent": FIREFOX},
        data=f'{{"name": "pageview", "domain": "{SITE}", "url": "https://{SITE}/p/{n}"}}')
    assert answer.status_code == 202, answer.text
    return answer


def start_serve(url, spool_dir, **settings):
    port = free_port()
    env = vigie_env(url, port=port, spool_dir=spool_dir, **settings)
    process = subprocess.Popen([sys.executable, "-m", "vigie", "serve"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)  # its own process group: master and workers
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, base)
    except AssertionError:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    return process, base


def add_site(url):
    added = register_site(url)
    assert added.returncode == 0, added.stderr


def stored(url):
    """(events, distinct event ids, distinct pages) for the site, or None while unreachable."""
    store = open_store(url)
    try:
        return store.query("SELECT count(), uniqExact(event_id), uniqExact(pathname) FROM events "
                           "WHERE site = %(s)s", {"s": SITE})[0]
    finally:
        store.close()


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except Exception:
            pass  # the server is still coming back
        time.sleep(0.25)
    return condition()


def segment_files(spool_dir):
    return [name for _, _, names in os.walk(spool_dir) for name in names if name.endswith(".seg")]


def test_events_sent_while_clickhouse_is_down_are_all_stored_once(tmp_path):
    with ClickHouseServer() as server:
        url = f"clickhouse://default@127.0.0.1:{server.tcp_port}/outage"
        add_site(url)
        spool_dir = str(tmp_path / "spool")
        # One worker, so the site lookups it cached before the outage serve every request.
        process, base = start_serve(url, spool_dir, workers=1, buffer_max_seconds=0.2,
                                    secret_key="a-shared-secret")
        try:
            for n in range(20):
                send(base, n)
            assert wait_for(lambda: stored(url) == (20, 20, 20), 30)
            server.kill()
            for n in range(20, 50):
                send(base, n)  # still 202: the events wait in the spool
            assert wait_for(lambda: requests.get(base + "/healthz", timeout=5).json()
                            ["spooled_events"] >= 1, 30)
            health = requests.get(base + "/healthz", timeout=5)
            assert health.status_code == 503 and health.json()["oldest_spooled_seconds"] > 0
            server.restart()
            assert wait_for(lambda: stored(url) == (50, 50, 50), 60)
            assert wait_for(lambda: requests.get(base + "/healthz", timeout=5).json()
                            ["spooled_events"] == 0, 30)
            metrics = requests.get(base + "/metrics", timeout=5).text
            assert "vigie_events_accepted_total 50" in metrics
            assert "vigie_events_flushed_total 50" in metrics
            assert "vigie_events_replayed_total 0" not in metrics
        finally:
            code = stop(process)
        assert code == 0, process.stderr.read()
        assert stored(url) == (50, 50, 50) and segment_files(spool_dir) == []


def test_a_collector_killed_with_sigkill_loses_nothing(clickhouse_server, tmp_path):
    url = f"clickhouse://default@127.0.0.1:{clickhouse_server.tcp_port}/killed_{uuid.uuid4().hex[:8]}"
    add_site(url)
    spool_dir = str(tmp_path / "spool")
    workers = {"workers": 2, "secret_key": "a-shared-secret-for-two-workers"}
    # Buffers that would hold events for an hour: the kill comes between spool and insert.
    process, base = start_serve(url, spool_dir, buffer_max_seconds=3600,
                                buffer_max_rows=100000, **workers)
    try:
        for n in range(40):
            send(base, n)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert stored(url) == (0, 0, 0)  # nothing reached ClickHouse before the kill
    assert segment_files(spool_dir)

    process, base = start_serve(url, spool_dir, buffer_max_seconds=0.2, **workers)
    try:
        assert wait_for(lambda: stored(url) == (40, 40, 40), 60)
        send(base, 40)
        assert wait_for(lambda: stored(url) == (41, 41, 41), 30)
        # Segments go only once their insert is confirmed: with none left, no replay
        # (a second one included) is still to come.
        assert wait_for(lambda: segment_files(spool_dir) == [], 30)
        assert stored(url) == (41, 41, 41)
    finally:
        code = stop(process)
    assert code == 0, process.stderr.read()
    assert segment_files(spool_dir) == []


def test_sigkill_on_the_embedded_store_loses_nothing(tmp_path):
    url = f"chdb://{tmp_path}/data"
    add_site(url)
    spool_dir = str(tmp_path / "spool")
    process, base = start_serve(url, spool_dir, buffer_max_seconds=3600, buffer_max_rows=100000)
    try:
        for n in range(25):
            send(base, n)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    process, base = start_serve(url, spool_dir, buffer_max_seconds=0.2)
    code = stop(process)  # the embedded store has one owner: read it once the server is gone
    assert code == 0, process.stderr.read()
    assert stored(url) == (25, 25, 25) and segment_files(spool_dir) == []
