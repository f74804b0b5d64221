"""The whole path in a real browser: a customer's page with the snippet, the
running Vigie server, and the rows that land in ClickHouse (both backends).

The customer site (shop.test) and Vigie (vigie.test) are two local HTTP
servers on loopback; Chromium resolves both names to 127.0.0.1, so the
tracker runs on a real-looking origin and posts cross-origin to Vigie.
"""
import http.server
import threading
import time

import pytest
from werkzeug.serving import make_server

from tests.conftest import chromium_launch_args, launch_chromium
from warehouse.sites import add_site

DESKTOP_CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/156.0.0.0 Safari/537.36")

SHOP_PAGE = """<!doctype html>
<html><head><title>Shop</title>
<script>window.vigie=window.vigie||function(){(vigie.q=vigie.q||[]).push(arguments)}</script>
<script defer data-domain="shop.test" src="http://vigie.test:{vigie_port}/js/vigie.js"></script>
</head><body style="height:3000px">
<h1>Shop</h1>
<a id="outbound" href="http://elsewhere.test:{shop_port}/landing">Partner</a>
<button id="route" onclick="history.pushState({}, '', '/product/42')">Product</button>
<button id="buy" onclick="vigie('event', 'purchase', {props: {plan: 'pro'}, revenue: {amount: 49.9, currency: 'EUR'}})">Buy</button>
</body></html>
"""


class ShopHandler(http.server.BaseHTTPRequestHandler):
    page = ""

    def do_GET(self):
        body = self.page.encode() if not self.path.startswith("/landing") else b"<p>elsewhere</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def vigie_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()


@pytest.fixture
def shop_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ShopHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def wait_for_rows(store, collector, count, seconds=20):
    deadline = time.monotonic() + seconds
    rows = []
    while time.monotonic() < deadline:
        collector.flush()
        rows = store.query_dicts(
            "SELECT name, pathname, referrer_host, prop_keys, prop_values, revenue, currency, "
            "engaged_ms, scroll_depth, browser, device, visitor_id FROM events ORDER BY ts, name")
        if len(rows) >= count:
            return rows
        time.sleep(0.2)
    return rows


def test_tracker_events_from_a_real_browser_land_in_clickhouse(app, store, vigie_server, shop_server,
                                                                 playwright):
    add_site(store, "shop.test", "UTC")
    shop_port = shop_server.server_address[1]
    ShopHandler.page = SHOP_PAGE.replace("{vigie_port}", str(vigie_server)).replace("{shop_port}", str(shop_port))
    options = chromium_launch_args()
    options["args"] = options["args"] + [
        "--host-resolver-rules=MAP shop.test 127.0.0.1, MAP vigie.test 127.0.0.1, MAP elsewhere.test 127.0.0.1",
        "--disable-blink-features=AutomationControlled",
        # Headless Chromium announces itself as HeadlessChrome, which the
        # collector drops as automation (bot_headless); a person's browser does
        # not. A launch flag (not a per-page override) so beacons sent while a
        # page unloads carry it too.
        f"--user-agent={DESKTOP_CHROME}",
    ]
    # Playwright marks the browser as automated; the tracker rightly ignores
    # automated browsers, so the flag is removed for this real-user journey.
    options["ignore_default_args"] = ["--enable-automation"]
    collector = app.extensions["vigie"].collector
    errors = []
    browser = launch_chromium(playwright, options)
    try:
        page = browser.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"http://shop.test:{shop_port}/?utm_source=news&utm_medium=email",
                  referer="https://www.google.com/", timeout=15000)
        assert page.evaluate("navigator.webdriver") is False
        page.wait_for_function("typeof window.vigie === 'function' && !window.vigie.q", timeout=10000)
        assert wait_for_rows(store, collector, 1)[0]["name"] == "pageview"

        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(1200)
        page.click("#route")                       # history API navigation
        wait_for_rows(store, collector, 3)         # engagement for / + pageview /product/42
        page.click("#buy")                         # custom event with props and revenue
        wait_for_rows(store, collector, 4)
        page.click("#outbound")                    # outbound link, navigates away
        page.wait_for_url("**/landing", timeout=10000)
        rows = wait_for_rows(store, collector, 6)  # outbound + engagement on hide
    finally:
        browser.close()

    assert errors == []
    names = [r["name"] for r in rows]
    assert names.count("pageview") == 2
    assert {"purchase", "outbound", "engagement"} <= set(names)
    pageviews = [r for r in rows if r["name"] == "pageview"]
    assert [r["pathname"] for r in pageviews] == ["/", "/product/42"]
    assert pageviews[0]["referrer_host"] == "google.com"
    assert pageviews[0]["browser"] == "Chrome" and pageviews[0]["device"] == "desktop"
    purchase = next(r for r in rows if r["name"] == "purchase")
    assert (purchase["prop_keys"], purchase["prop_values"]) == (["plan"], ["pro"])
    assert (purchase["revenue"], purchase["currency"]) == (49.9, "EUR")
    outbound = next(r for r in rows if r["name"] == "outbound")
    assert outbound["prop_keys"] == ["url"]
    assert outbound["prop_values"][0].startswith("http://elsewhere.test")
    engagement = [r for r in rows if r["name"] == "engagement"]
    assert all(r["engaged_ms"] > 0 for r in engagement)
    assert max(r["scroll_depth"] for r in engagement) > 0
    # one browser, one day, one site: one visitor
    assert len({r["visitor_id"] for r in rows}) == 1
