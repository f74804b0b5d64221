"""Chromium opens every dashboard page on one seeded store, checks each shows its data (a number
or a name from the seed, not the loading state) and saves a full-page PNG of it.

The PNGs go to VIGIE_SCREENSHOT_DIR when it is set (docs/screenshots/ is refreshed that way),
else to the test's tmp_path. The seed reuses the hand-built worlds of the other page tests:

  shop.example  the traffic day (tests/dashboard/traffic_day.py) with a funnel on it, the
                retention weeks (test_retention_page.py), the realtime minutes
                (test_realtime_page.py), and the scored clients and alerts (retention_data.py)
  shop.test     the twelve clients of the customer value tests (tests/customer_value_data.py)

The timeline of one client is a view of /customers (`client=`), not a page module of its own;
it is shot too, as the twelfth picture.
"""
import os

import pytest

from vigie.analytics.funnels import add_funnel
from tests.churn_factories import insert_visit
from tests.customer_value_data import S as VALUE_SITE
from tests.customer_value_data import seed_customer_value
from tests.dashboard import test_realtime_page, test_retention_page
from tests.dashboard.retention_data import alerts_world
from tests.dashboard.test_overview_browser import TIMEOUT_MS, _sign_in, _table_rows
from tests.browser_waits import wait_until
from tests.dashboard.traffic_day import DAY, SITE, load_traffic_day
from vigie.warehouse.sites import add_site

# Browsers are the slow part; the numbers are checked on both backends by each page's callback tests.
pytestmark = pytest.mark.parametrize("backend", ["chdb"], indirect=True)

DAY_QUERY = f"site={SITE}&period=custom&from={DAY}&to={DAY}"
RETENTION_QUERY = f"site={SITE}&period=custom&from=2026-03-02&to=2026-03-15&interval=week"


def seed_every_page(store):
    # The retention weeks register shop.example in UTC; the traffic day then sets Europe/Paris,
    # which keeps the retention events (10:00 UTC) on the same days.
    test_retention_page.world(store)
    load_traffic_day(store)
    add_funnel(store, SITE, "Home to pricing", [("pageview", "/"), ("pageview", "/pricing")])
    test_realtime_page.world(store)
    alerts_world(store)
    insert_visit(store, SITE, "c1", "2026-06-20 09:00:00", "2026-06-20 09:04:10", 1, pageviews=3,
                 entry_page="/pricing", source="Google", channel="Organic Search")
    add_site(store, VALUE_SITE, "UTC")
    seed_customer_value(store)


def _overview(page):
    page.wait_for_selector("#kpi-visitors[data-value='5']")
    page.wait_for_selector("#traffic-chart .main-svg")
    assert page.inner_text("#kpi-revenue .kpi-value") == "49.50"
    page.wait_for_selector("#overview-pages-table tbody tr")  # its own callback
    assert _table_rows(page, "overview-pages-table")[0] == ["/", "4", "4"]


def _sources(page):
    page.wait_for_selector("#sources-channels-table")
    assert _table_rows(page, "sources-channels-table")[1] == [
        "Organic Search", "2", "2", "0.0%", "1", "50.0%", "49.50"]
    assert _table_rows(page, "sources-utm-campaign-table")[0][0] == "spring"


def _pages(page):
    page.wait_for_selector("#top-pages-table")
    assert _table_rows(page, "top-pages-table")[0][:3] == ["/", "4", "4"]


def _audience(page):
    wait_until(page, "document.querySelectorAll('#audience-map path.choroplethlocation').length === 3")
    countries = [row[0] for row in _table_rows(page, "countries-table")]
    assert countries[0] == "France"  # visitors 1 and 3; the others one visitor each
    assert sorted(countries[1:]) == ["(not set)", "Germany", "United States"]


def _conversions(page):
    page.wait_for_selector("#goals-table")
    page.wait_for_selector("#funnel-chart .main-svg")
    # The name cell holds the goal's name and, under it, what it matches.
    goals = {row[0].split()[0]: row[1:] for row in _table_rows(page, "goals-table")}
    assert goals["purchase"] == ["1", "20.0%", "1", "49.50 EUR", "20m 30s"]
    assert _table_rows(page, "funnel-table")[0] == ["1. Visit /", "4", "0", "100.0%", "100.0%"]


def _retention(page):
    page.wait_for_selector("#cohort-table")
    page.wait_for_selector("#cohort-heatmap .main-svg")
    assert _table_rows(page, "cohort-table")[0] == ["Mar 02, 2026", "2", "100.0%", "50.0%"]


def _realtime(page):
    page.wait_for_selector("#realtime-feed")
    assert page.get_attribute("#realtime-current", "data-value") == "2"
    assert _table_rows(page, "realtime-pages")[0] == ["/pricing", "2", "2"]


def _churn(page):
    page.wait_for_selector("#at-risk-table")
    page.wait_for_selector("#model-metrics")
    assert page.inner_text("#band-high .kpi-value") == "2"
    assert page.inner_text("#at-risk-table td[data-dash-column=client]") == "c1"


def _alerts(page):
    page.wait_for_selector("#alerts-count")
    assert "a00000000001" in page.inner_text("#alerts-table")
    assert "team-mail" in page.inner_text("body")


def _customers(page):
    page.wait_for_selector("#rfm-matrix")
    page.wait_for_selector("#clv-chart .main-svg")
    assert page.inner_text("#rfm-cell-24").split() == ["At", "risk", "1"]
    assert page.inner_text("#clv-historical .kpi-value") == "2,020.00"


def _timeline(page):
    page.wait_for_selector("#customer-timeline")
    assert "91.0%" in page.inner_text("#customer-scores")
    assert "4m 10s" in page.inner_text("#customer-visits")
    assert "Risk above 70%" in page.inner_text("#customer-alerts")


def _settings(page):
    page.wait_for_selector("#sites-table")
    for domain in ("shop.example", "other.example", VALUE_SITE):
        assert domain in page.inner_text("#sites-table")


# (file name, path, check that the page's data is there)
PAGES = [
    ("overview.png", f"/?{DAY_QUERY}&compare=previous_period", _overview),
    ("sources.png", f"/sources?{DAY_QUERY}", _sources),
    ("pages.png", f"/pages?{DAY_QUERY}", _pages),
    ("audience.png", f"/audience?{DAY_QUERY}", _audience),
    ("conversions.png", f"/conversions?{DAY_QUERY}", _conversions),
    ("retention.png", f"/retention?{RETENTION_QUERY}", _retention),
    ("realtime.png", f"/realtime?site={SITE}", _realtime),
    ("churn.png", f"/churn?site={SITE}", _churn),
    ("alerts.png", f"/alerts?site={SITE}", _alerts),
    ("customers.png", f"/customers?site={VALUE_SITE}&date=2026-03-01", _customers),
    ("customer-timeline.png", f"/customers?site={SITE}&client=c1", _timeline),
    ("settings.png", "/settings", _settings),
]


def test_every_page_shows_its_data_and_is_saved_as_a_png(app, store, account, live_url, browser,
                                                         tmp_path):
    seed_every_page(store)
    out = os.environ.get("VIGIE_SCREENSHOT_DIR") or str(tmp_path)
    os.makedirs(out, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    _sign_in(page, live_url, PAGES[0][1])
    for name, path, check in PAGES:
        if page.url != live_url + path:
            page.goto(live_url + path)
        check(page)
        page.screenshot(path=os.path.join(out, name), full_page=True)
    for name, _, _ in PAGES:
        with open(os.path.join(out, name), "rb") as png:
            assert png.read(8) == b"\x89PNG\r\n\x1a\n", name
