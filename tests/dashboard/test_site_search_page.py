"""The Site search page (/search) through its Dash callbacks, agreeing with the Stats API,
on both backends. Data: the hand-built day of tests/analytics/test_site_search.py."""
import csv
import io

import pytest

from tests.analytics.test_site_search import S, load_day
from tests.churn_factories import insert_visit
from tests.dashboard.conftest import find_component
from tests.dashboard.report_helpers import outputs_of, query_of, route, row_links, table_rows
from tests.factories import event, insert_events
from vigie.warehouse.sites import add_site

DAY = "2026-03-10"
QUERY = {"site": S, "period": "custom", "from": DAY, "to": DAY}
OUTPUTS = [("search-message", "children"), ("search-kpis", "children"), ("search-terms", "children"),
           ("search-no-results", "children"), ("search-next-pages", "children"),
           ("search-report", "style")]


@pytest.fixture
def day(store):
    site = add_site(store, S, "UTC", search_no_results_event="Search empty")
    load_day(store)
    return site


def _page(client, query):
    got = outputs_of(client, OUTPUTS, "search-selection", query)
    assert got["search-message"] is None and got["search-report"] == {}
    return got


def _cards(got):
    """{card id: (data-value, data-change or None)}."""
    return {card["props"]["id"]: (card["props"]["data-value"],
                                  card["props"]["children"][2]["props"]["data-change"]
                                  if len(card["props"]["children"]) > 2 else None)
            for card in got["search-kpis"]}


def test_every_table_and_card_of_the_day(signed_in, day):
    got = _page(signed_in, QUERY)
    assert table_rows(got["search-terms"]) == [
        ["shoes", "3", "2", "3", "1.00"], ["hats", "1", "1", "1", "1.00"],
        ["red shoes", "1", "1", "1", "1.00"], ["socks", "1", "1", "1", "1.00"]]
    # Only the event says "no results" now: the no-results page is not set.
    assert table_rows(got["search-no-results"]) == [["hats", "1", "1"]]
    assert table_rows(got["search-next-pages"]) == [
        ["/", "1", "1"], ["/p/blue-shoe", "1", "1"], ["/p/red-shoe", "1", "1"]]
    assert _cards(got) == {"kpi-searches": ("6", None), "kpi-visitors": ("3", None),
                           "kpi-searches-per-visit": ("1.5", None), "kpi-refinements": ("1", None),
                           "kpi-exits": ("2", None), "kpi-no-results-rate": ("16.7", None)}
    # A page after searching filters the report by the visits that viewed it.
    assert query_of(row_links(got["search-next-pages"])["/p/red-shoe"])["f_page"] == "/p/red-shoe"


def test_compared_with_the_day_before(signed_in, store, day):
    insert_events(store, [event(S, "2026-03-09 09:00:00", visitor=7, pathname="/search",
                                site_search_term="shoes"),
                          event(S, "2026-03-09 09:00:02", "Search empty", visitor=7,
                                pathname="/search", site_search_term="shoes")])
    cards = _cards(_page(signed_in, dict(QUERY, compare="previous_period")))
    # 6 searches against 1; 16.7 % found nothing against 100 %: -83.3 points.
    assert cards["kpi-searches"] == ("6", "500.0")
    assert cards["kpi-no-results-rate"] == ("16.7", "-83.3")


def test_a_filter_keeps_the_searches_of_kept_visits(signed_in, store, day):
    insert_visit(store, S, "", "2026-03-10 11:00:00", "2026-03-10 11:02:01", 2, visitor_id=2,
                 source="Newsletter")
    got = _page(signed_in, dict(QUERY, f_source="Newsletter"))
    assert table_rows(got["search-terms"]) == [["hats", "1", "1", "1", "1.00"],
                                               ["shoes", "1", "1", "1", "1.00"]]
    assert table_rows(got["search-next-pages"]) == [["/p/blue-shoe", "1", "1"]]


def test_csv_links_give_the_shown_rows(signed_in, day):
    layout = route(signed_in, "/search", f"?site={S}&period=custom&from={DAY}&to={DAY}")
    got = _page(signed_in, QUERY)
    for report, table in (("terms", "search-terms"), ("no_results", "search-no-results"),
                          ("next_pages", "search-next-pages")):
        href = find_component(layout, f"search-{report.replace('_', '-')}-csv")["props"]["href"]
        assert href.startswith("/api/v1/stats/site-search?") and f"report={report}" in href
        answer = signed_in.get(href)
        assert answer.status_code == 200 and answer.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))[1:]
        assert [r[:3] for r in rows] == [r[:3] for r in table_rows(got[table])]


def test_a_site_without_search_settings_says_what_to_set(signed_in, store):
    add_site(store, S, "UTC", search_parameters=[])
    got = _page(signed_in, QUERY)
    assert find_component(got["search-terms"], "search-terms-table-empty")["props"]["children"] == \
        "Site search is off for this site: it has no search parameter (Settings)."
    assert find_component(got["search-no-results"], "search-no-results-table-unset") is not None
    refused = outputs_of(signed_in, OUTPUTS, "search-selection", dict(QUERY, site="nowhere.test"))
    assert refused["search-report"] == {"display": "none"}
