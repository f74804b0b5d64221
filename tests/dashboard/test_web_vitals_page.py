"""The Web vitals page (/vitals) through its Dash callbacks, agreeing with the Stats API, on
both backends. Data: the hand-built day of tests/analytics/test_web_vitals.py."""
import csv
import io

import pytest

from tests.analytics.test_web_vitals import S, load
from tests.churn_factories import insert_visit
from tests.dashboard.conftest import find_component
from tests.dashboard.report_helpers import outputs_of, query_of, route, row_links, table_rows
from vigie.warehouse.sites import add_site

DAY = "2026-03-10"
QUERY = {"site": S, "period": "custom", "from": DAY, "to": DAY}
OUTPUTS = [("vitals-message", "children"), ("vitals-kpis", "children"), ("vitals-pages", "children"),
           ("vitals-devices", "children"), ("vitals-countries", "children"),
           ("vitals-report", "style")]


@pytest.fixture
def day(store):
    site = add_site(store, S, "UTC", web_vitals=True)
    load(store)
    return site


def _page(client, query):
    got = outputs_of(client, OUTPUTS, "vitals-selection", query)
    assert got["vitals-report"] == {}
    return got


def _cards(got):
    """{card id: (data-value, data-rating, data-change or None)}."""
    found = {}
    for card in got["vitals-kpis"]:
        props = card["props"]
        changes = [c["props"]["data-change"] for c in props["children"]
                   if "kpi-change" in c["props"].get("className", "")]
        found[props["id"]] = (props["data-value"], props["data-rating"], changes[0] if changes else None)
    return found


def test_every_card_and_table_of_the_day(signed_in, day):
    got = _page(signed_in, QUERY)
    assert got["vitals-message"] is None
    assert _cards(got) == {"vitals-card-lcp": ("5000", "poor", None),
                           "vitals-card-inp": ("600", "poor", None),
                           "vitals-card-cls": ("0.2", "needs_improvement", None),
                           "vitals-card-ttfb": ("900", "needs_improvement", None)}
    assert table_rows(got["vitals-pages"]) == [
        ["/", "3", "3.00 s", "200 ms", "0.20", "900 ms"],
        ["/pricing", "2", "5.00 s", "600 ms", "0.30", "2.00 s"]]
    assert table_rows(got["vitals-devices"]) == [
        ["desktop", "3", "2.50 s", "250 ms", "0.10", "800 ms"],
        ["mobile", "2", "5.00 s", "600 ms", "0.30", "2.00 s"]]
    assert [row[:2] for row in table_rows(got["vitals-countries"])] == [["France", "3"], ["Germany", "2"]]
    # A page filters the report by the visits that viewed it.
    assert query_of(row_links(got["vitals-pages"])["/pricing"])["f_page"] == "/pricing"


def test_compared_with_the_day_before(signed_in, day):
    cards = _cards(_page(signed_in, dict(QUERY, compare="previous_period")))
    # LCP p75 2000 ms the day before: +150 %; CLS from 0 has no percent change.
    assert cards["vitals-card-lcp"] == ("5000", "poor", "150.0")
    assert cards["vitals-card-cls"] == ("0.2", "needs_improvement", "")


def test_a_filter_keeps_the_reports_of_kept_visits(signed_in, store, day):
    insert_visit(store, S, "", "2026-03-10 09:29:00", "2026-03-10 09:35:00", 4, source="Newsletter")
    got = _page(signed_in, dict(QUERY, f_source="Newsletter"))
    assert table_rows(got["vitals-pages"]) == [["/pricing", "1", "5.00 s", "600 ms", "0.30", "2.00 s"]]


def test_csv_links_give_the_shown_rows(signed_in, day):
    layout = route(signed_in, "/vitals", f"?site={S}&period=custom&from={DAY}&to={DAY}")
    got = _page(signed_in, QUERY)
    for report in ("pages", "devices", "countries"):
        href = find_component(layout, f"vitals-{report}-csv")["props"]["href"]
        assert href.startswith("/api/v1/stats/web-vitals?") and f"report={report}" in href
        answer = signed_in.get(href)
        assert answer.status_code == 200 and answer.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))[1:]
        assert [r[1] for r in rows] == [r[1] for r in table_rows(got[f"vitals-{report}"])]


def test_a_site_with_vitals_off_says_how_to_turn_them_on(signed_in, store):
    add_site(store, S, "UTC")
    got = _page(signed_in, QUERY)
    assert find_component(got["vitals-message"], "vitals-off") is not None
    assert find_component(got["vitals-pages"], "vitals-pages-table-empty") is not None
    assert _cards(got)["vitals-card-lcp"] == ("", "", None)
    add_site(store, S, web_vitals=True)
    assert find_component(_page(signed_in, QUERY)["vitals-message"], "vitals-none") is not None
    refused = outputs_of(signed_in, OUTPUTS, "vitals-selection", dict(QUERY, site="nowhere.test"))
    assert refused["vitals-report"] == {"display": "none"}
