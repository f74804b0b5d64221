"""Chromium signs in and reads the overview; its numbers are the hand-worked ones.

The site is in Paris (UTC+1 in March), so the local day 2024-03-10 runs from
2024-03-09 23:00 to 2024-03-10 23:00 UTC. Events (times UTC):

  visitor 1  08:00 /, 08:01:30 /pricing (from google.com),
             engagement 40 s at 08:02:10       -> engaged, 130 s
  visitor 2  09:00 /blog/launch (from news.ycombinator.com),
             engagement 8 s                     -> bounce, 8 s
  visitor 3  10:00 /, 10:00:20 signup           -> engaged (custom event), 20 s
  visitor 3  11:00 /pricing (a new visit)       -> bounce, 0 s
  visitor 4  12:00 / (google.com), 12:05 /pricing, 12:20 /checkout,
             engagement 45 s at 12:20:45        -> engaged, 1245 s
  visitor 6  2024-03-09 23:30 / (00:30 in Paris, so inside the day) -> bounce, 0 s
  visitor 5  2024-03-10 23:30 / (00:30 on the 11th in Paris: outside)

Unique visitors 5, visits 6, pageviews 9, views per visit 1.5, bounce rate
3/6 = 50.0 %, visit duration (130 + 8 + 20 + 0 + 1245 + 0) / 6 = 233.8 -> 234 s.
"""
import datetime
import time

import pytest
from playwright.sync_api import sync_playwright

from analytics import reports
from analytics.period import period_from_key
from dashboard.overview_data import visit_rules
from tests.conftest import chromium_launch_args
from tests.dashboard.conftest import EMAIL, PASSWORD
from tests.factories import event, insert_events
from warehouse.sites import add_site

SITE = "shop.example"
DAY_QUERY = f"/?site={SITE}&period=custom&from=2024-03-10&to=2024-03-10"
TIMEOUT_MS = 20_000

EXPECTED = {"visitors": 5, "visits": 6, "pageviews": 9, "views_per_visit": 1.5,
            "bounce_rate": 50.0, "visit_duration": 234}
EXPECTED_TEXT = {"visitors": "5", "visits": "6", "pageviews": "9", "views-per-visit": "1.50",
                 "bounce-rate": "50.0%", "visit-duration": "3m 54s"}


def _day_events():
    google, hn = {"referrer_host": "google.com"}, {"referrer_host": "news.ycombinator.com"}
    return [
        event(SITE, "2024-03-10 08:00:00", visitor=1, pathname="/", **google),
        event(SITE, "2024-03-10 08:01:30", visitor=1, pathname="/pricing"),
        event(SITE, "2024-03-10 08:02:10", "engagement", visitor=1, pathname="/pricing", engaged_ms=40_000),
        event(SITE, "2024-03-10 09:00:00", visitor=2, pathname="/blog/launch", **hn),
        event(SITE, "2024-03-10 09:00:08", "engagement", visitor=2, pathname="/blog/launch", engaged_ms=8_000),
        event(SITE, "2024-03-10 10:00:00", visitor=3, pathname="/"),
        event(SITE, "2024-03-10 10:00:20", "signup", visitor=3, pathname="/"),
        event(SITE, "2024-03-10 11:00:00", visitor=3, pathname="/pricing"),
        event(SITE, "2024-03-10 12:00:00", visitor=4, pathname="/", **google),
        event(SITE, "2024-03-10 12:05:00", visitor=4, pathname="/pricing"),
        event(SITE, "2024-03-10 12:20:00", visitor=4, pathname="/checkout"),
        event(SITE, "2024-03-10 12:20:45", "engagement", visitor=4, pathname="/checkout", engaged_ms=45_000),
        event(SITE, "2024-03-09 23:30:00", visitor=6, pathname="/"),
        event(SITE, "2024-03-10 23:30:00", visitor=5, pathname="/"),
    ]


@pytest.fixture
def shop(store, account):
    site = add_site(store, SITE, "Europe/Paris")
    insert_events(store, _day_events())
    return site


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(**chromium_launch_args())
        try:
            yield chromium
        finally:
            chromium.close()


def _kpi_values(page):
    cards = page.locator(".kpi")
    return {cards.nth(i).get_attribute("id")[len("kpi-"):]: (cards.nth(i).get_attribute("data-value"),
                                                              cards.nth(i).locator(".kpi-value").inner_text())
            for i in range(cards.count())}


def _table_rows(page, table_id):
    rows = page.locator(f"#{table_id} tbody tr")
    return [[cell.strip() for cell in rows.nth(i).locator("td").all_inner_texts()]
            for i in range(rows.count())]


def _sign_in(page, live_url, path):
    page.goto(live_url + path)
    page.wait_for_url("**/login?**", timeout=TIMEOUT_MS)
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")


def test_overview_shows_the_hand_worked_numbers(app, store, settings, shop, live_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    _sign_in(page, live_url, DAY_QUERY)
    page.wait_for_url(live_url + DAY_QUERY)
    page.wait_for_selector("#kpi-visitors[data-value]")

    period = period_from_key("custom", shop.timezone, start="2024-03-10", end="2024-03-10")
    from_analytics = reports.overview(store, shop, period, visit_rules(settings))
    assert from_analytics == EXPECTED

    shown = _kpi_values(page)
    assert {key: float(raw) for key, (raw, _) in shown.items()} == {
        key.replace("_", "-"): float(value) for key, value in from_analytics.items()}
    assert {key: text for key, (_, text) in shown.items()} == EXPECTED_TEXT

    assert page.inner_text("#signed-in-email") == EMAIL
    assert _table_rows(page, "top-pages-table") == [
        ["/", "4", "4"], ["/pricing", "3", "3"], ["/blog/launch", "1", "1"], ["/checkout", "1", "1"]]
    assert _table_rows(page, "top-sources-table") == [
        ["Direct / None", "2", "3"], ["google.com", "2", "2"], ["news.ycombinator.com", "1", "1"]]
    page.wait_for_selector("#traffic-chart .main-svg")
    page.screenshot(path="/tmp/vigie-overview.png", full_page=True)


def test_changing_the_period_updates_the_url_and_shows_an_empty_state(app, shop, live_url, browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    _sign_in(page, live_url, DAY_QUERY)
    page.wait_for_selector("#kpi-visitors[data-value='5']")

    # Nothing was tracked in the last 7 days (the events are from 2024).
    page.get_by_label("Last 7 days").check()
    page.wait_for_url(f"{live_url}/?site={SITE}&period=7d")
    page.wait_for_selector("#kpi-visitors[data-value='0']")
    assert page.get_attribute("#kpi-bounce-rate", "data-value") == ""
    assert page.inner_text("#kpi-bounce-rate .kpi-value") == "—"
    assert "No visits in this period" in page.inner_text("#overview-chart")
    assert page.is_hidden("#custom-range")

    # The shared URL reproduces the view in a fresh tab of the same session.
    other = context.new_page()
    other.goto(f"{live_url}/?site={SITE}&period=7d")
    other.wait_for_selector("#kpi-visitors[data-value='0']")
    assert other.locator("#period-select input[value='7d']").is_checked()


def test_a_bad_link_shows_a_readable_message(app, shop, live_url, browser):
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    _sign_in(page, live_url, "/?site=nowhere.example&period=7d")
    message = page.wait_for_selector("#overview-message .message")
    assert "No site named “nowhere.example” is registered" in message.inner_text()
    assert page.is_hidden("#overview-report")

    page.goto(live_url + f"/?site={SITE}&period=custom&from=2024-13-01&to=2024-03-10")
    message = page.wait_for_selector("#overview-message .message")
    assert "is not a date like 2024-01-31" in message.inner_text()
    assert page.locator(".kpi").count() == 0
    assert "Traceback" not in page.content()


def test_sign_out_from_the_header(app, shop, live_url, browser):
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    _sign_in(page, live_url, "/")
    page.wait_for_selector("#logout-button")
    page.click("#logout-button")
    page.wait_for_url(live_url + "/login")
    page.goto(live_url + "/")
    page.wait_for_url("**/login?next=/")
