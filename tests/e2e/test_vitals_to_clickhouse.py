"""Web vitals in a real browser: a page with the tracker and the vitals script, the running
Vigie server, and the web_vitals row that lands in ClickHouse (both backends).

The page has a large heading (its LCP), a block inserted above the content after load (a
layout shift no input caused: CLS), a button whose click handler blocks the main thread
(an interaction: INP), and the server's answer (TTFB). Leaving the page (pagehide) sends
the one vitals report.
"""
import time

from tests.conftest import chromium_launch_args, launch_chromium
from tests.e2e.test_snippet_to_clickhouse import (  # noqa: F401 (fixtures)
    DESKTOP_CHROME, ShopHandler, shop_server, vigie_server)
from vigie.warehouse.sites import add_site
from vigie.warehouse.web_vitals import VITALS_COLUMNS

VITALS_PAGE = """<!doctype html>
<html><head><title>Shop</title>
<script defer data-domain="shop.test" src="http://vigie.test:{vigie_port}/js/vigie.js"></script>
<script defer data-domain="shop.test" src="http://vigie.test:{vigie_port}/js/vitals.js"></script>
</head><body style="margin:0;font:16px sans-serif">
<div id="top"></div>
<h1 style="font-size:64px;margin:0;padding:40px">Fresh coffee, roasted this week</h1>
<p>Single origins and blends.</p>
<button id="slow" style="font-size:24px">Add to cart</button>
<script>
  // A banner pushed in above the content after load: a shift no input caused.
  setTimeout(function () {
    var banner = document.createElement('div');
    banner.style.height = '300px';
    banner.textContent = 'Free shipping this week';
    document.getElementById('top').appendChild(banner);
    document.body.dataset.shifted = '1';
  }, 300);
  // A click handler that keeps the main thread busy: a slow interaction.
  document.getElementById('slow').addEventListener('click', function () {
    var until = performance.now() + 150;
    while (performance.now() < until) {}
    document.body.dataset.clicked = '1';
  });
</script>
</body></html>
"""


def wait_for_vitals(store, collector, seconds=20):
    deadline = time.monotonic() + seconds
    rows = []
    while time.monotonic() < deadline and not rows:
        collector.flush()
        rows = store.query_dicts(f"SELECT {', '.join(VITALS_COLUMNS)} FROM web_vitals")
        if not rows:
            time.sleep(0.2)
    return rows


def test_a_page_load_measured_in_chromium_lands_as_one_web_vitals_row(
        app, store, vigie_server, shop_server, playwright):
    add_site(store, "shop.test", "UTC", web_vitals=True)
    shop_port = shop_server.server_address[1]
    ShopHandler.page = VITALS_PAGE.replace("{vigie_port}", str(vigie_server))
    options = chromium_launch_args()
    options["args"] = options["args"] + [
        "--host-resolver-rules=MAP shop.test 127.0.0.1, MAP vigie.test 127.0.0.1",
        "--disable-blink-features=AutomationControlled",
        f"--user-agent={DESKTOP_CHROME}",  # not HeadlessChrome, which the collector drops
    ]
    options["ignore_default_args"] = ["--enable-automation"]
    collector = app.extensions["vigie"].collector
    errors = []
    browser = launch_chromium(playwright, options)
    try:
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"http://shop.test:{shop_port}/coffee", timeout=15000)
        page.wait_for_function("window.vigieVitals === 1 && document.body.dataset.shifted === '1'",
                               timeout=10000)
        page.wait_for_timeout(600)  # past the shift's 500 ms "recent input" window
        page.click("#slow")
        page.wait_for_function("document.body.dataset.clicked === '1'", timeout=10000)
        page.wait_for_timeout(300)  # the event timing entry is reported after the next paint
        assert wait_for_vitals(store, collector, seconds=0.5) == []  # nothing before the page is left
        page.goto(f"http://shop.test:{shop_port}/next", timeout=15000)  # pagehide: the report goes
        rows = wait_for_vitals(store, collector)
    finally:
        browser.close()

    assert errors == []
    assert len(rows) == 1, rows
    [row] = rows
    assert (row["site"], row["hostname"], row["pathname"]) == ("shop.test", "shop.test", "/coffee")
    assert (row["browser"], row["device"]) == ("Chrome", "desktop")
    assert 0 < row["lcp_ms"] < 10_000
    assert 0 <= row["ttfb_ms"] <= row["lcp_ms"]
    assert row["cls"] > 0  # the banner moved the heading and the text down
    assert row["inp_ms"] >= 150  # the handler blocked for 150 ms before the next paint
    # The same visitor as the tracker's pageview of that page.
    visitors = store.query("SELECT DISTINCT visitor_id FROM events WHERE pathname = '/coffee'")
    assert visitors == [(row["visitor_id"],)]
