"""Site search reports from hand-built events, on both backends."""
import datetime

import pytest

from vigie.analytics.period import Period
from vigie.analytics.site_search import (no_results_terms, pages_after_search, search_page,
                                         search_summary, search_terms)
from tests.churn_factories import insert_visit
from tests.factories import event, insert_events
from vigie.warehouse.sites import add_site

DAY = datetime.date(2026, 3, 10)
ONE_DAY = Period(DAY, DAY, "hour")
S = "shop.test"


@pytest.fixture
def site(store):
    return add_site(store, S, "UTC", search_no_results_page="/search/none",
                    search_no_results_event="Search empty")


def view(ts, visitor, path, term=""):
    return event(S, f"2026-03-10 {ts}", visitor=visitor, pathname=path, site_search_term=term)


def load_day(store):
    insert_events(store, [
        # Visitor 1, one visit: searches "shoes", refines to "red shoes" (a refinement),
        # then opens a product; a second visit an hour later searches "shoes" again and leaves.
        view("09:00:00", 1, "/"),
        view("09:01:00", 1, "/search", "shoes"),
        view("09:02:00", 1, "/search", "red shoes"),
        view("09:03:00", 1, "/p/red-shoe"),
        event(S, "2026-03-10 09:03:30", "engagement", visitor=1, pathname="/p/red-shoe"),
        view("10:30:00", 1, "/search", "shoes"),
        # Visitor 2: "shoes" then a product; then "hats" finds nothing (the event fires).
        view("11:00:00", 2, "/search", "shoes"),
        view("11:01:00", 2, "/p/blue-shoe"),
        view("11:02:00", 2, "/search", "hats"),
        event(S, "2026-03-10 11:02:01", "Search empty", visitor=2, pathname="/search",
              site_search_term="hats"),
        # Visitor 3: "socks" lands on the no-results page, then the home page.
        view("12:00:00", 3, "/search/none", "socks"),
        view("12:00:40", 3, "/"),
        # Visitor 4 never searches; another day and another site never count.
        view("13:00:00", 4, "/p/red-shoe"),
        event(S, "2026-03-11 09:00:00", visitor=5, pathname="/search", site_search_term="shoes"),
        event("other.test", "2026-03-10 09:00:00", visitor=1, pathname="/search",
              site_search_term="shoes"),
    ])


def test_search_terms(store, site):
    load_day(store)
    assert search_terms(store, site, ONE_DAY) == [
        # 3 searches by 2 visitors in 3 visits (visitor 1's two visits, visitor 2's one).
        {"value": "shoes", "searches": 3, "visitors": 2, "visits": 3, "searches_per_visit": 1.0},
        {"value": "hats", "searches": 1, "visitors": 1, "visits": 1, "searches_per_visit": 1.0},
        {"value": "red shoes", "searches": 1, "visitors": 1, "visits": 1, "searches_per_visit": 1.0},
        {"value": "socks", "searches": 1, "visitors": 1, "visits": 1, "searches_per_visit": 1.0},
    ]
    assert [r["value"] for r in search_terms(store, site, ONE_DAY, limit=2)] == ["shoes", "hats"]


def test_summary(store, site):
    load_day(store)
    assert search_summary(store, site, ONE_DAY) == {
        # 6 searches in 4 visits: visitor 1's first visit holds two.
        "searches": 6, "visitors": 3, "visits": 4, "searches_per_visit": 1.5,
        # "shoes" then "red shoes"; visitor 1's 10:30 search and visitor 2's "hats" end visits.
        "refinements": 1, "exits": 2,
        # "hats" (the event) and "socks" (the page).
        "no_results": 2, "no_results_rate": 33.3}


def test_a_shorter_timeout_splits_visits(store, site):
    load_day(store)
    # With no timeout every pageview is a visit of its own: no search is refined any more.
    summary = search_summary(store, site, ONE_DAY, timeout_minutes=0)
    assert (summary["visits"], summary["refinements"], summary["exits"]) == (6, 0, 6)


def test_no_results(store, site):
    load_day(store)
    assert no_results_terms(store, site, ONE_DAY) == [
        {"value": "hats", "searches": 1, "visitors": 1},
        {"value": "socks", "searches": 1, "visitors": 1}]
    only_event = add_site(store, S, search_no_results_page="")
    assert no_results_terms(store, only_event, ONE_DAY) == [
        {"value": "hats", "searches": 1, "visitors": 1}]
    neither = add_site(store, S, search_no_results_event="")
    assert no_results_terms(store, neither, ONE_DAY) == []
    summary = search_summary(store, neither, ONE_DAY)
    assert (summary["no_results"], summary["no_results_rate"]) == (None, None)


def test_pages_after_search(store, site):
    load_day(store)
    assert pages_after_search(store, site, ONE_DAY) == [
        {"value": "/", "searches": 1, "visitors": 1},
        {"value": "/p/blue-shoe", "searches": 1, "visitors": 1},
        {"value": "/p/red-shoe", "searches": 1, "visitors": 1}]
    assert pages_after_search(store, site, ONE_DAY, limit=1) == [
        {"value": "/", "searches": 1, "visitors": 1}]
    with pytest.raises(ValueError, match="limit must be a whole number"):
        search_terms(store, site, ONE_DAY, limit=0)


def test_filters_keep_the_searches_of_kept_visits(store, site):
    load_day(store)
    # Visitor 2's visit came from a newsletter; the filter keeps its events only.
    insert_visit(store, S, "", "2026-03-10 11:00:00", "2026-03-10 11:02:01", 2, visitor_id=2,
                 source="Newsletter")
    insert_visit(store, S, "", "2026-03-10 12:00:00", "2026-03-10 12:00:40", 3, visitor_id=3,
                 source="Google")
    kept = {"source": "Newsletter"}
    assert [(r["value"], r["searches"]) for r in search_terms(store, site, ONE_DAY, filters=kept)] == [
        ("hats", 1), ("shoes", 1)]
    assert no_results_terms(store, site, ONE_DAY, filters=kept) == [
        {"value": "hats", "searches": 1, "visitors": 1}]
    assert pages_after_search(store, site, ONE_DAY, filters=kept) == [
        {"value": "/p/blue-shoe", "searches": 1, "visitors": 1}]
    assert search_summary(store, site, ONE_DAY, filters=kept)["searches"] == 2


def test_the_page_gets_the_same_numbers_in_one_pass(store, site):
    load_day(store)
    summary, terms, pages = search_page(store, site, ONE_DAY, limit=2)
    assert summary == search_summary(store, site, ONE_DAY)
    assert terms == search_terms(store, site, ONE_DAY, limit=2)
    assert pages == pages_after_search(store, site, ONE_DAY, limit=2)
    compared, _, _ = search_page(store, site, ONE_DAY, compare="previous_period")
    # Nothing the day before: nothing to compute a change from.
    assert compared["searches"] == {"value": 6, "previous": 0, "change": None}
    assert compared["no_results_rate"] == {"value": 33.3, "previous": None, "change": None}
