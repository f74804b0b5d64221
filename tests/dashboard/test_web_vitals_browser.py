"""Chromium on the Web vitals page: the day's cards and tables, the comparison picked in the
report bar, and a device filtering the view."""
import pytest

from tests.analytics.test_web_vitals import S, load
from tests.browser_waits import wait_until
from tests.churn_factories import insert_visit
from tests.dashboard.test_report_pages_browser import _open, _rows
from vigie.warehouse.sites import add_site

# The numbers are checked on both backends by test_web_vitals_page.py; the browser runs on one.
pytestmark = pytest.mark.parametrize("backend", ["chdb"], indirect=True)
DAY = "2026-03-10"


def test_vitals_page_compares_and_filters(app, store, account, live_url, browser):
    add_site(store, S, "UTC", web_vitals=True)
    load(store)
    insert_visit(store, S, "", "2026-03-10 09:19:00", "2026-03-10 09:25:00", 3, device="mobile")
    insert_visit(store, S, "", "2026-03-10 09:29:00", "2026-03-10 09:35:00", 4, device="mobile")
    path = f"/vitals?site={S}&period=custom&from={DAY}&to={DAY}"
    page, asked = _open(browser, live_url, path)
    page.wait_for_selector("#vitals-pages-table")
    assert _rows(page, "vitals-pages-table") == [["/", "3", "3.00 s", "200 ms", "0.20", "900 ms"],
                                                ["/pricing", "2", "5.00 s", "600 ms", "0.30", "2.00 s"]]
    assert page.get_attribute("#vitals-card-lcp", "data-value") == "5000"
    assert page.get_attribute("#vitals-card-lcp", "data-rating") == "poor"
    assert page.inner_text("#vitals-card-cls .vitals-rating") == "Needs improvement"
    # The bar: 60 % good, 20 % needing improvement, 20 % poor page loads.
    assert page.get_attribute("#vitals-card-cls .vitals-bar-good", "style") == "width: 60%;"
    assert page.get_attribute("#vitals-devices-csv", "href").startswith("/api/v1/stats/web-vitals?")
    assert [url for url in asked if not url.startswith(live_url)] == []

    page.locator("#vitals-compare").click()
    page.get_by_text("Previous period", exact=True).click()
    page.wait_for_url("**compare=previous_period**")
    wait_until(page, "document.querySelector('#vitals-card-lcp .kpi-change') !== null")
    assert page.get_attribute("#vitals-card-lcp .kpi-change", "data-change") == "150.0"
    page.screenshot(path="/tmp/vigie-web-vitals.png", full_page=True)

    # The mobile visits kept: visitor 3's page load of / and visitor 4's of /pricing.
    page.locator("#vitals-devices-table a.filter-link", has_text="mobile").click()
    page.wait_for_url("**f_device=mobile**")
    wait_until(page, "document.querySelectorAll('#vitals-pages-table tbody tr').length === 2 && "
                     "document.querySelector('#vitals-pages-table tbody td.num').innerText === '1'")
    assert [r[:3] for r in _rows(page, "vitals-pages-table")] == [["/", "1", "3.00 s"],
                                                                  ["/pricing", "1", "5.00 s"]]
