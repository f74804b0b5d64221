"""Chromium, signed in as a retention account, reads the base movement section of /customers:
the table agrees with analytics.base_movement and with GET /api/v1/stats/base-movement on the
hand-built clients of tests/base_movement_data.py, in clients and in revenue, provisional months
are marked, and both charts are drawn. A screenshot is kept as a test artifact (VIGIE_SCREENSHOT_DIR)."""
import os

import pytest

from tests.base_movement_data import AS_OF, HORIZON, S, movement_settings, seed_base_movement
from tests.dashboard.retention_data import PASSWORD
from tests.dashboard.test_overview_browser import TIMEOUT_MS
from vigie.analytics.base_movement import base_movement
from vigie.warehouse.api_keys import create_api_key
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

RETENTION = "rex@shop.test"
SHOWN = ["start", "new", "reactivated", "lost", "lost_from_start", "end"]
REVENUE = ["revenue_start", "revenue_new", "revenue_reactivated", "revenue_expansion", "revenue_contraction",
           "revenue_churned", "revenue_end"]


@pytest.fixture
def settings(store_url, tmp_path):
    return movement_settings(store_url, tmp_path)


def _expected(periods):
    """A period as the table writes it."""
    return [[p["period"] + (" (provisional)" if p["provisional"] else "")]
            + [f"{p[k]:,}" for k in SHOWN]
            + ["—" if p["churn_rate"] is None else f"{p['churn_rate']:.1f}%"] for p in periods]


def _expected_revenue(periods):
    return [[p["period"] + (" (provisional)" if p["provisional"] else "")] + [f"{p[k]:,.2f}" for k in REVENUE]
            for p in periods]


def test_the_section_agrees_with_the_query_and_the_api(app, client, store, live_url, browser, tmp_path):
    add_site(store, S, "UTC")
    add_user(store, RETENTION, PASSWORD, role="retention", sites=[S])
    seed_base_movement(store)
    token = create_api_key(store, S, "tests")[1]
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(f"{live_url}/customers?site={S}&date={AS_OF}")
    page.wait_for_url("**/login?**", timeout=TIMEOUT_MS)
    page.fill("#email", RETENTION)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#movement-table tbody tr", timeout=TIMEOUT_MS)
    shown = [row.split("\t")[:8] for row in page.locator("#movement-table tbody tr").all_inner_texts()]

    queried = base_movement(store, S, AS_OF, HORIZON, periods=12)["periods"]
    api = client.get(f"/api/v1/stats/base-movement?site={S}&date={AS_OF}&periods=12",
                     headers={"Authorization": f"Bearer {token}"}).get_json()["results"]
    assert shown == _expected(queried) == _expected(api)
    assert shown[-3] == ["2026-02-01", "2", "1", "1", "2", "1", "2", "50.0%"]
    assert page.locator("#movement-table tr.provisional").count() == 2
    february = page.locator("#movement-table tbody tr:nth-child(10) td")
    assert february.all_inner_texts()[8:] == ["65.0% (2.6 of 4)", "75.0% (3 of 4)"]

    revenue = page.locator("#movement-revenue-table tbody tr").all_inner_texts()
    assert [row.split("\t") for row in revenue] == _expected_revenue(queried) == _expected_revenue(api)
    assert revenue[-3].split("\t") == ["2026-02-01", "280.00", "100.00", "100.00", "0.00", "0.00", "250.00",
                                        "230.00"]

    page.wait_for_selector("#movement-chart .main-svg", timeout=TIMEOUT_MS)
    assert page.locator("#movement-chart .legendtext").all_text_contents() == [
        "New", "Reactivated", "Lost", "Clients at the end", "Churn rate %"]
    page.wait_for_selector("#movement-revenue-chart .main-svg", timeout=TIMEOUT_MS)
    assert page.locator("#movement-revenue-chart .legendtext").all_text_contents() == [
        "New", "Reactivated", "Expansion", "Contraction", "Churned", "Revenue at the end"]
    assert page.get_attribute("#movement-csv", "href").startswith(
        f"/api/v1/stats/base-movement?site={S}&date={AS_OF}&format=csv")
    out = os.environ.get("VIGIE_SCREENSHOT_DIR") or str(tmp_path)
    os.makedirs(out, exist_ok=True)
    page.locator("#movement-card").screenshot(path=os.path.join(out, "customers-movement.png"))
