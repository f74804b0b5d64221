"""Chromium on the Site search page: the day's terms and cards, the comparison picked in the
report bar, and a page after searching filtering the view."""
import pytest

from tests.analytics.test_site_search import S, load_day
from tests.browser_waits import wait_until
from tests.dashboard.report_helpers import sessionize
from tests.dashboard.test_report_pages_browser import _open, _rows
from tests.factories import event, insert_events
from vigie.warehouse.sites import add_site

# The numbers are checked on both backends by test_site_search_page.py; the browser runs on one.
pytestmark = pytest.mark.parametrize("backend", ["chdb"], indirect=True)
DAY = "2026-03-10"


def test_search_page_compares_and_filters(app, store, account, live_url, browser):
    site = add_site(store, S, "UTC", search_no_results_page="/search/none",
                    search_no_results_event="Search empty")
    load_day(store)
    insert_events(store, [event(S, "2026-03-09 09:00:00", visitor=7, pathname="/search",
                                site_search_term="shoes")])
    sessionize(store, site, "2026-03-09", "2026-03-12")
    path = f"/search?site={S}&period=custom&from={DAY}&to={DAY}"
    page, asked = _open(browser, live_url, path)
    page.wait_for_selector("#search-terms-table")
    assert _rows(page, "search-terms-table")[0] == ["shoes", "3", "2", "3", "1.00"]
    assert _rows(page, "search-no-results-table") == [["hats", "1", "1"], ["socks", "1", "1"]]
    assert page.get_attribute("#kpi-searches", "data-value") == "6"
    assert page.get_attribute("#search-terms-csv", "href").startswith("/api/v1/stats/site-search?")
    assert [url for url in asked if not url.startswith(live_url)] == []

    # The comparison is chosen in the report bar, as on the overview.
    page.locator("#search-compare").click()
    page.get_by_text("Previous period", exact=True).click()
    page.wait_for_url("**compare=previous_period**")
    wait_until(page, "document.querySelector('#kpi-searches .kpi-change') !== null")
    assert page.get_attribute("#kpi-searches .kpi-change", "data-change") == "500.0"
    page.screenshot(path="/tmp/vigie-site-search.png", full_page=True)

    # Visitor 1's visit that viewed /p/red-shoe kept: its two searches and nothing else.
    page.locator("#search-next-pages-table a.filter-link", has_text="/p/red-shoe").click()
    page.wait_for_url("**f_page=%2Fp%2Fred-shoe**")
    wait_until(page, "document.querySelectorAll('#search-terms-table tbody tr').length === 2")
    assert sorted(r[0] for r in _rows(page, "search-terms-table")) == ["red shoes", "shoes"]
