"""Chromium reads the Sources page of the hand-worked day, filters it by a row and
clears the filter with its chip (tests/dashboard/traffic_day.py has the numbers)."""

from tests.dashboard.conftest import EMAIL, PASSWORD
from tests.dashboard.traffic_day import DAY, SITE, load_traffic_day

QUERY = f"/sources?site={SITE}&period=custom&from={DAY}&to={DAY}"
TIMEOUT_MS = 60_000  # the machine running the suite may be busy


def _table_rows(page, table_id):
    rows = page.locator(f"#{table_id} tbody tr")
    return [[cell.strip() for cell in rows.nth(i).locator("td").all_inner_texts()]
            for i in range(rows.count())]


def test_sources_page_filters_by_a_row_and_a_chip_clears_it(app, store, account, live_url, browser):
    load_traffic_day(store)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(live_url + QUERY)
    page.wait_for_url("**/login?**")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(live_url + QUERY)
    page.wait_for_selector("#sources-channels-table")
    assert page.locator("#nav-sources").inner_text() == "Sources"
    assert _table_rows(page, "sources-channels-table") == [
        ["Email", "1", "2", "50.0%", "1", "50.0%", "0.00"],
        ["Organic Search", "2", "2", "0.0%", "1", "50.0%", "49.50"],
        ["Direct", "1", "1", "100.0%", "0", "0.0%", "0.00"],
        ["Referral", "1", "1", "100.0%", "0", "0.0%", "0.00"]]
    assert _table_rows(page, "sources-utm-campaign-table") == [
        ["spring", "1", "2", "50.0%", "1", "50.0%", "0.00"]]
    page.screenshot(path="/tmp/vigie-sources.png", full_page=True)

    page.click("#sources-channels-table >> text=Organic Search")
    page.wait_for_url(live_url + QUERY + "&f_channel=Organic+Search")
    page.wait_for_selector("#sources-referrers-table")
    page.wait_for_function("() => document.querySelectorAll('#sources-channels-table tbody tr').length === 1")
    assert _table_rows(page, "sources-referrers-table") == [
        ["google.com", "2", "2", "0.0%", "1", "50.0%", "49.50"]]
    assert " ".join(page.inner_text("#sources-chips").split()) == "Channel: Organic Search ×"
    csv = page.get_attribute("#sources-referrers-csv", "href")
    assert "property=referrer" in csv and "f_channel=Organic+Search" in csv

    page.click("#sources-chips .chip")
    page.wait_for_url(live_url + QUERY)
    page.wait_for_function("() => document.querySelectorAll('#sources-channels-table tbody tr').length === 4")
    assert page.locator("#sources-chips .chip").count() == 0
