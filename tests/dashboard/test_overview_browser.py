"""Chromium signs in and reads the overview; its numbers are the hand-worked ones
of tests/dashboard/traffic_day.py, and equal analytics.query.aggregate."""
import pytest

from vigie.analytics.period import period_from_key
from vigie.analytics.query import aggregate
from tests.dashboard.conftest import EMAIL, PASSWORD
from tests.dashboard.traffic_day import DAY, EXPECTED, SITE, load_traffic_day

DAY_QUERY = f"/?site={SITE}&period=custom&from={DAY}&to={DAY}"
TIMEOUT_MS = 60_000  # the machine running the suite may be busy

EXPECTED_TEXT = {"visitors": "5", "visits": "6", "pageviews": "9", "views-per-visit": "1.50",
                 "bounce-rate": "50.0%", "visit-duration": "3m 54s", "conversion-rate": "33.3%",
                 "revenue": "49.50"}


@pytest.fixture
def shop(store, account):
    return load_traffic_day(store)


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

    period = period_from_key("custom", shop.timezone, start=DAY, end=DAY)
    from_analytics = {key: value for key, value in aggregate(store, shop, period).items() if key in EXPECTED}
    assert from_analytics == EXPECTED

    shown = _kpi_values(page)
    assert {key: float(raw) for key, (raw, _) in shown.items()} == {
        key.replace("_", "-"): float(value) for key, value in from_analytics.items()}
    assert {key: text for key, (_, text) in shown.items()} == EXPECTED_TEXT

    assert page.inner_text("#signed-in-email") == EMAIL
    # The tables come from callbacks of their own, which may answer after the cards.
    page.wait_for_selector("#overview-pages-table tbody tr")
    page.wait_for_selector("#overview-sources-table tbody tr")
    assert _table_rows(page, "overview-pages-table") == [
        ["/", "4", "4"], ["/pricing", "3", "3"], ["/blog/launch", "1", "1"], ["/checkout", "1", "1"]]
    assert _table_rows(page, "overview-sources-table") == [
        ["Google", "2", "2"], ["newsletter", "1", "2"], ["Direct / None", "1", "1"],
        ["news.ycombinator.com", "1", "1"]]
    page.wait_for_selector("#traffic-chart .main-svg")
    # The chart keeps Plotly's "download as PNG" button.
    assert page.locator("#traffic-chart .modebar-btn[data-title^='Download plot']").count() == 1

    # A row filters the whole page; its chip removes the filter again.
    page.click("#overview-devices-table >> text=mobile")
    page.wait_for_url(live_url + DAY_QUERY + "&f_device=mobile")
    page.wait_for_selector("#kpi-visits[data-value='3']")
    page.click("#overview-chips .chip")
    page.wait_for_url(live_url + DAY_QUERY)
    page.wait_for_selector("#kpi-visits[data-value='6']")
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
    assert page.is_hidden("#overview-custom-range")

    # The shared URL reproduces the view in a fresh tab of the same session.
    other = context.new_page()
    other.goto(f"{live_url}/?site={SITE}&period=7d")
    other.wait_for_selector("#kpi-visitors[data-value='0']")
    assert other.locator("#overview-period input[value='7d']").is_checked()


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
