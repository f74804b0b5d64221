"""Site search read from its daily rollup: the same numbers as raw events, on both backends."""
import datetime

import pytest

from vigie.analytics.job_catalog import JOBS
from vigie.analytics.jobs import JobContext, run_window
from vigie.analytics.period import Period
from vigie.analytics.job_catalog import REPORT_ROLLUPS
from vigie.analytics.rollups import rebuild_day, rolled_up_days
from vigie.analytics.site_search import no_results_terms, search_page, search_summary
from tests.churn_factories import insert_visit
from tests.factories import at, event, insert_events
from vigie.warehouse.sites import add_site

S = "shop.test"
D1, D2, D3 = datetime.date(2026, 3, 9), datetime.date(2026, 3, 10), datetime.date(2026, 3, 11)
THREE_DAYS = Period(D1, D3, "day")


@pytest.fixture
def site(store):
    return add_site(store, S, "UTC", search_no_results_page="/search/none",
                    search_no_results_event="Search empty")


def view(ts, visitor, path, term=""):
    return event(S, ts, visitor=visitor, pathname=path, site_search_term=term)


def load(store):
    insert_events(store, [
        # The 9th. Visitor 1: "shoes" leads to /p/a, then "hats" refined to "red hats",
        # which ends the visit.
        view("2026-03-09 10:00:00", 1, "/search", "shoes"),
        view("2026-03-09 10:01:00", 1, "/p/a"),
        view("2026-03-09 10:05:00", 1, "/search", "hats"),
        view("2026-03-09 10:06:00", 1, "/search", "red hats"),
        # Visitor 2 searches ten minutes before midnight and opens /p/b five minutes after:
        # cut at midnight, the search ends its visit and leads to no page.
        view("2026-03-09 23:50:00", 2, "/search", "shoes"),
        view("2026-03-10 00:05:00", 2, "/p/b"),
        # Visitor 3: "socks" lands on the no-results page, then the home page.
        view("2026-03-09 12:00:00", 3, "/search/none", "socks"),
        view("2026-03-09 12:01:00", 3, "/"),
        # The 10th. Visitor 1 searches "shoes" twice, 40 minutes apart: two visits, two exits.
        view("2026-03-10 09:00:00", 1, "/search", "shoes"),
        view("2026-03-10 09:40:00", 1, "/search", "shoes"),
        # Visitor 4: "hats" finds nothing (the event fires), then /p/a.
        view("2026-03-10 15:00:00", 4, "/search", "hats"),
        event(S, "2026-03-10 15:00:01", "Search empty", visitor=4, pathname="/search",
              site_search_term="hats"),
        view("2026-03-10 15:02:00", 4, "/p/a"),
        # The 11th (never rolled up here): visitor 1's "shoes" leads to /p/b.
        view("2026-03-11 08:00:00", 1, "/search", "shoes"),
        view("2026-03-11 08:01:00", 1, "/p/b"),
        # Another site never counts.
        event("other.test", "2026-03-10 09:00:00", visitor=1, pathname="/search",
              site_search_term="shoes"),
    ])


# The three days, worked by hand: 9 searches by visitors 1-4 in 7 visits (the 9th: visitor
# 1's, 2's and 3's; the 10th: visitor 1's two and 4's; the 11th: visitor 1's).
SUMMARY = {"searches": 9, "visitors": 4, "visits": 7, "searches_per_visit": 1.29,
           "refinements": 1, "exits": 4, "no_results": 2, "no_results_rate": 22.2}
TERMS = [
    {"value": "shoes", "searches": 5, "visitors": 2, "visits": 5, "searches_per_visit": 1.0},
    {"value": "hats", "searches": 2, "visitors": 2, "visits": 2, "searches_per_visit": 1.0},
    {"value": "red hats", "searches": 1, "visitors": 1, "visits": 1, "searches_per_visit": 1.0},
    {"value": "socks", "searches": 1, "visitors": 1, "visits": 1, "searches_per_visit": 1.0}]
PAGES = [{"value": "/p/a", "searches": 2, "visitors": 2},
         {"value": "/", "searches": 1, "visitors": 1},
         {"value": "/p/b", "searches": 1, "visitors": 1}]
NO_RESULTS = [{"value": "hats", "searches": 1, "visitors": 1},
              {"value": "socks", "searches": 1, "visitors": 1}]


def report(store, site, period, **options):
    return search_page(store, site, period, **options), no_results_terms(store, site, period)


def roll_up(store, site, days, version, timeout_minutes=30):
    for day in days:
        rebuild_day(store, site, day, version, timeout_minutes, REPORT_ROLLUPS)


def test_rolled_up_days_give_the_raw_numbers(store, site):
    load(store)
    raw = report(store, site, THREE_DAYS)
    assert raw == ((SUMMARY, TERMS, PAGES), NO_RESULTS)
    two_days = Period(D1, D2, "day")
    raw_two_days = report(store, site, two_days)
    roll_up(store, site, [D1, D2], 1)
    assert sorted(rolled_up_days(store, site, D1, D3)) == [D1, D2]
    # The 9th and 10th from the rollup, the 11th raw; then all from the rollup.
    assert report(store, site, THREE_DAYS) == raw
    assert report(store, site, two_days) == raw_two_days
    assert raw_two_days[0][0]["searches"] == 8 and raw_two_days[0][2][-1]["value"] == "/"


def test_the_comparison_period_reads_the_rollup_too(store, site):
    load(store)
    period = Period(D2, D3, "day")  # compared with the 8th and 9th
    raw = search_page(store, site, period, compare="previous_period")
    roll_up(store, site, [D1, D2], 1)
    assert search_page(store, site, period, compare="previous_period") == raw
    summary = raw[0]
    assert summary["searches"] == {"value": 4, "previous": 5, "change": -20.0}
    assert summary["exits"] == {"value": 2, "previous": 2, "change": 0.0}
    assert summary["no_results_rate"] == {"value": 25.0, "previous": 20.0, "change": 5.0}


def test_a_filter_reads_raw_events(store, site):
    load(store)
    roll_up(store, site, [D1, D2], 1)
    # Visitor 4's visit came from a newsletter: the filter keeps its events only.
    insert_visit(store, S, "", "2026-03-10 15:00:00", "2026-03-10 15:02:00", 2, visitor_id=4,
                 source="Newsletter")
    kept = {"source": "Newsletter"}
    summary, terms, pages = search_page(store, site, THREE_DAYS, filters=kept)
    assert (summary["searches"], summary["visitors"], summary["no_results"]) == (1, 1, 1)
    assert [(t["value"], t["searches"]) for t in terms] == [("hats", 1)]
    assert pages == [{"value": "/p/a", "searches": 1, "visitors": 1}]
    assert no_results_terms(store, site, THREE_DAYS, filters=kept) == [NO_RESULTS[0]]


def test_another_visit_timeout_reads_raw_events(store, site):
    load(store)
    roll_up(store, site, [D1, D2], 1)
    # Rolled up with 30 minutes; with no timeout every pageview is a visit of its own.
    summary = search_summary(store, site, THREE_DAYS, timeout_minutes=0)
    assert (summary["visits"], summary["refinements"], summary["exits"]) == (9, 0, 9)
    roll_up(store, site, [D1, D2], 2, timeout_minutes=0)
    assert search_summary(store, site, THREE_DAYS, timeout_minutes=0) == summary
    assert search_summary(store, site, THREE_DAYS)["visits"] == 7


def test_the_rollups_job_cuts_visits_at_its_timeout(store, site):
    load(store)
    raw = search_summary(store, site, THREE_DAYS, timeout_minutes=0)
    run_window(store, JOBS["rollups"], site, at("2026-03-09 00:00:00"), at("2026-03-11 00:00:00"),
               JobContext(timeout_minutes=0))
    # A late search on the 9th: not in the rollup the job wrote with no timeout, which the
    # report reads for that timeout; with 30 minutes the report reads raw events and sees it.
    insert_events(store, [view("2026-03-09 14:00:00", 5, "/search", "shoes")])
    assert search_summary(store, site, THREE_DAYS, timeout_minutes=0) == raw
    assert search_summary(store, site, THREE_DAYS)["searches"] == SUMMARY["searches"] + 1


def test_a_day_rebuilt_after_a_late_event(store, site):
    load(store)
    roll_up(store, site, [D1, D2], 1)
    insert_events(store, [view("2026-03-09 14:00:00", 5, "/search", "shoes"),
                          view("2026-03-09 14:01:00", 5, "/search/none", "shoes")])
    # Until the 9th is rebuilt, its rollup holds what it held.
    assert search_summary(store, site, THREE_DAYS) == SUMMARY
    roll_up(store, site, [D1], 2)
    (summary, terms, _), no_results = report(store, site, THREE_DAYS)
    # Two more searches, one more visitor and visit, one refinement, one no-results search
    # (the page); the first generation of the 9th counts no more.
    assert summary == {"searches": 11, "visitors": 5, "visits": 8, "searches_per_visit": 1.38,
                       "refinements": 2, "exits": 5, "no_results": 3, "no_results_rate": 27.3}
    assert terms[0] == {"value": "shoes", "searches": 7, "visitors": 3, "visits": 6,
                        "searches_per_visit": 1.17}
    assert no_results == [{"value": "hats", "searches": 1, "visitors": 1},
                          {"value": "shoes", "searches": 1, "visitors": 1},
                          {"value": "socks", "searches": 1, "visitors": 1}]


def test_no_results_settings_changed_after_the_rollup(store, site):
    load(store)
    roll_up(store, site, [D1, D2], 1)
    only_page = add_site(store, S, search_no_results_event="")
    assert no_results_terms(store, only_page, THREE_DAYS) == [NO_RESULTS[1]]
    assert search_summary(store, only_page, THREE_DAYS)["no_results"] == 1


def test_visits_are_cut_at_local_midnight(store):
    paris = add_site(store, "paris.test", "Europe/Paris")
    # 23:50 and 00:05, 00:10, 00:11 in Paris (UTC+1): the search before midnight ends its
    # visit; "hats" after it leads to /p/c.
    insert_events(store, [
        event("paris.test", "2026-03-09 22:50:00", pathname="/search", site_search_term="shoes"),
        event("paris.test", "2026-03-09 23:05:00", pathname="/p/b"),
        event("paris.test", "2026-03-09 23:10:00", pathname="/search", site_search_term="hats"),
        event("paris.test", "2026-03-09 23:11:00", pathname="/p/c")])
    period = Period(D1, D2, "day")
    raw = search_page(store, paris, period)
    summary, _, pages = raw
    assert (summary["visits"], summary["exits"]) == (2, 1)
    assert pages == [{"value": "/p/c", "searches": 1, "visitors": 1}]
    roll_up(store, paris, [D1, D2], 1)
    assert sorted(rolled_up_days(store, paris, D1, D2)) == [D1, D2]
    assert search_page(store, paris, period) == raw
