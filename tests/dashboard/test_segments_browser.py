"""Chromium saves the filters of the Sources page as a segment, reloads the page with the segment
picked, and sees its chips and the numbers of the explicit filters; then picks it from the list
on a page without filters (tests/dashboard/traffic_day.py has the numbers)."""
import re

from tests.browser_waits import wait_until
from tests.dashboard.conftest import EMAIL, PASSWORD
from tests.dashboard.traffic_day import DAY, SITE, load_traffic_day
from vigie.warehouse.segments import Reader, site_segments

QUERY = f"/sources?site={SITE}&period=custom&from={DAY}&to={DAY}"
FILTERS = "&f_channel=Organic+Search&f_device=desktop"
TIMEOUT_MS = 60_000  # the machine running the suite may be busy


def _table_rows(page, table_id):
    rows = page.locator(f"#{table_id} tbody tr")
    return [[cell.strip() for cell in rows.nth(i).locator("td").all_inner_texts()]
            for i in range(rows.count())]


def _chips(page):
    return " ".join(page.inner_text("#sources-chips").split())


def test_save_the_filters_as_a_segment_and_apply_it(app, store, account, live_url, browser):
    load_traffic_day(store)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(live_url + QUERY + FILTERS)
    page.wait_for_url("**/login?**")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(live_url + QUERY + FILTERS)
    page.wait_for_selector("#sources-referrers-table")
    explicit = {table: _table_rows(page, table) for table in (
        "sources-channels-table", "sources-referrers-table", "sources-search-engines-table")}
    # Visitors 1 and 4: organic search on desktops.
    assert explicit["sources-referrers-table"] == [["google.com", "2", "2", "0.0%", "1", "50.0%", "49.50"]]

    page.click(".segment-tools summary")
    page.fill("#sources-segment-name", "Desktop search")
    page.click("#sources-segment-visibility >> text=Everyone who sees this site")
    page.click("#sources-segment-save")
    page.wait_for_url(re.compile(r".*&segment=[0-9a-f]{16}$"))
    (saved,) = site_segments(store, SITE, Reader(account.email))
    assert (saved.name, saved.filters, saved.visibility) == (
        "Desktop search", {"channel": "Organic Search", "device": "desktop"}, "shared")
    assert page.url == f"{live_url}{QUERY}&segment={saved.segment_id}"

    page.reload()
    page.wait_for_selector("#sources-segment-chip")
    wait_until(page, "document.querySelectorAll('#sources-channels-table tbody tr').length === 1")
    assert _chips(page) == "Segment: Desktop search × Channel: Organic Search Device: desktop"
    assert "Desktop search" in page.inner_text("#sources-segment")
    assert {table: _table_rows(page, table) for table in explicit} == explicit
    assert f"segment={saved.segment_id}" in page.get_attribute("#sources-referrers-csv", "href")

    # Without filters, the picker applies the segment.
    page.goto(live_url + QUERY)
    wait_until(page, "document.querySelectorAll('#sources-channels-table tbody tr').length === 4")
    page.click("#sources-segment")
    page.click("text=Desktop search (shared)")
    page.wait_for_url(f"{live_url}{QUERY}&segment={saved.segment_id}")
    wait_until(page, "document.querySelectorAll('#sources-channels-table tbody tr').length === 1")
    assert {table: _table_rows(page, table) for table in explicit} == explicit
    # The segment's chip takes it away again.
    page.click("#sources-segment-chip")
    page.wait_for_url(live_url + QUERY)
    wait_until(page, "document.querySelectorAll('#sources-channels-table tbody tr').length === 4")
