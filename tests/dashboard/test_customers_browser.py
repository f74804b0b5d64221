"""Chromium, signed in as a retention account, reads the RFM matrix and the CLV chart on
/customers, clicks a segment, opens a client and sees its web visits; a screenshot of the
page is kept as a test artifact (VIGIE_SCREENSHOT_DIR)."""
import os

from tests.churn_factories import insert_visit
from tests.customer_value_data import S, seed_customer_value
from tests.dashboard.retention_data import PASSWORD
from tests.dashboard.test_overview_browser import TIMEOUT_MS
from warehouse.sites import add_site
from warehouse.users import add_user

RETENTION = "rex@shop.test"


def test_segments_clv_and_a_clients_visits(app, store, live_url, browser, tmp_path):
    add_site(store, S, "UTC")
    add_user(store, RETENTION, PASSWORD, role="retention", sites=[S])
    seed_customer_value(store)
    insert_visit(store, S, "c05", "2025-09-01 09:00:00", "2025-09-01 09:02:30", 1, pageviews=2,
                 entry_page="/pricing", source="Google", channel="Organic Search")
    out = os.environ.get("VIGIE_SCREENSHOT_DIR") or str(tmp_path)
    os.makedirs(out, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(f"{live_url}/customers?site={S}&date=2026-03-01")
    page.wait_for_url("**/login?**", timeout=TIMEOUT_MS)
    page.fill("#email", RETENTION)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#rfm-matrix", timeout=TIMEOUT_MS)
    assert page.inner_text("#rfm-cell-24").split() == ["At", "risk", "1"]
    assert page.inner_text("#clv-historical .kpi-value") == "2,020.00"
    page.wait_for_selector("#clv-chart .main-svg", timeout=TIMEOUT_MS)
    page.hover("#clv-chart .main-svg")
    assert page.locator("#clv-chart .modebar-btn").count() == 1
    assert page.get_attribute("#clv-chart .modebar-btn", "data-title") == "Download plot as a PNG"
    page.screenshot(path=os.path.join(out, "customers.png"), full_page=True)

    page.click("#rfm-cell-24")
    page.wait_for_selector("#rfm-members", timeout=TIMEOUT_MS)
    assert "segment=At+risk" in page.url
    assert page.inner_text("#rfm-members tbody tr:first-child td:first-child") == "c05"
    page.click("#rfm-members tbody tr:first-child a")
    page.wait_for_selector("#customer-visits", timeout=TIMEOUT_MS)
    assert page.inner_text("#customer-visits tbody tr:first-child").split("\t") == [
        "2025-09-01 09:00", "/pricing", "Google", "Organic Search", "2", "2m 30s", "—"]
    # The segment list stays while a client is open.
    # The page is rebuilt for the new URL; the list comes back with its own callback.
    page.wait_for_selector("#rfm-members", timeout=TIMEOUT_MS)
    assert page.locator("#rfm-members").count() == 1
