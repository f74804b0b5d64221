"""Chromium reads the realtime page of tests/dashboard/test_realtime_page.py's world; a screenshot
is kept (VIGIE_SCREENSHOT_DIR)."""
import os

from tests.dashboard.test_overview_browser import TIMEOUT_MS, _sign_in, _table_rows
from tests.dashboard.test_realtime_page import SITE, world


def test_current_visitors_and_the_live_feed(app, store, account, live_url, browser, tmp_path):
    world(store)
    page = browser.new_page(viewport={"width": 1280, "height": 1100})
    page.set_default_timeout(TIMEOUT_MS)
    _sign_in(page, live_url, f"/realtime?site={SITE}")
    page.wait_for_selector("#realtime-feed")
    assert page.get_attribute("#realtime-current", "data-value") == "2"
    feed = _table_rows(page, "realtime-feed")
    assert [row[1:] for row in feed] == [["signup", "/pricing", "Direct / None", "FR", "desktop"],
                                         ["pageview", "/pricing", "Google", "FR", "desktop"],
                                         ["pageview", "/", "Direct / None", "DE", "mobile"],
                                         ["pageview", "/pricing", "news.example", "—", "desktop"]]
    assert _table_rows(page, "realtime-pages") == [["/pricing", "2", "2"], ["/", "1", "1"]]
    assert "Refreshes every 10 seconds" in page.inner_text("#realtime-updated")
    assert page.locator("#nav-realtime").count() == 1
    out = os.environ.get("VIGIE_SCREENSHOT_DIR") or str(tmp_path)
    os.makedirs(out, exist_ok=True)
    page.screenshot(path=os.path.join(out, "realtime.png"), full_page=True)
