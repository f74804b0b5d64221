"""Chromium opens every page of a freshly loaded demo and finds real content on each.

`vigie demo --no-serve` loads a small demo (3 days, 60 visitors: the command's own floor of
300 clients still applies) once for this module, into a database of the session's ClickHouse
server, so this process can serve it with create_app on a loopback port (chdb binds a
process to one directory, and the other tests' stores already hold it). A page fails the
test when it shows an empty state ("No model trained yet", "No client imported yet", an
empty inbox, ...) or when one of the things that prove its content never appears
(tests/dashboard/demo_pages.py). Every page the dashboard registers must be in that list.
"""
import os
import re
import subprocess
import sys
import threading
import uuid
from urllib.parse import parse_qs, urlsplit

import dash
import pytest
from werkzeug.serving import make_server

from tests.dashboard.demo_pages import (DEMO_PAGES, DEMO_SITE, TIMEOUT_MS, empty_states_shown,
                                        live_visit, open_demo_page, sign_in)
from tests.store_pool import drop_database
from vigie.settings import load_settings
from vigie.warehouse import open_store

DEMO_OPTIONS = ("--days", "3", "--visitors", "60")
LOAD_TIMEOUT_S = 300


@pytest.fixture(scope="module")
def demo(clickhouse_server, tmp_path_factory):
    """(base URL, admin password, the app's collector) of the demo served over HTTP."""
    from vigie.app import create_app

    home = tmp_path_factory.mktemp("demo")
    database = f"demo_{uuid.uuid4().hex[:10]}"
    store_url = f"clickhouse://default@127.0.0.1:{clickhouse_server.tcp_port}/{database}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    env.update(VIGIE_STORE_URL=store_url, VIGIE_CHURN_MODEL_DIR=str(home / "models"))
    loaded = subprocess.run([sys.executable, "-m", "vigie", "demo", "--no-serve", *DEMO_OPTIONS],
                            cwd=home, env=env, capture_output=True, text=True, timeout=LOAD_TIMEOUT_S)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    password = re.search(r"with password (\S+)", loaded.stdout).group(1)
    settings = load_settings(environ={}, overrides={
        "store_url": store_url, "churn_model_dir": str(home / "models"), "secret_key": "demo-test",
        "spool_dir": str(home / "spool")})
    app = create_app(settings, start_background=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="vigie-demo-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", password, app.extensions["vigie"].collector
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["vigie"].close()
        cleanup = open_store(store_url)
        try:
            drop_database(cleanup, database)
        finally:
            cleanup.close()


def test_every_registered_page_is_checked(demo):
    registered = {p["path"] for p in dash.page_registry.values()}
    assert registered and registered == {p.path for p in DEMO_PAGES}


def test_every_page_of_the_demo_shows_real_content(demo, browser):
    base, password, collector = demo
    live_visit(collector)  # a visitor on the site right now, for Realtime
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, password)
    failures = {}
    for demo_page in DEMO_PAGES:
        try:
            open_demo_page(page, base, demo_page)
        except Exception as exc:  # noqa: BLE001 (a timeout: say which page, then go on)
            failures[demo_page.name] = f"never showed its content: {str(exc).splitlines()[0]}"
            continue
        shown = empty_states_shown(page)
        if shown:
            failures[demo_page.name] = f"shows an empty state: {shown}"
    assert failures == {}


def test_moving_between_traffic_pages_keeps_the_period_and_filters(demo, browser):
    base, password, _ = demo
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, password)
    page.goto(f"{base}/sources?site={DEMO_SITE}&period=30d&f_channel=Direct")
    page.wait_for_selector("#sources-channels-table tbody tr", timeout=TIMEOUT_MS)
    page.wait_for_function("() => document.querySelector('#nav-content').href.includes('period=30d')",
                           timeout=TIMEOUT_MS)
    # Changing the period rewrites the URL without a reload; the links follow.
    page.click("#sources-period label:has-text('Last 7 days')")
    page.wait_for_function("() => document.querySelector('#nav-content').href.includes('period=7d')",
                           timeout=TIMEOUT_MS)
    assert page.get_attribute("#nav-churn", "href") == "/churn"
    page.click("#nav-content")
    page.wait_for_selector("#top-pages-table tbody tr", timeout=TIMEOUT_MS)
    query = parse_qs(urlsplit(page.url).query)
    assert urlsplit(page.url).path == "/pages"
    assert query["period"] == ["7d"] and query["f_channel"] == ["Direct"] and query["site"] == [DEMO_SITE]
    assert page.locator("#content-chips .chip").count() == 1  # the filter is still applied
    # A long path ends in an ellipsis with its whole value on hover, never broken mid-word.
    cell = page.locator("#top-pages-table td.label").first
    assert cell.evaluate("td => getComputedStyle(td).textOverflow") == "ellipsis"
    assert cell.evaluate("td => getComputedStyle(td).whiteSpace") == "nowrap"
    assert cell.get_attribute("title") == cell.inner_text().strip()
