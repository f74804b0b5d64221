"""Chromium reads the retention page of tests/dashboard/test_retention_page.py's world and switches
from weekly to monthly cohorts; a screenshot is kept (VIGIE_SCREENSHOT_DIR)."""
import os

from tests.dashboard.test_overview_browser import TIMEOUT_MS, _sign_in, _table_rows
from tests.browser_waits import wait_until
from tests.dashboard.test_retention_page import SITE, world

PATH = f"/retention?site={SITE}&period=custom&from=2026-03-02&to=2026-03-15&interval=week"


def test_cohorts_and_returning_visits_then_monthly(app, store, account, live_url, browser, tmp_path):
    world(store)
    page = browser.new_page(viewport={"width": 1280, "height": 1200})
    page.set_default_timeout(TIMEOUT_MS)
    _sign_in(page, live_url, PATH)
    page.wait_for_selector("#cohort-table")
    assert page.get_attribute("#returning-returning-visit-share", "data-value") == "50.0"
    assert page.inner_text("#returning-returning-visit-share .kpi-value") == "50.0%"
    assert _table_rows(page, "cohort-table") == [["Mar 02, 2026", "2", "100.0%", "50.0%"],
                                                 ["Mar 09, 2026", "1", "100.0%", ""]]
    assert _table_rows(page, "returning-table") == [["Mar 02, 2026", "3", "2", "1", "33.3%"],
                                                    ["Mar 09, 2026", "5", "2", "3", "60.0%"]]
    page.wait_for_selector("#cohort-heatmap .main-svg")
    out = os.environ.get("VIGIE_SCREENSHOT_DIR") or str(tmp_path)
    os.makedirs(out, exist_ok=True)
    page.screenshot(path=os.path.join(out, "retention.png"), full_page=True)

    page.click("#interval-month")
    page.wait_for_url("**interval=month")
    # The page is rebuilt from the new URL: wait for the monthly table to replace the weekly one.
    wait_until(page, "(document.querySelector('#cohort-table tbody') || {innerText: ''})"
                     ".innerText.includes('Mar 2026')")
    assert _table_rows(page, "cohort-table") == [["Mar 2026", "3", "100.0%"]]
