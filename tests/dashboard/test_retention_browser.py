"""Chromium, signed in as a retention account, reads /churn and acknowledges an alert on
/alerts by selecting its row and pressing the action bar's button; screenshots of both pages are kept as test artifacts (VIGIE_SCREENSHOT_DIR)."""
import os

from vigie.alerts.state import get_alert, transitions
from tests.dashboard.retention_data import PASSWORD, RETENTION, SITE, alerts_world
from tests.dashboard.test_overview_browser import TIMEOUT_MS


def test_a_retention_account_reads_churn_and_acknowledges_an_alert(app, store, live_url, browser,
                                                                   tmp_path):
    alerts_world(store)
    out = os.environ.get("VIGIE_SCREENSHOT_DIR") or str(tmp_path)
    os.makedirs(out, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(f"{live_url}/churn?site={SITE}")
    page.wait_for_url("**/login?**", timeout=TIMEOUT_MS)
    page.fill("#email", RETENTION)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#at-risk-table", timeout=TIMEOUT_MS)
    assert page.inner_text("#band-high .kpi-value") == "2"
    assert page.inner_text("#at-risk-table td[data-dash-column=client]") == "c1"
    page.wait_for_selector("#model-metrics", timeout=TIMEOUT_MS)
    page.screenshot(path=os.path.join(out, "churn.png"), full_page=True)

    page.goto(f"{live_url}/alerts?site={SITE}&state=open")
    page.wait_for_selector("#alerts-count", timeout=TIMEOUT_MS)
    assert page.inner_text("#alerts-count") == "1–2 of 2 open alerts"
    assert "a00000000001" in page.inner_text("#alerts-table")
    # The client cell links to the client's timeline.
    assert page.get_attribute("#alerts-table a:text-is('c1')", "href") == \
        f"/customers?site={SITE}&client=c1"
    row = page.locator("#alerts-table tbody tr", has_text="a00000000001")
    row.locator("input[type=checkbox]").check()
    page.click("#alert-ack")
    page.wait_for_selector("#alert-action-done", timeout=TIMEOUT_MS)
    assert page.inner_text("#alert-action-done") == "Alert a00000000001 acknowledged."
    # The inbox redraws without the acknowledged alert.
    page.wait_for_selector("#alerts-count:text-is('1–1 of 1 open alerts')", timeout=TIMEOUT_MS)
    assert "a00000000001" not in page.inner_text("#alerts-table")
    assert get_alert(store, "a00000000001").state == "acknowledged"
    assert (RETENTION, "acknowledged") in [(t[1], t[2]) for t in transitions(store, "a00000000001")]
    # Redrawing the inbox clears the selection: the other alert was never acted on.
    assert get_alert(store, "a00000000002").state == "open"
    assert page.locator("#alerts-table input[type=checkbox]:checked").count() == 0
    page.screenshot(path=os.path.join(out, "alerts.png"), full_page=True)
