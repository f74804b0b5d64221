"""Chromium on the Pages and Audience pages: the hand-worked numbers, a row or a
country on the map filtering the view, and nothing fetched from outside Vigie."""
import pytest

from tests.dashboard import audience_day, worked_day
from tests.dashboard.conftest import EMAIL, PASSWORD
from tests.dashboard.report_helpers import sessionize
from tests.factories import insert_events
from vigie.warehouse.sites import add_site

TIMEOUT_MS = 30_000
# The numbers are checked on both backends by the callback tests (test_pages_page.py,
# test_audience_page.py); the browser, the heaviest part, runs on the embedded one.
pytestmark = pytest.mark.parametrize("backend", ["chdb"], indirect=True)


def _open(browser, live_url, path):
    """A signed-in page on `path`, recording every URL the browser asks for."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(live_url + path)
    page.wait_for_url("**/login?**")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(live_url + path)
    return page, asked


def _rows(page, table_id):
    rows = page.locator(f"#{table_id} tbody tr")
    return [[cell.strip() for cell in rows.nth(i).locator("td").all_inner_texts()]
            for i in range(rows.count())]


def test_pages_page_filters_by_a_clicked_entry_page(app, store, account, live_url, browser):
    site = add_site(store, worked_day.SITE, worked_day.TIMEZONE)
    insert_events(store, worked_day.day_events())
    sessionize(store, site, "2024-03-09", "2024-03-12")
    day = worked_day.DAY
    path = f"/pages?site={worked_day.SITE}&period=custom&from={day}&to={day}"
    page, _ = _open(browser, live_url, path)
    page.wait_for_selector("#top-pages-table")
    assert _rows(page, "top-pages-table")[:2] == [["/", "4", "4", "0s", "4", "25.0%"],
                                                  ["/pricing", "3", "3", "13s", "1", "100.0%"]]
    assert _rows(page, "exit-pages-table")[1] == ["/pricing", "2", "2", "66.7%"]
    page.screenshot(path="/tmp/vigie-pages.png", full_page=True)

    page.locator("#entry-pages-table a.filter-link", has_text="/pricing").click()
    page.wait_for_url(f"{live_url}{path}&f_entry_page=%2Fpricing")
    page.wait_for_selector("#content-chips .chip")
    # The chip's parts are flex items: inner_text puts line breaks between them.
    assert "Entry page: /pricing" in " ".join(page.inner_text("#content-chips").split())
    page.wait_for_function("() => document.querySelectorAll('#entry-pages-table tbody tr').length === 1")
    assert _rows(page, "entry-pages-table") == [["/pricing", "1", "1", "100.0%", "0s"]]


def test_audience_map_is_drawn_locally_and_a_country_click_filters(app, store, account, live_url,
                                                                    browser):
    site = add_site(store, audience_day.SITE, "UTC")
    insert_events(store, audience_day.audience_events())
    sessionize(store, site, "2024-02-29", "2024-03-12")
    day = audience_day.DAY
    path = f"/audience?site={audience_day.SITE}&period=custom&from={day}&to={day}"
    page, asked = _open(browser, live_url, path)
    # Three countries drawn: the world outline came from Vigie's own assets.
    page.wait_for_function("() => document.querySelectorAll('#audience-map path.choroplethlocation').length === 3")
    assert _rows(page, "countries-table")[0] == ["France", "2", "3", "66.7%"]
    assert page.get_attribute("#returning-returning-visit-share", "data-value") == "33.3"
    assert page.locator("#audience-map .modebar-btn[data-title='Download plot as a PNG']").count() == 1
    assert [url for url in asked if not url.startswith(live_url)] == []
    page.screenshot(path="/tmp/vigie-audience.png", full_page=True)

    # Germany is the trace's second location, so its path is the second one drawn (France's
    # box, French Guiana included, is centred in the Atlantic). Plotly turns a click into
    # clickData from the point under the pointer, so hover first, as a person would.
    germany = page.locator("#audience-map path.choroplethlocation").nth(1)
    germany.hover(force=True)
    page.wait_for_selector("#audience-map .hoverlayer .hovertext")
    germany.click(force=True)
    page.wait_for_url(f"{live_url}{path}&f_country=DE")
    page.wait_for_selector("#audience-chips .chip")
    page.wait_for_function("() => document.querySelectorAll('#browser-table tbody tr').length === 1")
    assert _rows(page, "browser-table") == [["Safari", "1", "1", "100.0%"]]
    assert "Country: DE" in " ".join(page.inner_text("#audience-chips").split())
