"""Chromium on the Journeys page: the Sankey and its table of the hand-built day, the steps
chosen from the page, and a click on a page of the diagram filtering the view."""
import pytest

from tests.analytics.journeys_day import S, load_journeys_day
from tests.browser_waits import wait_until
from tests.dashboard.test_report_pages_browser import _open, _rows

# The numbers are checked on both backends by test_journeys_page.py; the browser runs on one.
pytestmark = pytest.mark.parametrize("backend", ["chdb"], indirect=True)
DAY = "2026-03-10"


def test_journeys_page_draws_chooses_steps_and_filters_on_a_click(app, store, account, live_url, browser):
    load_journeys_day(store)
    path = f"/journeys?site={S}&period=custom&from={DAY}&to={DAY}&steps=2"
    page, asked = _open(browser, live_url, path)
    page.wait_for_selector("#journeys-table tbody tr")
    page.wait_for_selector("#journeys-sankey .sankey-node")
    assert _rows(page, "journeys-table") == [
        ["1", "/", "3", "1"], ["1", "/blog", "1", "1"], ["1", "/pricing", "1", "0"],
        ["2", "/pricing", "2", "1"], ["2", "/blog", "1", "0"], ["2", "/signup", "1", "0"]]
    # Six pages and the "Left the site" node of the visits that stopped at step 1.
    assert page.locator("#journeys-sankey .sankey-node").count() == 7
    assert page.get_attribute("#journeys-links-csv", "href").startswith("/api/v1/stats/journeys?")
    assert [url for url in asked if not url.startswith(live_url)] == []

    # Three steps, chosen on the page: visitor 1 reaches /signup and visitors 3 and 5 /pricing.
    page.locator("#journeys-steps").click()
    page.get_by_text("3 steps", exact=True).click()
    page.wait_for_url("**steps=3**")
    wait_until(page, "document.querySelectorAll('#journeys-table tbody tr').length === 8")
    assert _rows(page, "journeys-table")[-2:] == [["3", "/pricing", "2", "0"], ["3", "/signup", "1", "1"]]

    # The /pricing node of step 2 (the fourth node): only the visits that viewed /pricing stay,
    # so visitor 1's second visit, on / alone, no longer ends at step 1.
    page.locator("#journeys-sankey .sankey-node .node-rect").nth(3).click()
    page.wait_for_url("**f_page=%2Fpricing**")
    wait_until(page, "document.querySelector('#journeys-chips .chip') !== null")
    wait_until(page, "document.querySelectorAll('#journeys-table tbody tr').length === 7")
    assert _rows(page, "journeys-table")[0] == ["1", "/", "3", "0"]
    assert "steps=3" in page.url
    page.screenshot(path="/tmp/vigie-journeys.png", full_page=True)
